//! Classification: what does the customer ask for? Pure; reads only subject and new text.
//!
//! A first, deliberately plain classifier: lists of phrases, no scores. A wrong automatic
//! answer costs more than a message sent to people, so anything doubtful is `Unsure` or
//! `Other`, and both go to people.

use regex::{Regex, RegexBuilder};

use crate::parse::Inbound;

/// What the customer asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Refund,
    Cancellation,
    Both,
    /// Not a refund or cancellation request: people answer it.
    Other,
    /// Conflicting signals: people answer it.
    Unsure,
}

impl Intent {
    /// The name used in scenario files and `check --json`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Intent::Refund => "refund",
            Intent::Cancellation => "cancellation",
            Intent::Both => "both",
            Intent::Other => "other",
            Intent::Unsure => "unsure",
        }
    }

    /// Whether a refund is asked for.
    pub fn wants_refund(&self) -> bool {
        matches!(self, Intent::Refund | Intent::Both)
    }

    /// Whether a cancellation is asked for.
    pub fn wants_cancellation(&self) -> bool {
        matches!(self, Intent::Cancellation | Intent::Both)
    }
}

/// The intent and the phrases that led to it, for logs and for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub intent: Intent,
    /// The matched phrases, in the order found.
    pub evidence: Vec<String>,
}

/// Compiled classification rules (from the `[classify]` config section).
#[derive(Debug, Clone)]
pub struct ClassifyRules {
    pub refund: Vec<Regex>,
    pub cancellation: Vec<Regex>,
    /// Phrases that mean the message is about refunds or cancelling without asking for one
    /// ("refund policy", "don't want to cancel"): their presence makes a match `Unsure`.
    pub not_a_request: Vec<Regex>,
}

/// A pattern in the `[classify]` configuration that is not a valid regular expression.
///
/// `list` and `index` let the config loader name the key (`classify.refund[3]`).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{list}[{index}]: {}", self.problem())]
pub struct PatternError {
    /// `"refund"`, `"cancellation"` or `"not_a_request"`.
    pub list: &'static str,
    pub index: usize,
    pub pattern: String,
    pub error: regex::Error,
}

impl PatternError {
    /// What is wrong, without the key: for a `ConfigError`'s `problem`.
    pub fn problem(&self) -> String {
        format!(
            "invalid regular expression {:?}: {}",
            self.pattern, self.error
        )
    }
}

impl ClassifyRules {
    /// Compiles configured patterns. Every pattern is matched case-insensitively, so that a
    /// vendor who writes `Cancel` does not silently miss "cancel".
    ///
    /// # Errors
    /// The first pattern that does not compile, with its list and index.
    ///
    /// # Examples
    /// ```
    /// use mailclerk::classify::ClassifyRules;
    /// let err = ClassifyRules::compile(&[], &["ok".into(), "(broken".into()], &[]).unwrap_err();
    /// assert_eq!((err.list, err.index), ("cancellation", 1));
    /// ```
    pub fn compile(
        refund: &[String],
        cancellation: &[String],
        not_a_request: &[String],
    ) -> Result<ClassifyRules, PatternError> {
        Ok(ClassifyRules {
            refund: compile_list("refund", refund)?,
            cancellation: compile_list("cancellation", cancellation)?,
            not_a_request: compile_list("not_a_request", not_a_request)?,
        })
    }

    /// The built-in [`DEFAULT_REFUND`], [`DEFAULT_CANCELLATION`] and [`DEFAULT_NOT_A_REQUEST`].
    pub fn defaults() -> ClassifyRules {
        let owned = |list: &[&str]| list.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        ClassifyRules::compile(
            &owned(DEFAULT_REFUND),
            &owned(DEFAULT_CANCELLATION),
            &owned(DEFAULT_NOT_A_REQUEST),
        )
        .expect("the default patterns compile (tested)")
    }
}

