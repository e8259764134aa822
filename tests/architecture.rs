//! The pure core stays pure: no async runtime, database, transport or clock in the stages that
//! decide (style guide, convention 1). A failing line names the file and the offending use.

const PURE: &[&str] = &[
    "src/parse.rs",
    "src/parse/quote.rs",
    "src/screen.rs",
    "src/screen/text.rs",
    "src/sender_auth.rs",
    "src/budget.rs",
    "src/classify.rs",
    "src/accounts.rs",
    "src/money.rs",
    "src/policy/mod.rs",
    "src/policy/calendar.rs",
    "src/policy/decision.rs",
    "src/policy/schema.rs",
    "src/render.rs",
    "src/render/rehearse.rs",
    "src/language.rs",
    "src/locale.rs",
    "src/localize.rs",
    "src/plan.rs",
    "src/confirm.rs",
];

#[test]
fn pure_stages_do_no_io() {
    let forbidden = regex::Regex::new(r"\b(tokio|rusqlite|lettre|async_imap|async fn|std::net|Timestamp::now|SystemTime::now|Zoned::now|std::fs)\b").unwrap();
    let mut found = Vec::new();
    for file in PURE {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        // Tests may touch the file system (fixtures); the code under test may not.
        let code = text.split("#[cfg(test)]").next().unwrap();
        for (i, line) in code.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") {
                continue;
            }
            if let Some(m) = forbidden.find(line) {
                found.push(format!("{file}:{}: {}", i + 1, m.as_str()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "I/O in the pure core:\n{}",
        found.join("\n")
    );
}
