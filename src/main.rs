//! The `mailclerk` binary: parses the command line, runs the command, prints errors with their
//! causes, and exits with a meaningful status (78 for configuration errors, as sysexits.h).

use std::process::ExitCode;

use clap::Parser;
use mailclerk::cli::{
    AccountsCommand, AuthCommand, ClassifierCommand, Cli, Command, ConfigCommand, LogFormat,
    PolicyCommand,
};
use mailclerk::config::Config;
use mailclerk::{check, run, scenario};

/// sysexits.h EX_USAGE: the command line was wrong (such as a `--mailbox` the configuration
/// does not have).
const EX_USAGE: u8 = 64;
/// sysexits.h EX_DATAERR: the input data was wrong.
const EX_DATAERR: u8 = 65;
/// sysexits.h EX_UNAVAILABLE: a server could not be reached or refused the credentials
/// (`config check --connect`).
const EX_UNAVAILABLE: u8 = 69;
/// sysexits.h EX_CONFIG: the configuration is wrong; systemd's RestartPreventExitStatus=78.
const EX_CONFIG: u8 = 78;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter =
        || tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
    }
    match cli.command {
        Command::Classifier { command } => classifier(command),
        Command::Policy {
            command: PolicyCommand::Test { policies, files },
        } => policy_test(&policies, &files),
        Command::Config {
            command: ConfigCommand::Check { config, connect },
        } => match Config::load(&config) {
            Ok(cfg) => {
                // Tokens are not configuration, but without them an OAuth2 mailbox cannot run.
                let missing = mailclerk::oauth::check_token_stores(&cfg);
                if !missing.is_empty() {
                    return config_failed(&mailclerk::config::ConfigErrors(missing));
                }
                for note in &cfg.notes {
                    println!("note: {note}");
                }
                println!(
                    "{}: OK, {} mailbox(es): {}",
                    config.display(),
                    cfg.mailboxes.len(),
                    mailbox_list(&cfg)
                );
                if connect {
                    return connect_check(&cfg);
                }
                ExitCode::SUCCESS
            }
            Err(errors) => config_failed(&errors),
        },
        Command::Accounts {
            command:
                AccountsCommand::Import {
                    config,
                    mailbox,
                    csv,
                },
        } => {
            // Only the store is touched: no mail credentials needed (cron, a shell).
            let cfg = match Config::load_without_secrets(&config) {
                Ok(cfg) => cfg,
                Err(errors) => return config_failed(&errors),
            };
            match run::import_accounts(&cfg, mailbox.as_deref(), &csv) {
                Ok(line) => {
                    println!("{line}");
                    ExitCode::SUCCESS
                }
                Err(e @ (run::Error::NoSuchMailbox(_) | run::Error::WhichMailbox(_))) => {
                    failed(&e, EX_USAGE)
                }
                Err(e) => failed(&e, EX_DATAERR),
            }
        }
        Command::Auth {
            command:
                AuthCommand::Login {
                    config,
                    mailbox,
                    wait_seconds,
                },
        } => auth_login(&config, &mailbox, wait_seconds),
        Command::Report {
            config,
            mailbox,
            since,
            out,
        } => report(&config, mailbox.as_deref(), &since, &out),
        Command::Backup {
            config,
            mailbox,
            out,
        } => backup(&config, mailbox.as_deref(), &out),
        Command::Check {
            config,
            mailbox,
            received,
            json,
            messages,
        } => {
            let cfg = match Config::load(&config) {
                Ok(cfg) => cfg,
                Err(errors) => return config_failed(&errors),
            };
            if let Some(name) = mailbox.as_deref()
                && cfg.mailbox(name).is_none()
            {
                let e = run::Error::NoSuchMailbox(name.into());
                return failed(&e, EX_USAGE);
            }
            let opts = check::Options {
                mailbox,
                received,
                json,
            };
            let mut out = std::io::stdout().lock();
            match check::check_files(&cfg, &opts, &messages, &mut out) {
                Ok(0) => ExitCode::SUCCESS,
                Ok(_) => ExitCode::FAILURE,
                Err(e) => failed(&e, 1),
            }
        }
        Command::Decisions {
            config,
            since,
            mailbox,
            format,
        } => with_config(&config, |cfg, out| {
            mailclerk::audit::export(cfg, mailbox.as_deref(), since, format, out).map(drop)
        }),
        Command::Explain {
            config,
            mailbox,
            json,
            message,
        } => with_config(&config, |cfg, out| {
            mailclerk::explain::explain(cfg, mailbox.as_deref(), &message, json, out)
        }),
        Command::Replay {
            config,
            mailbox,
            since,
            policy,
            dir,
            classifier,
        } => with_config(&config, |cfg, out| {
            let opts = mailclerk::replay::Options {
                mailbox,
                since,
                policy,
                dir,
                classifier,
            };
            mailclerk::replay::replay(cfg, &opts, out).map(drop)
        }),
        Command::Run {
            config,
            once,
            dry_run,
        } => {
            let cfg = match Config::load(&config) {
                Ok(cfg) => cfg,
                Err(errors) => return config_failed(&errors),
            };
            for note in &cfg.notes {
                tracing::info!(%note, "Configuration note.");
            }
            // IMAP mailboxes make this the daemon; a configuration of directory inboxes only
            // (the demo) runs the simple synchronous loop and prints a report table.
            let daemon = cfg
                .mailboxes
                .iter()
                .any(|m| matches!(m.source, mailclerk::config::Source::Imap(_)));
            if daemon {
                return match mailclerk::service::run(&config, cfg, once, dry_run) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => failed(&e, 1),
                };
            }
            let mut out = std::io::stdout().lock();
            match run::run(&cfg, &run::Options { once, dry_run }, &mut out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => failed(&e, 1),
            }
        }
    }
}

