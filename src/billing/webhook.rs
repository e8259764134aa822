//! The webhook target: one HTTPS POST of the decision, signed, under its idempotency key.

use std::sync::OnceLock;
use std::time::Duration;

use super::{Answer, excerpt, signature};

/// The signature header: `sha256=<hex HMAC-SHA256 of the body>`.
pub const SIGNATURE_HEADER: &str = "X-Mailclerk-Signature";
/// Which try this is (1 for the first), for the receiver's logs; the key is what dedupes.
pub const ATTEMPT_HEADER: &str = "X-Mailclerk-Attempt";

/// One client for the process: it keeps connections and TLS sessions. Redirects are not
/// followed (a redirected billing endpoint is a misconfiguration, answered as a refusal).
/// A client that cannot be built (no TLS backend) fails every POST with the same error.
fn client() -> Result<&'static reqwest::Client, &'static reqwest::Error> {
    static CLIENT: OnceLock<Result<reqwest::Client, reqwest::Error>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("mailclerk/", env!("CARGO_PKG_VERSION")))
                .build()
        })
        .as_ref()
}

/// POSTs `body` to `url` and classifies the answer (see [`Answer`]).
pub async fn post(
    url: &str,
    secret: &[u8],
    key: &str,
    body: &[u8],
    attempt: u32,
    timeout: Duration,
) -> Answer {
    let client = match client() {
        Ok(c) => c,
        Err(e) => {
            return Answer::Unavailable(format!("no HTTP client: {}", crate::error_chain(e)));
        }
    };
    let sent = client
        .post(url)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .header(SIGNATURE_HEADER, signature(secret, body))
        .header(ATTEMPT_HEADER, attempt.to_string())
        .body(body.to_vec())
        .send()
        .await;
    let response = match sent {
        Ok(r) => r,
        Err(e) if e.is_timeout() => {
            return Answer::Unavailable(format!("no answer within {} s", timeout.as_secs_f64()));
        }
        Err(e) => return Answer::Unavailable(excerpt(&crate::error_chain(&e))),
    };
    let status = response.status();
    // The body is read under the same timeout: a receiver that sends headers and stalls is
    // as unavailable as one that never answers.
    let text = match tokio::time::timeout(timeout, response.text()).await {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => return Answer::Unavailable(excerpt(&crate::error_chain(&e))),
        Err(_) => {
            return Answer::Unavailable(format!(
                "HTTP {status}, but the body did not come within {} s",
                timeout.as_secs_f64()
            ));
        }
    };
    let detail = excerpt(&format!("HTTP {status} {text}"));
    match status.as_u16() {
        200..=299 => Answer::Accepted(detail),
        408 | 425 | 429 | 500..=599 => Answer::Unavailable(detail),
        _ => Answer::Refused(detail),
    }
}
