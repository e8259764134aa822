//! The pure pipeline, raw bytes to a finished `Plan`, over a generated corpus (bench/corpus.rs:
//! plain, HTML-only, multipart, quoted replies, seven languages, auto-replies, strangers, one
//! message in fifty with a 1 MB attachment). Beside it, in the same run, mail-parser alone on
//! the same bytes (the floor), and each stage alone so that a regression points at its stage.
//!
//! Every benchmark handles the whole corpus per iteration; criterion's throughput is messages
//! per second. `BENCH_MESSAGES` sets the corpus size (default 2000), `BENCH_SECONDS` the
//! measurement time per benchmark (default 10).
//!
//!     cargo bench --bench pipeline
//!     cargo bench --bench pipeline -- --test     # each once: the CI smoke
//!     BENCH_CPU=5 cargo bench --bench pipeline   # floor, pipeline and its parts in CPU time a round
//!     BENCH_CPU=20 BENCH_ONLY=pipeline perf record target/release/deps/pipeline-* --bench

#[path = "../bench/corpus.rs"]
mod corpus;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use jiff::Timestamp;
use mailclerk::accounts::AccountMatch;
use mailclerk::classify;
use mailclerk::config::Config;
use mailclerk::customer::Customer;
use mailclerk::examine::{self, Examined};
use mailclerk::parse::{self, Inbound, RawMail};
use mailclerk::plan::{self, Facts, Rules};
use mailclerk::policy::{self, Decision, History};
use mailclerk::render;
use mailclerk::screen::{self, ScreenRules};
use mailclerk::store::Store;

struct Setup {
    _dir: tempfile::TempDir,
    cfg: Config,
    store: Store,
    raws: Vec<RawMail>,
    now: Timestamp,
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn setup() -> Setup {
    let count = env_number("BENCH_MESSAGES", 2000) as usize;
    let opts = corpus::Options {
        count,
        ..corpus::Options::default()
    };
    let messages = corpus::generate(&opts);
    let now: Timestamp = "2026-11-23T12:00:00Z".parse().unwrap();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("accounts.csv");
    std::fs::write(&csv, corpus::accounts_csv(&opts, "2026-11-18")).unwrap();
    std::fs::create_dir(dir.path().join("inbox")).unwrap();
    let config = dir.path().join("mailclerk.toml");
    std::fs::write(
        &config,
        format!(
            r#"templates = "{templates}"
state_dir = "{state}"
[[mailbox]]
name = "notout"
address = "{support}"
policy = "{policy}"
source = {{ kind = "dir", path = "{inbox}" }}
outbox = {{ kind = "dir", path = "{outbox}" }}
"#,
            templates = repo.join("templates").display(),
            state = dir.path().join("state").display(),
            support = opts.support,
            policy = repo.join("config/policies/notout.toml").display(),
            inbox = dir.path().join("inbox").display(),
            outbox = dir.path().join("out").display(),
        ),
    )
    .unwrap();
    let cfg = Config::load(&config).unwrap_or_else(|e| panic!("bench config: {e}"));
    // The store is opened and filled once, outside every timed loop.
    let mut store = Store::open_in_memory().unwrap();
    store
        .import_accounts(&mailclerk::account_csv::read(&csv).unwrap())
        .unwrap();
    let raws = messages
        .into_iter()
        .enumerate()
        .map(|(i, m)| RawMail {
            origin: format!("bench/{i}"),
            received: Some(now),
            bytes: m.bytes,
        })
        .collect();
    Setup {
        _dir: dir,
        cfg,
        store,
        raws,
        now,
    }
}

fn benches(c: &mut Criterion) {
    let s = setup();
    let mailbox = &s.cfg.mailboxes[0];
    let max = s.cfg.max_message_bytes;
    let n = s.raws.len() as u64;
    let bytes: usize = s.raws.iter().map(|r| r.bytes.len()).sum();
    eprintln!("corpus: {n} messages, {:.1} MB", bytes as f64 / 1_000_000.0);

    // Inputs of the later stages, computed once.
    let inbounds: Vec<Inbound> = s
        .raws
        .iter()
        .filter_map(|r| parse::parse(r, max).ok())
        .collect();
    let screen_rules = ScreenRules {
        own_addresses: mailbox.own_addresses.clone(),
        loop_marker: mailbox.address.clone(),
        forwarders: mailbox.matching.forwarders.clone(),
    };
    let rules = Rules {
        policy: &mailbox.policy,
        from: &mailbox.address,
        classify: &s.cfg.classify,
        model: &s.cfg.model,
        auto_answer_threshold: mailbox.auto_answer_threshold,
        screen: &screen_rules,
        templates: &s.cfg.templates,
        sender_check: mailbox.sender_rule.check(),
        budget: mailbox.budget,
    };
    let facts: Vec<Facts> = inbounds
        .iter()
        .map(|m| {
            let customer = Customer::resolve(m, &mailbox.matching.forwarders);
            let account = match customer.request(m) {
                Some(request) => s.store.match_account(request, &mailbox.matching).unwrap(),
                None => AccountMatch::None,
            };
            Facts {
                customer,
                account,
                history: History::default(),
                recent: Default::default(),
                confirmation: None,
                fresh_token: None,
            }
        })
        .collect();
    let decided: Vec<(usize, Decision)> = inbounds
        .iter()
        .zip(&facts)
        .enumerate()
        .filter_map(|(i, (m, f))| {
            let AccountMatch::One(account) = &f.account else {
                return None;
            };
            let intent = classify::classify(m, rules.classify).intent;
            policy::decide(rules.policy, account, intent, m.received, &f.history)
                .ok()
                .map(|d| (i, d))
        })
        .collect();
    let mut replies = 0;
    for (i, d) in &decided {
        let AccountMatch::One(account) = &facts[*i].account else {
            unreachable!()
        };
        if render::render(
            rules.templates,
            rules.policy,
            d,
            &inbounds[*i],
            account,
            rules.from,
        )
        .is_ok()
        {
            replies += 1;
        }
    }
    eprintln!(
        "parsed {}, one account {}, decided {}, rendered {replies}",
        inbounds.len(),
        facts
            .iter()
            .filter(|f| matches!(f.account, AccountMatch::One(_)))
            .count(),
        decided.len()
    );

    if let Some(rounds) = std::env::var("BENCH_CPU").ok().and_then(|v| v.parse().ok()) {
        // `BENCH_ONLY=pipeline` (or `floor`, `parse`, `plan`) runs that one alone, for a
        // profiler; the others then print 0.
        let only = std::env::var("BENCH_ONLY").ok();
        let run = |name: &str| only.as_deref().is_none_or(|o| o == name);
        let parser = mail_parser::MessageParser::default();
        let floor = cpu_per_round(run("floor").then_some(rounds), || {
            for r in &s.raws {
                black_box(parser.parse(black_box(&r.bytes)));
            }
        });
        let pipeline = cpu_per_round(run("pipeline").then_some(rounds), || {
            for r in &s.raws {
                let e = examine::examine(&s.cfg, mailbox, &s.store, black_box(r), s.now).unwrap();
                black_box(matches!(e, Examined::Planned { .. }));
            }
        });
        let parsed = cpu_per_round(run("parse").then_some(rounds), || {
            for r in &s.raws {
                let _ = black_box(parse::parse(black_box(r), max));
            }
        });
        let planned = cpu_per_round(run("plan").then_some(rounds), || {
            for (m, f) in inbounds.iter().zip(&facts) {
                black_box(plan::plan(black_box(m), f, &rules, s.now));
            }
        });
        eprintln!(
            "CPU time a round of {n} messages ({rounds} rounds): mail_parser_floor {floor:.1} ms, \
             pipeline {pipeline:.1} ms ({:.2}x parse-only), stage_parse {parsed:.1} ms, \
             plan_after_parse {planned:.1} ms (the rest of the pipeline, the store's facts: \
             {:.1} ms)",
            pipeline / floor,
            pipeline - parsed - planned
        );
        return;
    }
    let seconds = env_number("BENCH_SECONDS", 10);
    let mut g = c.benchmark_group("corpus");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(seconds))
        .throughput(Throughput::Elements(n));

