//! Seeded copies of training rows (issue 13, fourth pass): typos, ALL CAPS, plain lower case
//! without accents, no subject, another label's text quoted under the customer's, and `both`
//! rows made of a refund's and a cancellation's texts. Copies of rows are mail, read through
//! the production parser like the rows themselves; a composite `both` is made of the two
//! texts the model reads. Every copy names the rows it came from, so that cross-validation
//! trains on it only in folds where none of them is scored.

use crate::classify::Reason;
use crate::classify::decide;
use crate::classify::features::FeatureSpec;
use crate::classify::model::Class;
use crate::classify::train::{Augment, Example, Rng};

use super::data::{self, Row};
use super::eval::Prepared;

/// An added training example and the rows (indices into the prepared rows) it was made from.
#[derive(Debug, Clone)]
pub struct Copy {
    pub from: [usize; 2],
    pub example: Example,
}

/// The copies `aug` asks for, in a fixed order for the same rows and seed.
pub fn copies(prep: &Prepared, aug: &Augment, spec: &FeatureSpec, seed: u64) -> Vec<Copy> {
    let mut rng = Rng::new(seed ^ 0xa09e_667f_3bcc_908b);
    let mut out = Vec::new();
    let n = prep.rows.len();
    for (i, row) in prep.rows.iter().enumerate() {
        let mut variants: Vec<Row> = Vec::new();
        for _ in 0..aug.typos {
            variants.push(Row {
                subject: typos(&row.subject, &mut rng),
                body: typos(&row.body, &mut rng),
                ..row.clone()
            });
        }
        if aug.caps {
            variants.push(Row {
                subject: row.subject.to_uppercase(),
                body: row.body.to_uppercase(),
                ..row.clone()
            });
        }
        if aug.plain {
            variants.push(Row {
                subject: plain(&row.subject),
                body: plain(&row.body),
                ..row.clone()
            });
        }
        if aug.no_subject && !row.subject.trim().is_empty() {
            variants.push(Row {
                subject: String::new(),
                ..row.clone()
            });
        }
        if aug.quoted && n > 1 {
            // The first row of another label from a random start: quoted history that the
            // parser should cut, and the model should not read if it does not.
            let start = (rng.next_u64() % n as u64) as usize;
            if let Some(j) = (0..n)
                .map(|k| (start + k) % n)
                .find(|&j| prep.rows[j].class != row.class)
            {
                variants.push(Row {
                    body: quoted(&row.body, &prep.rows[j].body, row.html),
                    ..row.clone()
                });
            }
        }
        for v in variants {
            let Ok(mail) = data::inbound(&v, i) else {
                continue;
            };
            let text = decide::model_text(&mail);
            out.push(Copy {
                from: [i, i],
                example: example(&text, &prep.rules[i], row, spec),
            });
        }
    }
    if aug.both > 0 {
        let refunds: Vec<usize> = (0..n)
            .filter(|&i| prep.rows[i].class == Class::Refund)
            .collect();
        let cancels: Vec<usize> = (0..n)
            .filter(|&i| prep.rows[i].class == Class::Cancellation)
            .collect();
        if !cancels.is_empty() {
            for &r in &refunds {
                for _ in 0..aug.both {
                    let c = cancels[(rng.next_u64() % cancels.len() as u64) as usize];
                    let text = format!("{}\n\n{}", prep.texts[r], body_only(&prep.texts[c]));
                    let row = Row {
                        class: Class::Both,
                        ..prep.rows[r].clone()
                    };
                    out.push(Copy {
                        from: [r, c],
                        example: example(&text, &prep.rules[r], &row, spec),
                    });
                }
            }
        }
    }
    out
}

fn example(
    text: &str,
    by_rules: &crate::classify::Classified,
    row: &Row,
    spec: &FeatureSpec,
) -> Example {
    Example {
        vector: decide::vector(text, by_rules, spec),
        class: row.class,
        billing_error: row.reason == Some(Reason::BillingError),
    }
}

/// The model text without its subject paragraph (the first, when there are two or more).
fn body_only(text: &str) -> &str {
    text.split_once("\n\n").map_or(text, |(_, rest)| rest)
}

