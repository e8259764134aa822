//! A TCP proxy between the daemon and Dovecot (127.0.0.1, tokio) that can cut or stall a
//! connection in the middle of a server response: the network faults there is no `tc netem`
//! for here. TLS passes through it untouched, so the daemon still verifies Dovecot's
//! certificate; the proxy only counts bytes.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the proxy does to the next large server response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Pass,
    /// After `after` more bytes from the server, close the connection (both sides).
    Cut {
        after: usize,
    },
    /// After `after` more bytes from the server, forward nothing more in either direction but
    /// keep the connection open (a half-dead peer); it closes when the server side does.
    Stall {
        after: usize,
    },
}

#[derive(Debug)]
struct State {
    fault: Fault,
    counted: usize,
    fired: usize,
}

pub struct Proxy {
    pub port: u16,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Listens on a free port of 127.0.0.1 and forwards to `upstream` on 127.0.0.1.
    pub async fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            fault: Fault::Pass,
            counted: 0,
            fired: 0,
        }));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(pipe(client, upstream, shared.clone()));
            }
        });
        Proxy { port, state, task }
    }

    /// Arms a fault: it fires once, on whichever connection carries the bytes, then the proxy
    /// passes everything again.
    pub fn arm(&self, fault: Fault) {
        let mut s = self.state.lock().unwrap();
        s.fault = fault;
        s.counted = 0;
    }

    /// How many faults have fired.
    pub fn fired(&self) -> usize {
        self.state.lock().unwrap().fired
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What to do with a chunk from the server: forward `n` bytes, then maybe cut or stall.
enum Verdict {
    Forward,
    CutAfter(usize),
    StallAfter(usize),
}

fn judge(state: &Mutex<State>, len: usize) -> Verdict {
    let mut s = state.lock().unwrap();
    let after = match s.fault {
        Fault::Pass => return Verdict::Forward,
        Fault::Cut { after } | Fault::Stall { after } => after,
    };
    let budget = after.saturating_sub(s.counted);
    if len < budget {
        s.counted += len;
        return Verdict::Forward;
    }
    let fault = s.fault;
    s.fault = Fault::Pass;
    s.fired += 1;
    match fault {
        Fault::Cut { .. } => Verdict::CutAfter(budget),
        _ => Verdict::StallAfter(budget),
    }
}

async fn pipe(client: TcpStream, upstream: u16, state: Arc<Mutex<State>>) {
    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
        // The server is down: the client sees its connection closed, as with a load balancer.
        return;
    };
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let stalled = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stalled_up = stalled.clone();
    let up = tokio::spawn(async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match cr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if stalled_up.load(std::sync::atomic::Ordering::Relaxed) {
                        continue;
                    }
                    if sw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = sw.shutdown().await;
    });
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match sr.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if stalled.load(std::sync::atomic::Ordering::Relaxed) {
            continue; // swallowed: the client hears nothing, until the server closes
        }
        match judge(&state, n) {
            Verdict::Forward => {
                if cw.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
            Verdict::CutAfter(k) => {
                let _ = cw.write_all(&buf[..k]).await;
                up.abort();
                return; // both halves dropped: the connection is gone mid-response
            }
            Verdict::StallAfter(k) => {
                let _ = cw.write_all(&buf[..k]).await;
                stalled.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }
    // The server closed (or died): so does the client's side.
    let _ = cw.shutdown().await;
    up.abort();
}
