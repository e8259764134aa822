//! Where the customer's own words end: quoted history, attributions, signatures, and the
//! message inside a forward. Pure; works on the decoded body text.

use std::sync::LazyLock;

use mail_parser::Message;
use regex::Regex;

use super::{Address, Forwarded, is_addr_spec, one_line, to_address};
use crate::pattern::Pattern;

/// Block-level tags, before which an HTML body's text breaks its line.
static BLOCK_TAG: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(r"(?i)<(?:p|/?(?:div|hr|blockquote|tr|li|table|h[1-6]))\b").expect("static regex")
});

/// A message's preferred body as text. mail-parser's HTML conversion breaks lines only at
/// `<br>` and `</p>`, so Outlook's reply header (`<div id="divRplyFwdMsg"><b>Von:</b> ...`)
/// ran on from the customer's last sentence and was never seen as the start of the history:
/// every block-level tag now starts a line (`</p>` already ends one).
pub(super) fn body_text(message: &Message<'_>) -> String {
    use mail_parser::PartType;
    match message.text_part(0).map(|p| &p.body) {
        Some(PartType::Html(html)) => {
            let mut broken = String::with_capacity(html.len() + html.len() / 16);
            let mut last = 0;
            BLOCK_TAG.each_match(html, |span| {
                broken.push_str(&html[last..span.start]);
                broken.push_str("<br>");
                last = span.start;
            });
            broken.push_str(&html[last..]);
            mail_parser::decoders::html::html_to_text(&broken)
        }
        _ => message
            .body_text(0)
            .map(|b| b.into_owned())
            .unwrap_or_default(),
    }
}

/// The separator line above an inline forward, in the languages mail clients write.
static FORWARD_MARK: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(concat!(
        r"(?i)^\s*(?:-{2,}\s*(?:forwarded message|weitergeleitete nachricht|mensaje reenviado",
        r"|message transf[ée]r[ée]|mensagem encaminhada|messaggio inoltrato|doorgestuurd bericht)\s*-{2,}",
        r"|begin forwarded message:|anfang der weitergeleiteten nachricht:",
        r"|d[ée]but du message r[ée]exp[ée]di[ée]\s?:|inicio del mensaje reenviado:)\s*$"
    ))
    .expect("static regex")
});

/// An original-message separator: a forward only when the subject says so (replies use it too).
static ORIGINAL_MARK: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(concat!(
        r"(?i)^\s*-{2,}\s*(?:original message|urspr[üu]ngliche nachricht|message d'origine",
        r"|mensaje original|messaggio originale|oorspronkelijk bericht|mensagem original)\s*-{2,}\s*$"
    ))
    .expect("static regex")
});

static FORWARD_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^\s*\*?(from|von|de|da|van|subject|betreff|asunto|objet|assunto|oggetto|onderwerp",
        r"|date|datum|fecha|data|sent|gesendet|enviado|envoy[ée]|inviato|verzonden|to|an|para|à|a|aan|cc)\s*:\*?\s*(.*)$"
    ))
    .expect("static regex")
});

/// Whether the subject marks a forward: `Fwd:`, `FW:`, `WG:`, `TR:`, `RV:`, `ENC:`, `I:`...
fn is_forward_subject(subject: &str) -> bool {
    let prefix = subject
        .split_once(':')
        .map(|(p, _)| p.trim().to_lowercase());
    let forwards = [
        "fw", "fwd", "wg", "tr", "rv", "enc", "i", "doorst", "fwd[1]", "fw[1]",
    ];
    prefix.is_some_and(|p| forwards.contains(&p.as_str()))
}

/// The forwarded message: attached whole (`message/rfc822`), or inline below a forward
/// separator. `None` when the message is not a forward.
pub(super) fn forwarded(message: &Message<'_>, subject: &str, body: &str) -> Option<Forwarded> {
    let is_fwd_subject = is_forward_subject(subject);
    if is_fwd_subject && let Some(inner) = message.attachments().find_map(|a| a.message()) {
        let from = inner
            .from()
            .and_then(|a| a.first())
            .map(to_address)
            .filter(|a| is_addr_spec(&a.email));
        return Some(Forwarded {
            from,
            subject: inner.subject().map(one_line).unwrap_or_default(),
            text: new_text(&body_text(inner)),
        });
    }
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = body.lines().collect();
    let outlook_block = |i: usize| {
        OUTLOOK_FROM.is_match(lines[i])
            && lines
                .iter()
                .skip(i + 1)
                .take(3)
                .any(|l| OUTLOOK_SENT.is_match(l))
    };
    let start = lines.iter().enumerate().position(|(i, l)| {
        FORWARD_MARK.is_match(l)
            || (is_fwd_subject && (ORIGINAL_MARK.is_match(l) || outlook_block(i)))
    })?;
    let mut rest = &lines[start..];
    if FORWARD_MARK.is_match(rest[0]) || ORIGINAL_MARK.is_match(rest[0]) {
        rest = &rest[1..];
    }
    Some(inline_forward(rest))
}

