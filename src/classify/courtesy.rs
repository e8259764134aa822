//! The courtesy around a customer's words: the greeting line ("Hallo,", "Dear support team,")
//! and everything from the sign-off on ("Kind regards," and the name, title, phone and legal
//! disclaimer under it). The parser keeps them in the new text; the learned model must not read
//! them, because a disclaimer's "delete", "contract" or "not" outweighs a short request (measured
//! by cross-validation, docs/classifier.md). Pure.

/// Sign-offs of the seven languages (lower-cased, accents kept, without the final punctuation).
const SIGN_OFFS: &[&str] = &[
    "thanks",
    "thank you",
    "thanks in advance",
    "thx",
    "cheers",
    "best",
    "regards",
    "kind regards",
    "best regards",
    "warm regards",
    "many thanks",
    "sent from my iphone",
    "gruß",
    "grüße",
    "beste grüße",
    "viele grüße",
    "liebe grüße",
    "mit freundlichen grüßen",
    "freundliche grüße",
    "danke und gruß",
    "danke",
    "vielen dank",
    "hochachtungsvoll",
    "lg",
    "vg",
    "mfg",
    "saludos",
    "saludos cordiales",
    "un saludo",
    "un saludo cordial",
    "atentamente",
    "cordialmente",
    "gracias",
    "gracias de antemano",
    "muchas gracias",
    "cordialement",
    "bien cordialement",
    "bien à vous",
    "merci",
    "merci d'avance",
    "a+",
    "slds",
    "cumprimentos",
    "melhores cumprimentos",
    "com os melhores cumprimentos",
    "atenciosamente",
    "obrigado",
    "obrigada",
    "obrigado desde já",
    "abraço",
    "abraços",
    "cordiali saluti",
    "distinti saluti",
    "saluti",
    "grazie",
    "grazie mille",
    "un saluto",
    "ciao",
    "groet",
    "groeten",
    "gr",
    "met vriendelijke groet",
    "met vriendelijke groeten",
    "vriendelijke groet",
    "hoogachtend",
    "bedankt",
    "alvast bedankt",
    "--",
];

/// `text` without its greeting line and without everything from its sign-off on; `text` itself
/// when nothing would be left.
pub fn strip(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut start = 0;
    while start < lines.len() && lines[start].trim().is_empty() {
        start += 1;
    }
    if lines.get(start).is_some_and(|l| is_greeting(l)) {
        start += 1;
    }
    let mut end = lines.len();
    let mut content = false;
    for (i, l) in lines.iter().enumerate().skip(start) {
        if content && is_sign_off(l) {
            end = i;
            break;
        }
        content |= !l.trim().is_empty();
    }
    let kept = lines[start.min(end)..end].join("\n");
    if kept.chars().any(char::is_alphanumeric) {
        kept.trim().to_string()
    } else {
        text.to_string()
    }
}

/// A short opening line that ends like a salutation ("Hallo,", "Estimados señores:", "Hoi!").
fn is_greeting(line: &str) -> bool {
    let l = line.trim();
    let words = l.split_whitespace().count();
    (1..=6).contains(&words) && (l.ends_with(',') || l.ends_with(':') || l.ends_with('!'))
}

/// A sign-off line: a known closing alone, or a short line ending in a comma.
fn is_sign_off(line: &str) -> bool {
    let l = line.trim();
    if l == "--" {
        return true;
    }
    let words = l.split_whitespace().count();
    if words == 0 || words > 5 {
        return false;
    }
    let bare = l
        .trim_end_matches([',', '.', '!', ':', ';'])
        .trim()
        .to_lowercase();
    SIGN_OFFS.contains(&bare.as_str()) || (l.ends_with(',') && words <= 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greeting_and_signature_are_cut_the_request_stays() {
        for (text, want) in [
            (
                "Hallo,\n\nbitte kündigen Sie mein Abo.\n\nMit freundlichen Grüßen\nNina Lange\nGeschäftsführerin",
                "bitte kündigen Sie mein Abo.",
            ),
            (
                "can i get a refnd?\n\nthanks!\nSarah\nCONFIDENTIALITY NOTICE: delete it",
                "can i get a refnd?",
            ),
            ("cancelar", "cancelar"),
            // A sign-off needs words before it: a bare "Thanks," stays the message.
            ("Hi,\n\nThanks,\nBen", "Thanks,\nBen"),
            (
                "Hi, I need to cancel my appointment.\nCheers,\nDavid",
                "Hi, I need to cancel my appointment.",
            ),
            (
                "Thanks, refund received, all good.\n\nBest,\nAnna",
                "Thanks, refund received, all good.",
            ),
        ] {
            assert_eq!(strip(text), want, "{text:?}");
        }
    }
}
