//! Screening by what a message says, for machine mail that carries no header marker at all:
//! out-of-office notices, bounces that are not reports, challenge-response requests. Pure.
//!
//! Each rule looks only where such software writes (the subject's start, the first lines of
//! the new text), and the body rules yield to a customer's request: "I'm out of office next
//! week, so please cancel before then" is a customer, not an autoresponder.

use std::sync::LazyLock;

use crate::parse::{Inbound, normalized};
use crate::pattern::Pattern;

/// Subject prefixes that autoresponders write, in the seven languages: Outlook's "Automatic
/// reply:", Notes' "AUTO:", Exchange's translations, and the common hand-set ones.
const AUTO_REPLY_SUBJECTS: [&str; 65] = [
    "auto",
    "out of office",
    "out of the office",
    "out-of-office",
    "out of office reply",
    "out of office autoreply",
    "ooo",
    "automatic reply",
    "automated reply",
    "automatic response",
    "automated response",
    "auto reply",
    "auto-reply",
    "autoreply",
    "auto response",
    "auto-response",
    "autoresponse",
    "absence",
    "abwesenheitsnotiz",
    "abwesenheit",
    "automatische antwort",
    "abwesend",
    "réponse automatique",
    "reponse automatique",
    "absence du bureau",
    "absent",
    "absente",
    "respuesta automática",
    "respuesta automatica",
    "fuera de la oficina",
    "ausencia",
    "fuera de oficina",
    "risposta automatica",
    "fuori sede",
    "fuori ufficio",
    "assente",
    "automatisch antwoord",
    "afwezig",
    "afwezigheid",
    "afwezigheidsmelding",
    "resposta automática",
    "resposta automatica",
    "ausência",
    "ausencia do escritório",
    "ausente do escritório",
    "fora do escritório",
    // Outlook's "Automatic reply" and the usual hand-set words in other languages: replies to
    // our mail come from everywhere, not only from the seven languages we answer in.
    "automatisk svar",
    "autosvar",
    "automaattinen vastaus",
    "automatyczna odpowiedź",
    "автоматический ответ",
    "автоответ",
    "otomatik yanıt",
    "otomatik cevap",
    "automatická odpověď",
    "automatikus válasz",
    "αυτόματη απάντηση",
    "răspuns automat",
    "自动答复",
    "自动回复",
    "自動回覆",
    "自動応答",
    "自動返信",
    "자동 회신",
    "자동 응답",
];

/// An autoresponder's subject: `Automatic reply: Re: ...`, `[Auto-Reply] ...`, or one that
/// starts with such words. `strict` is whether it holds even beside a request: a prefix with
/// a colon or in brackets is what the software writes; a subject that merely starts with
/// "Out of office" could be a person's.
fn auto_reply_subject(subject: &str) -> Option<bool> {
    let subject = normalized(subject);
    if let Some(inner) = subject.strip_prefix('[')
        && let Some((tag, _)) = inner.split_once(']')
        && AUTO_REPLY_SUBJECTS.contains(&tag.trim())
    {
        return Some(true);
    }
    if let Some((prefix, _)) = subject.split_once(':')
        && AUTO_REPLY_SUBJECTS.contains(&prefix.trim())
    {
        return Some(true);
    }
    AUTO_REPLY_SUBJECTS
        .iter()
        .filter(|s| s.len() > 4)
        .any(|s| {
            subject
                .strip_prefix(s)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '(', ',']))
        })
        .then_some(false)
}

