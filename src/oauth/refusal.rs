//! Why a mail server refused an OAuth2 access token, read from the codes of the SASL exchange
//! (issue 16), never from the servers' prose: the RFC 7628 error challenge (a JSON object,
//! `{"status":"401",...}` as Google sends it or `{"status":"invalid_token",...}` as RFC 7628
//! §3.2.2 writes it), the IMAP response code of the tagged `NO` (RFC 5530:
//! `[AUTHENTICATIONFAILED]`, `[AUTHORIZATIONFAILED]`, `[UNAVAILABLE]`, ...), and the SMTP reply
//! code with its enhanced status code (RFC 4954, RFC 3463). The error challenge, when there is
//! one, says the most and is read first.
//!
//! What follows from each [`Refusal`]: a `Token` refusal is met by renewing the token once;
//! when the renewed token is refused too, a person must sign in again. `Access` needs a person
//! at once (a renewed token carries the same grant). `Temporary` is retried later without
//! renewing anything. `Exchange` is a setup mistake (the server does not take XOAUTH2 as sent).

/// Why the token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The token is not valid (expired, revoked, unknown): a renewed one may be.
    Token,
    /// The token is valid but does not grant mail access for this user: a wrong scope, an
    /// account not allowed this mailbox, a provider that wants the user at a browser.
    Access,
    /// The server cannot check it now.
    Temporary,
    /// The exchange itself was refused (mechanism not offered, malformed request).
    Exchange,
}

impl Refusal {
    /// Whether renewing the token and trying once more may help.
    pub fn renewing_may_help(self) -> bool {
        self == Refusal::Token
    }

    /// What a person must do when it does not go away, for the ERROR line.
    pub fn operator_action(self, mailbox: &str) -> String {
        match self {
            Refusal::Token => format!(
                "consent revoked or access removed: run mailclerk auth login --mailbox {mailbox}"
            ),
            Refusal::Access => format!(
                "the token does not grant mail access for this user (scope or account permissions): check the app's scopes in [mailbox.oauth2] and the account's mail access, then run mailclerk auth login --mailbox {mailbox}"
            ),
            Refusal::Temporary => "nothing yet: the server will be asked again".into(),
            Refusal::Exchange => format!(
                "the server does not take XOAUTH2 as sent: check auth and the server in the configuration of mailbox {mailbox}"
            ),
        }
    }
}

/// The RFC 7628 error challenge: the server's second challenge, a JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorChallenge {
    /// `status`: an HTTP status code ("401") or an RFC 6750 error code ("invalid_token").
    pub status: String,
    /// `scope`: the scope the server wanted, when it says.
    pub scope: Option<String>,
}

impl ErrorChallenge {
    /// The challenge's bytes (already base64-decoded); `None` for anything that is not a JSON
    /// object with a string `status`.
    pub fn parse(decoded: &[u8]) -> Option<ErrorChallenge> {
        let value: serde_json::Value = serde_json::from_slice(decoded).ok()?;
        let field = |name: &str| value.get(name)?.as_str().map(str::to_string);
        Some(ErrorChallenge {
            status: field("status")?,
            scope: field("scope"),
        })
    }

    /// The challenge's say; `None` for a status it does not know.
    fn refusal(&self) -> Option<Refusal> {
        match self.status.trim().to_ascii_lowercase().as_str() {
            "401" | "invalid_token" => Some(Refusal::Token),
            "403" | "insufficient_scope" => Some(Refusal::Access),
            "400" | "invalid_request" => Some(Refusal::Exchange),
            s if s.starts_with('5') && s.len() == 3 => Some(Refusal::Temporary),
            _ => None,
        }
    }
}

/// The IMAP response code at the start of a tagged response's text (`[AUTHENTICATIONFAILED]
/// Authentication failed.` gives `AUTHENTICATIONFAILED`), upper-cased.
pub fn imap_response_code(text: &str) -> Option<String> {
    let inner = text.trim_start().strip_prefix('[')?;
    let (inside, _) = inner.split_once(']')?;
    let atom = inside.split_ascii_whitespace().next()?;
    Some(atom.to_ascii_uppercase())
}

