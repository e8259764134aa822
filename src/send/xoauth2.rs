//! SMTP `AUTH XOAUTH2` done here rather than by lettre: lettre gives up at the server's error
//! challenge (a `334` carrying base64 JSON, RFC 7628 §3.2.2) without reading it or the final
//! `535`/`534`, and those codes are what say why the token was refused (`oauth::refusal`).

use base64::Engine as _;
use lettre::transport::smtp::client::AsyncSmtpConnection;

use crate::oauth::refusal::{self, ErrorChallenge, Refusal};

/// The relay refused the token.
#[derive(Debug, thiserror::Error)]
#[error("the relay refused the OAuth2 access token of {user} ({code} {text}{challenge})")]
pub struct Refused {
    pub refusal: Refusal,
    pub user: String,
    pub code: u16,
    pub text: String,
    /// The error challenge's status, as it reads in the error (empty without one).
    challenge: String,
}

/// Why the sign-in did not happen.
#[derive(Debug)]
pub enum Failed {
    Refused(Refused),
    /// The connection or the exchange broke (no reply code to go by).
    Other(lettre::transport::smtp::Error),
}

/// One line of the exchange, as the connection writes it.
struct Line(String);

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}\r\n", self.0)
    }
}

/// Signs in as `user` with `token`. The error challenge, if any, is answered with an empty
/// line so that the relay sends its final reply.
///
/// # Errors
/// [`Failed::Refused`] with the classified refusal, or [`Failed::Other`].
pub async fn sign_in(
    conn: &mut AsyncSmtpConnection,
    user: &str,
    token: &crate::oauth::Secret,
) -> Result<(), Failed> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let first = b64.encode(crate::oauth::xoauth2_response(user, token));
    let mut challenge = None;
    let mut answer = conn.command(Line(format!("AUTH XOAUTH2 {first}"))).await;
    if let Ok(r) = &answer
        && r.has_code(334)
    {
        challenge = r
            .first_word()
            .and_then(|w| b64.decode(w).ok())
            .and_then(|json| ErrorChallenge::parse(&json));
        answer = conn.command(Line(String::new())).await;
    }
    let (code, text) = match answer {
        Ok(r) if r.is_positive() && !r.has_code(334) => return Ok(()),
        // A second challenge: the relay does not follow RFC 7628; not a token matter.
        Ok(r) => (
            u16::from(r.code()),
            r.message().collect::<Vec<_>>().join(" "),
        ),
        Err(e) => match e.status() {
            Some(code) => (
                u16::from(code),
                std::error::Error::source(&e)
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ),
            None => return Err(Failed::Other(e)),
        },
    };
    let refusal = if (300..400).contains(&code) {
        Refusal::Exchange
    } else {
        refusal::smtp(code, &text, challenge.as_ref())
    };
    Err(Failed::Refused(Refused {
        refusal,
        user: user.to_string(),
        code,
        text,
        challenge: challenge
            .map(|c| format!("; error challenge status {:?}", c.status))
            .unwrap_or_default(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    /// A relay that answers `AUTH` with `answers[0]` and each following line with the next
    /// answer; returns the connection and the lines it received after EHLO.
    async fn relay(
        answers: Vec<String>,
    ) -> (AsyncSmtpConnection, tokio::task::JoinHandle<Vec<String>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (r, mut w) = stream.into_split();
            let mut lines = BufReader::new(r).lines();
            w.write_all(b"220 relay.test ESMTP\r\n").await.unwrap();
            let _ehlo = lines.next_line().await.unwrap();
            w.write_all(b"250-relay.test\r\n250 AUTH XOAUTH2\r\n")
                .await
                .unwrap();
            let mut seen = Vec::new();
            for answer in answers {
                let Ok(Some(line)) = lines.next_line().await else {
                    break;
                };
                seen.push(line);
                w.write_all(answer.as_bytes()).await.unwrap();
            }
            seen
        });
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let conn = AsyncSmtpConnection::connect_with_transport(
            Box::new(tcp),
            &lettre::transport::smtp::extension::ClientId::Domain("desk.test".into()),
        )
        .await
        .unwrap();
        (conn, server)
    }

    fn b64(json: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(json)
    }

    #[tokio::test]
    async fn the_relay_s_codes_and_error_challenge_say_why_the_token_was_refused() {
        let google = format!(
            "334 {}\r\n",
            b64(r#"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#)
        );
        let scope = format!("334 {}\r\n", b64(r#"{"status":"insufficient_scope"}"#));
        // The relay's answers, and the refusal and final code expected (`None`: signed in).
        type Case<'a> = (Vec<&'a str>, Option<(Refusal, u16)>);
        let cases: [Case<'_>; 7] = [
            (vec!["235 2.7.0 Accepted\r\n"], None),
            (
                vec![
                    &google,
                    "535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 https://support.google.com/mail/?p=BadCredentials\r\n",
                ],
                Some((Refusal::Token, 535)),
            ),
            (
                vec![&scope, "535 5.7.8 Error: authentication failed\r\n"],
                Some((Refusal::Access, 535)),
            ),
            (
                vec![
                    "534-5.7.9 Please log in with your web browser\r\n534 5.7.9 and then try again.\r\n",
                ],
                Some((Refusal::Access, 534)),
            ),
            (
                vec!["454 4.7.0 Temporary authentication failure\r\n"],
                Some((Refusal::Temporary, 454)),
            ),
            (
                vec!["504 5.5.4 Unrecognized authentication type\r\n"],
                Some((Refusal::Exchange, 504)),
            ),
            // A relay that keeps challenging does not follow RFC 7628.
            (vec!["334 \r\n", "334 \r\n"], Some((Refusal::Exchange, 334))),
        ];
        let token = crate::oauth::Secret::new("at-secret".into());
        for (answers, want) in cases {
            let (mut conn, server) = relay(answers.iter().map(ToString::to_string).collect()).await;
            let got = sign_in(&mut conn, "desk@example.test", &token).await;
            drop(conn);
            let seen = server.await.unwrap();
            assert!(seen[0].starts_with("AUTH XOAUTH2 "), "{seen:?}");
            match (got, want) {
                (Ok(()), None) => {}
                (Err(Failed::Refused(r)), Some((refusal, code))) => {
                    assert_eq!((r.refusal, r.code), (refusal, code), "{answers:?}");
                    assert!(!r.to_string().contains("at-secret"), "{r}");
                    if answers.len() > 1 {
                        assert_eq!(seen.get(1).map(String::as_str), Some(""), "{seen:?}");
                    }
                    if answers[0] == google.as_str() {
                        assert!(
                            r.to_string().contains("error challenge status \"401\""),
                            "{r}"
                        );
                    }
                }
                (got, want) => panic!("{answers:?}: {got:?}, wanted {want:?}"),
            }
        }
    }
}