/// The first words of an out-of-office or automated notice, in the seven languages.
static AUTO_REPLY_OPENING: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(concat!(
        r"(?:^|[\s.,!:])(?:",
        // en
        r"this is an? (?:automated|automatic|auto-generated|automatically generated) (?:response|reply|message|e-?mail|notification|confirmation|acknowledge?ment|notice)",
        r"|(?:i am|i'm) (?:currently |now )?(?:away|out|travell?ing|attending \S+ (?:conference|event|trade fair)) (?:until|till|through|on business|with limited)",
        r"|with (?:limited|no|intermittent) access to (?:my )?e-?mails?|(?:will|shall) (?:\S+ ){0,6}?(?:upon|on|after) my return",
        r"|i(?: will|'ll) be back (?:in the office )?on (?:mon|tue|wed|thu|fri|sat|sun|\d)",
        r"|this (?:mailbox|inbox|e-?mail address) is (?:no longer|not) (?:monitored|checked|read)",
        r"|(?:i am|i'm|i will be|i'll be) (?:currently |now |presently )?(?:out of (?:the )?office|away from (?:the |my )?(?:office|desk)",
        r"|on (?:vacation|holiday|annual leave|leave|parental leave|maternity leave|sick leave|paternity leave)|out on leave)",
        // de
        r"|(?:dies ist|das ist|hierbei handelt es sich um) eine automatische (?:antwort|nachricht|e-?mail|benachrichtigung)",
        r"|ich (?:bin|befinde mich) (?:\S+ ){0,8}?(?:nicht im (?:büro|buero|haus|office)|abwesend|im urlaub|au(?:ß|ss)er haus|nicht erreichbar|auf (?:dienst|geschäfts)reise|in elternzeit)",
        r"|(?:dieses postfach|diese (?:e-?mail-)?adresse) wird nicht (?:mehr )?(?:gelesen|überwacht|abgerufen|betreut)",
        r"|(?:ab|am) (?:dem )?\S+ (?:\S+ )?(?:bin ich )?wieder (?:im büro|erreichbar|für sie da|zurück)",
        r"|(?:melde ich mich|werde ich (?:\S+ ){0,4}?(?:beantworten|bearbeiten)) (?:\S+ ){0,3}?nach meiner rückkehr",
        // fr
        r"|(?:ceci est|il s'agit d') ?(?:une|un) (?:réponse|reponse|message|courriel|e-?mail) automatique",
        r"|je (?:suis|serai) (?:\S+ ){0,4}?(?:absente?|en congés?|en vacances|hors du bureau|pas au bureau|en déplacement)",
        r"|cette (?:adresse|boîte(?: aux lettres)?|boite(?: aux lettres)?) n'est (?:plus|pas) (?:consultée|surveillée|lue)",
        r"|je serai de retour (?:le|au bureau|à partir)|(?:répondrai|traiterai) (?:\S+ ){0,4}?dès mon retour|avec un accès limité (?:à mes|aux) (?:e-?mails|courriels|messages)",
        // es
        r"|(?:este|esta|ésta|éste) es (?:un|una) (?:mensaje|respuesta|correo) automátic[oa]",
        r"|(?:estoy|estaré|me encuentro|estaremos) (?:\S+ ){0,4}?(?:fuera de (?:la )?oficina|de vacaciones|ausente|de baja (?:médica|por maternidad|por paternidad))",
        r"|(?:estaré de vuelta|regresaré|volveré a la oficina) (?:el|a partir)|(?:responderé|contestaré|atenderé) (?:\S+ ){0,4}?a mi regreso|con acceso limitado al correo",
        r"|(?:este|esta) (?:buzón|dirección|cuenta de correo) (?:ya )?no (?:se revisa|se consulta|es monitoread[oa])",
        // pt
        r"|(?:esta|este) é (?:uma|um) (?:resposta|mensagem|e-?mail) automátic[oa]",
        r"|(?:estou|estarei|encontro-me|me encontro) (?:\S+ ){0,4}?(?:fora do escritório|ausente|de férias|de licença)",
        r"|(?:estarei de volta|retornarei|regressarei) (?:em|no dia|a partir)|(?:responderei|retornarei) (?:\S+ ){0,4}?(?:no|após o|apos o) meu retorno|com acesso limitado (?:ao|a) (?:e-?mail|correio)",
        r"|(?:esta|este) (?:caixa|endereço|e-?mail) (?:\S+ ){0,2}?não é (?:mais )?(?:monitorad[oa]|lid[oa]|verificad[oa])",
        // it
        r"|(?:questa è una risposta|questo è un messaggio|questa è una e-?mail) automatic[ao]",
        r"|(?:sono|sarò|saro) (?:\S+ ){0,4}?(?:fuori (?:ufficio|sede)|assente|in ferie|in vacanza|in maternità|in malattia)",
        r"|(?:rientrerò|sarò di nuovo in ufficio|tornerò in ufficio) (?:il|dal|lunedì|martedì|mercoledì|giovedì|venerdì)|(?:risponderò|risponderó) (?:\S+ ){0,4}?al mio rientro|con accesso limitato alla (?:posta|e-?mail)",
        r"|(?:questa casella|questo indirizzo) (?:\S+ ){0,2}?non è (?:più )?(?:monitorat[oa]|lett[oa]|presidiat[oa])",
        // nl
        r"|dit is een automatisch(?: gegenereerd)? (?:antwoord|bericht)",
        r"|ik ben (?:\S+ ){0,8}?(?:afwezig|niet op kantoor|niet aanwezig|met vakantie|op vakantie|buiten kantoor|met verlof)",
        r"|ben ik (?:weer|terug) (?:aanwezig|op kantoor|bereikbaar)|(?:beantwoord|reageer) (?:\S+ ){0,4}?na mijn terugkomst|met beperkte toegang tot (?:mijn )?e-?mail",
        r"|(?:deze mailbox|dit (?:e-?mail)?adres|deze inbox) wordt niet (?:meer |langer )?(?:gelezen|gecontroleerd|bijgehouden)",
        r")"
    ))
    .expect("static regex")
});