/// About one word in eight of four letters or more gets one typo.
fn typos(text: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut word: Vec<char> = Vec::new();
    let flush = |word: &mut Vec<char>, out: &mut String, rng: &mut Rng| {
        if word.len() >= 4 && rng.next_u64().is_multiple_of(8) {
            let at = 1 + (rng.next_u64() % (word.len() as u64 - 2)) as usize;
            match rng.next_u64() % 3 {
                0 => {
                    word.remove(at);
                }
                1 => word.swap(at, at + 1),
                _ => word.insert(at, word[at]),
            }
        }
        out.extend(word.drain(..));
    };
    for c in text.chars() {
        if c.is_alphabetic() {
            word.push(c);
        } else {
            flush(&mut word, &mut out, rng);
            out.push(c);
        }
    }
    flush(&mut word, &mut out, rng);
    out
}

/// Lower case, accents dropped (as a phone keyboard without them would type it).
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let mut folded = [0u8; 4];
        let f = crate::classify::features::words(c.encode_utf8(&mut folded));
        match f.first() {
            Some(w) if c.is_alphabetic() && w.chars().count() <= 2 => out.push_str(w),
            _ => out.push(c),
        }
    }
    out
}

/// `body` with `other` quoted under it, as a mail client quotes the message replied to.
fn quoted(body: &str, other: &str, html: bool) -> String {
    if html {
        return format!("{body}<br><blockquote>{other}</blockquote>");
    }
    let mut out = format!(
        "{}\n\nOn Tue, 1 Dec 2026 at 10:12, Vendor Support <support@vendor.example> wrote:\n",
        body.trim_end()
    );
    for l in other.lines() {
        out.push_str("> ");
        out.push_str(l);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_seeded_and_keep_the_shape() {
        let t = "Please cancel my subscription before the renewal, thanks.";
        let a = typos(t, &mut Rng::new(3));
        assert_eq!(a, typos(t, &mut Rng::new(3)));
        assert_ne!(
            (0..20)
                .map(|s| typos(t, &mut Rng::new(s)))
                .filter(|x| x != t)
                .count(),
            0
        );
        assert!(a.ends_with("thanks.") || a.ends_with("thnaks.") || a.len() > 40);
    }

    fn row(id: &str, class: Class, body: &str) -> Row {
        Row::example(id, class, body)
    }

    #[test]
    fn copies_name_the_rows_they_come_from_and_keep_their_labels() {
        let rows = vec![
            row("a", Class::Refund, "Please refund my last payment."),
            row("b", Class::Cancellation, "Please cancel my subscription."),
            row("c", Class::Other, "How do I add a user?"),
        ];
        let prep = Prepared::new(rows, &crate::config::classify::builtin()).unwrap();
        let aug = Augment {
            typos: 1,
            both: 1,
            ..Augment::NONE
        };
        let spec = FeatureSpec::DEFAULT;
        let copies = copies(&prep, &aug, &spec, 1);
        assert_eq!(copies.len(), 4, "three typo copies and one both");
        for (i, c) in copies[..3].iter().enumerate() {
            assert_eq!((c.from, c.example.class), ([i, i], prep.rows[i].class));
        }
        assert_eq!(
            (copies[3].from, copies[3].example.class),
            ([0, 1], Class::Both)
        );
        let again = super::copies(&prep, &aug, &spec, 1);
        assert!(
            copies
                .iter()
                .zip(&again)
                .all(|(a, b)| a.example.vector == b.example.vector)
        );
    }

    #[test]
    fn plain_folds_accents_and_case() {
        assert_eq!(plain("Kündigung ÉTÉ"), "kundigung ete");
        assert_eq!(plain("Straße"), "strasse");
    }

    #[test]
    fn quoted_history_is_cut_by_the_parser() {
        let body = quoted("Please refund me.", "Your plan was cancelled.", false);
        let row = Row {
            id: "x".into(),
            lang: "en".into(),
            class: Class::Refund,
            reason: None,
            subject: "Money".into(),
            body,
            html: false,
        };
        let mail = data::inbound(&row, 0).unwrap();
        assert!(!mail.text.contains("cancelled"), "{:?}", mail.text);
    }
}