    g.bench_function("mail_parser_floor", |b| {
        let parser = mail_parser::MessageParser::default();
        b.iter(|| {
            for r in &s.raws {
                black_box(parser.parse(black_box(&r.bytes)));
            }
        })
    });
    g.bench_function("pipeline", |b| {
        b.iter(|| {
            for r in &s.raws {
                let e = examine::examine(&s.cfg, mailbox, &s.store, black_box(r), s.now).unwrap();
                black_box(matches!(e, Examined::Planned { .. }));
            }
        })
    });
    g.bench_function("stage_parse", |b| {
        b.iter(|| {
            for r in &s.raws {
                let _ = black_box(parse::parse(black_box(r), max));
            }
        })
    });
    g.bench_function("stage_screen", |b| {
        b.iter(|| {
            for m in &inbounds {
                black_box(screen::screen(black_box(m), &screen_rules));
            }
        })
    });
    g.bench_function("stage_classify", |b| {
        b.iter(|| {
            for m in &inbounds {
                black_box(classify::classify(black_box(m), rules.classify));
            }
        })
    });
    g.bench_function("stage_match", |b| {
        b.iter(|| {
            for m in &inbounds {
                black_box(
                    s.store
                        .match_account(black_box(m), &mailbox.matching)
                        .unwrap(),
                );
            }
        })
    });
    g.bench_function("stage_decide", |b| {
        b.iter(|| {
            for (i, _) in &decided {
                let (m, f) = (&inbounds[*i], &facts[*i]);
                let AccountMatch::One(account) = &f.account else {
                    unreachable!()
                };
                let intent = classify::Intent::Both;
                let _ = black_box(policy::decide(
                    rules.policy,
                    account,
                    intent,
                    m.received,
                    &f.history,
                ));
            }
        })
    });
    g.bench_function("stage_render", |b| {
        b.iter(|| {
            for (i, d) in &decided {
                let AccountMatch::One(account) = &facts[*i].account else {
                    unreachable!()
                };
                let _ = black_box(render::render(
                    rules.templates,
                    rules.policy,
                    d,
                    &inbounds[*i],
                    account,
                    rules.from,
                ));
            }
        })
    });
    g.bench_function("plan_after_parse", |b| {
        b.iter(|| {
            for (m, f) in inbounds.iter().zip(&facts) {
                black_box(plan::plan(black_box(m), f, &rules, s.now));
            }
        })
    });
    g.finish();
}

/// The CPU time this thread spent in `round`, in milliseconds a round: on a machine shared with
/// other work, wall-clock time counts the waits for a core too (`BENCH_CPU=rounds`).
fn cpu_per_round(rounds: Option<u32>, mut round: impl FnMut()) -> f64 {
    let Some(rounds) = rounds else {
        return 0.0;
    };
    round();
    let start = thread_cpu_ms();
    for _ in 0..rounds {
        round();
    }
    (thread_cpu_ms() - start) / f64::from(rounds)
}

/// User and system time of this thread so far (Linux: /proc/thread-self/stat, in clock ticks
/// of 10 ms; rounds of a second or more keep that within 1%).
fn thread_cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").expect("Linux /proc");
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks * 10.0
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
