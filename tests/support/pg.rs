//! PostgreSQL for tests: the project's own server (`scripts/pgstack`), started here when
//! `MAILCLERK_TEST_PG_URL` is not set (never a skip), and a database of each test's own.

use super::blackhole::Blackhole;

/// The URL of the test server: `MAILCLERK_TEST_PG_URL`, or the one `scripts/pgstack up`
/// starts (never a skip: a Postgres test without Postgres fails). The library's, which its own
/// store tests use.
pub fn pg_url() -> String {
    mailclerk::store::test_server::server_url()
}

/// The port of a `postgres://…:PORT/db` URL.
fn port_of(url: &str) -> u16 {
    url.rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .expect("a port in the URL")
}

impl Blackhole {
    /// A relay in front of the server `url` names, and the same URL through the relay.
    pub async fn in_front_of(url: &str) -> (Blackhole, String) {
        let port = port_of(url);
        let hole = Blackhole::start(port).await;
        let via_hole = url.replace(&format!(":{port}/"), &format!(":{}/", hole.port));
        (hole, via_hole)
    }
}

/// A database of the test's own, dropped when the test ends (even by a panic).
pub struct TestDb {
    pub url: String,
    name: String,
    admin: String,
}

impl TestDb {
    pub async fn new(test: &str) -> TestDb {
        let admin = pg_url();
        let name = format!("{test}_{}", std::process::id());
        let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
            .await
            .expect("the test Postgres accepts the mailclerk role");
        tokio::spawn(conn);
        // Two statements: a multi-statement string runs as one transaction, which these refuse.
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let (base, _) = admin.rsplit_once('/').expect("a URL with a database");
        TestDb {
            url: format!("{base}/{name}"),
            name,
            admin,
        }
    }

    pub async fn client(&self) -> tokio_postgres::Client {
        let (client, conn) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Its own thread and runtime: the test's runtime may be shutting down.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok((client, conn)) =
                    tokio_postgres::connect(&admin, tokio_postgres::NoTls).await
                {
                    tokio::spawn(conn);
                    let _ = client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}
