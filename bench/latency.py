#!/usr/bin/env python3
"""Delivery-to-answer latency of the mailclerk daemon in IDLE mode, on the project's stack.

For each request: t0 = the SMTP 250 for the customer's message at the MX port; t1 = the
moment the reply file appears in the customer's Maildir (the mailbox itself, watched on disk,
so no IMAP polling delay is added). Requests go out at a fixed rate from distinct customers.
In the same run, the floor: how long Dovecot takes to tell an IDLE client about a new message
(the daemon cannot answer before it knows).

    scripts/mailstack up && eval "$(scripts/mailstack env)"
    cargo build --release
    bench/latency.py [--requests 300] [--rate 5]

Prints median, 95th and 99th percentile of both, in milliseconds.
"""

import argparse
import datetime
import imaplib
import os
import pathlib
import smtplib
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import daemon_config, env, percentile  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parent.parent


def summary(name, ms):
    return (f"{name}: n={len(ms)} median={statistics.median(ms):.0f} ms "
            f"p95={percentile(ms, 95):.0f} ms p99={percentile(ms, 99):.0f} ms max={max(ms):.0f} ms")


def idle_floor(host, port, ca, password, samples):
    """SMTP 250 → `* N EXISTS` on a bare IDLE connection (Dovecot waits ~0.5 s to notify)."""
    user = f"idle-floor-{os.getpid()}@example.test"
    ctx = ssl.create_default_context(cafile=ca)
    results = []
    for i in range(samples):
        m = imaplib.IMAP4_SSL(host, port, ssl_context=ctx)
        m.login(user, password)
        m.select("INBOX")
        tag = m._new_tag().decode()
        m.send(f"{tag} IDLE\r\n".encode())
        assert m.readline().startswith(b"+")
        with smtplib.SMTP(host, int(env("MAILCLERK_SMTP_PORT"))) as s:
            s.sendmail("floor@example.org", [user], f"Subject: floor {i}\r\n\r\nx\r\n")
            t0 = time.monotonic()
        m.sock.settimeout(10)
        while b"EXISTS" not in m.readline():
            pass
        results.append((time.monotonic() - t0) * 1000)
        m.send(b"DONE\r\n")
        m.logout()
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--rate", type=float, default=5.0, help="requests per second")
    ap.add_argument("--floor-samples", type=int, default=30)
    args = ap.parse_args()

    host, ca, password = env("MAILCLERK_IMAP_HOST"), env("MAILCLERK_CA_FILE"), env("MAILCLERK_TEST_PASSWORD")
    mx = int(env("MAILCLERK_SMTP_PORT"))
    maildirs = pathlib.Path(env("MAILSTACK_DIR")) / "mail" / "example.test"
    binary = REPO / "target" / os.environ.get("BENCH_PROFILE", "release") / "mailclerk"
    if not binary.exists():
        sys.exit("build first: cargo build --release")

    run = f"{os.getpid()}-{int(time.time())}"
    support = f"support-lat-{run}@example.test"
    customers = [f"cust-lat-{run}-{i}@example.test" for i in range(args.requests)]
    paid = (datetime.date.today() - datetime.timedelta(days=5)).isoformat()
    work = pathlib.Path(tempfile.mkdtemp(prefix="mailclerk-latency-"))
    with open(work / "accounts.csv", "w") as f:
        f.write("account_id,email,name,plan,signed_up_on,first_paid_on,first_payment,last_payment,currency\n")
        for i, c in enumerate(customers):
            f.write(f"A-{i},{c},Customer {i},monthly,{paid},{paid},49.00,49.00,USD\n")
    # Mail before the daemon's first start is old mail: only what is sent below is answered.
    config = daemon_config(work, support, work / "accounts.csv", answer_all=False)

    floor = idle_floor(host, int(env("MAILCLERK_IMAPS_PORT")), ca, password, args.floor_samples)

    log = open(work / "daemon.log", "w")
    daemon = subprocess.Popen([str(binary), "run", "--config", str(config)],
                              stdout=subprocess.DEVNULL, stderr=log, env={**os.environ, "RUST_LOG": "mailclerk=info"})
    # Mail that arrives before the daemon's first start is old mail and never answered: wait
    # until it has taken its position.
    ready_by = time.monotonic() + 30
    while "First start on this folder" not in (work / "daemon.log").read_text():
        if time.monotonic() > ready_by or daemon.poll() is not None:
            sys.exit(f"the daemon did not start; log: {work / 'daemon.log'}")
        time.sleep(0.05)

    sent = {}
    arrived = {}
    done = threading.Event()

    def watch():
        # Only customers still waiting are looked at, every 2 ms.
        while not done.is_set():
            for c, t0 in list(sent.items()):
                if c in arrived:
                    continue
                new = maildirs / c.split("@")[0] / "Maildir" / "new"
                if new.is_dir() and any(new.iterdir()):
                    arrived[c] = time.monotonic()
            time.sleep(0.002)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    interval = 1.0 / args.rate
    start = time.monotonic()
    with smtplib.SMTP(host, mx) as s:
        for i, c in enumerate(customers):
            target = start + i * interval
            time.sleep(max(0.0, target - time.monotonic()))
            msg = (f"From: {c}\r\nTo: {support}\r\nSubject: Refund request {i}\r\n"
                   f"Message-ID: <lat-{run}-{i}@customer.example.test>\r\n\r\n"
                   "Hello, I would like a refund of my subscription, please.\r\n")
            s.sendmail(c, [support], msg)
            sent[c] = time.monotonic()
    deadline = time.monotonic() + 60
    while len(arrived) < len(customers) and time.monotonic() < deadline:
        time.sleep(0.05)
    done.set()
    daemon.terminate()
    daemon.wait(timeout=10)

    latencies = [(arrived[c] - sent[c]) * 1000 for c in customers if c in arrived]
    print(f"requests: {len(customers)} at {args.rate}/s, answered: {len(latencies)} (log: {work / 'daemon.log'})")
    print(summary("delivery -> answer in the customer's mailbox", latencies))
    print(summary("floor: delivery -> IDLE notification (bare client)", floor))
    print(f"p99 over floor p99: {percentile(latencies, 99) - percentile(floor, 99):.0f} ms")
    if len(latencies) < len(customers):
        sys.exit(1)


if __name__ == "__main__":
    main()
