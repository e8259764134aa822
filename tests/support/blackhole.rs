//! A TCP relay the test can blackhole: the connections stay open but no byte passes, as when
//! the route to a server dies without a reset (no `tc netem` here). Used between a daemon or a
//! lease client and PostgreSQL.

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A TCP relay to Postgres that the test can blackhole: the connections stay open but no
/// byte passes, as when a route to the database dies without a reset.
pub struct Blackhole {
    pub port: u16,
    cut: watch::Sender<bool>,
}

impl Blackhole {
    /// Relays a free port of 127.0.0.1 to `target` on 127.0.0.1.
    pub async fn start(target: u16) -> Blackhole {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cut, cut_rx) = watch::channel(false);
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let cut_rx = cut_rx.clone();
                tokio::spawn(async move {
                    if *cut_rx.borrow() {
                        // New connections hang too.
                        let _keep = client;
                        std::future::pending::<()>().await;
                        return;
                    }
                    let Ok(server) = TcpStream::connect(("127.0.0.1", target)).await else {
                        return;
                    };
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    tokio::join!(pipe(cr, sw, cut_rx.clone()), pipe(sr, cw, cut_rx));
                });
            }
        });
        Blackhole { port, cut }
    }

    /// From now on (`true`) every byte is swallowed, on open and new connections alike;
    /// `false` lets new connections through again (the swallowed ones stay dead).
    pub fn cut(&self, cut: bool) {
        let _ = self.cut.send(cut);
    }
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut cut: watch::Receiver<bool>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 16384];
    loop {
        let n = tokio::select! {
            n = from.read(&mut buf) => n,
            changed = cut.changed() => {
                if changed.is_err() || *cut.borrow() {
                    break;
                }
                continue;
            }
        };
        match n {
            Ok(0) | Err(_) => return,
            Ok(_) if *cut.borrow() => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).await.is_err() {
                    return;
                }
            }
        }
    }
    // Cut: the bytes are swallowed and both halves held open.
    let _keep = (from, to);
    std::future::pending::<()>().await;
}