fn classifier(command: ClassifierCommand) -> ExitCode {
    let result = match command {
        ClassifierCommand::Train { data, out, seed } => {
            mailclerk::learn::train_command(&data, &out, seed)
        }
        ClassifierCommand::Eval {
            files,
            model,
            cv,
            compare,
            extra,
            train_on,
            threshold,
            seed,
            repeat,
        } => mailclerk::learn::eval_command(
            &files,
            &mailclerk::learn::EvalOptions {
                model,
                cv,
                extra,
                train_on,
                threshold,
                compare,
                seed,
                repeat,
                tuning: tuning(seed),
                dump: std::env::var_os("MAILCLERK_CV_DUMP").map(Into::into),
            },
        ),
        ClassifierCommand::AddExample {
            message,
            label,
            reason,
            lang,
            to,
        } => mailclerk::learn::add_example(&message, &label, reason.as_deref(), &lang, &to),
    };
    match result {
        Ok(report) => {
            println!("{}", report.trim_end());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", mailclerk::error_chain(&e));
            ExitCode::from(EX_DATAERR)
        }
    }
}

/// `MAILCLERK_TUNE="epochs=30 typos=1 billing=0.1 ..."` (docs/classifier.md,
/// `mailclerk::learn::tune`): other settings for `classifier eval --cv` or `--train-on`. Not read anywhere
/// else.
fn tuning(seed: u64) -> Option<mailclerk::learn::tune::Tuning> {
    let v = std::env::var("MAILCLERK_TUNE").ok()?;
    match mailclerk::learn::tune::parse(&v, seed) {
        Ok(t) => Some(t),
        Err(e) => {
            // A typo in an experiment must not measure the shipped settings unnoticed.
            eprintln!("MAILCLERK_TUNE: {e}");
            std::process::exit(i32::from(EX_DATAERR))
        }
    }
}

fn policy_test(policies: &std::path::Path, files: &[std::path::PathBuf]) -> ExitCode {
    let report = scenario::run_files(policies, files);
    for e in &report.errors {
        println!("ERROR {e}");
    }
    for o in report.outcomes.iter().filter(|o| !o.problems.is_empty()) {
        println!("FAIL {}: {}: {}", o.file, o.id, o.problems.join("; "));
    }
    println!("{} passed, {} failed", report.passed(), report.failed());
    if report.failed() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn report(
    config: &std::path::Path,
    mailbox: Option<&str>,
    since: &str,
    out: &std::path::Path,
) -> ExitCode {
    // Only the stores are read: no mail credentials needed (cron, a shell).
    let cfg = match Config::load_without_secrets(config) {
        Ok(cfg) => cfg,
        Err(errors) => return config_failed(&errors),
    };
    let now = jiff::Timestamp::now();
    let since = match mailclerk::report::parse_since(since, now) {
        Ok(t) => t,
        Err(problem) => {
            eprintln!("error: --since: {problem}");
            return ExitCode::from(EX_USAGE);
        }
    };
    match mailclerk::report::write(&cfg, mailbox, since, now, out) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e @ mailclerk::report::Error::NoMailbox(_)) => failed(&e, EX_USAGE),
        Err(e) => failed(&e, 1),
    }
}

