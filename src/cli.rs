//! The command line: `run`, `check`, `config check`, `accounts import`, `policy test`,
//! `auth login`, `classifier train | eval | add-example`, `decisions`, `explain`, `replay`,
//! `report`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use jiff::Timestamp;

/// mailclerk answers refund and cancellation email by the vendor's written policy.
#[derive(Debug, Parser)]
#[command(name = "mailclerk", version, about)]
pub struct Cli {
    /// Log lines as human-readable text, or one JSON object per line (for log collectors).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

/// How log lines are written to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Answer the mail in every configured mailbox.
    Run {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Handle what is there now, then exit.
        #[arg(long)]
        once: bool,
        /// Decide and print, but send nothing and record nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Run messages through every stage and print what mailclerk would do; sends nothing.
    Check {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// The mailbox to use; default: the one whose address is among the recipients.
        #[arg(long, value_name = "NAME")]
        mailbox: Option<String>,
        /// The receipt time (RFC 3339); default: the message's Received: header.
        #[arg(long, value_name = "RFC3339")]
        received: Option<Timestamp>,
        /// One JSON object per message per line.
        #[arg(long)]
        json: bool,
        #[arg(required = true, value_name = "MESSAGE.eml")]
        messages: Vec<PathBuf>,
    },
    /// Configuration commands.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Customer account commands.
    Accounts {
        #[command(subcommand)]
        command: AccountsCommand,
    },
    /// Policy commands.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Write an HTML page with charts of what was handled: answers per day by outcome,
    /// hand-offs by reason, latency percentiles, refunds by amount. Reads the stores only.
    Report {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Only this mailbox; default: every mailbox.
        #[arg(long, value_name = "NAME")]
        mailbox: Option<String>,
        /// The period: a span back from now (7d, 36h, 90m) or a UTC date (2026-11-30).
        #[arg(long, value_name = "SPAN|DATE", default_value = "7d")]
        since: String,
        /// Where the page is written.
        #[arg(long, value_name = "FILE.html", default_value = "report.html")]
        out: PathBuf,
    },
    /// OAuth2 sign-in commands.
    Auth {
        #[command(subcommand)]
        command: AuthCommand,
    },
    /// Export the decisions made since a date, for finance (CSV with a header row, or JSON).
    Decisions {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// A day (`2026-11-01`, from its start in UTC) or an RFC 3339 time.
        #[arg(long, value_name = "DATE", value_parser = parse_since)]
        since: Timestamp,
        #[arg(long, value_name = "NAME")]
        mailbox: Option<String>,
        #[arg(long, value_enum, default_value_t = crate::audit::Format::Csv)]
        format: crate::audit::Format,
    },
    /// Print the whole trace of one handled message from the ledger.
    Explain {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        #[arg(long, value_name = "NAME")]
        mailbox: Option<String>,
        /// The trace as one JSON object.
        #[arg(long)]
        json: bool,
        /// A Message-ID (angle brackets optional) or a message file.
        #[arg(value_name = "MESSAGE-ID|FILE.eml")]
        message: String,
    },
    /// Decide handled mail again with the current (or a new) policy, read-only, and show
    /// what would change.
    Replay {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        #[arg(long, value_name = "NAME")]
        mailbox: String,
        /// A day (`2026-11-01`, from its start in UTC) or an RFC 3339 time.
        #[arg(long, value_name = "DATE", value_parser = parse_since)]
        since: Timestamp,
        /// The policy file to try instead of the mailbox's.
        #[arg(long, value_name = "NEW.toml")]
        policy: Option<PathBuf>,
        /// Read this directory of .eml files instead of the mailbox's mail.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// A classifier model (`mailclerk classifier train --out FILE`) to try instead of the
        /// configured one.
        #[arg(long, value_name = "MODEL")]
        classifier: Option<PathBuf>,
    },
    /// Copy every mailbox's store into a directory, consistently, while the daemon runs.
    Backup {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Only this mailbox's store.
        #[arg(long, value_name = "NAME")]
        mailbox: Option<String>,
        /// Where the copies go, as `<mailbox>.sqlite` (replacing older copies there).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// The learned classifier: train it, measure it, teach it (docs/classifier.md).
    Classifier {
        #[command(subcommand)]
        command: ClassifierCommand,
    },
}

/// `mailclerk classifier ...`
#[derive(Debug, Subcommand)]
pub enum ClassifierCommand {
    /// Train the model on every *.jsonl file of a directory, deterministically.
    Train {
        #[arg(long, value_name = "DIR", default_value = crate::learn::DEFAULT_DATA)]
        data: PathBuf,
        #[arg(long, value_name = "FILE", default_value = crate::learn::DEFAULT_MODEL)]
        out: PathBuf,
        #[arg(long, value_name = "N", default_value_t = crate::classify::train::Settings::DEFAULT.seed)]
        seed: u64,
    },
    /// Score labelled messages: per class, per language, confusion matrix, reliability curve
    /// and what each threshold costs.
    Eval {
        #[arg(required = true, value_name = "FILE.jsonl")]
        files: Vec<PathBuf>,
        /// A model file; default: the built-in model.
        #[arg(long, value_name = "FILE")]
        model: Option<PathBuf>,
        /// Cross-validate on the files (K folds) instead of using a trained model.
        #[arg(long, value_name = "K")]
        cv: Option<usize>,
        /// With --cv: also compare the alternative models and combinations.
        #[arg(long)]
        compare: bool,
        /// With --cv: labelled files whose rows join the training of every fold but are never
        /// scored (to measure what added rows bring on the same scored rows). Takes every
        /// following file: put it after the scored files, or repeat it.
        #[arg(long, value_name = "FILE.jsonl", num_args = 1.., requires = "cv")]
        extra: Vec<PathBuf>,
        /// Instead of --cv or --model: train a model on these files as `classifier train` does
        /// (under MAILCLERK_TUNE's settings) and score the files with it. Takes every
        /// following file.
        #[arg(long, value_name = "FILE.jsonl", num_args = 1.., conflicts_with_all = ["cv", "model"])]
        train_on: Vec<PathBuf>,
        #[arg(long, value_name = "P", default_value_t = crate::classify::decide::DEFAULT_THRESHOLD)]
        threshold: f32,
        #[arg(long, value_name = "N", default_value_t = crate::classify::train::Settings::DEFAULT.seed)]
        seed: u64,
        /// With --cv: R cross-validations (seeds N, N+1, ...), their out-of-fold readings pooled
        /// into one report.
        #[arg(long, value_name = "R", default_value_t = 1, requires = "cv")]
        repeat: u64,
    },
    /// Append a message, labelled, to the vendor's training file (then retrain).
    AddExample {
        #[arg(value_name = "FILE.eml")]
        message: PathBuf,
        /// refund, cancellation, both, refund_status, policy_question, withdrawal or other.
        #[arg(long)]
        label: String,
        /// billing_error (with refund or both).
        #[arg(long)]
        reason: Option<String>,
        /// The message's language (en, de, es, fr, pt, it, nl, ...).
        #[arg(long, default_value = "und")]
        lang: String,
        #[arg(
            long,
            value_name = "FILE",
            default_value = "config/classifier/train/vendor.jsonl"
        )]
        to: PathBuf,
    },
}

