//! A generated benchmark corpus: varied support mail (plain, HTML-only, multipart, quoted
//! replies, seven languages, auto-replies, strangers, some with a 1 MB attachment), the same
//! for every seed, so that 2,000 messages need not be committed as files.
//!
//! Shared by `benches/pipeline.rs` and `examples/backlog_floor.rs` (whose `maildir` command
//! writes it to disk for `bench/backlog` and the memory runs) through `#[path]`; it depends only
//! on std.

#![allow(dead_code)] // each includer uses part of it

use std::fmt::Write as _;

/// What a generated message is, for the mix report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Plain,
    HtmlOnly,
    Alternative,
    QuotedReply,
    Attachment,
    NotARequest,
    AutoReply,
    Stranger,
}

/// One message and who sent it.
pub struct Message {
    pub kind: Kind,
    pub lang: &'static str,
    /// The sender's address (an account's, except for strangers and auto-replies).
    pub from: String,
    pub message_id: String,
    pub bytes: Vec<u8>,
}

/// The mix. `requests_only` gives answerable requests from known accounts only (the backlog);
/// otherwise every kind appears, about one message in fifty with a 1 MB attachment.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub count: usize,
    pub seed: u64,
    pub requests_only: bool,
    /// The support address the mail is sent to.
    pub support: &'static str,
    /// Customers' domain (mail there must be deliverable, or sink, on the test stack).
    pub customer_domain: &'static str,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            count: 2000,
            seed: 5,
            requests_only: false,
            support: "support@notoutcrm.com",
            customer_domain: "customer.example",
        }
    }
}

/// splitmix64: tiny, deterministic, good enough to pick from lists.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

struct Lang {
    code: &'static str,
    greetings: &'static [&'static str],
    requests: &'static [(&'static str, &'static str)],
    others: &'static [(&'static str, &'static str)],
    closings: &'static [&'static str],
    quote_intro: &'static str,
}

