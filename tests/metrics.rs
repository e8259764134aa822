//! The Prometheus endpoint scraped while the daemon answers real mail on the project's
//! Dovecot + Postfix, its text checked by `promtool check metrics`; the alert rules checked
//! by `promtool check rules` (Debian's prometheus package; scripts/test installs it).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Desk, WAIT, wait_for};

/// `promtool`, or a failure that says how to get it.
fn promtool() -> &'static str {
    let found = Command::new("promtool")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "promtool is missing: apt-get install -y --no-install-recommends prometheus (scripts/test does)"
    );
    "promtool"
}

/// One HTTP GET; the status line and the body.
pub(crate) fn get(addr: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
    (
        head.lines().next().unwrap_or("").to_string(),
        body.to_string(),
    )
}

/// The value of the sample whose line starts with `series` (name and labels).
pub(crate) fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
}

fn promtool_check_metrics(text: &str) -> std::process::Output {
    let mut child = Command::new(promtool())
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Starts the desk's daemon with `[metrics] listen` on a free port; returns `host:port`.
pub(crate) fn start_with_metrics(desk: &mut Desk) -> String {
    let mut config = std::fs::read_to_string(&desk.config).unwrap();
    config.push_str("\n[metrics]\nlisten = \"127.0.0.1:0\"\n");
    std::fs::write(&desk.config, config).unwrap();
    desk.start(&[]);
    desk.wait_log("Metrics served on http://", WAIT);
    let log = desk.log();
    log.split("Metrics served on http://")
        .nth(1)
        .and_then(|rest| rest.split("/metrics").next())
        .unwrap_or_else(|| panic!("no metrics address in the log:\n{log}"))
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_imap_password_shows_as_a_sign_in_failure_and_no_session() {
    let mut desk = Desk::new("metrics-pw", "", "");
    std::fs::write(desk.dir.path().join("password"), "not-the-password").unwrap();
    let addr = start_with_metrics(&mut desk);
    let started = Instant::now();
    let text = loop {
        let (_, text) = get(&addr, "/metrics");
        if sample(
            &text,
            r#"mailclerk_sign_in_failures_total{mailbox="desk",service="imap"}"#,
        )
        .is_some_and(|n| n >= 1.0)
        {
            break text;
        }
        assert!(
            started.elapsed() < WAIT,
            "no sign-in failure counted:\n{text}\nlog:\n{}",
            desk.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        sample(&text, r#"mailclerk_imap_connected{mailbox="desk"}"#),
        Some(0.0),
        "{text}"
    );
    assert!(
        sample(&text, r#"mailclerk_imap_reconnects_total{mailbox="desk"}"#)
            .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"mailclerk_sign_in_refused{mailbox="desk",service="imap"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert!(
        !text.contains(r#"mailclerk_sign_in_refused{mailbox="desk",service="oauth"}"#),
        "no OAuth2 here, so no oauth series:\n{text}"
    );
    assert!(
        !text.contains("mailclerk_last_pass_success_timestamp_seconds{"),
        "no pass was made:\n{text}"
    );
    let checked = promtool_check_metrics(&text);
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    // The log names the credential to fix.
    desk.wait_log(
        "the IMAP server refused the sign-in; fix mailbox[0].source.password_file (",
        WAIT,
    );
    let (_, status) = desk.stop();
    assert!(status.success(), "log:\n{}", desk.log());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scrape_during_a_daemon_run_counts_the_answer_and_passes_promtool() {
    let mut desk = Desk::new("metrics", "", "");
    let addr = start_with_metrics(&mut desk);
    desk.wait_log("First start on this folder", WAIT);

    // Before any mail: the families are there, the session is up.
    let (status, before) = get(&addr, "/metrics");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(
        sample(&before, r#"mailclerk_imap_connected{mailbox="desk"}"#),
        Some(1.0),
        "{before}"
    );

    desk.send_request(
        "Refund please",
        "Hello, I would like a refund of my subscription.",
        "",
    );
    let replies = wait_for(&desk.stack, &desk.customer, "INBOX", 1, WAIT).await;
    assert_eq!(replies.len(), 1, "log:\n{}", desk.log());
    // The pass ends (and its store gauges are read again) after the filing that follows the
    // answer; the first pass, before any mail, had set them to 0.
    let started = Instant::now();
    let text = loop {
        let (_, text) = get(&addr, "/metrics");
        let done = sample(
            &text,
            r#"mailclerk_answer_latency_seconds_count{mailbox="desk"}"#,
        ) == Some(1.0)
            && sample(&text, r#"mailclerk_mails_last_hour{mailbox="desk"}"#) == Some(1.0);
        if done {
            break text;
        }
        assert!(
            started.elapsed() < WAIT,
            "the scrape never showed the answer:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let sent: f64 = text
        .lines()
        .filter(|l| {
            l.starts_with("mailclerk_messages_total{")
                && l.contains(r#"mailbox="desk""#)
                && l.contains(r#"state="sent""#)
                && l.contains(r#"intent="refund""#)
                && l.contains(r#"language="en""#)
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert_eq!(sent, 1.0, "one answer counted, in English:\n{text}");
    // The language label is a bounded set: the seven reply languages and `other`.
    for line in text
        .lines()
        .filter(|l| l.starts_with("mailclerk_messages_total{"))
    {
        let language = line
            .split("language=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("no language label: {line}"));
        assert!(
            ["en", "de", "es", "fr", "pt", "it", "nl", "other"].contains(&language),
            "{line}"
        );
    }
    for (series, want) in [
        (r#"mailclerk_imap_connected{mailbox="desk"}"#, 1.0),
        (r#"mailclerk_smtp_up{mailbox="desk"}"#, 1.0),
        (r#"mailclerk_breaker_open{mailbox="desk"}"#, 0.0),
        (r#"mailclerk_mails_last_hour{mailbox="desk"}"#, 1.0),
        (r#"mailclerk_breaker_limit{mailbox="desk"}"#, 200.0),
        (r#"mailclerk_deferred_replies{mailbox="desk"}"#, 0.0),
        (r#"mailclerk_pending_confirmations{mailbox="desk"}"#, 0.0),
    ] {
        assert_eq!(sample(&text, series), Some(want), "{series}:\n{text}");
    }
    let last = sample(
        &text,
        r#"mailclerk_last_pass_success_timestamp_seconds{mailbox="desk"}"#,
    )
    .unwrap();
    let now = jiff::Timestamp::now().as_second() as f64;
    assert!((now - last).abs() < 120.0, "last pass at {last}, now {now}");
    assert!(
        !text.contains("mailclerk_imap_reconnects_total{"),
        "no reconnect happened:\n{text}"
    );

    let checked = promtool_check_metrics(&text);
    assert!(
        checked.status.success(),
        "promtool check metrics: {}{}\n{text}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    assert_eq!(get(&addr, "/").0, "HTTP/1.1 404 Not Found");

    let (_, status) = desk.stop();
    assert!(status.success(), "log:\n{}", desk.log());
    assert!(
        TcpStream::connect(&addr).is_err(),
        "the endpoint closes with the daemon"
    );
}

#[test]
fn promtool_rejects_a_broken_scrape_so_the_check_above_can_fail() {
    let out = promtool_check_metrics("# TYPE x counter\nx_total{a=\"1\"} one\n");
    assert!(!out.status.success());
}

#[test]
fn the_alert_rules_pass_promtool() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/prometheus/alerts.yml");
    let out = Command::new(promtool())
        .args(["check", "rules"])
        .arg(&rules)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    for alert in [
        "MailclerkMailboxStuck",
        "MailclerkBreakerOpen",
        "MailclerkSignInFailing",
        "MailclerkAnswersToPeopleRising",
    ] {
        assert!(
            std::fs::read_to_string(&rules).unwrap().contains(alert),
            "{alert} missing"
        );
    }
}

/// The alert rules' own unit tests (contrib/prometheus/alerts_test.yml): a refused SMTP
/// sign-in fires MailclerkSignInFailing, and it resolves once the refusals stop.
#[test]
fn the_alert_rules_fire_on_their_unit_test_series() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/prometheus/alerts_test.yml");
    let out = Command::new(promtool())
        .args(["test", "rules"])
        .arg(&tests)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_grafana_dashboard_reads_as_json_and_only_queries_metrics_we_export() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/grafana/mailclerk.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let panels = json["panels"].as_array().expect("panels");
    assert!(panels.len() >= 6, "{} panels", panels.len());
    let exported = [
        "mailclerk_messages_total",
        "mailclerk_answer_latency_seconds_bucket",
        "mailclerk_imap_connected",
        "mailclerk_imap_reconnects_total",
        "mailclerk_smtp_up",
        "mailclerk_smtp_failures_total",
        "mailclerk_sign_in_failures_total",
        "mailclerk_breaker_open",
        "mailclerk_mails_last_hour",
        "mailclerk_breaker_limit",
        "mailclerk_deferred_replies",
        "mailclerk_pending_confirmations",
        "mailclerk_oauth_token_expiry_timestamp_seconds",
        "mailclerk_last_pass_success_timestamp_seconds",
    ];
    for panel in panels {
        for target in panel["targets"].as_array().into_iter().flatten() {
            let expr = target["expr"].as_str().unwrap_or("");
            for word in expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                if word.starts_with("mailclerk_") {
                    assert!(
                        exported.contains(&word),
                        "{word} in {expr:?} is not exported"
                    );
                }
            }
        }
    }
}