/// A notice that the addressee has left, in the seven languages. A customer may write the same
/// words ("our admin is no longer with us, how do I change the owner?"), so it counts only
/// beside a pointer elsewhere: another address or "please contact".
static PERSON_GONE: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(concat!(
        r"\b(?:is no longer (?:with|employed (?:at|by|with)|working (?:at|for|with))|no longer works (?:at|for|with|here)",
        r"|has left (?:the|our) (?:company|organi[sz]ation|firm|business|team)",
        r"|ist (?:\S+ ){0,6}?nicht mehr (?:im unternehmen|in unserem unternehmen|bei uns|für \S+ tätig|tätig|beschäftigt)",
        r"|ne fait plus partie de|n'est plus (?:en poste|dans l'entreprise|chez|employée? (?:par|chez))",
        r"|ya no (?:trabaja|forma parte) (?:en|de|con)",
        r"|não (?:faz mais parte|trabalha mais) (?:d[aoe]|n[ao]|conosco|com)",
        r"|non (?:lavora più|fa più parte) (?:presso|per|di|con|del|della)",
        r"|is niet (?:langer|meer) (?:werkzaam|in dienst) (?:bij|voor))"
    ))
    .expect("static regex")
});

/// Where a notice of someone gone sends the reader: another address, or "please contact".
static GONE_POINTER: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(concat!(
        r"@|\b(?:please (?:contact|write to|direct|send|forward|reach)|wenden sie sich|",
        r"merci de contacter|veuillez (?:contacter|écrire)|por favor (?:contacte|contacta|escriba|escreva|entre em contato)|",
        r"contacte con|entre em contato|si prega di contattare|contattare|neem contact op|gelieve contact)"
    ))
    .expect("static regex")
});

/// Words of a refund or cancellation request, in the seven languages (stems, so that
/// inflections count).
static REQUEST_WORD: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(concat!(
        r"\b(?:refund|money back|cancel|terminate|close my account|delete my account",
        r"|erstatt|kündig|kuendig|storn|geld zurück|rückzahl",
        r"|rembours|résili|resili|annul",
        r"|reembols|devoluci|darme de baja|dar de baja|devolu",
        r"|rimbors|disdett|disdir|recesso",
        r"|terugbetal|opzeg|annuleer|stopzet|geld terug)"
    ))
    .expect("static regex")
});

/// A sentence that sends the reader elsewhere ("for cancellations, please contact Bob"):
/// autoresponders write these; a request does not.
static REDIRECT_WORD: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(concat!(
        r"\b(?:contact|reach|urgent|kontakt|wenden sie sich|dringend|contactez|joindre",
        r"|contacte|contacta|urgente|contatt|urgenti|neem contact|spoed)"
    ))
    .expect("static regex")
});

