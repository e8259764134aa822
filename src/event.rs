//! What the daemon and the executor tell the world, as typed events: one stream that keeps
//! the counts systemd's STATUS line shows, and that a test can wait on instead of polling a
//! human log line. With `MAILCLERK_EVENTS=<path>` set, each event is also appended to that
//! file as one JSON line (`{"event":"answered","mailbox":"support","message_id":"…"}`).

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// The environment variable naming the file events are appended to.
pub const EVENTS_ENV: &str = "MAILCLERK_EVENTS";

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A mailbox's connection is up (after a start or a reconnection).
    Connected { mailbox: String },
    /// A reply went out (or was found to have gone out before an interruption).
    Answered { mailbox: String, message_id: String },
    /// Handed to people: no automatic answer (a draft waiting for approval counts here).
    ToPeople { mailbox: String, message_id: String },
    /// Skipped: nothing to answer.
    Skipped { mailbox: String, message_id: String },
    /// The relay or billing could not take it now: it waits for a later pass.
    Deferred { mailbox: String, message_id: String },
    /// A pass over the mailbox's new mail ended with everything handled.
    PassDone { mailbox: String },
}

/// Counts for systemd's STATUS line and the closing log.
#[derive(Debug, Default)]
pub struct Stats {
    pub answered: AtomicU64,
    pub people: AtomicU64,
    pub skipped: AtomicU64,
}

impl Stats {
    /// "answered N, for people N, skipped N".
    pub fn line(&self) -> String {
        format!(
            "answered {}, for people {}, skipped {}",
            self.answered.load(Ordering::Relaxed),
            self.people.load(Ordering::Relaxed),
            self.skipped.load(Ordering::Relaxed)
        )
    }
}

/// Where events go: the counts, and the JSON-lines file when one is named.
#[derive(Debug, Default)]
pub struct Events {
    stats: Stats,
    file: Option<Mutex<std::fs::File>>,
}

impl Events {
    /// Counts only.
    pub fn new() -> Events {
        Events::default()
    }

    /// Counts, and every event appended to `path` as a JSON line.
    ///
    /// # Errors
    /// The file cannot be opened for appending.
    pub fn with_file(path: &Path) -> std::io::Result<Events> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(Events {
            stats: Stats::default(),
            file: Some(Mutex::new(file)),
        })
    }

    /// Counts, and the file named by [`EVENTS_ENV`] if it is set; a file that cannot be
    /// opened is logged and left out (events are for watching, never for deciding).
    pub fn from_env() -> Events {
        match std::env::var_os(EVENTS_ENV) {
            Some(path) => Events::with_file(Path::new(&path)).unwrap_or_else(|e| {
                tracing::warn!(err = %e, path = %Path::new(&path).display(), "The events file cannot be opened; events are not written.");
                Events::new()
            }),
            None => Events::new(),
        }
    }

    /// The counts so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Counts `event` and writes it out.
    pub fn emit(&self, event: Event) {
        let counter = match &event {
            Event::Answered { .. } => Some(&self.stats.answered),
            Event::ToPeople { .. } => Some(&self.stats.people),
            Event::Skipped { .. } => Some(&self.stats.skipped),
            _ => None,
        };
        if let Some(counter) = counter {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        let Some(file) = &self.file else {
            return;
        };
        let Ok(mut line) = serde_json::to_vec(&event) else {
            return;
        };
        line.push(b'\n');
        // One write per line, in append mode: lines of concurrent tasks never interleave.
        let mut file = file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Err(e) = file.write_all(&line) {
            tracing::warn!(err = %e, "An event could not be written.");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_counted_and_written_one_json_line_each() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let events = Events::with_file(&path).unwrap();
        let (mailbox, message_id) = ("support".to_string(), "a@x".to_string());
        for event in [
            Event::Answered {
                mailbox: mailbox.clone(),
                message_id: message_id.clone(),
            },
            Event::ToPeople {
                mailbox: mailbox.clone(),
                message_id: message_id.clone(),
            },
            Event::Deferred {
                mailbox: mailbox.clone(),
                message_id,
            },
            Event::PassDone { mailbox },
        ] {
            events.emit(event);
        }
        assert_eq!(events.stats().line(), "answered 1, for people 1, skipped 0");
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                r#"{"event":"answered","mailbox":"support","message_id":"a@x"}"#,
                r#"{"event":"to_people","mailbox":"support","message_id":"a@x"}"#,
                r#"{"event":"deferred","mailbox":"support","message_id":"a@x"}"#,
                r#"{"event":"pass_done","mailbox":"support"}"#,
            ]
        );
    }
}
