//! OAuth2 sign-in end to end, with no Internet: the test token endpoint ([`endpoint`]) issues,
//! rotates, expires and revokes tokens; the project's Dovecot (`passdb oauth2`) asks it about
//! every XOAUTH2/OAUTHBEARER sign-in, on IMAP and on Postfix's submission port (Dovecot SASL).

mod endpoint;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use endpoint::{ClientSpec, endpoint};
use mailclerk::intake::imap::{BearerMechanism, Credential, Error as ImapError, Session};
use mailclerk::oauth::Secret;

use crate::support::config::AUTO_ANSWER_THRESHOLD;
use crate::support::{Daemon, Stack, WAIT, body, read_folder, smtp_send, user, wait_for};

/// One mailbox of a test configuration.
struct Desk {
    name: String,
    support: String,
    customer: String,
    /// None: password sign-in.
    client: Option<String>,
}

impl Desk {
    fn new(name: &str, oauth: bool) -> Desk {
        Desk {
            name: name.into(),
            support: user(&format!("support-{name}")),
            customer: user(&format!("cust-{name}")),
            client: oauth.then(|| format!("client-{}", user(name).replace('@', "."))),
        }
    }

    fn client(&self) -> &str {
        self.client.as_deref().expect("an OAuth2 desk")
    }

    /// Registers the desk's app at the endpoint.
    fn register(&self, lifetime: Duration, rotate: bool, secret: Option<&str>) {
        endpoint().register(
            self.client(),
            ClientSpec {
                secret: secret.map(str::to_string),
                user: self.support.clone(),
                lifetime,
                rotate,
            },
        );
    }

    /// The customer asks for a refund through the MX port.
    fn send_request(&self, stack: &Stack, subject: &str) -> String {
        self.send(
            stack,
            subject,
            "Hello, I would like a refund of my subscription.",
        )
    }

    /// A request with its own text (a second refund request from the same account goes to
    /// people under the history rule; a repeated cancellation is answered).
    fn send(&self, stack: &Stack, subject: &str, request: &str) -> String {
        let id = format!("req-{}@customer.example.test", user("m").replace('@', "."));
        let text = format!(
            "From: Ann Customer <{from}>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{request}\r\n",
            from = self.customer,
            to = self.support,
        );
        smtp_send(
            &stack.host,
            stack.smtp_port,
            &self.customer,
            &self.support,
            &text,
        );
        id
    }
}

/// A configuration with several mailboxes in a temporary directory.
struct Setup {
    stack: Stack,
    dir: tempfile::TempDir,
    config: PathBuf,
    daemon: Daemon,
}

impl Setup {
    /// `flow` applies to every OAuth2 desk; `oauth_extra` lines go into each `[mailbox.oauth2]`.
    fn new(desks: &[&Desk], flow: &str, oauth_extra: &str) -> Setup {
        let stack = Stack::from_env();
        let dir = tempfile::tempdir().unwrap();
        let repo = std::env::current_dir().unwrap();
        let paid = jiff::Zoned::now()
            .date()
            .checked_sub(jiff::Span::new().days(5))
            .unwrap();
        std::fs::write(dir.path().join("password"), &stack.password).unwrap();
        std::fs::write(dir.path().join("client-secret"), "s3cret-of-the-app\n").unwrap();
        let ep = endpoint();
        let mut text = format!(
            "templates = \"{}\"\nstate_dir = \"state\"\n",
            repo.join("templates").display()
        );
        for d in desks {
            let csv = format!("{}.csv", d.name);
            std::fs::write(
                dir.path().join(&csv),
                format!("account_id,email,name,plan,signed_up_on,first_paid_on,first_payment,last_payment,currency\nA-1,{},Ann Customer,monthly,{paid},{paid},49.00,49.00,USD\n", d.customer),
            )
            .unwrap();
            let auth = match d.client {
                Some(_) => "auth = \"xoauth2\"",
                None => "password_file = \"password\"",
            };
            text.push_str(&format!(
                r#"
[[mailbox]]
name = "{name}"
address = "{support}"
policy = "{policy}"
accounts_csv = "{csv}"
# Sign-in is under test, not the model's calibration: a plain request must be answered.
auto_answer_threshold = {AUTO_ANSWER_THRESHOLD:?}

[mailbox.source]
kind = "imap"
host = "{host}"
port = {imaps}
security = "implicit"
ca_file = "{ca}"
user = "{support}"
{auth}
catch_up_seconds = 10

[mailbox.outbox]
kind = "smtp"
host = "{host}"
port = {submission}
security = "starttls"
ca_file = "{ca}"
user = "{support}"
{auth}
"#,
                name = d.name,
                support = d.support,
                policy = repo.join("config/policies/notout.toml").display(),
                host = stack.host,
                imaps = stack.imaps_port,
                submission = stack.submission_port,
                ca = stack.ca_file.display(),
            ));
            if let Some(client) = &d.client {
                text.push_str(&format!(
                    r#"
[mailbox.oauth2]
provider = "generic"
flow = "{flow}"
client_id = "{client}"
token_url = "{token}"
device_url = "{device}"
auth_url = "{auth_url}"
scopes = ["mail"]
{oauth_extra}
"#,
                    token = ep.url("/token"),
                    device = ep.url("/devicecode"),
                    auth_url = ep.url("/authorize"),
                ));
            }
        }
        let config = dir.path().join("mailclerk.toml");
        std::fs::write(&config, text).unwrap();
        let daemon = Daemon::new(&config, &dir.path().join("daemon.log"));
        Setup {
            stack,
            dir,
            config,
            daemon,
        }
    }