/// Reads the forwarded header block (until the first blank line) and the text below it.
fn inline_forward(lines: &[&str]) -> Forwarded {
    let mut found = Forwarded::default();
    let mut i = 0;
    while i < lines.len() && lines[i].trim().is_empty() {
        i += 1;
    }
    while i < lines.len() && !lines[i].trim().is_empty() {
        if let Some(caps) = FORWARD_HEADER.captures(lines[i]) {
            let value = caps[2].trim();
            match caps[1].to_lowercase().as_str() {
                "from" | "von" | "de" | "da" | "van" if found.from.is_none() => {
                    found.from = forwarded_address(value);
                }
                "subject" | "betreff" | "asunto" | "objet" | "assunto" | "oggetto"
                | "onderwerp" => found.subject = one_line(value),
                _ => {}
            }
        }
        i += 1;
    }
    found.text = new_text(&lines.get(i..).unwrap_or_default().join("\n"));
    found
}

/// `Ann Lee <ann@x.example>`, `"Lee, Ann" <ann@x.example>`, `ann@x.example` or
/// `Ann Lee [mailto:ann@x.example]`.
fn forwarded_address(value: &str) -> Option<Address> {
    let value = value.trim();
    let (name, email) = match value.rfind(['<', '[']) {
        Some(open) => {
            let inner = &value[open + 1..];
            let inner = inner.trim_end_matches(['>', ']']).trim();
            let inner = inner.strip_prefix("mailto:").unwrap_or(inner);
            let name = value[..open].trim().trim_matches('"').trim();
            (
                (!name.is_empty()).then(|| name.to_string()),
                inner.to_string(),
            )
        }
        None => (None, value.to_string()),
    };
    is_addr_spec(&email).then_some(Address { name, email })
}

/// Cuts a line and everything after it: attributions, forwarded or original-message
/// separators, signature separators and mobile signatures. Case-insensitive.
static CUT_FROM: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(concat!(
        r"(?i)^\s*(?:",
        r"on\b.{0,200}\bwrote:|am\b.{0,200}\bschrieb\b.{0,100}:|el\b.{0,200}\bescribi[oó]:",
        r"|le\b.{0,200}\ba\s+[ée]crit\s*:|em\b.{0,200}\bescreveu:|il\b.{0,200}\bha\s+scritto:",
        r"|op\b.{0,200}\bschreef\b.{0,100}:",
        r"|-{2,}\s*(?:original message|urspr[üu]ngliche nachricht|message d'origine|mensaje original",
        r"|messaggio originale|oorspronkelijk bericht|mensagem original|forwarded message)\s*-{2,}",
        r"|begin forwarded message:",
        r"|sent from my(?:\s+\S+){1,4}|sent from (?:outlook|mail|yahoo mail)(?:\s+\S+){0,4}",
        r"|get outlook for(?:\s+\S+){1,3}|von meinem(?:\s+\S+){1,4}\s+gesendet",
        r"|enviado desde mi(?:\s+\S+){1,4}|envoy[ée] de mon(?:\s+\S+){1,4}|enviado do meu(?:\s+\S+){1,4}",
        r"|inviato da(?:l mio)?(?:\s+\S+){1,4}|verzonden (?:vanaf|met)(?:\s+\S+){1,4}",
        r")\s*$"
    ))
    .expect("static regex")
});

/// The first line of an Outlook header block ("From: Ann" followed by "Sent: ...").
static OUTLOOK_FROM: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(r"(?i)^\s*\*?(?:from|von|de|da|van)\s*:\*?\s*\S").expect("static regex")
});
static OUTLOOK_SENT: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(r"(?i)^\s*\*?(?:sent|gesendet|enviad[oa](?:\s+(?:el|em))?|inviato|verzonden|envoy[ée]|date|datum|fecha|data)\s*:")
        .expect("static regex")
});

/// The customer's own new words: quoted lines dropped, and everything from the first
/// attribution, Outlook header block, signature or mobile signature onward cut.
///
/// Why: classification must not read the vendor's own earlier message quoted below
/// ("...cancel, or request a refund, reply to this email").
pub(super) fn new_text(body: &str) -> String {
    // Gmail writes a no-break space in French attributions ("a\u{a0}écrit\u{a0}:").
    let body = body
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\u{a0}', " ");
    let lines: Vec<&str> = body.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with('>') {
            continue;
        }
        if starts_history(&lines, i) {
            break;
        }
        kept.push(line);
    }
    // Outlook draws a rule of underscores above its header block; it belongs to the history.
    while kept
        .last()
        .is_some_and(|l| l.trim().is_empty() || l.trim().chars().all(|c| c == '_'))
    {
        kept.pop();
    }
    kept.join("\n").trim().to_string()
}

