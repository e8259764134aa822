//! The Prometheus endpoint: what the daemon did and how its connections stand, as counters
//! and gauges on a local address (`[metrics] listen`), served on
//! `GET /metrics`, in Prometheus' text format. I/O edge: the daemon's hooks only touch in-memory values; the store's
//! gauges (deferred replies, pending confirmations, the breaker's count) are refreshed by the
//! daemon after each pass, never read at scrape time.
//!
//! One registry per process (a `LazyLock`): the hooks sit in the daemon's hot paths and in the
//! OAuth token source, and threading a handle through them would touch every signature for a
//! few atomic increments. docs/monitoring.md lists every metric.

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use jiff::Timestamp;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tracing::{debug, info, warn};

use crate::language::Lang;
use crate::store::{LedgerState, Outcome};

/// Receipt-to-answer latency buckets, in seconds: from "at once" (IDLE) to a day (a relay
/// outage, a restart after a weekend).
const LATENCY_BUCKETS: [f64; 14] = [
    1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 21600.0, 86400.0,
];

/// A request line and headers larger than this are refused: the endpoint answers one path.
const MAX_REQUEST_BYTES: usize = 8192;

/// Connections answered at once; Prometheus opens one per scrape.
const MAX_CONNECTIONS: usize = 16;

/// How long a scraper may take to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MailboxLabel {
    mailbox: String,
}

