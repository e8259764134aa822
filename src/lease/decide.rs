//! What an instance does with its leases, decided from one look at the lease table: which to
//! renew, which free ones to take, which to give back so that mailboxes spread over the live
//! instances, and which it must stop serving because the table says they are no longer its.
//! Pure: no I/O, no clock (the caller passes what the database said and its own instants).

use std::collections::{BTreeMap, BTreeSet};

pub use crate::config::lease::{Timing, TimingError};

/// One row of `mailclerk_lease`, as the database saw it at one instant of its own clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub mailbox: String,
    pub holder: String,
    pub generation: i64,
    /// `expires_at > now()` by the database's clock.
    pub live: bool,
}

/// One look at the table, and what this process knows of its own leases.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// This instance's id.
    pub me: &'a str,
    /// The mailboxes this instance is configured to serve.
    pub mailboxes: &'a [String],
    /// Instances whose heartbeat is fresh (this one may or may not be among them yet).
    pub live: &'a [String],
    pub rows: &'a [Row],
    /// The leases this process took and serves: mailbox → generation. A row naming this
    /// instance with another generation was not taken by this process (a previous process
    /// under the same id, or a take whose answer never came) and is left to expire.
    pub serving: &'a BTreeMap<String, i64>,
    /// Mailboxes being given back: their worker is stopping; neither renewed nor taken.
    pub releasing: &'a BTreeSet<String>,
}

/// Why a mailbox this process serves must stop at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lost {
    /// The row is gone (someone deleted it by hand).
    NoRow,
    /// The lease expired by the database's clock.
    Expired,
    /// Another instance (or another term of ours) holds it now.
    TakenBy { holder: String, generation: i64 },
}

/// Why a free lease is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Free {
    /// Never held by anyone.
    Never,
    /// Its holder let it expire (died, or lost the database) or gave it back.
    Expired { holder: String, generation: i64 },
}

/// One thing to do this round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Renew {
        mailbox: String,
        generation: i64,
    },
    Take {
        mailbox: String,
        free: Free,
    },
    /// Give back a lease over this instance's share, so that a less loaded instance takes it.
    Release {
        mailbox: String,
        generation: i64,
        held: usize,
        share: usize,
    },
    /// Stop serving at once: the table says the lease is not ours any more.
    Stop {
        mailbox: String,
        lost: Lost,
    },
}

/// The most leases one instance may hold: ceil(M / N), N counting this instance.
pub fn share(mailboxes: usize, live: &[String], me: &str) -> usize {
    let others = live.iter().filter(|i| i.as_str() != me).count();
    mailboxes.div_ceil(others + 1)
}

/// Decides this round's steps: stops first, then releases, renewals and takes.
pub fn decide(view: &View<'_>) -> Vec<Step> {
    let rows: BTreeMap<&str, &Row> = view.rows.iter().map(|r| (r.mailbox.as_str(), r)).collect();
    let mut steps = Vec::new();
    let mut kept = Vec::new();
    for (mailbox, &generation) in view.serving {
        if view.releasing.contains(mailbox) {
            continue;
        }
        match rows.get(mailbox.as_str()) {
            None => steps.push(Step::Stop {
                mailbox: mailbox.clone(),
                lost: Lost::NoRow,
            }),
            Some(r) if r.holder != view.me || r.generation != generation => {
                steps.push(Step::Stop {
                    mailbox: mailbox.clone(),
                    lost: Lost::TakenBy {
                        holder: r.holder.clone(),
                        generation: r.generation,
                    },
                })
            }
            Some(r) if !r.live => steps.push(Step::Stop {
                mailbox: mailbox.clone(),
                lost: Lost::Expired,
            }),
            Some(_) => kept.push((mailbox.clone(), generation)),
        }
    }
    let share = share(view.mailboxes.len(), view.live, view.me);
    let held = kept.len() + view.releasing.len();
    if kept.len() > share {
        // Give back the ones this instance is least suited for; the same order everywhere, so
        // two instances do not trade the same mailbox back and forth.
        kept.sort_by_key(|(m, _)| std::cmp::Reverse(affinity(view.me, m)));
        for (mailbox, generation) in kept.split_off(share) {
            steps.push(Step::Release {
                mailbox,
                generation,
                held,
                share,
            });
        }
    }
    for (mailbox, generation) in &kept {
        steps.push(Step::Renew {
            mailbox: mailbox.clone(),
            generation: *generation,
        });
    }
    let room = share.saturating_sub(held);
    let mut free: Vec<(&String, Free)> = view
        .mailboxes
        .iter()
        .filter(|m| !view.serving.contains_key(*m) && !view.releasing.contains(*m))
        .filter_map(|m| match rows.get(m.as_str()) {
            None => Some((m, Free::Never)),
            Some(r) if !r.live => Some((
                m,
                Free::Expired {
                    holder: r.holder.clone(),
                    generation: r.generation,
                },
            )),
            Some(_) => None,
        })
        .collect();
    free.sort_by_key(|(m, _)| std::cmp::Reverse(affinity(view.me, m)));
    for (mailbox, why) in free.into_iter().take(room) {
        steps.push(Step::Take {
            mailbox: mailbox.clone(),
            free: why,
        });
    }
    steps
}