fn compile_list(list: &'static str, patterns: &[String]) -> Result<Vec<Regex>, PatternError> {
    patterns
        .iter()
        .enumerate()
        .map(|(index, pattern)| {
            RegexBuilder::new(pattern)
                .case_insensitive(true)
                .build()
                .map_err(|error| PatternError {
                    list,
                    index,
                    pattern: pattern.clone(),
                    error,
                })
        })
        .collect()
}

/// Asking for money back. English, German, Spanish, French, Portuguese, Italian, Dutch and
/// Arabic basics. Bare nouns are fine here: questions *about* refunds are caught by
/// [`DEFAULT_NOT_A_REQUEST`] and become `Unsure`.
pub const DEFAULT_REFUND: &[&str] = &[
    r"(?i)\brefund\b",
    r"(?i)\b(?:money|funds|payment|cash)\s+back\b",
    r"(?i)\breimburs(?:e|ed|ement)\b",
    r"(?i)\b(?:be|get|have|getting)\b(?:\s+\S+){0,3}?\s+refunded\b",
    r"(?i)\b(?:rück|zurück)?erstatt(?:e|en|et|ung)\b",
    r"(?i)\bGeld\s+zurück\b",
    r"(?i)\bRückzahlung\b",
    r"(?i)\breembols(?:o|ar|e|en|ado|arme)\b",
    r"(?i)\bdevoluci[oó]n\b",
    r"(?i)\bdevolver(?:me)?\s+(?:el|mi)\s+dinero\b",
    r"(?i)\brembours(?:ement|er|ez|é|e)\b",
    r"(?i)\bdinheiro\s+de\s+volta\b",
    r"(?i)\bdevolu[cç][aã]o\s+do\s+(?:meu\s+)?dinheiro\b",
    r"(?i)\bestorno\b",
    r"(?i)\brimbors(?:o|are|ate|ato|atemi)\b",
    r"(?i)\bterugbetal(?:ing|en)\b",
    r"(?i)\bgeld\s+terug\b",
    r"(?i)\brestitutie\b",
    r"استرداد|أسترد|استرجاع|(?:ارجع|ترجعلي)\s+(?:ال)?مصاري",
];