/// One handled message, as the ledger recorded it.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MessageLabels {
    mailbox: String,
    /// The ledger state: sent, review, skipped, failed, deferred, drafted.
    state: String,
    /// The ledger action before any `:` (`refund_granted`, `to_human`, `skip`, ...).
    action: String,
    /// The ledger action's code after the `:` (`no_account`, `auto_submitted`, ...), or "".
    reason: String,
    intent: String,
    /// The customer's language: one of the seven mailclerk writes (`en`, `de`, ...), or
    /// `other` (another language, too little text to tell, or a message not read).
    language: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServiceLabels {
    mailbox: String,
    /// `imap`, `smtp` or `oauth`.
    service: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SmtpLabels {
    mailbox: String,
    /// `deferred`, `refused`, `uncertain`, `sign_in` or `other`.
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabel {
    version: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

struct Metrics {
    registry: Registry,
    messages: Family<MessageLabels, Counter>,
    latency: Family<MailboxLabel, Histogram, fn() -> Histogram>,
    imap_connected: Family<MailboxLabel, Gauge>,
    imap_reconnects: Family<MailboxLabel, Counter>,
    smtp_up: Family<MailboxLabel, Gauge>,
    smtp_failures: Family<SmtpLabels, Counter>,
    sign_in_failures: Family<ServiceLabels, Counter>,
    sign_in_refused: Family<ServiceLabels, Gauge>,
    breaker_open: Family<MailboxLabel, Gauge>,
    mails_last_hour: Family<MailboxLabel, Gauge>,
    breaker_limit: Family<MailboxLabel, Gauge>,
    deferred: Family<MailboxLabel, Gauge>,
    pending_confirmations: Family<MailboxLabel, Gauge>,
    token_expiry: Family<MailboxLabel, FloatGauge>,
    last_pass: Family<MailboxLabel, FloatGauge>,
    lease_held: Family<MailboxLabel, Gauge>,
    leases_held: Gauge,
    lease_takeovers: Family<MailboxLabel, Counter>,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("mailclerk");
        let m = Metrics {
            messages: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            imap_connected: Family::default(),
            imap_reconnects: Family::default(),
            smtp_up: Family::default(),
            smtp_failures: Family::default(),
            sign_in_failures: Family::default(),
            sign_in_refused: Family::default(),
            breaker_open: Family::default(),
            mails_last_hour: Family::default(),
            breaker_limit: Family::default(),
            deferred: Family::default(),
            pending_confirmations: Family::default(),
            token_expiry: Family::default(),
            last_pass: Family::default(),
            lease_held: Family::default(),
            leases_held: Gauge::default(),
            lease_takeovers: Family::default(),
            registry: Registry::default(),
        };
        let info: Family<VersionLabel, Gauge> = Family::default();
        info.get_or_create(&VersionLabel {
            version: env!("CARGO_PKG_VERSION").into(),
        })
        .set(1);
        registry.register("build_info", "The running mailclerk's version", info);
        registry.register(
            "messages",
            "Messages handled, by mailbox and by what the ledger recorded",
            m.messages.clone(),
        );
        registry.register_with_unit(
            "answer_latency",
            "From a message's receipt to its answer leaving",
            Unit::Seconds,
            m.latency.clone(),
        );
        registry.register(
            "imap_connected",
            "1 while the mailbox's IMAP session is open",
            m.imap_connected.clone(),
        );
        registry.register(
            "imap_reconnects",
            "IMAP sessions that ended with an error and are opened again",
            m.imap_reconnects.clone(),
        );
        registry.register(
            "smtp_up",
            "1 when the relay took the last mail offered, 0 when it did not",
            m.smtp_up.clone(),
        );
        registry.register(
            "smtp_failures",
            "Mails the relay did not take, by kind",
            m.smtp_failures.clone(),
        );
        registry.register(
            "sign_in_failures",
            "Sign-ins refused (wrong password, revoked OAuth2 consent), by service",
            m.sign_in_failures.clone(),
        );
        // A state, not only a count: the retries after a refusal back off to an hour, so a
        // rate over a window would go quiet between them and the alert would flap.
        registry.register(
            "sign_in_refused",
            "1 from a refused sign-in until the service signs in again, by service",
            m.sign_in_refused.clone(),
        );
        registry.register(
            "breaker_open",
            "1 while the hourly breaker holds every answer for people",
            m.breaker_open.clone(),
        );
        registry.register(
            "mails_last_hour",
            "Automatic mails sent in the last hour (the breaker's count)",
            m.mails_last_hour.clone(),
        );
        registry.register(
            "breaker_limit",
            "Automatic mails per hour at which the breaker opens",
            m.breaker_limit.clone(),
        );
        registry.register(
            "deferred_replies",
            "Replies the relay deferred, waiting to be sent again",
            m.deferred.clone(),
        );
        registry.register(
            "pending_confirmations",
            "Confirmation questions sent and not yet answered",
            m.pending_confirmations.clone(),
        );
        registry.register_with_unit(
            "oauth_token_expiry_timestamp",
            "When the mailbox's OAuth2 access token expires (Unix time)",
            Unit::Seconds,
            m.token_expiry.clone(),
        );
        registry.register_with_unit(
            "last_pass_success_timestamp",
            "When the mailbox's last complete pass ended (Unix time)",
            Unit::Seconds,
            m.last_pass.clone(),
        );
        registry.register(
            "lease_held",
            "1 while this instance holds the mailbox's lease and serves it (Postgres store)",
            m.lease_held.clone(),
        );
        registry.register(
            "leases_held",
            "Mailbox leases this instance holds (Postgres store)",
            m.leases_held.clone(),
        );
        registry.register(
            "lease_takeovers",
            "Leases this instance took from another holder after they expired or were given back",
            m.lease_takeovers.clone(),
        );
        Metrics { registry, ..m }
    }
}

fn mailbox(name: &str) -> MailboxLabel {
    MailboxLabel {
        mailbox: name.to_string(),
    }
}

/// The `language` label of a message: what [`crate::language::detect`] reads in the
/// customer's own text, or `other`. A bounded set, whatever the mail says.
pub fn language_label(language: Option<Lang>) -> &'static str {
    language.map_or("other", Lang::code)
}

/// A recorded outcome; `received` is the message's receipt, for the latency of answers sent;
/// `language` the customer's, as [`language_label`] reads it.
pub fn message(name: &str, outcome: &Outcome, received: Option<Timestamp>, language: Option<Lang>) {
    let (action, reason) = (outcome.action.kind(), outcome.action.detail());
    METRICS
        .messages
        .get_or_create(&MessageLabels {
            mailbox: name.to_string(),
            state: outcome.state.as_str().to_string(),
            action: action.to_string(),
            reason: reason.to_string(),
            intent: outcome.intent.clone().unwrap_or_default(),
            language: language_label(language),
        })
        .inc();
    if outcome.state == LedgerState::Sent
        && let Some(received) = received
    {
        let took = Timestamp::now().duration_since(received).as_secs_f64();
        METRICS
            .latency
            .get_or_create(&mailbox(name))
            .observe(took.max(0.0));
    }
}

/// The IMAP session opened (`true`) or ended (`false`).
pub fn imap_connected(name: &str, up: bool) {
    METRICS
        .imap_connected
        .get_or_create(&mailbox(name))
        .set(i64::from(up));
    if up {
        // A session is open: the IMAP password or the OAuth2 token was taken.
        signed_in(name, "imap");
        signed_in(name, "oauth");
    }
}

/// `service` took a sign-in again: a refusal shown before is over. Only a series that a
/// refusal created is touched, so that a mailbox without OAuth2 shows no `oauth` series.
fn signed_in(name: &str, service: &str) {
    let labels = ServiceLabels {
        mailbox: name.to_string(),
        service: service.to_string(),
    };
    if let Some(gauge) = METRICS.sign_in_refused.get(&labels) {
        gauge.set(0);
    }
}

/// The IMAP session ended with an error; the daemon opens another.
pub fn imap_reconnect(name: &str) {
    imap_connected(name, false);
    METRICS.imap_reconnects.get_or_create(&mailbox(name)).inc();
}

/// This instance began (`true`) or stopped (`false`) serving the mailbox under its lease.
pub fn lease_held(name: &str, held: bool) {
    let gauge = METRICS.lease_held.get_or_create(&mailbox(name));
    let was = gauge.set(i64::from(held));
    METRICS.leases_held.inc_by(i64::from(held) - was);
}

/// This instance took the mailbox's lease from another holder.
pub fn lease_takeover(name: &str) {
    METRICS.lease_takeovers.get_or_create(&mailbox(name)).inc();
}

/// The relay took a mail.
pub fn smtp_ok(name: &str) {
    METRICS.smtp_up.get_or_create(&mailbox(name)).set(1);
    signed_in(name, "smtp");
}

/// The relay did not take a mail; `kind` names why (see [`SmtpLabels`]).
pub fn smtp_failed(name: &str, kind: &str) {
    METRICS.smtp_up.get_or_create(&mailbox(name)).set(0);
    METRICS
        .smtp_failures
        .get_or_create(&SmtpLabels {
            mailbox: name.to_string(),
            kind: kind.to_string(),
        })
        .inc();
    if kind == "sign_in" {
        sign_in_failed(name, "smtp");
    }
}

/// A sign-in was refused by `service` (`imap`, `smtp`, `oauth`).
pub fn sign_in_failed(name: &str, service: &str) {
    let labels = ServiceLabels {
        mailbox: name.to_string(),
        service: service.to_string(),
    };
    METRICS.sign_in_failures.get_or_create(&labels).inc();
    METRICS.sign_in_refused.get_or_create(&labels).set(1);
}

/// When the mailbox's current OAuth2 access token expires.
pub fn token_expiry(name: &str, expires_at: Option<Timestamp>) {
    if let Some(at) = expires_at {
        METRICS
            .token_expiry
            .get_or_create(&mailbox(name))
            .set(at.as_millisecond() as f64 / 1000.0);
    }
}

/// What the store says after a pass: the gauges no single event keeps right.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreGauges {
    pub deferred: usize,
    pub pending_confirmations: usize,
    pub mails_last_hour: usize,
}