/// An IMAP `AUTHENTICATE` that ended in a tagged `NO` (`bad`: `BAD`) with `text`, after the
/// error challenge `challenge` if the server sent one.
pub fn imap(bad: bool, text: &str, challenge: Option<&ErrorChallenge>) -> Refusal {
    if let Some(r) = challenge.and_then(ErrorChallenge::refusal) {
        return r;
    }
    match imap_response_code(text).as_deref() {
        Some("AUTHENTICATIONFAILED" | "EXPIRED") => Refusal::Token,
        Some("AUTHORIZATIONFAILED" | "CONTACTADMIN" | "NOPERM") => Refusal::Access,
        Some("UNAVAILABLE" | "INUSE" | "LIMIT") => Refusal::Temporary,
        Some("PRIVACYREQUIRED" | "CANNOT" | "CLIENTBUG") => Refusal::Exchange,
        _ if bad => Refusal::Exchange,
        // A bare NO to a token: the token is the likeliest cause; one renewal, then a person.
        _ => Refusal::Token,
    }
}

/// An SMTP `AUTH` that ended with reply `code` and `text` (the reply's lines, joined; an
/// enhanced status code, if any, leads it), after the error challenge `challenge` if the
/// server sent one.
pub fn smtp(code: u16, text: &str, challenge: Option<&ErrorChallenge>) -> Refusal {
    if let Some(r) = challenge.and_then(ErrorChallenge::refusal) {
        return r;
    }
    let enhanced = enhanced_status(text);
    match (code, enhanced) {
        (400..=499, _) => Refusal::Temporary,
        // 5.7.9: mechanism too weak / an app password wanted; 5.7.14 (Google): the user must
        // sign in at a browser. (Microsoft's 5.7.3 "Authentication unsuccessful" also comes for
        // a merely expired token, so it is a token refusal: renewed once, then a person.)
        (_, Some((5, 7, 9 | 14))) | (534, _) => Refusal::Access,
        (535, _) | (_, Some((5, 7, 8))) => Refusal::Token,
        (500..=504, _) | (530, _) | (538, _) => Refusal::Exchange,
        _ => Refusal::Token,
    }
}

