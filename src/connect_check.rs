//! `mailclerk config check --connect`: signs in to every mailbox's servers as the daemon would,
//! and says, per mailbox, which server and credential works and which fails, in plain words.
//! Nothing is sent and no mail is touched: IMAP folders are opened read-only (`EXAMINE`), the
//! SMTP session ends after `AUTH`. The one lasting effect is an OAuth2 token renewal, which
//! the token store keeps like any renewal (the daemon would make the same one).

use std::fmt;
use std::sync::Arc;

use crate::config::mail::Auth;
use crate::config::{Config, Filing, ImapSource, Mailbox, Mode, Outbox, Security, Source};
use crate::error_chain;
use crate::intake::imap::{self, BearerMechanism, Credential, Session};
use crate::oauth::TokenSource;
use crate::send::{ProbeError, Smtp, SmtpSettings};

/// What was tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// The token endpoint: a refresh with the stored refresh token.
    OAuth2,
    Imap,
    Smtp,
    /// The store's database (`store = { kind = "postgres" }`).
    Postgres,
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Service::OAuth2 => "OAuth2",
            Service::Imap => "IMAP",
            Service::Smtp => "SMTP",
            Service::Postgres => "PostgreSQL",
        })
    }
}

/// One server tried for one mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub service: Service,
    /// `host:port (security) as user`, or the token URL.
    pub server: String,
    /// What worked, or what failed and what to do, in plain words.
    pub outcome: Result<String, String>,
}

/// Every server of one mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxReport {
    pub mailbox: String,
    pub probes: Vec<Probe>,
}

impl MailboxReport {
    pub fn ok(&self) -> bool {
        self.probes.iter().all(|p| p.outcome.is_ok())
    }
}

impl fmt::Display for MailboxReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "mailbox {}: {}",
            self.mailbox,
            if self.ok() { "OK" } else { "FAILED" }
        )?;
        if self.probes.is_empty() {
            writeln!(f, "  nothing to connect to (directory inbox and outbox)")?;
        }
        for p in &self.probes {
            match &p.outcome {
                Ok(said) => writeln!(f, "  {:<6} {}: ok, {said}", p.service, p.server)?,
                Err(said) => writeln!(f, "  {:<6} {}: FAILED: {said}", p.service, p.server)?,
            }
        }
        Ok(())
    }
}

/// Tries every mailbox of `cfg`, one after the other.
pub async fn check(cfg: &Config) -> Vec<MailboxReport> {
    let mut reports = Vec::new();
    for mailbox in &cfg.mailboxes {
        reports.push(check_mailbox(mailbox).await);
    }
    reports
}

async fn check_mailbox(mailbox: &Mailbox) -> MailboxReport {
    let mut probes = Vec::new();
    let mut tokens = None;
    if let Some(o) = &mailbox.oauth2 {
        let server = format!("token endpoint {}", o.token_url);
        let outcome = match TokenSource::new(&mailbox.name, o) {
            Err(e) => Err(error_chain(&e)),
            Ok(source) => match source.renewed().await {
                Ok(_) => {
                    let source = Arc::new(source);
                    tokens = Some(source);
                    Ok(format!(
                        "a new access token for the refresh token in {}",
                        o.token_store.display()
                    ))
                }
                Err(e) => Err(format!(
                    "{}; {}",
                    error_chain(&e),
                    e.operator_action(&mailbox.name)
                )),
            },
        };
        probes.push(Probe {
            service: Service::OAuth2,
            server,
            outcome,
        });
    }
    if let Some(pg) = &mailbox.postgres {
        probes.push(check_postgres(&mailbox.name, pg.url()).await);
    }
    if let Source::Imap(source) = &mailbox.source {
        probes.push(check_imap(mailbox, source, tokens.as_ref()).await);
    }
    if let Outbox::Smtp(s) = &mailbox.outbox {
        if mailbox.handling.mode == Mode::Send {
            probes.push(check_smtp(s, tokens.as_ref()).await);
        } else {
            // The daemon opens no SMTP session outside send mode: a relay it never uses
            // must not fail the check.
            probes.push(Probe {
                service: Service::Smtp,
                server: format!("{}:{}", s.host, s.port),
                outcome: Ok("not tried: this mode sends nothing".into()),
            });
        }
    }
    MailboxReport {
        mailbox: mailbox.name.clone(),
        probes,
    }
}

/// Connects as the daemon would and reads the schema version; creates nothing.
async fn check_postgres(mailbox: &str, url: &str) -> Probe {
    let server = crate::store::describe_postgres(url);
    let (mailbox, url) = (mailbox.to_string(), url.to_string());
    let opened = tokio::task::spawn_blocking(move || {
        crate::store::Store::open_postgres_read_only(&url, &mailbox).map(drop)
    })
    .await;
    let outcome = match opened {
        Ok(Ok(())) => Ok("connected; the schema is one this mailclerk knows".to_string()),
        Ok(Err(crate::store::Error::NotSetUp { .. })) => {
            Ok("connected; no mailclerk schema yet (the first start creates it)".to_string())
        }
        Ok(Err(e)) => Err(error_chain(&e)),
        Err(e) => Err(format!("the check itself failed: {e}")),
    };
    Probe {
        service: Service::Postgres,
        server,
        outcome,
    }
}

fn security(s: Security) -> &'static str {
    match s {
        Security::Implicit => "implicit TLS",
        Security::Starttls => "STARTTLS",
        Security::Plain => "no TLS",
    }
}