fn starts_history(lines: &[&str], i: usize) -> bool {
    let line = lines[i];
    if line == "-- " || line == "--" || CUT_FROM.is_match(line) || FORWARD_MARK.is_match(line) {
        return true;
    }
    let next = lines.get(i + 1).copied().unwrap_or_default();
    // Gmail wraps a long attribution: "On Tue, ... Support <" / "support@x> wrote:".
    if !next.trim().is_empty()
        && CUT_FROM.is_match(&format!("{} {}", line.trim_end(), next.trim_start()))
    {
        let lower = line.trim_start().to_lowercase();
        let openers = ["on ", "am ", "el ", "le ", "em ", "il ", "op "];
        return openers.iter().any(|o| lower.starts_with(o));
    }
    OUTLOOK_FROM.is_match(line)
        && lines
            .iter()
            .skip(i + 1)
            .take(3)
            .any(|l| OUTLOOK_SENT.is_match(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_text_cuts_history_and_signatures() {
        for (body, want) in [
            (
                "Refund please.\n\nOn Tue, 3 Mar 2026, Support <s@v.example> wrote:\n> cancel",
                "Refund please.",
            ),
            (
                "Refund please.\nOn Tue, 3 Mar 2026 at 10:00 Support <\ns@v.example> wrote:\n> x",
                "Refund please.",
            ),
            (
                "Bitte kündigen.\n\nAm 03.03.2026 um 10:00 schrieb Support <s@v>:\n> x",
                "Bitte kündigen.",
            ),
            (
                "Quiero un reembolso.\n\nEl mar, 3 mar 2026, Soporte escribió:\n> x",
                "Quiero un reembolso.",
            ),
            (
                "Je veux résilier.\n\nLe mar. 3 mars 2026, Support a écrit :\n> x",
                "Je veux résilier.",
            ),
            (
                "Quero cancelar.\nEm ter., 3 de mar. de 2026, Suporte escreveu:\n",
                "Quero cancelar.",
            ),
            (
                "Disdetta.\nIl giorno mar 3 mar 2026, Supporto ha scritto:\n",
                "Disdetta.",
            ),
            (
                "Opzeggen.\nOp di 3 mrt 2026 schreef Support <s@v>:\n",
                "Opzeggen.",
            ),
            (
                "Cancel.\n-----Original Message-----\nFrom: s\nrefund",
                "Cancel.",
            ),
            (
                "Kündigen.\n-----Ursprüngliche Nachricht-----\nVon: s",
                "Kündigen.",
            ),
            (
                "Cancel.\n________________________________\nFrom: Support <s@v>\nSent: Tuesday\nTo: me\n\nrefund",
                "Cancel.",
            ),
            (
                "Cancel.\n\nVon: Support\nGesendet: Dienstag\nAn: ich\n",
                "Cancel.",
            ),
            ("Cancel.\n\nDe: Soporte\nEnviado: martes\n", "Cancel."),
            ("Cancel.\n\nDa: Supporto\nInviato: martedì\n", "Cancel."),
            ("Cancel.\n\nVan: Support\nVerzonden: dinsdag\n", "Cancel."),
            ("Cancel.\n-- \nAnn, CEO\nrefund", "Cancel."),
            ("Cancel.\n--\nAnn", "Cancel."),
            ("Cancel.\n\nSent from my iPhone\n", "Cancel."),
            ("Cancel.\n\nGet Outlook for iOS\n", "Cancel."),
            ("Top.\n> quoted refund\nMiddle.", "Top.\nMiddle."),
            (
                "From: my point of view, cancel.",
                "From: my point of view, cancel.",
            ),
            (
                "On Monday I decided to cancel.\nThanks.",
                "On Monday I decided to cancel.\nThanks.",
            ),
            ("  \r\nWindows\r\nlines\r\n", "Windows\nlines"),
        ] {
            assert_eq!(new_text(body), want, "{body:?}");
        }
    }

    #[test]
    fn html_block_tags_start_lines() {
        let html = |body: &str| {
            let raw = format!("From: a@b.example\nContent-Type: text/html\n\n{body}");
            let message = mail_parser::MessageParser::default()
                .parse(raw.as_bytes())
                .expect("parses");
            body_text(&message)
        };
        let text =
            html("<div>Refund please.</div><div id=x><b>From:</b> S<br><b>Sent:</b> Tue</div>");
        assert_eq!(new_text(&text), "Refund please.");
        // <pre>, <tr>ack and <table>-less text are not block starts of their own.
        assert_eq!(html("<pre>a</pre>b"), "ab");
        assert_eq!(new_text(&html("<p>One.</p><p>Two.</p>")), "One.\n\nTwo.");
    }
}