/// Asking to cancel, close or delete an account, subscription or contract. A bare "cancel"
/// is not enough: orders, bookings, cards and transfers are not what the vendor's policy
/// covers.
pub const DEFAULT_CANCELLATION: &[&str] = &[
    concat!(
        r"(?i)\b(?:cancel|canceling|cancelling|close|closing|delete|deleting|deactivate|deactivating",
        r"|terminate|terminating|discontinue|kill|invalidate|remove|removing)(?:\s+(?:down|out))?",
        r"\s+(?:(?:my|the|our|this|that|an?|your|all(?:\s+of)?(?:\s+my)?)\s+(?:[\w-]+\s+){0,3}?)?",
        r"(?:account|subscription|membership|plan|contract|service|licen[cs]e|workspace|auto-?renewal|renewal)s?\b"
    ),
    r"(?i)\b(?:stop|end|ending)\s+(?:my|our|the)\s+(?:subscription|membership|contract|plan)s?\b",
    r"(?i)\b(?:written\s+)?notice\s+(?:of\s+cancellation|to\s+cancel)\b",
    r"(?i)\b(?:cancellation|deletion|closure|termination|deactivation)\s+of\s+(?:my|the|our|this)\s+(?:[\w-]+\s+)?(?:account|subscription|membership|plan|contract)s?\b",
    r"(?i)\b(?:account|subscription|membership|contract)\s+(?:cancellation|deletion|closure|termination|deactivation)\b",
    r"(?i)\b(?:account|subscription|membership|contract)s?\s+(?:be|to\s+be|being)\s+(?:cancell?ed|closed|deleted|terminated|deactivated)\b",
    r"(?i)\bunsubscribe\s+(?:me\s+)?(?:from|to)\s+(?:the\s+|your\s+|this\s+)?(?:service|platform|app|plan|subscription)\b",
    r"(?i)\b(?:turn\s+off|disable|stop|cancel)\s+(?:the\s+|my\s+)?auto-?renew(?:al|ing)?\b",
    r"(?i)\b(?:do\s+not|don'?t)\s+(?:auto-?)?renew\b",
    r"(?i)\bkündig(?:e|en|t|ung)\b",
    r"(?i)\b(?:Konto|Account|Abo|Abonnement|Vertrag|Mitgliedschaft|Zugang)\s+(?:\S+\s+){0,2}?(?:löschen|schließen|beenden|stornieren|deaktivieren|auflösen)\b",
    r"(?i)\bdar(?:me|nos)?\s+de\s+baja\b",
    r"(?i)\b(?:cancelar|cancele|cancelen|anular|eliminar|borrar|cerrar|cancelaci[oó]n\s+de)\s+(?:mi|la|el|nuestra|nuestro|esta|este)?\s*(?:suscripci[oó]n|cuenta|plan|membres[ií]a|contrato|servicio)\b",
    r"(?i)\br[ée]sili(?:er|ez|ation|e)\b",
    r"(?i)\b(?:annuler|annulez|supprimer|supprimez|fermer|fermez|cl[oô]turer|annulation\s+de)\s+(?:mon|ma|le|la|notre|cet|cette|l')\s*(?:abonnement|compte|souscription|contrat|adh[ée]sion)\b",
    r"(?i)\b(?:cancelar|cancele|encerrar|excluir|cancelamento\s+d[ao])\s+(?:a|o|minha|meu|nossa|nosso)?\s*(?:assinatura|conta|plano|subscri[cç][aã]o|contrato)\b",
    r"(?i)\bdisd(?:ire|etta|ico|ite)\b",
    r"(?i)\b(?:annullare|annulla|cancellare|cancella|chiudere|chiudi|eliminare|elimina)\s+(?:(?:il\s+mio|la\s+mia|il|la|l'|mio|mia)\s*)?(?:abbonamento|account|iscrizione|contratto|profilo)\b",
    r"(?i)\bopzeg(?:gen|ging)\b",
    r"(?i)\bzeg\s+(?:mijn|het|ons|de)\s+(?:abonnement|account|lidmaatschap|contract)\s+op\b",
    r"(?i)\b(?:abonnement|account|lidmaatschap)\s+(?:opzeggen|opheffen|verwijderen|beëindigen|stopzetten)\b",
    r"(?:إلغاء|الغاء|إغلاق|اغلاق|اغلق|أغلق|حذف|احذف|إنهاء|انهاء|اسكر)\s+(?:\S+\s+)?(?:ال)?حساب",
];