/// A pass ended with everything new handled: the mailbox is not stuck.
pub fn pass_done(name: &str, gauges: StoreGauges, breaker_limit: usize, at: Timestamp) {
    let label = mailbox(name);
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    METRICS
        .last_pass
        .get_or_create(&label)
        .set(at.as_millisecond() as f64 / 1000.0);
    METRICS
        .deferred
        .get_or_create(&label)
        .set(count(gauges.deferred));
    METRICS
        .pending_confirmations
        .get_or_create(&label)
        .set(count(gauges.pending_confirmations));
    METRICS
        .mails_last_hour
        .get_or_create(&label)
        .set(count(gauges.mails_last_hour));
    METRICS
        .breaker_limit
        .get_or_create(&label)
        .set(count(breaker_limit));
    METRICS
        .breaker_open
        .get_or_create(&label)
        .set(i64::from(gauges.mails_last_hour >= breaker_limit));
}

/// Every metric in Prometheus' text format (0.0.4).
pub fn render() -> String {
    let mut out = String::new();
    // Writing into a String cannot fail; an encoder error would be a bug in a label type.
    if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &METRICS.registry) {
        warn!(err = %e, "Metrics could not be encoded.");
    }
    prometheus_text(&out)
}

/// OpenMetrics text (what prometheus-client writes) as Prometheus' older text format, which
/// every Prometheus and the `promtool` of Debian stable read without complaint: a counter's
/// HELP and TYPE name its `_total` samples, and the `# UNIT` and `# EOF` lines go.
fn prometheus_text(open_metrics: &str) -> String {
    let mut out = String::with_capacity(open_metrics.len());
    let mut help: Option<&str> = None;
    for line in open_metrics.lines() {
        if line.starts_with("# UNIT ") || line == "# EOF" {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            help = Some(rest);
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or((rest, "untyped"));
            let shown = if kind == "counter" && !name.ends_with("_total") {
                format!("{name}_total")
            } else {
                name.to_string()
            };
            if let Some(h) = help.take() {
                let text = h.split_once(' ').map_or("", |(_, t)| t);
                out.push_str(&format!("# HELP {shown} {text}\n"));
            }
            out.push_str(&format!("# TYPE {shown} {kind}\n"));
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Binds the metrics address; done before the mailboxes start, so a taken port stops the
/// start with a clear error rather than leaving the service unwatched.
///
/// # Errors
/// The address cannot be bound.
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let listener = TcpListener::bind(addr).await?;
    // Force the registry into being, so a scrape before the first pass sees every family.
    LazyLock::force(&METRICS);
    info!(
        "Metrics served on http://{}/metrics",
        listener.local_addr()?
    );
    Ok(listener)
}

/// Answers scrapes on `listener` until `stop` turns true.
pub async fn serve(listener: TcpListener, mut stop: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    // A client that opens connections and sends nothing must not pile up
                    // tasks: past the limit, new connections are closed at once.
                    let Ok(slot) = slots.clone().try_acquire_owned() else {
                        debug!(%peer, "Metrics connection refused: too many open.");
                        continue;
                    };
                    tokio::spawn(async move {
                        if let Err(e) = answer(stream).await {
                            debug!(%peer, err = %e, "Metrics request failed.");
                        }
                        drop(slot);
                    });
                }
                Err(e) => {
                    warn!(err = %e, "Metrics connection not accepted.");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = stop.changed() => return,
        }
    }
}

