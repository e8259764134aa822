//! The report as one self-contained HTML page: inline SVG charts and a few tables, no
//! scripts, no outside files.

use std::fmt::Write;

use super::data::{OUTCOMES, Percentiles, Summary};

/// The charts, drawn already, in page order.
pub struct Charts {
    pub per_day: String,
    pub handoffs: String,
    pub latency: String,
    pub refunds: String,
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A duration in seconds the way a person reads it.
pub fn human(secs: f64) -> String {
    match secs {
        s if s < 90.0 => format!("{s:.0} s"),
        s if s < 90.0 * 60.0 => format!("{:.0} min", s / 60.0),
        s if s < 48.0 * 3600.0 => format!("{:.1} h", s / 3600.0),
        s => format!("{:.1} days", s / 86400.0),
    }
}

/// The page for `mailboxes` (names), with `notes` (mailboxes without a store, ...).
pub fn render(s: &Summary, mailboxes: &[String], notes: &[String], charts: &Charts) -> String {
    let mut h = String::new();
    let period = format!(
        "{} to {} (UTC)",
        s.since.strftime("%Y-%m-%d %H:%M"),
        s.until.strftime("%Y-%m-%d %H:%M")
    );
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>mailclerk report: {period}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1040px; color: #222; }}
h1 {{ font-size: 1.6em; margin-bottom: 0.2em; }}
.sub {{ color: #555; margin-top: 0; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 0.25em 1em 0.25em 0; text-align: left; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
figure {{ margin: 0 0 2em; }}
figcaption {{ font-weight: 600; margin-bottom: 0.4em; }}
svg {{ max-width: 100%; height: auto; }}
.note {{ color: #8a5a00; }}
</style></head><body>
<h1>mailclerk: the week in mail</h1>
<p class="sub">{period} · mailboxes: {boxes} · {total} messages handled</p>
"#,
        period = esc(&period),
        boxes = esc(&mailboxes.join(", ")),
        total = s.total,
    );
    for note in notes {
        let _ = writeln!(h, r#"<p class="note">{}</p>"#, esc(note));
    }
    h.push_str("<table><tr><th>Outcome</th><th>Messages</th></tr>\n");
    for (k, o) in OUTCOMES.iter().enumerate() {
        let n: usize = s.per_day.iter().map(|d| d[k]).sum();
        let _ = writeln!(
            h,
            r#"<tr><td>{}</td><td class="n">{n}</td></tr>"#,
            o.label()
        );
    }
    h.push_str("</table>\n");
    let row = |name: &str, p: &Option<Percentiles>| match p {
        Some(p) => format!(
            r#"<tr><td>{name}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            human(p.p50),
            human(p.p90),
            human(p.p99)
        ),
        None => format!(r#"<tr><td>{name}</td><td colspan="3">nothing answered</td></tr>"#),
    };
    h.push_str("<table><tr><th>Receipt to answer</th><th>p50</th><th>p90</th><th>p99</th></tr>\n");
    h.push_str(&row("whole period", &s.latency_all));
    h.push_str("\n</table>\n");
    figure(&mut h, "Messages per day, by outcome", &charts.per_day);
    figure(&mut h, "Hand-offs to people, by reason", &charts.handoffs);
    figure(
        &mut h,
        "Receipt-to-answer latency per day (p50, p90, p99)",
        &charts.latency,
    );
    figure(&mut h, "Refunds granted, by amount", &charts.refunds);
    if !s.refund_totals.is_empty() {
        h.push_str("<table><tr><th>Currency</th><th>Refunds</th><th>Total granted</th></tr>\n");
        for (currency, total) in &s.refund_totals {
            let n: usize = s.refunds.get(currency).map_or(0, |b| b.iter().sum());
            let _ = writeln!(
                h,
                r#"<tr><td>{}</td><td class="n">{n}</td><td class="n">{total:.2}</td></tr>"#,
                esc(currency)
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("</body></html>\n");
    h
}

fn figure(h: &mut String, caption: &str, svg: &str) {
    // plotters starts its SVG with an XML declaration, which has no place inside HTML.
    let svg = svg.find("<svg").map_or(svg, |i| &svg[i..]);
    let _ = write!(
        h,
        "<figure><figcaption>{}</figcaption>\n{svg}\n</figure>\n",
        esc(caption)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_the_unit_a_person_would_use() {
        for (secs, text) in [
            (5.0, "5 s"),
            (600.0, "10 min"),
            (7200.0, "2.0 h"),
            (3.0 * 86400.0, "3.0 days"),
        ] {
            assert_eq!(human(secs), text);
        }
    }

    #[test]
    fn text_from_the_store_is_escaped() {
        assert_eq!(esc(r#"<b a="1">&"#), "&lt;b a=&quot;1&quot;&gt;&amp;");
    }
}
