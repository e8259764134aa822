//! Dovecot going away at each moment that matters (idle, fetching, moving), and the connection
//! cut or stalled in the middle of a response (the proxy between the daemon and Dovecot).

use std::time::{Duration, Instant};

use crate::proxy::{Fault, Proxy};
use crate::support::faults::{Counts, FaultDesk, Kind, Setup, print_row};
use crate::support::mailstack;
use crate::{Restart, SERVERS};

const WAIT: Duration = Duration::from_secs(20);

async fn wait_fired(proxy: &Proxy, desk: &FaultDesk) {
    let started = Instant::now();
    while proxy.fired() == 0 {
        assert!(
            started.elapsed() < WAIT,
            "the proxy fault never fired; log:\n{}",
            desk.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn dovecot_restart_while_idle() {
    let _only = SERVERS.write().await;
    let mut desk = FaultDesk::new("dovecot_restart_while_idle", 4, Setup::default());
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    let restart = Restart("start-dovecot");
    mailstack(&["stop-dovecot"]);
    // Postfix queues the requests until Dovecot is back.
    desk.send_mix(4);
    tokio::time::sleep(Duration::from_secs(2)).await;
    drop(restart);
    let report = desk.settle(Duration::from_secs(60)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(&report, "Dovecot stopped 2 s while idling");
    report.assert(Counts::clean(4, 2, 1, 1), &desk.log());
    assert!(desk.log().contains("reconnecting"), "{}", desk.log());
}

/// Dovecot stops between the last record of a batch and its filing (UID MOVE).
#[tokio::test(flavor = "multi_thread")]
async fn dovecot_stopped_while_moving() {
    let _only = SERVERS.write().await;
    let mut desk = FaultDesk::new("dovecot_stopped_while_moving", 4, Setup::default());
    desk.first_start();
    desk.send_mix(4);
    desk.wait_delivered(WAIT);
    let restart = Restart("start-dovecot");
    desk.start(&[
        ("MAILCLERK_PAUSE_AT", "after_record:4"),
        ("MAILCLERK_PAUSE_MS", "2000"),
    ]);
    desk.wait_log("pause point after_record reached", WAIT);
    mailstack(&["stop-dovecot"]);
    let lost = desk.log().matches("reconnecting").count();
    desk.wait_log("pause point after_record over", WAIT);
    // Let the move fail and a reconnection fail too (each failure logs "reconnecting").
    desk.wait_log_n("reconnecting", lost + 2, WAIT);
    drop(restart);
    let report = desk.settle(Duration::from_secs(60)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(&report, "Dovecot stopped before the batch's UID MOVE");
    report.assert(Counts::clean(4, 2, 1, 1), &desk.log());
    assert!(desk.log().contains("reconnecting"), "{}", desk.log());
}

/// Dovecot stops while a large FETCH response is on its way: the proxy holds the response
/// after 100 kB, Dovecot is stopped, and the daemon sees the connection end mid-literal.
#[tokio::test(flavor = "multi_thread")]
async fn dovecot_stopped_while_fetching() {
    let _only = SERVERS.write().await;
    let stack = crate::support::Stack::from_env();
    let proxy = Proxy::start(stack.imaps_port).await;
    let mut setup = Setup::source("batch = 1");
    setup.imap_port = Some(proxy.port);
    let mut desk = FaultDesk::new("dovecot_stopped_while_fetching", 4, setup);
    desk.first_start();
    desk.send_padded(Kind::Refund, 600_000);
    desk.send(Kind::Cancel);
    desk.send(Kind::Stranger);
    desk.wait_delivered(WAIT);
    proxy.arm(Fault::Stall { after: 100_000 });
    let restart = Restart("start-dovecot");
    desk.start(&[]);
    wait_fired(&proxy, &desk).await;
    mailstack(&["stop-dovecot"]);
    tokio::time::sleep(Duration::from_secs(1)).await;
    drop(restart);
    let report = desk.settle(Duration::from_secs(60)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(&report, "Dovecot stopped mid-FETCH (600 kB message)");
    report.assert(Counts::clean(3, 2, 1, 0), &desk.log());
}

/// The connection is closed 100 kB into a FETCH response.
#[tokio::test(flavor = "multi_thread")]
async fn connection_cut_mid_response() {
    let _shared = SERVERS.read().await;
    let stack = crate::support::Stack::from_env();
    let proxy = Proxy::start(stack.imaps_port).await;
    let mut setup = Setup::source("batch = 1");
    setup.imap_port = Some(proxy.port);
    let mut desk = FaultDesk::new("connection_cut_mid_response", 4, setup);
    desk.first_start();
    desk.send_padded(Kind::Refund, 600_000);
    desk.send(Kind::Cancel);
    desk.send(Kind::AutoReply);
    desk.wait_delivered(WAIT);
    proxy.arm(Fault::Cut { after: 100_000 });
    desk.start(&[]);
    let report = desk.settle(Duration::from_secs(60)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    assert_eq!(proxy.fired(), 1);
    print_row(&report, "IMAP connection cut 100 kB into a FETCH");
    report.assert(Counts::clean(3, 2, 0, 1), &desk.log());
    assert!(desk.log().contains("reconnecting"), "{}", desk.log());
}

/// The connection stalls 100 kB into a FETCH response (a half-dead peer): the daemon's
/// 5 s timeout ends it, and it reconnects.
#[tokio::test(flavor = "multi_thread")]
async fn connection_stalled_mid_response() {
    let _shared = SERVERS.read().await;
    let stack = crate::support::Stack::from_env();
    let proxy = Proxy::start(stack.imaps_port).await;
    let mut setup = Setup::source("batch = 1");
    setup.imap_port = Some(proxy.port);
    let mut desk = FaultDesk::new("connection_stalled_mid_response", 4, setup);
    desk.first_start();
    desk.send_padded(Kind::Cancel, 600_000);
    desk.send(Kind::Refund);
    desk.wait_delivered(WAIT);
    proxy.arm(Fault::Stall { after: 100_000 });
    desk.start(&[]);
    let report = desk.settle(Duration::from_secs(60)).await;
    let (_, status) = desk.stop();
    assert!(status.success());
    assert_eq!(proxy.fired(), 1);
    print_row(&report, "IMAP connection stalled 100 kB into a FETCH");
    report.assert(Counts::clean(2, 2, 0, 0), &desk.log());
    assert!(desk.log().contains("did not answer"), "{}", desk.log());
}

/// The connection goes silent while idling (no RST, no FIN: a half-open connection): the
/// new-mail notification never arrives. The IDLE renewal (catch_up_seconds = 10) finds the
/// connection dead within its timeout, and the request is answered after the reconnection.
#[tokio::test(flavor = "multi_thread")]
async fn connection_half_open_while_idle() {
    let _shared = SERVERS.read().await;
    let stack = crate::support::Stack::from_env();
    let proxy = Proxy::start(stack.imaps_port).await;
    let setup = Setup {
        imap_port: Some(proxy.port),
        ..Setup::default()
    };
    let mut desk = FaultDesk::new("connection_half_open_while_idle", 4, setup);
    desk.start(&[]);
    desk.wait_log("First start on this folder", WAIT);
    proxy.arm(Fault::Stall { after: 0 });
    let sent = Instant::now();
    desk.send_mix(4);
    let report = desk.settle(Duration::from_secs(60)).await;
    let took = sent.elapsed();
    let (_, status) = desk.stop();
    assert!(status.success());
    print_row(
        &report,
        &format!(
            "IMAP half-open during IDLE; answered after {} s",
            took.as_secs()
        ),
    );
    report.assert(Counts::clean(4, 2, 1, 1), &desk.log());
    assert!(
        took < Duration::from_secs(40),
        "answered {took:?} after sending"
    );
}
