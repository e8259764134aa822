//! What the rules read: the subject when it is the customer's own, the text clipped,
//! normalized (typographic marks made plain, near misses of the rules' words corrected, with
//! a map back to the original offsets) and cut into sentences.

use super::Typos;

/// The subject when it says something of its own: not a reply or forward (see
/// [`own_subject`]), and not a copy of the text's first words ("I would like to cancel..."),
/// which would count the same words twice and, cut short, lose what follows them.
pub(super) fn new_subject<'a>(subject: &'a str, text: &str) -> &'a str {
    let subject = own_subject(subject);
    let squash = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let stem = squash(subject.trim().trim_end_matches(['.', '…']).trim());
    if stem.chars().count() >= 12 && squash(text).contains(&stem) {
        return "";
    }
    subject
}

/// The subject unless it is a reply or forward (`Re:`, `AW:`, `Fwd:`, `WG:`, `RV:`, `TR:`...).
fn own_subject(subject: &str) -> &str {
    // "Re[2]:" and "Re(2):" count too.
    let prefix = subject.split_once(':').map(|(p, _)| {
        let p = p.trim().to_lowercase();
        p.trim_end_matches(|c: char| c.is_ascii_digit() || "[]() ".contains(c))
            .to_string()
    });
    let replies = [
        "re", "aw", "sv", "antw", "rif", "réf", "ref", "fw", "fwd", "wg", "rv", "tr", "enc",
        "doorst", "i", "r",
    ];
    match prefix {
        Some(p) if replies.contains(&p.as_str()) => "",
        _ => subject,
    }
}

/// At most `max` bytes, cut at a character boundary.
pub(super) fn clip(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The text the patterns see, with a map back to the original's byte offsets.
#[derive(Debug)]
pub(super) struct Normalized {
    pub(super) text: String,
    /// `origin[i]` is the original byte offset of normalized byte `i`; one extra at the end.
    pub(super) origin: Vec<usize>,
}

/// Typographic quotes and spaces made plain, invisible characters dropped, and near misses
/// of the configured words corrected.
pub(super) fn normalize(text: &str, typos: &Typos) -> Normalized {
    let mut out = Normalized {
        text: String::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len() + 1),
    };
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c.is_alphabetic() {
            let mut end = at + c.len_utf8();
            while let Some(&(i, n)) = chars.peek() {
                if !n.is_alphabetic() {
                    break;
                }
                end = i + n.len_utf8();
                chars.next();
            }
            let word = &text[at..end];
            match correction(word, typos) {
                Some(fixed) => push(&mut out, &fixed, at),
                None if word.is_ascii() => {
                    out.text.push_str(word);
                    out.origin.extend(at..end);
                }
                None => {
                    for (i, ch) in word.char_indices() {
                        push(&mut out, ch.encode_utf8(&mut [0; 4]), at + i);
                    }
                }
            }
            continue;
        }
        let plain = match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => Some("'"),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => Some("\""),
            '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => Some(""),
            '\n' => None,
            c if c.is_whitespace() => Some(" "),
            _ => None,
        };
        match plain {
            Some(p) => push(&mut out, p, at),
            None => push(&mut out, c.encode_utf8(&mut [0; 4]), at),
        }
    }
    out.origin.push(text.len());
    out
}

fn push(out: &mut Normalized, piece: &str, at: usize) {
    for _ in 0..piece.len() {
        out.origin.push(at);
    }
    out.text.push_str(piece);
}

/// The configured word this one is a near miss of, if any: same first letter, not a
/// longer form of the word ("refunded"), at most one edit away (two for long words).
pub(super) fn correction(word: &str, typos: &Typos) -> Option<String> {
    if typos.words.is_empty() {
        return None;
    }
    // Every word of the text comes here: most are ASCII, and are lower-cased on the stack.
    let mut buffer = [0u8; 20];
    let owned;
    let lower: &str = if word.is_ascii() {
        if !(5..=20).contains(&word.len()) {
            return None;
        }
        let buffer = &mut buffer[..word.len()];
        buffer.copy_from_slice(word.as_bytes());
        buffer.make_ascii_lowercase();
        std::str::from_utf8(buffer).ok()?
    } else {
        // Lower-casing never shortens a word ("İ" even grows to two characters).
        if word.chars().count() > 20 {
            return None;
        }
        owned = word.to_lowercase();
        &owned
    };
    let len = lower.chars().count();
    if !(5..=20).contains(&len) {
        return None;
    }
    if typos.keep.iter().any(|k| k == lower) || typos.words.iter().any(|w| w == lower) {
        return None;
    }
    let first = lower.chars().next()?;
    let mut best: Option<(usize, &String)> = None;
    for w in &typos.words {
        if !w.starts_with(first) || lower.starts_with(w.as_str()) {
            continue;
        }
        let w_len = w.chars().count();
        let allowed = if w_len >= 10 { 2 } else { 1 };
        if w_len.abs_diff(len) > allowed {
            continue;
        }
        let d = distance(lower, w);
        // The first of equally near words wins.
        if d <= allowed && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, w));
        }
    }
    best.map(|(_, w)| w.clone())
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions, transpositions.
pub(super) fn distance(a: &str, b: &str) -> usize {
    // Words reach here at most 22 characters long; three rolling rows on the stack.
    const MAX: usize = 32;
    let mut a_chars = ['\0'; MAX];
    let mut b_chars = ['\0'; MAX];
    let (mut n, mut m) = (0, 0);
    for c in a.chars() {
        if n == MAX {
            return distance_long(a, b);
        }
        a_chars[n] = c;
        n += 1;
    }
    for c in b.chars() {
        if m == MAX {
            return distance_long(a, b);
        }
        b_chars[m] = c;
        m += 1;
    }
    let (a, b) = (&a_chars[..n], &b_chars[..m]);
    // rows[i % 3] is row i of the full table.
    let mut rows = [[0usize; MAX + 1]; 3];
    for (j, cell) in rows[0].iter_mut().enumerate().take(m + 1) {
        *cell = j;
    }
    for i in 1..=n {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur][0] = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[prev][j] + 1)
                .min(rows[cur][j - 1] + 1)
                .min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[prev2][j - 2] + 1);
            }
            rows[cur][j] = best;
        }
    }
    rows[n % 3][m]
}

/// [`distance`] for words too long for its stack rows.
pub(super) fn distance_long(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Byte ranges of sentences: ended by `.`, `!`, `?`, `;` or `…` before a space, or by a blank
/// line. A single line break is not an end: mail is wrapped at 72 characters.
pub(super) fn sentences(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        let end_mark =
            matches!(c, b'.' | b'!' | b'?' | b';') && next.is_none_or(|n| n.is_ascii_whitespace());
        let blank_line = c == b'\n'
            && bytes[i + 1..]
                .iter()
                .find(|b| !matches!(b, b' ' | b'\t'))
                .is_some_and(|b| *b == b'\n');
        let ellipsis = bytes[i..].starts_with("…".as_bytes());
        if end_mark || blank_line || ellipsis {
            let end = i + if ellipsis { '…'.len_utf8() } else { 1 };
            out.push((start, end));
            start = end;
            i = end;
            continue;
        }
        i += 1;
    }
    out.push((start, text.len().max(start)));
    out
}
