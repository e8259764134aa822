//! Non-delivery notices by their subject line, which `parse` reads to tell a bounce's sender
//! (a mail system) from a person's. Pure.

/// Lower-cased, typographic apostrophes made plain, whitespace runs made one space.
pub(crate) fn normalized(text: &str) -> String {
    text.to_lowercase()
        .replace(['\u{2019}', '\u{2018}', '`'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Subjects mail systems give a non-delivery notice that is not a `multipart/report`
/// (RFC 3464 describes the report; many servers still send plain text), in the seven
/// languages. Matched at the subject's start: "Re: Undeliverable..." is a person's.
const BOUNCE_SUBJECTS: [&str; 30] = [
    "undelivered mail returned to sender",
    "undelivered mail",
    "undeliverable:",
    "undeliverable mail",
    "undeliverable message",
    "delivery status notification",
    "mail delivery failed",
    "mail delivery failure",
    "delivery has failed",
    "delivery failure:",
    "returned mail:",
    "failure notice",
    "message not delivered",
    "unzustellbar",
    "nicht zustellbar",
    "unzustellbare nachricht",
    "non remis",
    "message non remis",
    "non distribuable",
    "échec de la remise",
    "no se puede entregar",
    "mensaje no entregado",
    "não é possível entregar",
    "mensagem não entregue",
    "recapito non riuscito",
    "non recapitabile",
    "impossibile recapitare",
    "onbestelbaar",
    "kan niet worden bezorgd",
    "niet afgeleverd",
];

/// Whether a subject is a mail system's non-delivery notice.
pub fn is_bounce_subject(subject: &str) -> bool {
    let subject = normalized(subject);
    BOUNCE_SUBJECTS.iter().any(|s| subject.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounce_subjects() {
        for (subject, bounce) in [
            ("Undelivered Mail Returned to Sender", true),
            ("Delivery Status Notification (Failure)", true),
            ("Mail delivery failed: returning message to sender", true),
            ("Unzustellbar: Kündigung", true),
            ("Non remis : Remboursement", true),
            ("No se puede entregar: Reembolso", true),
            ("Onbestelbaar: Opzeggen", true),
            ("Re: Undelivered Mail Returned to Sender", false),
            ("Refund for undelivered service", false),
            ("Delivery of my invoice", false),
        ] {
            assert_eq!(is_bounce_subject(subject), bounce, "{subject}");
        }
    }
}