/// Rendezvous hashing: each instance prefers a different order of the mailboxes, so that
/// instances taking free leases at the same moment mostly reach for different ones.
fn affinity(instance: &str, mailbox: &str) -> u64 {
    // FNV-1a: stable across builds and platforms (std's hasher is not promised to be).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in instance
        .bytes()
        .chain(std::iter::once(0))
        .chain(mailbox.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn row(mailbox: &str, holder: &str, generation: i64, live: bool) -> Row {
        Row {
            mailbox: mailbox.into(),
            holder: holder.into(),
            generation,
            live,
        }
    }

    struct Case {
        name: &'static str,
        mailboxes: Vec<String>,
        live: Vec<String>,
        rows: Vec<Row>,
        serving: Vec<(&'static str, i64)>,
        releasing: Vec<&'static str>,
        /// Expected counts: stops, releases, renewals, takes.
        expect: (usize, usize, usize, usize),
    }

    fn run(case: &Case) -> Vec<Step> {
        let serving: BTreeMap<String, i64> = case
            .serving
            .iter()
            .map(|(m, g)| (m.to_string(), *g))
            .collect();
        let releasing: BTreeSet<String> = case.releasing.iter().map(|m| m.to_string()).collect();
        decide(&View {
            me: "a",
            mailboxes: &case.mailboxes,
            live: &case.live,
            rows: &case.rows,
            serving: &serving,
            releasing: &releasing,
        })
    }

    fn counts(steps: &[Step]) -> (usize, usize, usize, usize) {
        let n = |f: fn(&Step) -> bool| steps.iter().filter(|s| f(s)).count();
        (
            n(|s| matches!(s, Step::Stop { .. })),
            n(|s| matches!(s, Step::Release { .. })),
            n(|s| matches!(s, Step::Renew { .. })),
            n(|s| matches!(s, Step::Take { .. })),
        )
    }

    #[test]
    fn steps_follow_the_table_and_the_share() {
        let six = names(&["m1", "m2", "m3", "m4", "m5", "m6"]);
        let cases = [
            Case {
                name: "alone, empty table: takes every mailbox",
                mailboxes: six.clone(),
                live: names(&["a"]),
                rows: vec![],
                serving: vec![],
                releasing: vec![],
                expect: (0, 0, 0, 6),
            },
            Case {
                name: "alone and not yet in the heartbeat list: still takes everything",
                mailboxes: six.clone(),
                live: vec![],
                rows: vec![],
                serving: vec![],
                releasing: vec![],
                expect: (0, 0, 0, 6),
            },
            Case {
                name: "three live, empty table: takes its share of two",
                mailboxes: six.clone(),
                live: names(&["a", "b", "c"]),
                rows: vec![],
                serving: vec![],
                releasing: vec![],
                expect: (0, 0, 0, 2),
            },
            Case {
                name: "holds all six, a second instance appears: gives three back",
                mailboxes: six.clone(),
                live: names(&["a", "b"]),
                rows: six.iter().map(|m| row(m, "a", 1, true)).collect(),
                serving: vec![
                    ("m1", 1),
                    ("m2", 1),
                    ("m3", 1),
                    ("m4", 1),
                    ("m5", 1),
                    ("m6", 1),
                ],
                releasing: vec![],
                expect: (0, 3, 3, 0),
            },
            Case {
                name: "at its share with free leases left: renews, takes none",
                mailboxes: six.clone(),
                live: names(&["a", "b", "c"]),
                rows: vec![row("m1", "a", 4, true), row("m2", "a", 2, true)],
                serving: vec![("m1", 4), ("m2", 2)],
                releasing: vec![],
                expect: (0, 0, 2, 0),
            },
            Case {
                name: "a dead peer's leases expired, peer gone from the heartbeats: takes them",
                mailboxes: six.clone(),
                live: names(&["a", "b"]),
                rows: vec![
                    row("m1", "a", 1, true),
                    row("m2", "a", 1, true),
                    row("m3", "b", 1, true),
                    row("m4", "b", 1, true),
                    row("m5", "c", 1, false),
                    row("m6", "c", 1, false),
                ],
                serving: vec![("m1", 1), ("m2", 1)],
                releasing: vec![],
                expect: (0, 0, 2, 1),
            },
            Case {
                name: "a dead peer still counted live: its expired leases wait for the share",
                mailboxes: six.clone(),
                live: names(&["a", "b", "c"]),
                rows: vec![
                    row("m1", "a", 1, true),
                    row("m2", "a", 1, true),
                    row("m5", "c", 1, false),
                ],
                serving: vec![("m1", 1), ("m2", 1)],
                releasing: vec![],
                expect: (0, 0, 2, 0),
            },
            Case {
                name: "taken by another after a lapse: stops at once, not renewed",
                mailboxes: names(&["m1"]),
                live: names(&["a", "b"]),
                rows: vec![row("m1", "b", 8, true)],
                serving: vec![("m1", 7)],
                releasing: vec![],
                expect: (1, 0, 0, 0),
            },
            Case {
                name: "expired by the database's clock while served: stops, and may take again",
                mailboxes: names(&["m1"]),
                live: names(&["a"]),
                rows: vec![row("m1", "a", 3, false)],
                serving: vec![("m1", 3)],
                releasing: vec![],
                expect: (1, 0, 0, 0),
            },
            Case {
                name: "row deleted by hand while served: stops",
                mailboxes: names(&["m1"]),
                live: names(&["a"]),
                rows: vec![],
                serving: vec![("m1", 3)],
                releasing: vec![],
                expect: (1, 0, 0, 0),
            },
            Case {
                name: "a live row under this id that this process never took: left to expire",
                mailboxes: names(&["m1"]),
                live: names(&["a"]),
                rows: vec![row("m1", "a", 5, true)],
                serving: vec![],
                releasing: vec![],
                expect: (0, 0, 0, 0),
            },
            Case {
                name: "being released: neither renewed nor taken, and counted as held",
                mailboxes: names(&["m1", "m2"]),
                live: names(&["a", "b"]),
                rows: vec![row("m1", "a", 1, true), row("m2", "a", 1, false)],
                serving: vec![],
                releasing: vec!["m1"],
                expect: (0, 0, 0, 0),
            },
            Case {
                name: "one mailbox, two instances: the holder keeps it",
                mailboxes: names(&["m1"]),
                live: names(&["a", "b"]),
                rows: vec![row("m1", "a", 2, true)],
                serving: vec![("m1", 2)],
                releasing: vec![],
                expect: (0, 0, 1, 0),
            },
            Case {
                name: "one mailbox held by a live peer: the standby waits",
                mailboxes: names(&["m1"]),
                live: names(&["a", "b"]),
                rows: vec![row("m1", "b", 2, true)],
                serving: vec![],
                releasing: vec![],
                expect: (0, 0, 0, 0),
            },
            Case {
                name: "five over two: takes three at most",
                mailboxes: names(&["m1", "m2", "m3", "m4", "m5"]),
                live: names(&["a", "b"]),
                rows: vec![],
                serving: vec![],
                releasing: vec![],
                expect: (0, 0, 0, 3),
            },
        ];
        for case in &cases {
            let steps = run(case);
            assert_eq!(counts(&steps), case.expect, "{}: {steps:?}", case.name);
            // Never two steps for one mailbox, never a mailbox outside the configuration.
            let mut seen = BTreeSet::new();
            for s in &steps {
                let m = match s {
                    Step::Renew { mailbox, .. }
                    | Step::Take { mailbox, .. }
                    | Step::Release { mailbox, .. }
                    | Step::Stop { mailbox, .. } => mailbox,
                };
                assert!(seen.insert(m.clone()), "{}: twice {m}", case.name);
                assert!(
                    case.mailboxes.contains(m) || case.serving.iter().any(|(s, _)| s == m),
                    "{}: {m}",
                    case.name
                );
            }
        }
    }

    #[test]
    fn a_takeover_names_the_previous_holder() {
        let steps = run(&Case {
            name: "",
            mailboxes: names(&["m1"]),
            live: names(&["a"]),
            rows: vec![row("m1", "b", 9, false)],
            serving: vec![],
            releasing: vec![],
            expect: (0, 0, 0, 1),
        });
        assert_eq!(
            steps,
            vec![Step::Take {
                mailbox: "m1".into(),
                free: Free::Expired {
                    holder: "b".into(),
                    generation: 9
                }
            }]
        );
    }

    /// Three instances deciding in turn from a shared table end with two mailboxes each, and
    /// after one dies (its leases expire, its heartbeat goes stale) the two left hold three
    /// each, in a bounded number of rounds.
    #[test]
    fn leases_spread_and_a_dead_instances_share_is_taken_over() {
        let mailboxes = names(&["m1", "m2", "m3", "m4", "m5", "m6"]);
        let mut table: BTreeMap<String, Row> = BTreeMap::new();
        let mut serving: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        let round = |table: &mut BTreeMap<String, Row>,
                     serving: &mut BTreeMap<String, BTreeMap<String, i64>>,
                     live: &[String]| {
            for me in live {
                let rows: Vec<Row> = table.values().cloned().collect();
                let mine = serving.entry(me.clone()).or_default().clone();
                let steps = decide(&View {
                    me,
                    mailboxes: &mailboxes,
                    live,
                    rows: &rows,
                    serving: &mine,
                    releasing: &BTreeSet::new(),
                });
                let mine = serving.get_mut(me).unwrap();
                for s in steps {
                    match s {
                        Step::Take { mailbox, .. } => {
                            let generation = table.get(&mailbox).map_or(1, |r| r.generation + 1);
                            table.insert(mailbox.clone(), row(&mailbox, me, generation, true));
                            mine.insert(mailbox, generation);
                        }
                        Step::Release { mailbox, .. } => {
                            table.get_mut(&mailbox).unwrap().live = false;
                            mine.remove(&mailbox);
                        }
                        Step::Stop { mailbox, .. } => {
                            mine.remove(&mailbox);
                        }
                        Step::Renew { .. } => {}
                    }
                }
            }
        };
        let three = names(&["a", "b", "c"]);
        // "a" starts alone and takes everything; then b and c join.
        round(&mut table, &mut serving, &three[..1]);
        assert_eq!(serving["a"].len(), 6);
        for _ in 0..3 {
            round(&mut table, &mut serving, &three);
        }
        for i in &three {
            assert_eq!(serving[i].len(), 2, "{i}: {serving:?}");
        }
        // "c" dies: its leases expire and its heartbeat goes stale.
        for r in table.values_mut() {
            if r.holder == "c" {
                r.live = false;
            }
        }
        serving.remove("c");
        let two = names(&["a", "b"]);
        for _ in 0..2 {
            round(&mut table, &mut serving, &two);
        }
        assert_eq!(serving["a"].len(), 3, "{serving:?}");
        assert_eq!(serving["b"].len(), 3, "{serving:?}");
        // Never two holders of one mailbox.
        let all: Vec<&String> = serving.values().flat_map(|m| m.keys()).collect();
        let unique: BTreeSet<&&String> = all.iter().collect();
        assert_eq!(all.len(), unique.len());
    }

    #[test]
    fn shares_are_the_ceiling_of_mailboxes_over_live_instances() {
        for (m, live, me, want) in [
            (6, vec!["a", "b", "c"], "a", 2),
            (6, vec!["a", "b"], "a", 3),
            (5, vec!["a", "b"], "a", 3),
            (1, vec!["a", "b"], "a", 1),
            (6, vec![], "a", 6),
            (6, vec!["b", "c"], "a", 2),
            (0, vec!["a"], "a", 0),
        ] {
            assert_eq!(share(m, &names(&live), me), want, "{m} over {live:?}");
        }
    }
}
