//! The store's tests run on both backends: an in-memory SQLite store, and a PostgreSQL store in
//! a database of the test's own on the project's real server (`scripts/pgstack`). Without
//! `MAILCLERK_TEST_PG_URL` the server is started here, as `scripts/test` would; a test never
//! passes without a database.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use super::Store;
use super::test_server::server_url;

/// A database of one test's own, dropped with the last store using it.
#[derive(Debug)]
pub(crate) struct TestDb {
    server: String,
    name: String,
    pub url: String,
}

impl TestDb {
    pub fn new(test: &str) -> Arc<TestDb> {
        let server = server_url();
        let name = format!("t_{}_{}", test, std::process::id()).to_lowercase();
        let mut admin = postgres::Client::connect(&server, postgres::NoTls).expect("test server");
        // One statement each: neither may run inside the transaction a batch would be.
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .expect("drop a leftover test database");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the test database");
        let base = server.rsplit_once('/').expect("a URL with a database").0;
        Arc::new(TestDb {
            url: format!("{base}/{name}"),
            server,
            name,
        })
    }

    /// A superuser-free side door for tests: SQL on the test database directly.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("test database")
    }

    pub fn store(self: &Arc<TestDb>, mailbox: &str) -> TestStore {
        TestStore {
            store: Store::open_postgres(&self.url, mailbox).expect("open the PostgreSQL store"),
            _db: Some(self.clone()),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A store and, for PostgreSQL, the database it lives in.
#[derive(Debug)]
pub(crate) struct TestStore {
    store: Store,
    _db: Option<Arc<TestDb>>,
}

impl Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

impl DerefMut for TestStore {
    fn deref_mut(&mut self) -> &mut Store {
        &mut self.store
    }
}

/// One store of each backend, named for the failure messages: `for (kind, mut store) in ...`.
pub(crate) fn stores(test: &str) -> Vec<(&'static str, TestStore)> {
    vec![
        (
            "sqlite",
            TestStore {
                store: Store::open_in_memory().expect("in-memory SQLite"),
                _db: None,
            },
        ),
        ("postgres", TestDb::new(test).store("desk")),
    ]
}

/// [`stores`], each with the claimant of a process on boot `boot`.
pub(crate) fn stores_on_boot(test: &str, boot: &str) -> Vec<(&'static str, TestStore)> {
    let mut all = stores(test);
    for (_, s) in &mut all {
        s.set_claimant(Some(format!("{boot}:1:1")));
    }
    all
}