    fn store(&self, desk: &Desk) -> PathBuf {
        self.dir
            .path()
            .join(format!("state/{}.oauth2.json", desk.name))
    }

    fn mailclerk(&self, args: &[&str]) -> Command {
        self.daemon.command(args)
    }

    /// `mailclerk auth login` for a device-code desk: reads the code it prints, approves it
    /// at the endpoint, and waits for the command to store the tokens.
    fn device_login(&self, desk: &Desk) {
        let mut child = self
            .mailclerk(&["auth", "login", "--mailbox", &desk.name])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut printed = String::new();
        let code = loop {
            let line = lines.next().expect("auth login printed no code").unwrap();
            printed.push_str(&line);
            printed.push('\n');
            if let Some((_, code)) = line.split_once("enter the code ") {
                break code.trim().to_string();
            }
        };
        assert!(printed.contains(&endpoint().url("/device")), "{printed}");
        assert!(endpoint().approve(&code), "unknown code {code:?}");
        let status = child.wait().unwrap();
        let rest: Vec<String> = lines.map_while(Result::ok).collect();
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert!(
            status.success(),
            "auth login: {status:?}\n{printed}{rest:?}\n{err}"
        );
        assert!(rest.iter().any(|l| l.starts_with("Signed in")), "{rest:?}");
    }
}

fn refresh_token_in(store: &Path) -> String {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(store).unwrap()).unwrap();
    v["refresh_token"].as_str().unwrap_or_default().to_string()
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn maillog(name: &str) -> String {
    let dir = std::env::var("MAILSTACK_DIR").unwrap_or_else(|_| "/tmp/mailclerk-mailstack".into());
    std::fs::read_to_string(Path::new(&dir).join("log").join(name)).unwrap_or_default()
}

/// A token straight from the endpoint (client credentials), for the IMAP client tests.
async fn app_token(desk: &Desk) -> Secret {
    let http = mailclerk::oauth::flow::http_client().unwrap();
    let ep = endpoint();
    let settings = mailclerk::config::oauth2::OAuth2 {
        provider: mailclerk::config::oauth2::Provider::Generic,
        flow: mailclerk::config::oauth2::Flow::ClientCredentials,
        client_id: desk.client().into(),
        client_secret: Some(Secret::new("app-secret".into())),
        tenant: None,
        scopes: vec!["mail".into()],
        token_url: ep.url("/token"),
        device_url: None,
        auth_url: None,
        redirect_port: 0,
        token_store: PathBuf::from("/nonexistent"),
        retry: Duration::from_secs(60),
        retry_max: Duration::from_secs(60),
    };
    mailclerk::oauth::flow::client_credentials(&http, &desk.name, &settings)
        .await
        .unwrap()
        .access_token
}