/// `--since`: a day (from its start in UTC) or an RFC 3339 time.
fn parse_since(text: &str) -> Result<Timestamp, String> {
    if let Ok(day) = text.parse::<jiff::civil::Date>() {
        return day
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string());
    }
    text.parse::<Timestamp>().map_err(|_| {
        format!("expected a day such as 2026-11-01 or an RFC 3339 time, found {text:?}")
    })
}

/// `mailclerk auth ...`
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Sign a mailbox in once with its `[mailbox.oauth2]` flow and store its tokens: prints
    /// what the person must open, waits for the consent, and saves the refresh token.
    Login {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        #[arg(long, value_name = "NAME")]
        mailbox: String,
        /// How long to wait for the browser (loopback flow).
        #[arg(long, value_name = "SECONDS", default_value_t = 600)]
        wait_seconds: u64,
    },
}

/// `mailclerk config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration, its policies and templates, without running.
    Check {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Also sign in to every mailbox's IMAP and SMTP servers (and renew its OAuth2
        /// token): says which server or credential fails. Sends nothing, moves no mail.
        #[arg(long)]
        connect: bool,
    },
}

/// `mailclerk accounts ...`
#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Load (or update) accounts from a CSV file: the whole file or nothing.
    Import {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Required when the configuration has more than one mailbox.
        #[arg(long, value_name = "NAME")]
        mailbox: Option<String>,
        #[arg(value_name = "accounts.csv")]
        csv: PathBuf,
    },
}

/// `mailclerk policy ...`
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Run policy scenario files and report every scenario that fails.
    Test {
        /// Where `<policy>.toml` files are found.
        #[arg(long, value_name = "DIR", default_value = "config/policies")]
        policies: PathBuf,
        #[arg(required = true, value_name = "FILE.toml")]
        files: Vec<PathBuf>,
    },
}