/// Whether any sentence of `text` asks for a refund or cancellation, other than one that
/// only says whom to contact.
fn has_request(text: &str) -> bool {
    normalized(text)
        .split(['.', '!', '?', ';', '\n'])
        .any(|s| REQUEST_WORD.is_match(s) && !REDIRECT_WORD.is_match(s))
}

/// The start of the new text where an autoresponder writes its notice: the first three
/// non-empty lines, at most 400 characters.
fn opening(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(3)
        .collect();
    let joined: String = lines.join(" ").chars().take(800).collect();
    normalized(&joined).chars().take(400).collect()
}

/// An out-of-office or automated notice without any header marker: by its subject, or by
/// its opening words when no sentence asks for a refund or cancellation.
pub fn is_auto_reply_text(mail: &Inbound) -> bool {
    match auto_reply_subject(&mail.subject) {
        Some(true) => true,
        Some(false) => !has_request(&mail.text),
        None => {
            let opening = opening(&mail.text);
            let notice = AUTO_REPLY_OPENING.is_match(&opening)
                || (PERSON_GONE.is_match(&opening) && GONE_POINTER.is_match(&opening));
            notice && !has_request(&mail.text)
        }
    }
}

/// The first words of a mail system's non-delivery or delay notice sent as plain text (the
/// software's own sentences: Postfix, Sendmail, Exim, qmail, Exchange, Gmail, Notes, and
/// Exchange's translations). No customer opens a message with them, so they hold even when
/// the returned message under them has request words, as a returned reply of ours has.
static BOUNCE_OPENING: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(concat!(
        r"(?:^|[\s.,!:*])(?:",
        r"this is the mail system at host|this is the qmail-send program",
        r"|this message was created automatically by mail delivery software",
        r"|this is an automatically generated delivery status notification",
        r"|this is a warning message only|transcript of session follows",
        r"|the original message was received at .{0,60}from",
        r"|i'm (?:afraid|sorry) (?:i wasn't able|to have to inform you that (?:your|the) message)",
        r"|delivery has failed to these recipients|your message did not reach some or all of the intended recipients",
        r"|delivery to the following recipients? (?:failed|has been delayed|was delayed)",
        r"|(?:could not|couldn't) be delivered to one or more (?:of its )?recipients",
        r"|the following (?:addresses|address|recipients?) had (?:permanent )?(?:fatal )?(?:errors|delivery errors)",
        r"|your message to \S+@\S+ (?:could not|couldn't|cannot|can't|was not|wasn't) (?:be )?delivered",
        r"|your message (?:was not|wasn't|could not be|couldn't be) delivered to \S+@",
        r"|sorry, we were unable to deliver your message",
        r"|\*\* ?(?:address not found|message not delivered|message blocked|delivery incomplete|message delayed) ?\*\*",
        // de
        r"|die zustellung an (?:folgende|diese) empfänger(?: oder gruppen)? ist fehlgeschlagen",
        r"|ihre nachricht an \S+@\S+ (?:konnte nicht zugestellt werden|wurde nicht zugestellt)",
        // fr
        r"|la remise (?:aux destinataires|à ces destinataires)(?: ou groupes)?(?: suivants)? a échoué",
        r"|votre message à \S+@\S+ n'a pas pu être (?:remis|distribué|livré)",
        // es
        r"|error al entregar el mensaje a (?:estos|los siguientes) destinatarios",
        r"|(?:su|tu) mensaje (?:a|para) \S+@\S+ no (?:se pudo entregar|pudo ser entregado|fue entregado)",
        // pt
        r"|a entrega (?:a|para) (?:estes|os seguintes) destinatários(?: ou grupos)? falhou",
        r"|(?:sua|a sua) mensagem para \S+@\S+ não (?:pôde ser entregue|foi entregue)",
        // it
        r"|recapito non riuscito a (?:questi|i seguenti) destinatari",
        r"|il (?:tuo |suo )?messaggio (?:a|per) \S+@\S+ non (?:è stato|ha potuto essere|può essere) recapitato",
        // nl
        r"|(?:de )?bezorging (?:is )?mislukt (?:voor|aan) (?:deze|de volgende) ontvangers",
        r"|uw bericht aan \S+@\S+ (?:kon niet worden (?:bezorgd|afgeleverd)|is niet (?:bezorgd|afgeleverd))",
        r")"
    ))
    .expect("static regex")
});