/// Talking about refunds or cancelling without asking for one: policy and status
/// questions, negations, orders and bookings, newsletters. A hit makes a request `Unsure`.
pub const DEFAULT_NOT_A_REQUEST: &[&str] = &[
    r"(?i)\b(?:refund|return|cancellation|reimbursement)\s+polic(?:y|ies)\b",
    r"(?i)\bpolicy\s+(?:on|for|about)\s+(?:refunds?|cancellations?|returns?)\b",
    r"(?i)\b(?:status|progress)\s+of\s+(?:my|the|a|this|that)\s+(?:refund|reimbursement|cancellation)",
    r"(?i)\b(?:refund|reimbursement|cancellation)\s+status\b",
    r"(?i)\bwhere(?:'s|\s+is)\s+(?:my|the)\b.{0,30}\b(?:refund|reimburs|money)",
    r"(?i)\b(?:updates?|news)\s+on\s+(?:my|the)\s+refund",
    r"(?i)\btrack\s+(?:my|the)\s+refund",
    r"(?i)\bwhat\s+happened\s+(?:with|to)\s+(?:my|the|that)\s+refund",
    r"(?i)\b(?:refund|reimbursement)\b[^.?!\n]{0,30}\b(?:taking\s+(?:so\s+|too\s+)?long|not\s+(?:here|arrived|showing|shown)|showing\s+up|shown\s+on|doesn'?t\s+go\s+through|hasn'?t\s+(?:arrived|come))",
    r"(?i)\b(?:taking\s+(?:so|too)\s+long|waiting\s+(?:for|on)|been\s+waiting)\b[^.?!\n]{0,30}\b(?:refund|reimbursement|money)",
    r"(?i)\bnot\s+(?:here|arrived|received|showing|shown|there|through)\s+yet\b",
    r"(?i)\bstill\s+no\s+(?:refund|reimbursement|money)\b",
    r"(?i)\bsupposed\s+to\s+(?:get|receive)\b",
    r"(?i)\b(?:already\s+)?(?:asked|applied)\s+for\s+a\s+refund\s+but\b",
    r"(?i)\brefund\s+(?:in|on)\s+my\s+(?:statement|account|card)\b",
    r"(?i)\bwhen\s+(?:will|am|can|do|does|should)\s+(?:I|we|my)\b[^.?!\n]{0,40}\b(?:refund|money\s+back|reimburs)",
    r"(?i)\bhow\s+(?:long|many\s+days|soon)\b[^.?!\n]{0,50}\b(?:refund|money\s+back|reimburs)",
    r"(?i)\bin\s+what\s+cases\b",
    r"(?i)\bare\s+(?:refunds|purchases|charges|subscriptions)\b[^.?!\n]{0,30}\b(?:allowed|possible|returnable|refundable)\b",
    r"(?i)\b(?:non-?)?refundable\b",
    r"(?i)\bwill\b[^.?!\n]{0,40}\bbe\s+refunded\b",
    r"(?i)\bif\s+I\s+(?:get|ask\s+for|request)\s+a\s+refund\b",
    r"(?i)\blearn(?:ing)?\s+more\s+about\b",
    r"(?i)\b(?:cancellation|termination|exit)\s+(?:fees?|charges?|costs?)\b",
    r"(?i)\bearly\s+termination\b",
    r"(?i)\b(?:don'?t|do\s+not|not|never)\s+(?:want\s+to\s+)?cancel\b",
    r"(?i)\b(?:don'?t|do\s+not|not|never|no\s+longer)\s+(?:want|wish|intend|plan|mean|need)\s+to\s+(?:cancel|close|delete|terminate|end|unsubscribe)\b",
    r"(?i)\b(?:don'?t|do\s+not)\s+want\s+(?:a|my|any)\s+refund\b",
    r"(?i)\bcancel\w*\s+(?:(?:my|the|an|this|that|a|our)\s+)?(?:last\s+|previous\s+)?(?:order|booking|reservation|flight|ticket|table|appointment|meeting)s?\b",
    r"(?i)\bnewsletters?\b|\bmailing\s+list\b|\bmarketing\s+e-?mails?\b",
    r"(?i)\bstill\s+(?:pending|active|open)\b",
    r"(?i)\b(?:received|got|thanks?\s+(?:you\s+)?for)\s+(?:the|my|a|your)\s+refund\b|\b(?:already|been)\s+refunded\b",
    r"(?i)\bif\s+(?:this|that|it|you|things)\b[^.?!\n]{0,40}\b(?:I'?ll|I\s+will|I\s+am\s+going\s+to|I'm\s+going\s+to)\b",
    r"(?i)\bpol[ií]tica\s+de\s+(?:reembolsos?|devoluci[oó]n|devolu[cç][aã]o|cancelaci[oó]n|cancelamento)\b",
    r"(?i)\bpolitique\s+de\s+(?:remboursement|retour|r[ée]siliation|annulation)\b",
    r"(?i)\bpolitica\s+di\s+(?:rimborso|reso|cancellazione)\b",
    r"(?i)\b(?:Rück)?erstattungs\w+|\bterugbetalingsbeleid\b|\bretourbeleid\b",
    r"(?i)\b(?:estado\s+de(?:l)?\s+(?:mi\s+)?reembolso|d[oó]nde\s+est[aá]\s+mi\s+reembolso)\b",
    r"(?i)\bo[uù]\s+en\s+est\s+(?:mon|le)\s+remboursement\b",
    r"(?i)\b(?:wo\s+bleibt|Status)\s+(?:meiner|meine|die|der)\s+(?:Rück)?erstattung\b",
    r"(?i)\bstato\s+del\s+(?:mio\s+)?rimborso\b|\bstatus\s+van\s+mijn\s+terugbetaling\b",
    r"(?i)\bnicht\s+(?:\w+\s+)?kündigen\b",
    r"(?i)\bno\s+(?:quiero|deseo)\s+(?:cancelar|darme\s+de\s+baja)\b",
    r"(?i)\bne\s+(?:veux|souhaite)\s+pas\s+(?:r[ée]silier|annuler)\b",
    r"(?i)\bn[aã]o\s+(?:quero|desejo)\s+cancelar\b",
    r"(?i)\bnon\s+(?:voglio|intendo|desidero)\s+(?:disdire|annullare|cancellare)\b",
    r"(?i)\bniet\s+(?:\w+\s+)?opzeggen\b",
    r"(?i)\b(?:cancelar|anular)\s+(?:mi|el|un|este|meu|o|um)\s+pedido\b",
    r"(?i)\bannuler\s+(?:ma|la|une|cette)\s+commande\b",
    r"(?i)\bBestellung\s+stornieren\b|\bstorniere\s+(?:meine|die)\s+Bestellung\b",
    r"(?i)\bannullare\s+(?:il\s+mio\s+|l'|un\s+)ordine\b",
    r"(?i)\bbestelling\s+annuleren\b|\bannuleer\s+(?:mijn|de)\s+bestelling\b",
    r"انتظار|لم تصل|أين",
];