#[tokio::test(flavor = "multi_thread")]
async fn imap_accepts_a_token_by_xoauth2_and_oauthbearer_and_refuses_a_dead_one() {
    let desk = Desk::new("imapsasl", true);
    desk.register(Duration::from_secs(300), false, Some("app-secret"));
    let stack = Stack::from_env();
    let settings = stack.imap(&desk.support);
    let token = app_token(&desk).await;
    for mechanism in [
        BearerMechanism::Auto,
        BearerMechanism::XOauth2,
        BearerMechanism::OAuthBearer,
    ] {
        let credential = Credential::Bearer {
            token: token.clone(),
            mechanism,
        };
        let mut s = Session::connect_with(&settings, &credential)
            .await
            .unwrap_or_else(|e| panic!("{mechanism:?}: {e}"));
        s.select("INBOX").await.unwrap();
        s.logout().await.unwrap();
    }
    assert!(
        maillog("dovecot.log").contains(&format!("user=<{}>, method=OAUTHBEARER", desk.support)),
        "Dovecot logged no OAUTHBEARER login"
    );
    endpoint().revoke(desk.client());
    let dead = Credential::Bearer {
        token,
        mechanism: BearerMechanism::Auto,
    };
    match Session::connect_with(&settings, &dead).await {
        Err(e @ ImapError::TokenRefused { refusal, .. }) => {
            // Dovecot's tagged NO [AUTHENTICATIONFAILED] (after its error challenge): a token
            // refusal, which a renewed token may cure.
            assert_eq!(refusal, mailclerk::oauth::refusal::Refusal::Token, "{e}");
            assert!(
                e.to_string().contains("error challenge status \"401\""),
                "Dovecot's RFC 7628 error challenge was read: {e}"
            );
            assert!(!e.is_transient());
            assert!(!e.to_string().contains("at-"), "the token leaked: {e}");
        }
        other => panic!("expected TokenRefused, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn app_only_xoauth2_on_imap_and_smtp_answers_a_request() {
    let desk = Desk::new("apponly", true);
    desk.register(Duration::from_secs(300), false, Some("s3cret-of-the-app"));
    let mut setup = Setup::new(
        &[&desk],
        "client_credentials",
        "client_secret_file = \"client-secret\"",
    );
    // The one-time step also proves the app's credentials before the daemon runs.
    let out = setup
        .mailclerk(&["auth", "login", "--mailbox", &desk.name])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = setup.store(&desk);
    assert_eq!(mode(&store), 0o600);
    let check = setup.mailclerk(&["config", "check"]).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    setup.daemon.start(&[]);
    setup
        .daemon
        .wait_log_n("First start on this folder", 1, WAIT);
    desk.send_request(&setup.stack, "Refund please");
    let replies = wait_for(&setup.stack, &desk.customer, "INBOX", 1, WAIT).await;
    assert_eq!(replies.len(), 1, "log:\n{}", setup.daemon.log());
    assert!(body(&replies[0]).contains("Your refund of 49.00 USD has been approved."));
    setup.daemon.stop();

    // Dovecot and Postfix both saw a token sign-in for this user.
    assert!(
        maillog("dovecot.log").contains(&format!("user=<{}>, method=XOAUTH2", desk.support)),
        "no IMAP XOAUTH2 login in dovecot.log"
    );
    assert!(
        maillog("postfix.log").contains(&format!(
            "sasl_method=XOAUTH2, sasl_username={}",
            desk.support
        )),
        "no SMTP XOAUTH2 in postfix.log"
    );
    assert!(endpoint().counts(desk.client()).introspections_active >= 2);
    // No token in the log or the configuration.
    let token =
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&store).unwrap())
            .unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_string();
    assert!(!setup.daemon.log().contains(&token));
    assert!(
        !std::fs::read_to_string(&setup.config)
            .unwrap()
            .contains(&token)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_that_expire_during_idle_are_renewed_and_a_rotated_refresh_token_survives_a_restart()
{
    let desk = Desk::new("expiry", true);
    // Short-lived tokens, rotated at every refresh: the old refresh token dies at once.
    desk.register(Duration::from_secs(3), true, None);
    let mut setup = Setup::new(&[&desk], "device_code", "");
    setup.device_login(&desk);
    let store = setup.store(&desk);
    let first_rt = refresh_token_in(&store);
    assert!(endpoint().refresh_alive(&first_rt));

    setup.daemon.start(&[]);
    setup
        .daemon
        .wait_log_n("First start on this folder", 1, WAIT);
    // The token runs out while the daemon idles; the reply needs a fresh one for SMTP.
    tokio::time::sleep(Duration::from_secs(4)).await;
    desk.send_request(&setup.stack, "Refund please");
    let replies = wait_for(&setup.stack, &desk.customer, "INBOX", 1, WAIT).await;
    assert_eq!(replies.len(), 1, "log:\n{}", setup.daemon.log());
    // The server drops the idle session; reconnecting needs a renewed token too.
    tokio::time::sleep(Duration::from_secs(4)).await;
    crate::support::mailstack(&["doveadm", "kick", &desk.support]);
    setup.daemon.wait_log_n("Connected.", 2, WAIT);
    let counts = endpoint().counts(desk.client());
    assert!(counts.refresh >= 2, "{counts:?}\n{}", setup.daemon.log());
    assert_eq!(counts.refresh_refused, 0, "{counts:?}");
    setup.daemon.stop();

    // The rotated refresh token is the one on disk; the first one is dead.
    let rotated = refresh_token_in(&store);
    assert_ne!(rotated, first_rt);
    assert!(!endpoint().refresh_alive(&first_rt));
    assert!(endpoint().refresh_alive(&rotated));
    assert_eq!(mode(&store), 0o600);

    // After the restart the access token has expired: only the rotated refresh token works.
    tokio::time::sleep(Duration::from_secs(3)).await;
    setup.daemon.start(&[]);
    setup.daemon.wait_log_n("Connected.", 3, WAIT);
    desk.send(&setup.stack, "Cancel", "Please cancel my subscription.");
    let replies = wait_for(&setup.stack, &desk.customer, "INBOX", 2, WAIT).await;
    assert_eq!(replies.len(), 2, "log:\n{}", setup.daemon.log());
    setup.daemon.stop();
    assert_eq!(endpoint().counts(desk.client()).refresh_refused, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn revoked_consent_backs_off_with_an_error_loses_nothing_and_spares_the_other_mailbox() {
    let oauth = Desk::new("revoked", true);
    let plain = Desk::new("neighbour", false);
    oauth.register(Duration::from_secs(300), true, None);
    let mut setup = Setup::new(
        &[&oauth, &plain],
        "device_code",
        "retry_seconds = 3\nretry_max_seconds = 6",
    );
    setup.device_login(&oauth);
    setup.daemon.start(&[]);
    setup
        .daemon
        .wait_log_n("First start on this folder", 2, WAIT);

    endpoint().revoke(oauth.client());
    let waiting = oauth.send_request(&setup.stack, "Refund please");
    // One refresh and one retry, then the back-off and an ERROR saying what to do.
    setup
        .daemon
        .wait_log_n("run mailclerk auth login --mailbox revoked", 1, WAIT);
    let log = setup.daemon.log();
    let error = log
        .lines()
        .find(|l| l.contains("run mailclerk auth login --mailbox revoked"))
        .unwrap();
    assert!(
        error.contains("ERROR") && error.contains("revoked"),
        "{error}"
    );

    // The neighbour is answered meanwhile.
    plain.send_request(&setup.stack, "Refund please");
    let replies = wait_for(&setup.stack, &plain.customer, "INBOX", 1, WAIT).await;
    assert_eq!(replies.len(), 1, "log:\n{}", setup.daemon.log());

    // The server drops the session: signing in again fails the same way, without a hot loop.
    crate::support::mailstack(&["doveadm", "kick", &oauth.support]);
    setup.daemon.wait_log_n("OAuth2 sign-in failed", 1, WAIT);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let counts = endpoint().counts(oauth.client());
    // ≤ one refresh per back-off step (3 s, then 6 s) plus the immediate one of each failure.
    assert!(
        counts.refresh_refused <= 5,
        "too many refresh attempts: {counts:?}\n{}",
        setup.daemon.log()
    );
    // Nothing lost: the request waits in the folder, unanswered and unfiled.
    assert!(
        read_folder(&setup.stack, &oauth.customer, "INBOX")
            .await
            .is_empty()
    );
    assert!(
        read_folder(&setup.stack, &oauth.support, "mailclerk/people")
            .await
            .is_empty(),
        "handed to people instead of waiting"
    );

    // The operator signs in again; the next attempt picks the new tokens up and answers.
    endpoint().allow(oauth.client());
    setup.device_login(&oauth);
    let replies = wait_for(
        &setup.stack,
        &oauth.customer,
        "INBOX",
        1,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(replies.len(), 1, "log:\n{}", setup.daemon.log());
    assert!(
        crate::support::header(&replies[0], "In-Reply-To").is_some_and(|h| h.contains(&waiting))
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        read_folder(&setup.stack, &oauth.customer, "INBOX")
            .await
            .len(),
        1,
        "exactly one answer"
    );
    setup.daemon.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn loopback_flow_with_pkce_stores_a_refresh_token() {
    let desk = Desk::new("loopback", true);
    desk.register(Duration::from_secs(300), false, None);
    let setup = Setup::new(&[&desk], "loopback", "");
    let mut child = setup
        .mailclerk(&[
            "auth",
            "login",
            "--mailbox",
            &desk.name,
            "--wait-seconds",
            "30",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("no URL printed").unwrap();
        if line.starts_with(&endpoint().url("/authorize")) {
            break line;
        }
    };
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    // The browser: the provider redirects to the loopback listener, which takes the code.
    let http = reqwest_free_get(&url);
    let location = http
        .lines()
        .find_map(|l| l.strip_prefix("Location: "))
        .unwrap_or_else(|| panic!("no redirect: {http}"))
        .trim()
        .to_string();
    assert!(location.starts_with("http://127.0.0.1:"), "{location}");
    let landing = reqwest_free_get(&location);
    assert!(landing.contains("Signed in"), "{landing}");
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "{err}");
    let store = setup.store(&desk);
    assert_eq!(mode(&store), 0o600);
    assert!(endpoint().refresh_alive(&refresh_token_in(&store)));
    assert_eq!(endpoint().counts(desk.client()).authorization_code, 1);
}

/// A bare HTTP/1.1 GET (no redirects followed); returns the whole response.
fn reqwest_free_get(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut conn = std::net::TcpStream::connect(host).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        conn,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    conn.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn config_check_rejects_a_missing_or_unreadable_token_store_and_inline_secrets() {
    let desk = Desk::new("checkstore", true);
    let setup = Setup::new(&[&desk], "device_code", "");
    let check = |setup: &Setup| {
        let out = setup.mailclerk(&["config", "check"]).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = check(&setup);
    assert_eq!(code, Some(78), "{err}");
    assert!(
        err.contains("mailbox[0].oauth2.token_store")
            && err.contains("there is none at")
            && err.contains("run `mailclerk auth login --mailbox checkstore`"),
        "{err}"
    );
    let store = setup.store(&desk);
    std::fs::create_dir_all(store.parent().unwrap()).unwrap();
    // Readable by others: refused (and root could read a 0000 file anyway).
    std::fs::write(
        &store,
        r#"{"format":1,"access_token":"x","obtained_at":"2026-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let (code, err) = check(&setup);
    assert_eq!(code, Some(78), "{err}");
    assert!(
        err.contains("mailbox[0].oauth2.token_store") && err.contains("chmod 600"),
        "{err}"
    );
    // Not a file at all.
    std::fs::remove_file(&store).unwrap();
    std::fs::create_dir(&store).unwrap();
    let (code, err) = check(&setup);
    assert_eq!(code, Some(78), "{err}");
    assert!(err.contains("is not a regular file"), "{err}");

    // Secrets never inline; xoauth2 without its section.
    let text = std::fs::read_to_string(&setup.config).unwrap();
    std::fs::write(
        &setup.config,
        text.replace(
            "scopes = [\"mail\"]",
            "scopes = [\"mail\"]\nclient_secret = \"hunter2\"",
        ),
    )
    .unwrap();
    let (code, err) = check(&setup);
    assert_eq!(code, Some(78), "{err}");
    assert!(
        err.contains("mailbox[0].oauth2.client_secret") && err.contains("never go inline"),
        "{err}"
    );
    let cut = text.find("[mailbox.oauth2]").unwrap();
    std::fs::write(&setup.config, &text[..cut]).unwrap();
    let (code, err) = check(&setup);
    assert_eq!(code, Some(78), "{err}");
    assert!(
        err.contains("mailbox[0].oauth2") && err.contains("needs a [mailbox.oauth2] section"),
        "{err}"
    );
}

/// `config check --connect` on an OAuth2 mailbox: the token renewed at the endpoint, then
/// XOAUTH2 on IMAP and SMTP; after the consent is revoked, the OAuth2 line says what to do and
/// the command exits 69.
#[test]
fn config_check_connect_renews_the_token_and_signs_in_with_it() {
    let desk = Desk::new("connect", true);
    desk.register(Duration::from_secs(300), true, None);
    let setup = Setup::new(&[&desk], "device_code", "");
    setup.device_login(&desk);
    let check = || {
        let out = setup
            .mailclerk(&["config", "check", "--connect"])
            .output()
            .unwrap();
        (
            out.status.code(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let refreshed = endpoint().counts(desk.client()).refresh;
    let (code, out) = check();
    assert_eq!(code, Some(0), "{out}");
    for said in [
        "mailbox connect: OK",
        "OAuth2 token endpoint ",
        "ok, a new access token for the refresh token in ",
        "signed in with mailbox[0].source.auth = \"xoauth2\"",
        "signed in with mailbox[0].outbox.auth = \"xoauth2\"",
    ] {
        assert!(out.contains(said), "no {said:?} in:\n{out}");
    }
    assert_eq!(
        endpoint().counts(desk.client()).refresh,
        refreshed + 1,
        "one renewal"
    );

    endpoint().revoke(desk.client());
    let (code, out) = check();
    assert_eq!(code, Some(69), "{out}");
    assert!(out.contains("mailbox connect: FAILED"), "{out}");
    assert!(
        out.contains("run mailclerk auth login --mailbox connect"),
        "{out}"
    );
    assert!(
        out.contains("no access token (see the OAuth2 line above)"),
        "{out}"
    );
}
