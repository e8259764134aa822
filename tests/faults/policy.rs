//! A Postfix policy server (the SMTP access policy delegation protocol) run by the test, so
//! the real Postfix refuses recipients with 4xx or 5xx while the test says so.
//! `scripts/mailstack` points the submission service on BASE+588 at it (port BASE+589); with
//! no server listening, Postfix accepts every recipient there.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

#[derive(Debug, Default)]
struct Rules {
    /// The action for every recipient; none means `DUNNO` (accept).
    all: Option<String>,
    /// How often Postfix asked about each recipient.
    asked: HashMap<String, usize>,
}

pub struct Policy {
    pub submission_port: u16,
    rules: Arc<Mutex<Rules>>,
    task: JoinHandle<()>,
}

impl Policy {
    /// Listens on the stack's policy port (`MAILCLERK_POLICY_PORT`).
    pub async fn start() -> Policy {
        let var = |name: &str| -> u16 {
            std::env::var(name)
                .unwrap_or_else(|_| panic!("{name} is not set: run `eval \"$(scripts/mailstack env)\"` after `scripts/mailstack up`"))
                .parse()
                .unwrap()
        };
        // The previous policy test's runtime may still be shutting down (its listener with it).
        let port = var("MAILCLERK_POLICY_PORT");
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", port)).await {
                Ok(l) => break l,
                Err(_) if tries < 50 => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("the policy port {port} stays busy: {e}"),
            }
        };
        let rules = Arc::new(Mutex::new(Rules::default()));
        let shared = rules.clone();
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let rules = shared.clone();
                tokio::spawn(async move {
                    let (r, mut w) = conn.into_split();
                    let mut lines = BufReader::new(r).lines();
                    let mut recipient = String::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(v) = line.strip_prefix("recipient=") {
                            recipient = v.to_lowercase();
                        }
                        if !line.is_empty() {
                            continue;
                        }
                        let action = {
                            let mut rules = rules.lock().unwrap();
                            *rules.asked.entry(recipient.clone()).or_default() += 1;
                            rules.all.clone().unwrap_or_else(|| "DUNNO".into())
                        };
                        if w.write_all(format!("action={action}\n\n").as_bytes())
                            .await
                            .is_err()
                        {
                            break;
                        }
                    }
                });
            }
        });
        Policy {
            submission_port: var("MAILCLERK_POLICY_SUBMISSION_PORT"),
            rules,
            task,
        }
    }

    /// Postfix answers `action` for every recipient, until called with `None`.
    pub fn refuse_all(&self, action: Option<&str>) {
        self.rules.lock().unwrap().all = action.map(str::to_string);
    }

    /// How many times Postfix asked about `rcpt` (one per attempt to send to it).
    pub fn asked(&self, rcpt: &str) -> usize {
        let rules = self.rules.lock().unwrap();
        rules.asked.get(&rcpt.to_lowercase()).copied().unwrap_or(0)
    }
}

impl Drop for Policy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
