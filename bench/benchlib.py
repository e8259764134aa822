"""Shared helpers for bench/backlog, bench/memory and bench/startup: the mail stack's
environment, loading a support mailbox fast, a daemon configuration, timed runs with peak RSS.

Every script needs `scripts/mailstack up && eval "$(scripts/mailstack env)"` first, and the
release binaries (`cargo build --release --bin mailclerk --example backlog_floor`).
"""

import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
# BENCH_PROFILE=debug runs the debug builds that `cargo test` leaves behind (the CI smoke).
PROFILE = os.environ.get("BENCH_PROFILE", "release")
MAILCLERK = REPO / "target" / PROFILE / "mailclerk"
FLOOR = REPO / "target" / PROFILE / "examples" / "backlog_floor"


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"{name} is not set: run `scripts/mailstack up && eval \"$(scripts/mailstack env)\"`")
    return value


def need_binaries():
    for b in (MAILCLERK, FLOOR):
        if not b.exists():
            sys.exit(f"missing {b}: cargo build --release --bin mailclerk --example backlog_floor")  # noqa: E501


def need_package(command, package):
    """Installs a Debian package when its command is missing (the benchmarks run as root, like
    scripts/mailstack)."""
    if shutil.which(command):
        return
    print(f"installing {package} (apt-get)", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-q", package], check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def median(values):
    return statistics.median(values) if values else float("nan")


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def workdir(tag):
    return pathlib.Path(tempfile.mkdtemp(prefix=f"mailclerk-{tag}-"))


def unique(tag):
    return f"{tag}-{os.getpid()}-{int(time.time() * 1000) % 10**9}"


def doveadm(*args):
    return subprocess.run([str(REPO / "scripts" / "mailstack"), "doveadm", *args], check=True,
                          capture_output=True, text=True).stdout


def write_corpus(directory, count, all_kinds=False, seed=5):
    """The corpus (bench/corpus.rs) as a Maildir, written once and imported into many users."""
    args = [str(FLOOR), "maildir", "--dir", str(directory), "--count", str(count), "--seed", str(seed)]
    if all_kinds:
        args.append("--all-kinds")
    subprocess.run(args, check=True, stderr=subprocess.DEVNULL)
    # doveadm import reads as the mail user.
    os.chmod(directory.parent, 0o755)
    os.system(f"chmod -R a+rwX {directory}")


def load_mailbox(user, maildir):
    """Imports the corpus into USER's INBOX. Without fsync: APPEND or a synced import costs one
    fsync (7 ms here) per message, and loading is not what is measured."""
    doveadm("-o", "mail_fsync=never", "import", "-u", user, f"maildir:{maildir}", "", "all")
    return folder_count(user, "INBOX")


def folder_count(user, folder):
    try:
        out = doveadm("mailbox", "status", "-u", user, "messages", folder)
    except subprocess.CalledProcessError:
        return 0
    m = re.search(r"messages=(\d+)", out)
    return int(m.group(1)) if m else 0


def wait_postfix_idle(timeout=600):
    """Waits until Postfix has delivered everything queued, so one run's deliveries do not load
    the next run."""
    etc = pathlib.Path(env("MAILSTACK_DIR")) / "postfix" / "etc"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = subprocess.run(["/usr/sbin/postqueue", "-c", str(etc), "-p"], capture_output=True,
                             text=True).stdout
        if "Mail queue is empty" in out:
            return
        time.sleep(0.5)
    print("warning: the Postfix queue did not drain", file=sys.stderr)


def accounts_csv(path, count):
    with open(path, "w") as f:
        subprocess.run([str(FLOOR), "accounts", "--count", str(count)], check=True, stdout=f)


def daemon_config(work, support, accounts, batch=100, catch_up=None, answer_all=True,
                  pg_url_file=None):
    """A NotOut CRM desk served over IMAPS and submission, like production (TLS both ways);
    its store in the PostgreSQL database of PG_URL_FILE when given, else a SQLite file."""
    (work / "password").write_text(env("MAILCLERK_TEST_PASSWORD"))
    host, ca = env("MAILCLERK_IMAP_HOST"), env("MAILCLERK_CA_FILE")
    extra = ""
    if answer_all:
        # The backlog was there before the first start: answer it all.
        extra += 'answer_since = "2000-01-01T00:00:00Z"\n'
    if catch_up:
        extra += f"catch_up_seconds = {catch_up}\n"
    config = work / "mailclerk.toml"
    store = f'store = {{ kind = "postgres", url_file = "{pg_url_file}" }}\n' if pg_url_file else ""
    config.write_text(f'''templates = "{REPO / 'templates'}"
state_dir = "{work / 'state'}"
{store}[[mailbox]]
name = "desk"
address = "{support}"
policy = "{REPO / 'config/policies/notout.toml'}"
accounts_csv = "{accounts}"
# A benchmark answers thousands of requests in minutes: lift the reply budget and the breaker.
max_replies_per_sender = 1000000
max_replies_per_hour = 1000000
[mailbox.source]
kind = "imap"
host = "{host}"
port = {env("MAILCLERK_IMAPS_PORT")}
ca_file = "{ca}"
user = "{support}"
password_file = "password"
batch = {batch}
{extra}
[mailbox.outbox]
kind = "smtp"
host = "{host}"
port = {env("MAILCLERK_SUBMISSION_PORT")}
security = "starttls"
ca_file = "{ca}"
user = "{support}"
password_file = "password"
''')
    return config


def timed(args, log=None, extra_env=None):
    """Runs ARGS under /usr/bin/time -v: (wall seconds, peak RSS in kB, exit status, stdout)."""
    need_package("/usr/bin/time", "time")
    rss_file = tempfile.NamedTemporaryFile(prefix="mailclerk-time-", delete=False)
    rss_file.close()
    started = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-v", "-o", rss_file.name, *args], stdout=subprocess.PIPE,
                       stderr=log or subprocess.DEVNULL, text=True,
                       env={**os.environ, **(extra_env or {})})
    wall = time.monotonic() - started
    text = pathlib.Path(rss_file.name).read_text()
    os.unlink(rss_file.name)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    return wall, int(m.group(1)) if m else 0, p.returncode, p.stdout


def stats_from_log(path):
    """The daemon's closing counts: answered, for people, skipped."""
    text = pathlib.Path(path).read_text()
    m = re.findall(r"answered (\d+), for people (\d+), skipped (\d+)", text)
    return tuple(int(x) for x in m[-1]) if m else (0, 0, 0)