/// Classifies one message from its subject and its new text only, so that the vendor's own
/// words quoted below ("to cancel or request a refund, reply…") never count.
///
/// A reply's subject (`Re: Your refund has been processed`) is the vendor's wording too, so
/// a subject with a reply or forward prefix is not read.
pub fn classify(mail: &Inbound, rules: &ClassifyRules) -> Classified {
    let text = format!("{}\n{}", own_subject(&mail.subject), mail.text);
    let mut evidence: Vec<(usize, String)> = Vec::new();
    let mut hits = |patterns: &[Regex]| {
        let mut hit = false;
        for m in patterns.iter().filter_map(|p| p.find(&text)) {
            hit = true;
            if !evidence.iter().any(|(_, e)| e == m.as_str()) {
                evidence.push((m.start(), m.as_str().to_string()));
            }
        }
        hit
    };
    let refund = hits(&rules.refund);
    let cancellation = hits(&rules.cancellation);
    let not_a_request = hits(&rules.not_a_request);
    evidence.sort_by_key(|(start, _)| *start);
    let intent = match (refund, cancellation) {
        (false, false) => Intent::Other,
        _ if not_a_request => Intent::Unsure,
        (true, true) => Intent::Both,
        (true, false) => Intent::Refund,
        (false, true) => Intent::Cancellation,
    };
    Classified {
        intent,
        evidence: evidence.into_iter().map(|(_, e)| e).collect(),
    }
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
        "doorst",
    ];
    match prefix {
        Some(p) if replies.contains(&p.as_str()) => "",
        _ => subject,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{Address, AutoHeaders};

    fn mail(subject: &str, text: &str) -> Inbound {
        Inbound {
            message_id: "m@x".into(),
            references: vec![],
            received: "2026-03-03T10:00:00Z".parse().unwrap(),
            from: Address {
                name: None,
                email: "ann@customer.example".into(),
            },
            reply_to: None,
            recipients: vec![],
            subject: subject.into(),
            text: text.into(),
            auto: AutoHeaders::default(),
            size: 100,
        }
    }

    #[test]
    fn defaults_compile() {
        let rules = ClassifyRules::defaults();
        assert_eq!(rules.refund.len(), DEFAULT_REFUND.len());
        assert_eq!(rules.cancellation.len(), DEFAULT_CANCELLATION.len());
        assert_eq!(rules.not_a_request.len(), DEFAULT_NOT_A_REQUEST.len());
    }

    #[test]
    fn intents() {
        use Intent::*;
        let rules = ClassifyRules::defaults();
        for (subject, text, want) in [
            ("", "I would like a refund for last month.", Refund),
            ("Refund", "Please send my money back.", Refund),
            ("", "Please cancel my subscription.", Cancellation),
            ("", "How do I delete my account?", Cancellation),
            ("", "Turn off auto-renewal please.", Cancellation),
            ("", "Cancel my Pro plan and refund the last charge.", Both),
            ("", "Can I add a second user?", Other),
            ("", "What is your refund policy?", Unsure),
            (
                "",
                "Where is my refund? I cancelled my subscription last week.",
                Unsure,
            ),
            ("", "I don't want to cancel, I just need an invoice.", Other),
            (
                "",
                "No, I do not want to cancel my account, just change the card.",
                Unsure,
            ),
            ("", "I need to cancel my order.", Other),
            ("", "Please unsubscribe me from the newsletter.", Other),
            ("", "By the end of my trial I will decide.", Other),
            (
                "Re: Your refund has been processed",
                "Can I add a user?",
                Other,
            ),
            ("AW: Kündigung", "Danke!", Other),
            ("Re[2]: Refund", "Thanks", Other),
            ("RE : Résiliation", "Merci", Other),
            ("Request: cancel my account", "", Cancellation),
            (
                "Kündigung",
                "Hiermit kündige ich mein Abo und bitte um Rückerstattung.",
                Both,
            ),
            ("", "Ich möchte mein Geld zurück.", Refund),
            ("", "Ich möchte nicht kündigen.", Unsure),
            ("", "Quiero darme de baja y un reembolso.", Both),
            ("", "Quiero cancelar mi suscripción.", Cancellation),
            ("", "Je souhaite résilier mon abonnement.", Cancellation),
            ("", "Je demande le remboursement.", Refund),
            ("", "Quero cancelar minha assinatura.", Cancellation),
            ("", "Vorrei disdire l'abbonamento e un rimborso.", Both),
            ("", "Ik wil mijn abonnement opzeggen.", Cancellation),
            ("", "Graag terugbetaling.", Refund),
        ] {
            let got = classify(&mail(subject, text), &rules);
            assert_eq!(got.intent, want, "{subject:?} {text:?} {:?}", got.evidence);
        }
    }

    #[test]
    fn evidence_is_the_matched_phrases_in_text_order() {
        let got = classify(
            &mail("", "Cancel my subscription and refund me."),
            &ClassifyRules::defaults(),
        );
        assert_eq!(got.evidence, ["Cancel my subscription", "refund"]);
    }

    #[test]
    fn compile_reports_list_index_and_pattern() {
        let s = |v: &[&str]| v.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        for (refund, cancellation, not, list, index) in [
            (s(&["("]), s(&[]), s(&[]), "refund", 0),
            (s(&["ok"]), s(&["ok", "[z-a]"]), s(&[]), "cancellation", 1),
            (s(&[]), s(&[]), s(&["a", "b", "(?P<"]), "not_a_request", 2),
        ] {
            let err = ClassifyRules::compile(&refund, &cancellation, &not).unwrap_err();
            assert_eq!((err.list, err.index), (list, index));
            assert!(
                err.to_string()
                    .starts_with(&format!("{list}[{index}]: invalid regular expression")),
                "{err}"
            );
        }
        let rules = ClassifyRules::compile(&s(&["Money"]), &s(&[]), &s(&[])).unwrap();
        assert_eq!(
            classify(&mail("", "my money please"), &rules).intent,
            Intent::Refund,
            "case-insensitive"
        );
    }
}
