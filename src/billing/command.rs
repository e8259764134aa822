//! The command target: the decision as JSON on standard input; exit status 0 means accepted.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use super::{Answer, excerpt};

/// Runs `argv` with `body` on stdin and `MAILCLERK_IDEMPOTENCY_KEY` in its environment.
/// Exit 0: accepted; another exit status: refused; killed, timed out or not started:
/// unavailable (tried again; the key lets the script notice a repeat).
pub async fn run(argv: &[String], key: &str, body: &[u8], timeout: Duration) -> Answer {
    let Some((program, args)) = argv.split_first() else {
        return Answer::Refused("no command configured".into());
    };
    let child = tokio::process::Command::new(program)
        .args(args)
        .env("MAILCLERK_IDEMPOTENCY_KEY", key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return Answer::Unavailable(format!("cannot start {program}: {e}")),
    };
    let mut stdin = child.stdin.take();
    let work = async {
        if let Some(stdin) = stdin.as_mut() {
            // A command that exits without reading its input is judged by its exit status.
            let _ = stdin.write_all(body).await;
            let _ = stdin.shutdown().await;
        }
        drop(stdin);
        child.wait_with_output().await
    };
    let output = match tokio::time::timeout(timeout, work).await {
        Err(_) => {
            return Answer::Unavailable(format!(
                "{program} did not finish within {} s",
                timeout.as_secs_f64()
            ));
        }
        Ok(Err(e)) => return Answer::Unavailable(format!("{program}: {e}")),
        Ok(Ok(o)) => o,
    };
    let said = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    match output.status.code() {
        Some(0) => Answer::Accepted(excerpt(&format!("exit 0 {}", said(&output.stdout)))),
        Some(code) => Answer::Refused(excerpt(&format!(
            "exit {code} {} {}",
            said(&output.stderr),
            said(&output.stdout)
        ))),
        None => Answer::Unavailable(format!("{program} was killed by a signal")),
    }
}