async fn check_imap(
    mailbox: &Mailbox,
    source: &ImapSource,
    tokens: Option<&Arc<TokenSource>>,
) -> Probe {
    let server = format!(
        "{}:{} ({}) as {}",
        source.host,
        source.port,
        security(source.security),
        source.user
    );
    let settings = crate::daemon::imap_settings(source);
    let credential = match (source.auth, tokens) {
        (Auth::Password, _) => Credential::Password,
        (Auth::Xoauth2, Some(t)) => match t.access_token().await {
            Ok(token) => Credential::Bearer {
                token,
                mechanism: BearerMechanism::Auto,
            },
            Err(e) => return failed(Service::Imap, server, error_chain(&e)),
        },
        (Auth::Xoauth2, None) => {
            return failed(
                Service::Imap,
                server,
                "no access token (see the OAuth2 line above)".into(),
            );
        }
    };
    let mut session = match Session::connect_with(&settings, &credential).await {
        Ok(session) => session,
        Err(e) => {
            let said = imap_failure(&e, source);
            return failed(Service::Imap, server, said);
        }
    };
    let mut folders = vec![source.folder.clone()];
    if let Filing::Folders {
        answered,
        to_people,
        skipped,
    } = &mailbox.handling.filing
    {
        folders.extend([answered.clone(), to_people.clone(), skipped.clone()]);
    }
    folders.extend(mailbox.handling.sent_folder.clone());
    if mailbox.handling.mode == Mode::Draft {
        folders.push(mailbox.handling.drafts_folder.clone());
    }
    let mut seen = Vec::new();
    let mut missing = Vec::new();
    for folder in folders {
        match session.examine(&folder).await {
            Ok(_) => seen.push(folder),
            // Created by the daemon when missing (the filing folders before any mail is
            // taken): not a failure, but worth knowing.
            Err(imap::Error::NoSuchFolder { .. }) if folder != source.folder => {
                missing.push(folder);
            }
            Err(e) => {
                let _ = session.logout().await;
                return failed(
                    Service::Imap,
                    server,
                    format!(
                        "signed in, but folder {folder:?} cannot be opened: {}",
                        error_chain(&e)
                    ),
                );
            }
        }
    }
    let _ = session.logout().await;
    let mut said = format!(
        "signed in with {}; opened {}",
        source.credential,
        seen.iter()
            .map(|f| format!("{f:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !missing.is_empty() {
        said.push_str(&format!(
            "; not there yet (mailclerk creates them): {}",
            missing
                .iter()
                .map(|f| format!("{f:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Probe {
        service: Service::Imap,
        server,
        outcome: Ok(said),
    }
}

/// The IMAP failure in words that name the credential where it is the credential.
fn imap_failure(e: &imap::Error, source: &ImapSource) -> String {
    match e {
        imap::Error::Login { detail, .. } | imap::Error::TokenRefused { detail, .. } => format!(
            "the server refused the sign-in ({detail}); check {}",
            source.credential
        ),
        imap::Error::Connect { source: io, .. } => {
            format!("cannot connect ({io}); check host and port, and that the server runs")
        }
        imap::Error::Tls { source: io, .. } => {
            format!("the TLS handshake failed ({io}); check security, the host name and ca_file")
        }
        e => error_chain(e),
    }
}

async fn check_smtp(s: &SmtpSettings, tokens: Option<&Arc<TokenSource>>) -> Probe {
    let server = format!(
        "{}:{} ({}) as {}",
        s.host,
        s.port,
        security(s.security),
        s.user
    );
    let smtp = match (s.auth, tokens) {
        (Auth::Xoauth2, Some(t)) => Smtp::with_tokens(s, t.clone()),
        (Auth::Xoauth2, None) => {
            return failed(
                Service::Smtp,
                server,
                "no access token (see the OAuth2 line above)".into(),
            );
        }
        (Auth::Password, _) => Smtp::new(s),
    };
    let smtp = match smtp {
        Ok(smtp) => smtp,
        Err(e) => return failed(Service::Smtp, server, error_chain(&e)),
    };
    let outcome = match smtp.probe().await {
        Ok(()) => Ok(format!("signed in with {}; nothing sent", s.credential)),
        Err(ProbeError::Refused { answer }) => Err(format!(
            "the relay refused the sign-in ({answer}); check {}",
            s.credential
        )),
        Err(ProbeError::Token(e)) => Err(error_chain(&e)),
        Err(ProbeError::Connect(e)) => Err(format!(
            "no session ({}); check host, port and security, and that the relay runs",
            error_chain(&*e)
        )),
    };
    Probe {
        service: Service::Smtp,
        server,
        outcome,
    }
}

fn failed(service: Service, server: String, said: String) -> Probe {
    Probe {
        service,
        server,
        outcome: Err(said),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_says_ok_only_when_every_server_worked() {
        let probe = |service, outcome| Probe {
            service,
            server: "127.0.0.1:1 (STARTTLS) as a@b".into(),
            outcome,
        };
        let good = MailboxReport {
            mailbox: "desk".into(),
            probes: vec![
                probe(Service::Imap, Ok("signed in".into())),
                probe(Service::Smtp, Ok("signed in".into())),
            ],
        };
        assert!(good.ok());
        assert!(good.to_string().starts_with("mailbox desk: OK\n"));
        let bad = MailboxReport {
            probes: vec![
                probe(Service::Imap, Ok("signed in".into())),
                probe(Service::Smtp, Err("the relay refused the sign-in".into())),
            ],
            ..good
        };
        assert!(!bad.ok());
        let text = bad.to_string();
        assert!(text.starts_with("mailbox desk: FAILED\n"), "{text}");
        assert!(
            text.contains("  SMTP   127.0.0.1:1 (STARTTLS) as a@b: FAILED: the relay refused"),
            "{text}"
        );
    }
}