/// One HTTP/1.x request, one answer, then the connection closes: Prometheus scrapes this way
/// and needs nothing more.
async fn answer(mut stream: TcpStream) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    let head = tokio::time::timeout(REQUEST_TIMEOUT, async {
        let mut chunk = [0u8; 1024];
        loop {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            if buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.len() > MAX_REQUEST_BYTES {
                break;
            }
        }
        Ok::<_, std::io::Error>(())
    })
    .await;
    let (status, content_type, body) = match head {
        Err(_) => return Ok(()),
        Ok(Err(e)) => return Err(e),
        Ok(Ok(())) => respond(&buf),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

/// The status line, content type and body for a request head.
fn respond(head: &[u8]) -> (&'static str, &'static str, String) {
    let text = String::from_utf8_lossy(head);
    let mut parts = text.lines().next().unwrap_or("").split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    const TEXT: &str = "text/plain; charset=utf-8";
    match (method, path) {
        ("GET", "/metrics") => (
            "200 OK",
            "text/plain; version=0.0.4; charset=utf-8",
            render(),
        ),
        ("GET", _) => (
            "404 Not Found",
            TEXT,
            "Only /metrics is served here.\n".into(),
        ),
        _ => (
            "405 Method Not Allowed",
            TEXT,
            "Only GET is served here.\n".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{HandOff, LedgerAction};

    #[test]
    fn requests_are_answered_by_path_and_method() {
        for (head, status) in [
            ("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "200 OK"),
            ("GET /metrics?x=1 HTTP/1.0\r\n\r\n", "200 OK"),
            ("GET / HTTP/1.1\r\n\r\n", "404 Not Found"),
            ("POST /metrics HTTP/1.1\r\n\r\n", "405 Method Not Allowed"),
            ("", "405 Method Not Allowed"),
        ] {
            assert_eq!(respond(head.as_bytes()).0, status, "{head:?}");
        }
    }

    #[test]
    fn an_outcome_is_counted_with_its_action_split_into_action_and_reason() {
        let outcome = Outcome {
            intent: Some("refund".into()),
            ..Outcome::new(
                LedgerState::Review,
                LedgerAction::ToHuman(HandOff::NoAccount),
            )
        };
        message("unit-desk", &outcome, None, None);
        let sent = Outcome::new(
            LedgerState::Sent,
            LedgerAction::Answer("refund_granted".into()),
        );
        message(
            "unit-desk",
            &sent,
            Some(Timestamp::now() - Duration::from_secs(3)),
            Some(Lang::De),
        );
        let text = render();
        assert!(
            text.contains(r#"mailclerk_messages_total{mailbox="unit-desk",state="review",action="to_human",reason="no_account",intent="refund",language="other"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"mailclerk_messages_total{mailbox="unit-desk",state="sent",action="refund_granted",reason="",intent="",language="de"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(
                r#"mailclerk_answer_latency_seconds_bucket{le="5.0",mailbox="unit-desk"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"mailclerk_answer_latency_seconds_bucket{le="2.0",mailbox="unit-desk"} 0"#
            ),
            "{text}"
        );
    }

    #[test]
    fn open_metrics_text_becomes_prometheus_text() {
        let open = "# HELP m_messages Messages.\n# TYPE m_messages counter\nm_messages_total{a=\"1\"} 2\n# HELP m_lat Latency.\n# TYPE m_lat histogram\n# UNIT m_lat seconds\nm_lat_count 1\n# EOF\n";
        assert_eq!(
            prometheus_text(open),
            "# HELP m_messages_total Messages.\n# TYPE m_messages_total counter\nm_messages_total{a=\"1\"} 2\n# HELP m_lat Latency.\n# TYPE m_lat histogram\nm_lat_count 1\n"
        );
    }

    #[test]
    fn the_breaker_gauge_opens_at_its_limit() {
        for (sent, limit, open) in [(0, 200, 0), (199, 200, 0), (200, 200, 1), (5, 3, 1)] {
            let gauges = StoreGauges {
                mails_last_hour: sent,
                ..StoreGauges::default()
            };
            pass_done("unit-breaker", gauges, limit, Timestamp::UNIX_EPOCH);
            let text = render();
            let line = format!("mailclerk_breaker_open{{mailbox=\"unit-breaker\"}} {open}");
            assert!(text.contains(&line), "{sent}/{limit}: {text}");
        }
    }
}