/// The enhanced status code (RFC 3463) leading an SMTP reply's text: `5.7.8 Error: ...` gives
/// `(5, 7, 8)`.
fn enhanced_status(text: &str) -> Option<(u8, u16, u16)> {
    let word = text.split_ascii_whitespace().next()?;
    let mut parts = word.split('.');
    let class = parts.next()?.parse().ok()?;
    let subject = parts.next()?.parse().ok()?;
    let detail = parts.next()?.parse().ok()?;
    (parts.next().is_none() && matches!(class, 2 | 4 | 5)).then_some((class, subject, detail))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(json: &str) -> Option<ErrorChallenge> {
        ErrorChallenge::parse(json.as_bytes())
    }

    #[test]
    fn error_challenges_are_read_as_json() {
        assert_eq!(
            challenge(r#"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#),
            Some(ErrorChallenge {
                status: "401".into(),
                scope: Some("https://mail.google.com/".into()),
            })
        );
        assert_eq!(
            challenge(r#"{"status":"invalid_token","openid-configuration":"https://x.test/.well-known/openid-configuration"}"#)
                .map(|c| c.status),
            Some("invalid_token".into())
        );
        for bad in [
            "",
            "401",
            "{",
            r#"{"status":401}"#,
            r#"["status"]"#,
            r#"{"scope":"x"}"#,
        ] {
            assert_eq!(challenge(bad), None, "{bad}");
        }
    }

    #[test]
    fn imap_refusals_follow_the_challenge_then_the_response_code() {
        use Refusal::*;
        let google =
            challenge(r#"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#);
        let scope = challenge(r#"{"status":"insufficient_scope","scope":"IMAP.AccessAsUser.All"}"#);
        let bad_request = challenge(r#"{"status":"400","schemes":"bearer"}"#);
        for (bad, text, challenge, want) in [
            (
                false,
                "[AUTHENTICATIONFAILED] Invalid credentials (Failure)",
                google.as_ref(),
                Token,
            ),
            (
                false,
                "[AUTHENTICATIONFAILED] Authentication failed.",
                None,
                Token,
            ),
            (
                false,
                "[AUTHENTICATIONFAILED] Authentication failed.",
                scope.as_ref(),
                Access,
            ),
            (
                false,
                "[AUTHORIZATIONFAILED] No permission to log in as that user.",
                None,
                Access,
            ),
            (false, "[authorizationfailed] lower case", None, Access),
            (
                false,
                "[UNAVAILABLE] Temporary authentication failure.",
                None,
                Temporary,
            ),
            (false, "[EXPIRED] Token expired.", None, Token),
            (false, "[PRIVACYREQUIRED] Use TLS.", None, Exchange),
            (
                false,
                "[AUTHENTICATIONFAILED] x",
                bad_request.as_ref(),
                Exchange,
            ),
            // Prose alone decides nothing: a bare NO is a token refusal whatever it says.
            (false, "AUTHENTICATE failed.", None, Token),
            (
                false,
                "Temporary failure, try again later. Account is authorization failed.",
                None,
                Token,
            ),
            (
                true,
                "Unsupported authentication mechanism.",
                None,
                Exchange,
            ),
            // A challenge that is no RFC 7628 object leaves the response code to decide.
            (
                false,
                "[UNAVAILABLE] x",
                challenge("nonsense").as_ref(),
                Temporary,
            ),
        ] {
            assert_eq!(imap(bad, text, challenge), want, "{text} {challenge:?}");
        }
    }

    #[test]
    fn smtp_refusals_follow_the_challenge_then_the_codes() {
        use Refusal::*;
        let google =
            challenge(r#"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#);
        let scope = challenge(r#"{"status":"403","scope":"https://mail.google.com/"}"#);
        for (code, text, challenge, want) in [
            // Google: 334 with the JSON, then 535 5.7.8.
            (
                535,
                "5.7.8 Username and Password not accepted. Learn more at https://support.google.com/mail/?p=BadCredentials",
                google.as_ref(),
                Token,
            ),
            (
                535,
                "5.7.3 Authentication unsuccessful",
                scope.as_ref(),
                Access,
            ),
            // Microsoft: no challenge, 535 5.7.3, for an expired token as for a revoked one.
            (
                535,
                "5.7.3 Authentication unsuccessful [SN4PR0701CA0001.namprd07.prod.outlook.com]",
                None,
                Token,
            ),
            (
                535,
                "5.7.8 Error: authentication failed: Invalid token",
                None,
                Token,
            ),
            (535, "Authentication failed", None, Token),
            (
                534,
                "5.7.9 Please log in with your web browser and then try again.",
                None,
                Access,
            ),
            (
                534,
                "5.7.14 <https://accounts.google.com/signin/continue?...> Please log in",
                None,
                Access,
            ),
            (534, "no enhanced code", None, Access),
            (
                454,
                "4.7.0 Temporary authentication failure",
                None,
                Temporary,
            ),
            (
                421,
                "4.7.0 Try again later, closing connection.",
                None,
                Temporary,
            ),
            (
                504,
                "5.5.4 Unrecognized authentication type",
                None,
                Exchange,
            ),
            (501, "5.5.2 Cannot decode response", None, Exchange),
            (
                530,
                "5.7.0 Must issue a STARTTLS command first",
                None,
                Exchange,
            ),
            // A 5xx challenge status: the server's side is failing.
            (
                535,
                "5.7.8 x",
                challenge(r#"{"status":"503"}"#).as_ref(),
                Temporary,
            ),
        ] {
            assert_eq!(smtp(code, text, challenge), want, "{code} {text}");
        }
    }

    #[test]
    fn response_and_enhanced_codes_are_read_where_they_stand() {
        assert_eq!(
            imap_response_code("[AUTHENTICATIONFAILED] x").as_deref(),
            Some("AUTHENTICATIONFAILED")
        );
        assert_eq!(imap_response_code(" [ALERT] x").as_deref(), Some("ALERT"));
        assert_eq!(imap_response_code("x [UNAVAILABLE]"), None);
        assert_eq!(imap_response_code("[unclosed"), None);
        assert_eq!(enhanced_status("5.7.8 Error"), Some((5, 7, 8)));
        assert_eq!(enhanced_status("4.7.0"), Some((4, 7, 0)));
        assert_eq!(enhanced_status("5.7 x"), None);
        assert_eq!(enhanced_status("3.7.8 x"), None);
        assert_eq!(enhanced_status("Error 5.7.8"), None);
        assert!(Refusal::Token.renewing_may_help());
        for r in [Refusal::Access, Refusal::Temporary, Refusal::Exchange] {
            assert!(!r.renewing_may_help());
        }
    }
}