const LANGS: &[Lang] = &[
    Lang {
        code: "en",
        greetings: &["Hi there,", "Hello team,", "Hi,", "Dear support,"],
        requests: &[
            (
                "Refund request",
                "I was charged $49 this morning for a renewal I forgot to cancel. Could you refund that charge?",
            ),
            (
                "Refund",
                "The app never worked on our machines. I would like a refund of my subscription, please.",
            ),
            (
                "Cancel my subscription",
                "Please cancel my subscription effective immediately. We've moved to another tool.",
            ),
            (
                "Cancel and refund",
                "Please cancel our subscription and refund the last month, we haven't logged in since October.",
            ),
            (
                "Money back",
                "I want a full refund for the monthly plan, the export feature does not exist.",
            ),
            (
                "Closing our account",
                "I want to close my account and get my money back for this month.",
            ),
        ],
        others: &[
            (
                "Invoice address",
                "Could you change the billing address on our invoices to our new office?",
            ),
            (
                "How do refunds work?",
                "Before I buy, what is your refund policy for annual plans?",
            ),
            (
                "Feature request",
                "It would be great if the calendar view could show weekends.",
            ),
        ],
        closings: &[
            "Thanks,\nPriya\n\nSent from my iPhone",
            "Best,\nJordan Mills\nHead of Ops, Brightpath Ltd\n+44 20 7946 0958",
            "Regards,\nM. Chen",
            "Cheers,\nSam\n-- \nSam Ortega | Ortega Design",
        ],
        quote_intro: "On Mon, 2 Nov 2026 at 09:12, Support <support@notoutcrm.com> wrote:",
    },
    Lang {
        code: "de",
        greetings: &["Hallo,", "Sehr geehrte Damen und Herren,"],
        requests: &[
            (
                "Kündigung",
                "hiermit kündige ich mein Abonnement zum nächstmöglichen Zeitpunkt. Bitte bestätigen Sie mir die Kündigung.",
            ),
            (
                "Rückerstattung",
                "Mir wurden heute 49 € abgebucht, obwohl ich nur die Testphase nutzen wollte. Ich bitte um Rückerstattung.",
            ),
            (
                "Kündigung und Geld zurück",
                "Ich möchte meinen Vertrag kündigen und mein Geld für den nicht genutzten Monat zurück.",
            ),
        ],
        others: &[(
            "Rechnung",
            "Können Sie mir die Rechnung für Oktober noch einmal schicken?",
        )],
        closings: &[
            "Mit freundlichen Grüßen\nAnna Schulz\n\nVon meinem iPhone gesendet",
            "Viele Grüße\nJonas Becker\nBecker GmbH",
        ],
        quote_intro: "Am Mo., 2. Nov. 2026 um 09:12 schrieb Support <support@notoutcrm.com>:",
    },
    Lang {
        code: "es",
        greetings: &["Hola,", "Buenos días,"],
        requests: &[
            (
                "Cancelar suscripción",
                "Quiero cancelar mi suscripción. Ya no la usamos.",
            ),
            (
                "Reembolso",
                "Me cobraron la renovación sin aviso. Solicito el reembolso del importe.",
            ),
            (
                "Cancelación y reembolso",
                "Quiero cancelar mi cuenta y que me reembolsen el último pago, por favor.",
            ),
        ],
        others: &[("Factura", "¿Pueden enviarme la factura del mes pasado?")],
        closings: &[
            "Gracias,\nCarlos\n\nEnviado desde mi iPhone",
            "Saludos,\nLucía Fernández",
        ],
        quote_intro: "El lun, 2 nov 2026 a las 9:12, Soporte (<support@notoutcrm.com>) escribió:",
    },
    Lang {
        code: "fr",
        greetings: &["Bonjour,"],
        requests: &[
            (
                "Résiliation",
                "Je souhaite résilier mon abonnement à la fin de la période en cours.",
            ),
            (
                "Remboursement",
                "J'ai été débité deux fois ce mois-ci. Pouvez-vous me rembourser le second prélèvement ?",
            ),
        ],
        others: &[("Facture", "Pourriez-vous m'envoyer la facture d'octobre ?")],
        closings: &[
            "Cordialement,\nCamille Martin",
            "Merci,\nLuc\n\nEnvoyé de mon iPhone",
        ],
        quote_intro: "Le lun. 2 nov. 2026 à 09:12, Support <support@notoutcrm.com> a écrit :",
    },
    Lang {
        code: "pt",
        greetings: &["Olá,", "Bom dia,"],
        requests: &[
            (
                "Cancelamento",
                "Quero cancelar a minha assinatura. Não usamos mais o serviço.",
            ),
            (
                "Reembolso",
                "Fui cobrado pela renovação sem aviso. Peço o reembolso do valor.",
            ),
        ],
        others: &[("Fatura", "Podem enviar a fatura de outubro novamente?")],
        closings: &["Obrigado,\nJoão", "Atenciosamente,\nMariana Souza"],
        quote_intro: "Em seg., 2 de nov. de 2026 às 09:12, Suporte <support@notoutcrm.com> escreveu:",
    },
    Lang {
        code: "it",
        greetings: &["Buongiorno,", "Ciao,"],
        requests: &[
            (
                "Disdetta",
                "Vorrei disdire il mio abbonamento a partire dal prossimo mese.",
            ),
            (
                "Rimborso",
                "Mi è stato addebitato il rinnovo senza preavviso. Chiedo il rimborso dell'importo.",
            ),
        ],
        others: &[("Fattura", "Potete inviarmi di nuovo la fattura di ottobre?")],
        closings: &["Cordiali saluti,\nGiulia Rossi", "Grazie,\nMarco"],
        quote_intro: "Il giorno lun 2 nov 2026 alle ore 09:12 Support <support@notoutcrm.com> ha scritto:",
    },
    Lang {
        code: "nl",
        greetings: &["Hallo,", "Beste,"],
        requests: &[
            (
                "Opzeggen",
                "Ik wil mijn abonnement opzeggen per het einde van deze maand.",
            ),
            (
                "Terugbetaling",
                "Er is twee keer afgeschreven deze maand. Graag wil ik mijn geld terug.",
            ),
        ],
        others: &[(
            "Factuur",
            "Kunnen jullie de factuur van oktober nog eens sturen?",
        )],
        closings: &["Met vriendelijke groet,\nDaan de Vries", "Groeten,\nSanne"],
        quote_intro: "Op ma 2 nov 2026 om 09:12 schreef Support <support@notoutcrm.com>:",
    },
];

const HISTORY: &str = "Thank you for contacting support. Your ticket has been received and we will\n\
get back to you within one business day. To cancel or request a refund, reply to this\n\
message. Our refund policy is available on our website.\n";

/// The customer address of account `i`.
pub fn customer(opts: &Options, i: usize) -> String {
    format!("cust-{i}@{}", opts.customer_domain)
}

/// An accounts CSV with one monthly account per customer, first paid `paid` (YYYY-MM-DD).
pub fn accounts_csv(opts: &Options, paid: &str) -> String {
    let mut csv = String::from(
        "account_id,email,name,plan,signed_up_on,first_paid_on,first_payment,last_payment,currency\n",
    );
    for i in 0..opts.count {
        let _ = writeln!(
            csv,
            "A-{:06},{},Customer {i},monthly,{paid},{paid},49.00,49.00,USD",
            i,
            customer(opts, i)
        );
    }
    csv
}