/// A non-delivery or delay notice without report structure or system sender: by the mail
/// system's own opening words.
pub fn is_bounce_text(mail: &Inbound) -> bool {
    BOUNCE_OPENING.is_match(&opening(&mail.text))
}

/// Subject prefixes of read receipts, in the seven languages ("Not read" is the receipt of a
/// message deleted unread).
const READ_SUBJECTS: [&str; 12] = [
    "read",
    "not read",
    "gelesen",
    "ungelesen",
    "lu",
    "non lu",
    "leído",
    "leido",
    "lido",
    "letto",
    "gelezen",
    "niet gelezen",
];

/// What a plain-text receipt says of our message.
static READ_BODY: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(concat!(
        r"\b(?:was read on|was deleted without being read|has been read|wurde am .{0,40}gelesen",
        r"|wurde ungelesen gelöscht|a été lu|a été supprimé sans avoir été lu|fue leído|fue leido",
        r"|foi lid[ao]|è stato letto|e stato letto|is gelezen op|werd gelezen op)"
    ))
    .expect("static regex")
});

/// A client's plain-text read receipt (Outlook sends these when it does not write RFC 8098
/// notifications): a receipt subject and a text saying our message was read. Both are needed:
/// "Read: my refund request" alone could be a person's.
pub fn is_read_receipt_text(mail: &Inbound) -> bool {
    let subject = normalized(&mail.subject);
    let receipt_subject = subject
        .split_once(':')
        .is_some_and(|(prefix, _)| READ_SUBJECTS.contains(&prefix.trim()));
    receipt_subject && READ_BODY.is_match(&normalized(&mail.text))
}

/// What challenge-response systems (BoxTrapper, SpamArrest, Mailblocks and their kind) write
/// and a customer does not: named outright.
static CHALLENGE_STRONG: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(concat!(
        r"\b(?:boxtrapper|spam ?arrest|mailblocks|challenge[- ]response|sender verification request",
        r"|(?:verify|prove|confirm) (?:that )?you(?: are|'re) (?:a )?(?:human|real person|not a (?:robot|spammer|machine))",
        r"|approved senders? list|whitelist request|allowlist request",
        r"|bestätigen sie,? dass sie (?:ein mensch|kein roboter)",
        r"|confirmer que vous (?:êtes un humain|n'êtes pas un robot)",
        r"|(?:confirmar|verificar) que (?:usted )?(?:es (?:humano|una persona)|no es un robot)",
        r"|(?:confirmar|verificar) que (?:você )?(?:é humano|não é um robô)",
        r"|(?:confermare|verificare) che (?:sei|è) (?:un essere umano|una persona)|non sei un robot",
        r"|bevestig(?:en)? dat u (?:een mens|geen robot) bent)"
    ))
    .expect("static regex")
});

/// The three parts of a challenge described in other words: a spam filter or protection,
/// a request to verify or confirm, and a link to click or a reply to send.
static CHALLENGE_FILTER: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(r"\b(?:spam|anti-?spam|junk|spamschutz|spamfilter|protected by|geschützt durch|protégée? par|protegid[oa] por|protett[oa] da|beschermd door)")
        .expect("static regex")
});
static CHALLENGE_VERIFY: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(r"\b(?:verif|confirm|bestätig|valid|authentif|bevestig|conferm)")
        .expect("static regex")
});
static CHALLENGE_ACTION: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(r"\b(?:click|klick|cliqu|clic|haga clic|clique|fare clic|klik|follow the link|link below|reply to this|antworten sie|répondez|responda|rispondi|beantwoord)")
        .expect("static regex")
});

