//! `mailclerk report` on the stores of a demo run, rendered by headless Chromium (Debian's
//! chromium; scripts/test installs it): a screenshot, and the page's DOM with its charts and
//! no error text.

use std::path::{Path, PathBuf};
use std::process::Command;

fn mailclerk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mailclerk"))
        .args(args)
        .output()
        .unwrap()
}

/// config/demo.toml with every path made absolute and its state and replies under `dir`.
fn demo_config(dir: &Path) -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(repo.join("config/demo.toml"))
        .unwrap()
        .replace(
            "\"../templates\"",
            &format!("\"{}\"", repo.join("templates").display()),
        )
        .replace(
            "\"policies/",
            &format!("\"{}/", repo.join("config/policies").display()),
        )
        .replace(
            "\"demo/",
            &format!("\"{}/", repo.join("config/demo").display()),
        )
        .replace("\"../demo-out", &format!("\"{}", dir.join("out").display()));
    let path = dir.join("demo.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn chromium(profile: &Path, args: &[&str], page: &Path) -> std::process::Output {
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output();
    match out {
        Ok(out) => out,
        Err(e) => panic!(
            "chromium cannot run ({e}): apt-get install -y --no-install-recommends chromium (scripts/test does)"
        ),
    }
}

#[test]
fn the_report_of_a_demo_run_renders_in_chromium_with_its_charts() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path());
    let config = config.to_str().unwrap();
    let run = mailclerk(&["run", "--config", config, "--once"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let page = dir.path().join("report.html");
    let out = mailclerk(&[
        "report",
        "--config",
        config,
        "--since",
        "7d",
        "--out",
        page.to_str().unwrap(),
    ]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The demo's 31 messages, every one handled just now.
    assert!(said.starts_with("31 messages from 4 mailbox(es)"), "{said}");

    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("src=\"http") && !html.contains("<script"),
        "self-contained"
    );

    let profile = dir.path().join("chromium");
    let shot = dir.path().join("report.png");
    let took = chromium(
        &profile,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,1600",
        ],
        &page,
    );
    assert!(
        took.status.success(),
        "{}",
        String::from_utf8_lossy(&took.stderr)
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // A blank 1200x1600 page compresses to a few kilobytes; charts and tables do not.
    assert!(png.len() > 30_000, "screenshot of {} bytes", png.len());
    if let Ok(keep) = std::env::var("MAILCLERK_REPORT_SHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }

    let dom = chromium(&profile, &["--dump-dom"], &page);
    assert!(dom.status.success());
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(dom.matches("<svg").count(), 4, "four charts");
    assert_eq!(dom.matches("<figcaption>").count(), 4);
    for caption in [
        "Messages per day, by outcome",
        "Hand-offs to people, by reason",
        "Receipt-to-answer latency",
        "Refunds granted, by amount",
    ] {
        assert!(dom.contains(caption), "{caption}");
    }
    // Bars were drawn (filled rectangles), and the demo's hand-off reasons are labelled.
    assert!(dom.matches("<rect").count() > 10);
    // The demo's unknown sender ("we should not have been charged") goes to people as a
    // billing error, which the learned classifier reads before the account is looked up.
    assert!(dom.contains("billing error"), "the billing_error hand-off");
    // No error text (but for that reason's label), and no number that failed to compute
    // (whole words: "NaN" in a label).
    assert!(
        !dom.to_lowercase()
            .replace("billing error", "")
            .contains("error"),
        "error text on the page"
    );
    for bad in ["NaN", "inf", "undefined", "panicked"] {
        let found = dom
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == bad);
        assert!(!found, "{bad:?} on the page");
    }
}

#[test]
fn report_refuses_a_bad_period_or_mailbox_with_a_usage_status() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path());
    let config = config.to_str().unwrap();
    let out = dir.path().join("r.html");
    let out = out.to_str().unwrap();
    for (args, says) in [
        (
            vec!["--since", "a week"],
            "--since: expected a span such as 7d",
        ),
        (vec!["--mailbox", "nope"], "no mailbox named \"nope\""),
    ] {
        let mut all = vec!["report", "--config", config, "--out", out];
        all.extend(args);
        let got = mailclerk(&all);
        assert_eq!(got.status.code(), Some(64), "{all:?}");
        let err = String::from_utf8_lossy(&got.stderr);
        assert!(err.contains(says), "{err}");
    }
    // No store yet: a page that says so, not an error.
    let got = mailclerk(&["report", "--config", config, "--out", out]);
    assert!(got.status.success());
    let html = std::fs::read_to_string(out).unwrap();
    assert!(html.contains("has no store yet"));
    assert!(html.contains("0 messages handled"));
}