fn base64_lines(bytes: &[u8], out: &mut String) {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (n, chunk) in bytes.chunks(3).enumerate() {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(T[((v >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
        if n % 19 == 18 {
            out.push_str("\r\n");
        }
    }
    out.push_str("\r\n");
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn html(text: &str) -> String {
    let mut s =
        String::from("<html><head><style>p{margin:0}</style></head><body><div dir=\"ltr\">");
    for para in text.split("\n\n") {
        let _ = write!(s, "<p>{}</p>\r\n", html_escape(para).replace('\n', "<br>"));
    }
    s.push_str("</div></body></html>");
    s
}

/// Generates the corpus. Message `i` of a given seed is always the same bytes.
pub fn generate(opts: &Options) -> Vec<Message> {
    let mut rng = Rng::new(opts.seed);
    let attachment: Vec<u8> = {
        let mut r = Rng::new(opts.seed.wrapping_add(1));
        (0..1_000_000).map(|_| r.next() as u8).collect()
    };
    let mut encoded_attachment = String::new();
    base64_lines(&attachment, &mut encoded_attachment);
    (0..opts.count)
        .map(|i| one(opts, i, &mut rng, &encoded_attachment))
        .collect()
}

fn one(opts: &Options, i: usize, rng: &mut Rng, attachment: &str) -> Message {
    let kind = if opts.requests_only {
        *rng.pick(&[
            Kind::Plain,
            Kind::Plain,
            Kind::HtmlOnly,
            Kind::Alternative,
            Kind::QuotedReply,
        ])
    } else if i % 50 == 7 {
        Kind::Attachment
    } else {
        *rng.pick(&[
            Kind::Plain,
            Kind::Plain,
            Kind::Plain,
            Kind::HtmlOnly,
            Kind::HtmlOnly,
            Kind::Alternative,
            Kind::QuotedReply,
            Kind::QuotedReply,
            Kind::NotARequest,
            Kind::AutoReply,
            Kind::Stranger,
        ])
    };
    // English half the time, the other six languages share the rest.
    let lang = if rng.below(2) == 0 {
        &LANGS[0]
    } else {
        &LANGS[1 + rng.below(LANGS.len() - 1)]
    };
    let (subject, ask) = if kind == Kind::NotARequest {
        *rng.pick(lang.others)
    } else {
        *rng.pick(lang.requests)
    };
    let from = match kind {
        Kind::Stranger => format!("stranger-{i}@elsewhere.example"),
        Kind::AutoReply => format!("mailer-{i}@{}", opts.customer_domain),
        _ => customer(opts, i),
    };
    let message_id = format!("bench-{}-{i}@{}", opts.seed, opts.customer_domain);
    let text = format!(
        "{}\n\n{ask}\n\n{}",
        rng.pick(lang.greetings),
        rng.pick(lang.closings)
    );
    let subject = if kind == Kind::QuotedReply {
        format!("Re: {subject}")
    } else {
        subject.to_string()
    };
    let day = 1 + rng.below(20);
    let mut m = String::with_capacity(2048);
    let _ = write!(
        m,
        "Return-Path: <{from}>\r\n\
         Received: from mx.{dom} (mx.{dom} [192.0.2.{oct}])\r\n\tby mail.notoutcrm.com with ESMTPS id {i:x}\r\n\tfor <{support}>; Mon, {day} Nov 2026 10:{min:02}:00 +0000\r\n\
         From: Customer {i} <{from}>\r\n\
         To: {support}\r\n\
         Subject: {subject}\r\n\
         Date: Mon, {day} Nov 2026 10:{min:02}:00 +0000\r\n\
         Message-ID: <{message_id}>\r\n\
         MIME-Version: 1.0\r\n",
        dom = opts.customer_domain,
        oct = 1 + i % 250,
        support = opts.support,
        min = i % 60,
    );
    if kind == Kind::QuotedReply {
        let _ = write!(
            m,
            "In-Reply-To: <ticket-{i}@notoutcrm.com>\r\nReferences: <ticket-{i}@notoutcrm.com>\r\n"
        );
    }
    if kind == Kind::AutoReply {
        m.push_str("Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n");
    }
    match kind {
        Kind::HtmlOnly => {
            m.push_str(
                "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
            );
            m.push_str(&html(&text));
            m.push_str("\r\n");
        }
        Kind::Alternative => {
            let b = format!("alt-{i}");
            let _ = write!(
                m,
                "Content-Type: multipart/alternative; boundary=\"{b}\"\r\n\r\n\
                 --{b}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n\
                 --{b}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n\
                 --{b}--\r\n",
                text.replace('\n', "\r\n"),
                html(&text)
            );
        }
        Kind::QuotedReply => {
            let quoted: String = HISTORY.lines().map(|l| format!("> {l}\r\n")).collect();
            let _ = write!(
                m,
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n\r\n{}\r\n{quoted}",
                text.replace('\n', "\r\n"),
                lang.quote_intro
            );
        }
        Kind::Attachment => {
            let b = format!("mixed-{i}");
            let _ = write!(
                m,
                "Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n\
                 --{b}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n\
                 --{b}\r\nContent-Type: application/pdf; name=\"statement.pdf\"\r\n\
                 Content-Disposition: attachment; filename=\"statement.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
                text.replace('\n', "\r\n")
            );
            m.push_str(attachment);
            let _ = write!(m, "--{b}--\r\n");
        }
        _ => {
            m.push_str("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
            m.push_str(&text.replace('\n', "\r\n"));
            m.push_str("\r\n");
        }
    }
    Message {
        kind,
        lang: lang.code,
        from,
        message_id,
        bytes: m.into_bytes(),
    }
}
