//! The learned classifier as shipped: training on the committed data reproduces the committed
//! model byte for byte; the configuration names a bad model file or threshold plainly; a
//! vendor's example is appended and read back by `classifier eval`.

use std::path::Path;

use mailclerk::classify::train::Settings;
use mailclerk::config::Config;
use sha2::{Digest, Sha256};

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Trains as `mailclerk classifier train` does, in-process (several seconds in a debug build:
/// five calibration folds and the final model over every committed row).
#[test]
fn training_on_the_committed_data_reproduces_the_shipped_model() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.bin");
    mailclerk::learn::train_command(
        Path::new(mailclerk::learn::DEFAULT_DATA),
        &out,
        Settings::DEFAULT.seed,
    )
    .unwrap();
    let shipped = std::fs::read(mailclerk::learn::DEFAULT_MODEL).unwrap();
    assert_eq!(
        sha(&std::fs::read(&out).unwrap()),
        sha(&shipped),
        "config/classifier/model.bin is not what `mailclerk classifier train` makes of config/classifier/train: retrain and commit"
    );
    assert!(shipped.len() <= 5 * 1024 * 1024);
    assert_eq!(
        mailclerk::config::classifier::BUILTIN,
        shipped.as_slice(),
        "the built-in model is the shipped file"
    );
}

fn write_config(dir: &Path, extra_top: &str, extra_mailbox: &str) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(dir.join("inbox")).unwrap();
    let file = dir.join("c.toml");
    std::fs::write(
        &file,
        format!(
            "templates = \"{}\"\nstate_dir = \"{}\"\n{extra_top}\n[[mailbox]]\nname = \"m\"\naddress = \"support@notoutcrm.com\"\npolicy = \"{}\"\nsource = {{ kind = \"dir\", path = \"inbox\" }}\noutbox = {{ kind = \"dir\", path = \"out\" }}\n{extra_mailbox}\n",
            root.join("templates").display(),
            dir.join("state").display(),
            root.join("config/policies/notout.toml").display()
        ),
    )
    .unwrap();
    file
}

#[test]
fn model_file_and_threshold_mistakes_name_their_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.bin"), b"MCLFMODL\x01\x00").unwrap();
    let cases = [
        (
            "classifier = \"nowhere.bin\"",
            "",
            "classifier",
            "cannot read",
        ),
        ("classifier = \"broken.bin\"", "", "classifier", "cut short"),
        (
            "",
            "auto_answer_threshold = 1.5",
            "mailbox[0].auto_answer_threshold",
            "from 0 to 1, found 1.5",
        ),
    ];
    for (top, mailbox, key, problem) in cases {
        let file = write_config(dir.path(), top, mailbox);
        let err = Config::load(&file).expect_err("rejected").to_string();
        assert!(
            err.contains(key) && err.contains(problem),
            "{top}{mailbox}: {err}"
        );
    }
    let file = write_config(
        dir.path(),
        &format!(
            "classifier = \"{}\"",
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(mailclerk::learn::DEFAULT_MODEL)
                .display()
        ),
        "auto_answer_threshold = 0.9",
    );
    let cfg = Config::load(&file).unwrap();
    assert_eq!(cfg.mailboxes[0].auto_answer_threshold, 0.9);
    assert_eq!(*cfg.model, *mailclerk::config::classifier::builtin());
}

#[test]
fn a_vendor_adds_an_example_and_eval_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let eml = dir.path().join("m.eml");
    std::fs::write(
        &eml,
        "From: Ann <ann@customer.example>\r\nTo: support@notoutcrm.com\r\nSubject: Billing\r\nMessage-ID: <a1@customer.example>\r\n\r\nYou took the fee twice this month, please send one back.\r\n\r\nOn Mon, 2 Nov 2026 at 10:00, Support <support@notoutcrm.com> wrote:\r\n> Your plan renews on the 1st.\r\n",
    )
    .unwrap();
    let to = dir.path().join("vendor.jsonl");
    let run = crate::cli::mailclerk;
    let args = [
        "classifier",
        "add-example",
        eml.to_str().unwrap(),
        "--label",
        "refund",
        "--reason",
        "billing_error",
        "--lang",
        "en",
        "--to",
        to.to_str().unwrap(),
    ];
    let o = run(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let row: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&to).unwrap().trim()).unwrap();
    assert_eq!(row["label"], "refund");
    assert_eq!(row["reason"], "billing_error");
    assert_eq!(row["subject"], "Billing");
    assert!(row["body"].as_str().unwrap().contains("fee twice"));
    assert!(
        !row["body"].as_str().unwrap().contains("renews"),
        "quotes are cut"
    );
    // The same message twice is refused; a wrong label is named.
    assert_eq!(run(&args).status.code(), Some(65));
    let mut bad = args;
    bad[4] = "refunds";
    let o = run(&bad);
    assert!(String::from_utf8_lossy(&o.stderr).contains("policy_question"));

    let o = run(&["classifier", "eval", to.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for part in [
        "1 messages",
        "confusion",
        "reliability",
        "thresholds",
        "en ",
        "billing cut",
    ] {
        assert!(out.contains(part), "{part}: {out}");
    }
    // Rows trained on but never scored belong to a cross-validation; --train-on replaces
    // both --cv and --model.
    let file = to.to_str().unwrap();
    let o = run(&["classifier", "eval", file, "--extra", file]);
    assert_eq!(o.status.code(), Some(2), "--extra needs --cv");
    assert!(String::from_utf8_lossy(&o.stderr).contains("--cv"));
    let o = run(&["classifier", "eval", file, "--cv", "5", "--train-on", file]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "--train-on is not a cross-validation"
    );
}

#[test]
fn repeated_cross_validations_are_pooled_into_one_report() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rows.jsonl");
    let mut rows = String::new();
    for i in 0..6 {
        for (label, text) in [
            ("refund", "Please refund my last payment."),
            ("cancellation", "Please cancel my subscription."),
            ("other", "How do I export my contacts?"),
        ] {
            rows.push_str(
                &serde_json::json!({
                    "id": format!("r-{label}-{i}"),
                    "lang": "en",
                    "label": label,
                    "subject": "",
                    "body": format!("{text} Thanks, customer {i}"),
                })
                .to_string(),
            );
            rows.push('\n');
        }
    }
    std::fs::write(&file, rows).unwrap();
    let run = crate::cli::mailclerk;
    let f = file.to_str().unwrap();
    let o = run(&[
        "classifier",
        "eval",
        f,
        "--cv",
        "2",
        "--seed",
        "20",
        "--repeat",
        "3",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for part in [
        "(seed 20)",
        "(seed 21)",
        "(seed 22)",
        "pooled: the out-of-fold readings of 3 cross-validations (54 readings)",
        "54 messages",
    ] {
        assert!(out.contains(part), "{part}: {out}");
    }
    assert!(!out.contains("(seed 23)"), "{out}");
    let o = run(&["classifier", "eval", f, "--repeat", "3"]);
    assert_eq!(o.status.code(), Some(2), "--repeat needs --cv");
}
