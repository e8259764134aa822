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
const BOUNCE_SUBJECTS: [&str; 64] = [
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
    "message could not be delivered",
    "mail could not be delivered",
    "delivery notification:",
    "warning: could not send message",
    "delayed mail",
    "delivery delayed",
    "non-delivery report",
    "nondeliverable mail",
    "benachrichtigung zum übermittlungsstatus",
    "nicht zugestellt:",
    "notification d'état de remise",
    "notificación de estado de entrega",
    "notificación del estado del envío",
    "notificação de status de entrega",
    "notifica dello stato di consegna",
    "melding over bezorgstatus",
    "niet bezorgd:",
    // Other languages' non-delivery subjects (Exchange's "Undeliverable:" and the like).
    "olevererbart",
    "kan ikke leveres",
    "ei voi toimittaa",
    "niedostarczalne",
    "nie można dostarczyć",
    "не доставлено",
    "недоставленное сообщение",
    "teslim edilemedi",
    "teslim edilemeyen",
    "nedoručitelné",
    "kézbesíthetetlen",
    "μη παραδόσιμο",
    "无法投递",
    "无法传递",
    "未送达",
    "配信不能",
    "전달되지 않음",
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
            ("Warning: could not send message for past 4 hours", true),
            ("Delayed Mail (still being retried)", true),
            ("Benachrichtigung zum Übermittlungsstatus (Fehler)", true),
            ("Message could not be delivered", true),
            (
                "My message could not be delivered, so here it is again",
                false,
            ),
            ("Delayed refund", false),
            ("Olevererbart: Uppsägning", true),
            ("Не доставлено: Refund", true),
            ("Re: Undelivered Mail Returned to Sender", false),
            ("Refund for undelivered service", false),
            ("Delivery of my invoice", false),
        ] {
            assert_eq!(is_bounce_subject(subject), bounce, "{subject}");
        }
    }
}
