//! A real HTTP receiver for the billing webhook, on 127.0.0.1: std::net, one thread per
//! connection, HTTP/1.1 with `Connection: close`. It checks each call's HMAC signature,
//! answers as the test's script says for that key's n-th call, and keeps every call, so tests
//! can count calls and distinct keys per message (a real billing side dedupes by key: an
//! accepted key is done once however often it comes).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The answer to one call: HTTP status, after a pause.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    pub status: u16,
    pub delay: Duration,
}

impl Answer {
    pub fn now(status: u16) -> Answer {
        Answer {
            status,
            delay: Duration::ZERO,
        }
    }
    pub fn after(status: u16, ms: u64) -> Answer {
        Answer {
            status,
            delay: Duration::from_millis(ms),
        }
    }
}

/// How the receiver answers the `n`-th call (1-based) under `key`, for a message.
pub type Script = dyn Fn(&str, usize) -> Answer + Send + Sync;

/// One call as received.
#[derive(Debug, Clone)]
pub struct Call {
    pub key: String,
    pub signature_ok: bool,
    pub body: serde_json::Value,
    pub status: u16,
}

pub struct Receiver {
    pub url: String,
    pub secret: String,
    calls: Arc<Mutex<Vec<Call>>>,
    arrivals: Arc<Mutex<HashMap<String, usize>>>,
}

impl Receiver {
    /// Starts a receiver that answers by `script`.
    pub fn start(script: impl Fn(&str, usize) -> Answer + Send + Sync + 'static) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/billing", listener.local_addr().unwrap());
        let secret = "whsec-test-0123456789".to_string();
        let calls: Arc<Mutex<Vec<Call>>> = Arc::default();
        let arrivals: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let script: Arc<Script> = Arc::new(script);
        let (c, a, s, key) = (
            calls.clone(),
            arrivals.clone(),
            script.clone(),
            secret.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (c, a, s, key) = (c.clone(), a.clone(), s.clone(), key.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &c, &a, &*s, key.as_bytes());
                });
            }
        });
        Receiver {
            url,
            secret,
            calls,
            arrivals,
        }
    }

    /// Waits (up to 10 s) until every call that arrived has been answered: a try the client
    /// gave up on is still being answered here.
    pub fn settle(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let arrived: usize = self.arrivals.lock().unwrap().values().sum();
            if arrived == self.calls.lock().unwrap().len() || std::time::Instant::now() > deadline {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// Per message id: the distinct keys it was called under, and how many calls.
    pub fn by_message(&self) -> HashMap<String, (Vec<String>, usize)> {
        let mut out: HashMap<String, (Vec<String>, usize)> = HashMap::new();
        for c in self.calls() {
            let id = c.body["message_id"].as_str().unwrap_or("?").to_string();
            let e = out.entry(id).or_default();
            if !e.0.contains(&c.key) {
                e.0.push(c.key.clone());
            }
            e.1 += 1;
        }
        out
    }

    /// The message ids whose key was accepted (2xx) at least once: the actions done.
    pub fn accepted(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .calls()
            .iter()
            .filter(|c| (200..300).contains(&c.status))
            .map(|c| c.body["message_id"].as_str().unwrap_or("?").to_string())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The `[mailbox.billing]` lines for this receiver, with the secret written to `dir`.
    pub fn config(&self, dir: &std::path::Path, extra: &str) -> String {
        let secret = dir.join("billing-secret");
        std::fs::write(&secret, format!("{}\n", self.secret)).unwrap();
        format!(
            "[mailbox.billing]\nkind = \"webhook\"\nurl = \"{}\"\nsecret_file = \"{}\"\n{extra}\n",
            self.url,
            secret.display()
        )
    }
}

fn serve(
    stream: TcpStream,
    calls: &Mutex<Vec<Call>>,
    arrivals: &Mutex<HashMap<String, usize>>,
    script: &Script,
    secret: &[u8],
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut headers: HashMap<String, String> = HashMap::new();
    let mut line = String::new();
    reader.read_line(&mut line)?; // the request line
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body)?;
    let key = headers.get("idempotency-key").cloned().unwrap_or_default();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(&body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let signature_ok = headers.get("x-mailclerk-signature") == Some(&format!("sha256={expected}"));
    // Counted on arrival: a retry may come while an earlier try is still being answered.
    let nth = {
        let mut arrivals = arrivals.lock().unwrap();
        let n = arrivals.entry(key.clone()).or_default();
        *n += 1;
        *n
    };
    let answer = if signature_ok {
        script(&key, nth)
    } else {
        Answer::now(401)
    };
    std::thread::sleep(answer.delay);
    calls.lock().unwrap().push(Call {
        key,
        signature_ok,
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        status: answer.status,
    });
    let text = format!("{{\"status\":{}}}", answer.status);
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        answer.status,
        text.len()
    )?;
    stream.flush()
}