/// A challenge-response message: a spam filter holding our mail until someone proves to be
/// a person. Answering it would confirm our address to the filter and answer no customer.
pub fn is_challenge(mail: &Inbound) -> bool {
    // Cut before normalizing: the text may be a megabyte, the challenge is at its top.
    let top: String = mail.text.chars().take(2400).collect();
    let head: String = normalized(&top).chars().take(1200).collect();
    let subject = normalized(&mail.subject);
    if CHALLENGE_STRONG.is_match(&head) || CHALLENGE_STRONG.is_match(&subject) {
        return true;
    }
    CHALLENGE_FILTER.is_match(&head)
        && CHALLENGE_VERIFY.is_match(&head)
        && CHALLENGE_ACTION.is_match(&head)
        && !has_request(&mail.text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_reply_subjects() {
        for (subject, want) in [
            (
                "AUTO: Ann Lee is out of the office (returning 10/03/2026)",
                Some(true),
            ),
            ("Auto: Re: Refund", Some(true)),
            ("[Auto-Reply] Re: Refund", Some(true)),
            ("Absence: Re: résiliation", Some(true)),
            ("Ausência: Re: cancelamento", Some(true)),
            ("Automatisk svar: Re: Refund", Some(true)),
            ("Автоматический ответ: Re: Refund", Some(true)),
            ("自動応答: Re: Refund", Some(true)),
            ("Out of the office", Some(false)),
            ("Out of office until Monday", Some(false)),
            ("Abwesenheitsnotiz", Some(false)),
            ("Automobile refund", None),
            ("Absent-minded: please cancel", None),
            ("Refund please", None),
            ("Re: Out of office: refund", None),
        ] {
            assert_eq!(auto_reply_subject(subject), want, "{subject}");
        }
    }

    #[test]
    fn requests_beside_redirects() {
        for (text, request) in [
            (
                "I'm out of office next week, so please cancel before then.",
                true,
            ),
            (
                "For cancellations please contact billing@customer.example.",
                false,
            ),
            (
                "Bei dringenden Kündigungen wenden Sie sich an Herrn Roth.",
                false,
            ),
            (
                "Ich bin bis 10.03. nicht im Büro. Bitte kündigen Sie mein Abo.",
                true,
            ),
            ("I will read your message when I return.", false),
        ] {
            assert_eq!(has_request(text), request, "{text}");
        }
    }

    #[test]
    fn bounce_openings() {
        for (text, bounce) in [
            (
                "This is the mail system at host mx.partner.example.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.",
                true,
            ),
            (
                "    **********************************************\n    **      THIS IS A WARNING MESSAGE ONLY      **\n    **********************************************\n\nThe original message was received at Tue, 3 Mar 2026 06:00:00 +0000\nfrom relay.example [192.0.2.1]",
                true,
            ),
            (
                "This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. Please cancel nothing; this is permanent.",
                true,
            ),
            (
                "Delivery has failed to these recipients or groups:\n\nann@customer.example\nYour subscription has been cancelled and a refund issued.",
                true,
            ),
            (
                "** Address not found **\n\nYour message wasn't delivered to ann@customer.example because the address couldn't be found.",
                true,
            ),
            (
                "Die Zustellung an folgende Empfänger oder Gruppen ist fehlgeschlagen:\n\nkunde@kunde.example",
                true,
            ),
            (
                "Votre message à client@client.example n'a pas pu être remis.",
                true,
            ),
            (
                "Uw bericht aan klant@klant.example kon niet worden bezorgd.",
                true,
            ),
            (
                "My order was not delivered and I would like a refund.",
                false,
            ),
            (
                "Your message could not be clearer: I want my money back.",
                false,
            ),
            (
                "Hi, my email to billing bounced, see below. Please cancel my plan.\n\n---------- Forwarded message ---------\nFrom: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nSubject: Delivery Status Notification (Failure)\n\n** Address not found **",
                false,
            ),
        ] {
            assert_eq!(is_bounce_text(&mail("Hello", text)), bounce, "{text}");
        }
    }

    #[test]
    fn notices_of_people_gone_or_away() {
        for (text, auto) in [
            (
                "Thank you for your email. Greg Ortiz is no longer with Customer Inc. Please write to accounts@customer.example.",
                true,
            ),
            ("This mailbox is no longer monitored.", true),
            (
                "Thank you for contacting Customer Help. This is an automatic confirmation that we have received your message.",
                true,
            ),
            (
                "Vielen Dank für Ihre Nachricht. Ich befinde mich bis einschließlich 10.03. im Urlaub.",
                true,
            ),
            (
                "Frau Roth ist nicht mehr im Unternehmen tätig. Bitte wenden Sie sich an info@kunde.example.",
                true,
            ),
            (
                "Mme Petit ne fait plus partie de la société. Merci de contacter accueil@client.example.",
                true,
            ),
            (
                "Ya no trabaja en la empresa; escriba a info@cliente.example.",
                true,
            ),
            ("Esta caixa de correio não é monitorada.", true),
            (
                "Il signor Bianchi non lavora più presso la nostra azienda. Si prega di contattare info@cliente.example.",
                true,
            ),
            (
                "Jan is niet meer werkzaam bij ons bedrijf. Neem contact op met info@klant.example.",
                true,
            ),
            (
                "Our admin is no longer with us. How do I change the owner of the account?",
                false,
            ),
            (
                "I'm travelling from Spain and the app does not load.",
                false,
            ),
            (
                "I have no access to my email any more, how do I log in?",
                false,
            ),
            (
                "On my return from holiday I found two charges on my card.",
                false,
            ),
            ("This account is not active, I cannot log in.", false),
            (
                "Nach meiner Rückkehr aus dem Urlaub sah ich die Abbuchung.",
                false,
            ),
            (
                "Thanks for your note. I am away until 9 March with limited access to email.",
                true,
            ),
            (
                "I'm travelling on business until Friday and will answer upon my return.",
                true,
            ),
            (
                "Danke für Ihre Nachricht. Ab dem 9. März bin ich wieder im Büro.",
                true,
            ),
            (
                "Merci pour votre message. Je serai de retour le 9 mars.",
                true,
            ),
            (
                "Gracias. Estaré de vuelta el 9 de marzo, con acceso limitado al correo.",
                true,
            ),
            ("Obrigado. Retornarei em 9 de março.", true),
            ("Grazie. Rientrerò il 9 marzo.", true),
            ("Bedankt. Vanaf maandag ben ik weer aanwezig.", true),
            (
                "I'm away until Friday, so please refund the charge before the weekend.",
                false,
            ),
            (
                "I was away on holiday and forgot to cancel. Can I get the renewal back?",
                false,
            ),
            (
                "I am no longer with my old employer, so please cancel the subscription under this address.",
                false,
            ),
            (
                "I'm no longer using the app and nothing else to say.",
                false,
            ),
        ] {
            assert_eq!(
                is_auto_reply_text(&mail("Re: your plan", text)),
                auto,
                "{text}"
            );
        }
    }

    fn mail(subject: &str, text: &str) -> Inbound {
        Inbound::example(subject, text)
    }

    /// Out-of-office notices in the seven languages, and customers who only mention being
    /// away, both ways.
    #[test]
    fn auto_reply_texts() {
        for (subject, text, auto) in [
            (
                "Re: Refund",
                "This is an automatic reply. I will be back on Monday.",
                true,
            ),
            (
                "Re: Refund",
                "Thank you for your message.\nI'm currently out of the office and will return on 12 March.",
                true,
            ),
            (
                "Re: Refund",
                "Hello,\nI am on annual leave until 12 March.\nFor urgent matters, contact pat@x.example.",
                true,
            ),
            (
                "AW: Erstattung",
                "Dies ist eine automatische Antwort. Ich bin ab dem 12.03. wieder erreichbar.",
                true,
            ),
            (
                "AW: Kündigung",
                "Ich bin vom 3. bis 12. März im Urlaub. Bei dringenden Kündigungen wenden Sie sich an Frau Roth.",
                true,
            ),
            (
                "RE: Résiliation",
                "Ceci est une réponse automatique. Je suis en congés jusqu'au 12 mars.",
                true,
            ),
            (
                "RE: Reembolso",
                "Este es un mensaje automático: estaré fuera de la oficina hasta el 12 de marzo.",
                true,
            ),
            (
                "RE: Reembolso",
                "Estou fora do escritório até 12 de março.",
                true,
            ),
            (
                "R: Rimborso",
                "Sono in ferie fino al 12 marzo. Per urgenze contattare il collega.",
                true,
            ),
            (
                "RE: Opzeggen",
                "Dit is een automatisch antwoord. Ik ben met vakantie tot 12 maart.",
                true,
            ),
            // People.
            (
                "Cancellation",
                "Hi, I'm out of office next week, so please cancel before then.",
                false,
            ),
            (
                "Refund",
                "I am on vacation and was charged again. Refund me please.",
                false,
            ),
            (
                "Kündigung",
                "Ich bin ab Montag nicht im Büro, deshalb kündige ich jetzt.",
                false,
            ),
            (
                "Remboursement",
                "Je suis absent depuis un mois et je veux être remboursé.",
                false,
            ),
            (
                "Reembolso",
                "Estoy de vacaciones y quiero un reembolso del cargo.",
                false,
            ),
            (
                "Reembolso",
                "Estou de férias e quero o reembolso da cobrança.",
                false,
            ),
            (
                "Disdetta",
                "Sono in ferie, vorrei la disdetta dell'abbonamento.",
                false,
            ),
            (
                "Opzeggen",
                "Ik ben afwezig volgende maand, graag mijn abonnement opzeggen.",
                false,
            ),
            (
                "Question",
                "Hello, when I was out of the office last week the app stopped working.",
                false,
            ),
            (
                "Re: Refund",
                "Thanks! Out of curiosity, is the office open on Sundays?",
                false,
            ),
        ] {
            assert_eq!(
                is_auto_reply_text(&mail(subject, text)),
                auto,
                "{subject} | {text}"
            );
        }
    }

    #[test]
    fn challenges() {
        for (subject, text, challenge) in [
            (
                "Re: Refund",
                "Please verify you are human by clicking the link below.",
                true,
            ),
            (
                "Verification",
                "Your message was held by SpamArrest until you verify.",
                true,
            ),
            (
                "Re: Résiliation",
                "Mon anti-spam retient votre message. Cliquez sur le lien pour le confirmer.",
                true,
            ),
            (
                "Re: Reembolso",
                "Mi filtro antispam retuvo su mensaje. Haga clic en el enlace para confirmar.",
                true,
            ),
            (
                "Re: Opzeggen",
                "Uw bericht is tegengehouden door mijn spamfilter. Klik op de link om te bevestigen.",
                true,
            ),
            // People.
            (
                "Cancel",
                "Your mails go to my spam folder. I clicked confirm but please cancel my plan.",
                false,
            ),
            (
                "Refund",
                "I never confirmed this plan, click fraud? Refund me.",
                false,
            ),
            (
                "Help",
                "How do I verify my email address? The link does nothing when I click.",
                false,
            ),
        ] {
            assert_eq!(
                is_challenge(&mail(subject, text)),
                challenge,
                "{subject} | {text}"
            );
        }
    }

    /// Every subject prefix the issue names, as an autoresponder writes it before our subject.
    #[test]
    fn every_named_auto_reply_subject() {
        for prefix in [
            "AUTO:",
            "Auto:",
            "Automatic reply:",
            "Autoreply:",
            "Out of office:",
            "Out of the office:",
            "Abwesenheitsnotiz:",
            "Automatische Antwort:",
            "Réponse automatique :",
            "Absence :",
            "Respuesta automática:",
            "Fuera de la oficina:",
            "Resposta automática:",
            "Ausência:",
            "Risposta automatica:",
            "Fuori sede:",
            "Automatisch antwoord:",
            "Afwezig:",
        ] {
            let subject = format!("{prefix} Re: Please refund me");
            let m = mail(&subject, "Please refund my last charge.");
            assert!(is_auto_reply_text(&m), "{subject}");
        }
    }
}