fn auth_login(config: &std::path::Path, mailbox: &str, wait_seconds: u64) -> ExitCode {
    let cfg = match Config::load(config) {
        Ok(cfg) => cfg,
        Err(errors) => return config_failed(&errors),
    };
    let Some(m) = cfg.mailbox(mailbox) else {
        eprintln!(
            "error: no mailbox called {mailbox:?} in {}",
            config.display()
        );
        return ExitCode::from(EX_USAGE);
    };
    let Some(settings) = &m.oauth2 else {
        eprintln!(
            "error: mailbox {mailbox} does not sign in with OAuth2 (no [mailbox.oauth2] section)"
        );
        return ExitCode::from(EX_CONFIG);
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return failed(&e, 1),
    };
    let mut out = std::io::stdout();
    let wait = std::time::Duration::from_secs(wait_seconds);
    match runtime.block_on(mailclerk::oauth::login(mailbox, settings, wait, &mut out)) {
        Ok(path) => {
            println!(
                "Signed in: mailbox {mailbox}'s tokens are stored in {}",
                path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => failed(&e, 1),
    }
}

/// Loads the configuration and runs a read-only command that writes to stdout.
fn with_config<E: std::error::Error>(
    config: &std::path::Path,
    f: impl FnOnce(&Config, &mut dyn std::io::Write) -> Result<(), E>,
) -> ExitCode {
    let cfg = match Config::load(config) {
        Ok(cfg) => cfg,
        Err(errors) => return config_failed(&errors),
    };
    match f(&cfg, &mut std::io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => failed(&e, 1),
    }
}

fn backup(config: &std::path::Path, mailbox: Option<&str>, out: &std::path::Path) -> ExitCode {
    // Only the stores are read: no mail credentials needed (cron, a shell).
    let cfg = match Config::load_without_secrets(config) {
        Ok(cfg) => cfg,
        Err(errors) => return config_failed(&errors),
    };
    match mailclerk::backup::backup_all(&cfg, mailbox, out) {
        Ok(copies) => {
            for c in copies {
                println!(
                    "mailbox {}: store copied to {} ({} bytes, integrity ok)",
                    c.mailbox,
                    c.to.display(),
                    c.bytes
                );
            }
            ExitCode::SUCCESS
        }
        Err(e @ mailclerk::backup::Error::NoSuchMailbox(_)) => failed(&e, EX_USAGE),
        Err(e) => failed(&e, 1),
    }
}

/// `config check --connect`: every mailbox's servers signed in to; 69 when one fails.
fn connect_check(cfg: &Config) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return failed(&e, 1),
    };
    let reports = runtime.block_on(mailclerk::connect_check::check(cfg));
    for report in &reports {
        print!("{report}");
    }
    let failing: Vec<&str> = reports
        .iter()
        .filter(|r| !r.ok())
        .map(|r| r.mailbox.as_str())
        .collect();
    if failing.is_empty() {
        println!("Every server took its credentials.");
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "error: sign-in or connection failed for mailbox(es): {}",
            failing.join(", ")
        );
        ExitCode::from(EX_UNAVAILABLE)
    }
}

fn mailbox_list(cfg: &Config) -> String {
    cfg.mailboxes
        .iter()
        .map(|m| format!("{} <{}> ({})", m.name, m.address, m.policy.id))
        .collect::<Vec<_>>()
        .join(", ")
}

fn config_failed(errors: &mailclerk::config::ConfigErrors) -> ExitCode {
    eprintln!("{errors}");
    ExitCode::from(EX_CONFIG)
}

/// Prints the error and its whole `source()` chain.
fn failed(err: &dyn std::error::Error, code: u8) -> ExitCode {
    eprintln!("error: {}", mailclerk::error_chain(err));
    ExitCode::from(code)
}
