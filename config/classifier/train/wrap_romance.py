#!/usr/bin/env python3
"""Wrap hand-written core texts into labelled training mail for es, fr, pt and it.

The customer's own words live in ``cores/<lang>.txt`` and are written by hand, one entry each:

    ## <label> | <reason or -> | <tags, comma separated> | <subject, or - for empty>
    body lines ...

Inside a body, a line ``>>>QUOTE`` starts hand-written vendor text that is quoted below the
customer's text (with the language's client attribution and ``> `` prefixes), and ``>>>FWD``
splits a colleague's note (above) from the forwarded message (below).

This script only adds the envelope: greetings, signatures with legal footers, quote
attributions, forward headers, generic quoted vendor replies for entries tagged ``quoted`` that
bring no quote of their own, and HTML markup for entries tagged ``html``.  Entries tagged
``raw`` are taken as they stand (one-word mail, mail that already carries its own greeting and
signature).  Randomness is seeded per language, so the output is deterministic:

    python3 wrap_romance.py            # writes es.jsonl fr.jsonl pt.jsonl it.jsonl
    python3 wrap_romance.py es         # only es.jsonl

Written by the mailclerk team on 2026-12-07; no text is drawn from any public dataset.
"""

import datetime
import html
import json
import random
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROVENANCE = "written by the mailclerk team (helper), 2026-12-07"
LABELS = {"refund", "cancellation", "both", "refund_status", "policy_question", "withdrawal", "other"}

ENV = {
    "es": {
        "greet_formal": ["Buenos días,", "Estimado equipo de soporte:", "Buenas tardes,", "Estimados señores:", "A quien corresponda:", "Buenos días, equipo de facturación:"],
        "greet_informal": ["Hola,", "Hola!", "Buenas,", "Hola equipo,", "Qué tal,", "Hola chicos,"],
        "close_formal": ["Un saludo cordial,", "Atentamente,", "Saludos cordiales,", "Quedo a la espera de su respuesta.\nSaludos,", "Gracias de antemano.\nAtentamente,"],
        "close_informal": ["Gracias!", "Saludos", "Un abrazo,", "Gracias,", "Slds,"],
        "names": ["Lucía Fernández", "Javier Ortega", "María José Ruiz", "Carlos Medina", "Ainhoa Etxeberria", "Pablo Sánchez Gil", "Valentina Rojas", "Diego Herrera", "Marta Vidal", "Andrés Castillo", "Sofía Navarro", "Jordi Puig"],
        "roles": ["Operaciones", "Dirección Comercial", "Administración", "CEO", "Dpto. de Marketing", "Departamento de Compras"],
        "companies": ["Inmobiliaria Costa Brava S.L.", "Distribuciones Hernández S.A.", "Clínica Dental Sonrisas", "Estudio Lumen Arquitectos", "Logística del Norte S.L.", "Agencia Nube Creativa"],
        "legal": [
            "AVISO LEGAL: Este mensaje y sus archivos adjuntos van dirigidos exclusivamente a su destinatario y pueden contener información confidencial. Si usted no es el destinatario, le rogamos que lo comunique al remitente y lo elimine.",
            "De conformidad con el Reglamento (UE) 2016/679 (RGPD) y la LOPDGDD, le informamos de que sus datos forman parte de un fichero cuyo responsable es la empresa remitente. Puede ejercer sus derechos escribiendo a privacidad@ seguido de nuestro dominio.",
            "Antes de imprimir este correo, piense si es necesario. Este correo es confidencial.",
        ],
        "phone": ["Tel. +34 91 555 23 10", "Móvil: 600 12 34 56", "Tel: +34 933 45 67 89", "+52 55 5123 4567"],
        "quote_attr": ["El {wd}, {d} {mon} 2026 a las {hm}, {who} <{addr}> escribió:", "El {d}/{mm}/2026 a las {hm}, {who} escribió:"],
        "outlook": "De: {who} <{addr}>\nEnviado el: {wdl}, {d} de {monl} de 2026 {hm}\nPara: {me}\nAsunto: {subj}",
        "fwd_head": "---------- Mensaje reenviado ---------\nDe: {me} <{maddr}>\nDate: {wd}, {d} {mon} 2026 a las {hm}\nSubject: {subj}\nTo: {who} <{addr}>",
        "fwd_prefix": ["Fwd: ", "RV: ", "Fw: "],
        "re": ["Re: ", "RE: "],
        "wd": ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"], "wdl": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
        "mon": ["nov", "dic"], "monl": ["noviembre", "diciembre"],
        "support": ["Soporte", "Equipo de Atención al Cliente", "Facturación"],
        "vendor_quotes": [
            "Hola,\n\nGracias por escribirnos. Para poder ayudarle necesitamos el correo electrónico asociado a su cuenta.\n\nUn saludo,\nEl equipo de soporte",
            "Estimado cliente:\n\nHemos recibido su consulta (ticket #{tk}). Un agente le responderá en un plazo de 24 horas laborables.\n\nAtención al Cliente",
            "Hola,\n\n¿Podría indicarnos el nombre del espacio de trabajo y el plan contratado?\n\nGracias,\nSoporte",
        ],
    },
    "fr": {
        "greet_formal": ["Bonjour,", "Madame, Monsieur,", "Bonjour Madame, Monsieur,", "Bonjour à l'équipe support,", "Messieurs,"],
        "greet_informal": ["Salut,", "Coucou,", "Hello,", "Bonjour !", "Salut l'équipe,"],
        "close_formal": ["Cordialement,", "Bien cordialement,", "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.", "Dans l'attente de votre retour, je vous remercie.\nCordialement,", "Bien à vous,"],
        "close_informal": ["Merci !", "Bonne journée,", "A+", "Merci d'avance,", "Bises,"],
        "names": ["Camille Lefèvre", "Julien Moreau", "Sophie Girard", "Nicolas Bernard", "Élodie Fontaine", "Thomas Dubois", "Chloé Marchand", "Antoine Rousseau", "Léa Perrin", "Mehdi Benali", "Aurélie Lambert", "Yannick Le Goff"],
        "roles": ["Direction administrative et financière", "Gérance", "Service comptabilité", "Direction marketing", "Office manager", "DSI"],
        "companies": ["Atelier Lumière SARL", "Cabinet Girard & Associés", "Transports Vallée SAS", "Boulangerie Pâtissière du Port", "Agence Hexa Digital", "Immobilière des Alpes"],
        "legal": [
            "Ce message et toutes les pièces jointes sont confidentiels et établis à l'intention exclusive de ses destinataires. Toute utilisation non conforme à sa destination est interdite. Si vous avez reçu ce message par erreur, merci d'en avertir immédiatement l'expéditeur.",
            "SAS au capital de 50 000 € - RCS Lyon 812 345 678 - TVA FR12812345678",
            "Pensez à l'environnement avant d'imprimer ce courriel.",
        ],
        "phone": ["Tél. : 01 42 68 53 00", "Port. 06 12 34 56 78", "+33 4 72 10 20 30", "+32 2 512 34 56"],
        "quote_attr": ["Le {d} {mon} 2026 à {hm}, {who} <{addr}> a écrit :", "Le {wdl} {d} {monl} 2026, {who} a écrit :"],
        "outlook": "De : {who} <{addr}>\nEnvoyé : {wdl} {d} {monl} 2026 {hm}\nÀ : {me}\nObjet : {subj}",
        "fwd_head": "---------- Forwarded message ---------\nDe : {me} <{maddr}>\nDate: {wd} {d} {mon} 2026 à {hm}\nSubject: {subj}\nTo: {who} <{addr}>",
        "fwd_prefix": ["TR: ", "Fwd: ", "Tr : "],
        "re": ["RE: ", "Re: ", "RE : "],
        "wd": ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."], "wdl": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
        "mon": ["nov.", "déc."], "monl": ["novembre", "décembre"],
        "support": ["Support", "Service client", "L'équipe facturation"],
        "vendor_quotes": [
            "Bonjour,\n\nMerci pour votre message. Pourriez-vous nous indiquer l'adresse e-mail associée à votre compte ?\n\nCordialement,\nL'équipe support",
            "Bonjour,\n\nNous avons bien reçu votre demande (ticket n° {tk}). Un conseiller vous répondra sous 48 h ouvrées.\n\nLe service client",
            "Bonjour,\n\nPouvez-vous nous préciser le nom de votre espace de travail et votre formule ?\n\nMerci,\nSupport",
        ],
    },
    "pt": {
        "greet_formal": ["Bom dia,", "Prezados,", "Exmos. Senhores,", "Boa tarde,", "Prezada equipe de suporte,", "Caros senhores,"],
        "greet_informal": ["Oi,", "Olá!", "Oi pessoal,", "Olá,", "E aí,", "Boas,"],
        "close_formal": ["Atenciosamente,", "Com os melhores cumprimentos,", "Cordialmente,", "Aguardo retorno.\nAtenciosamente,", "Melhores cumprimentos,"],
        "close_informal": ["Valeu!", "Obrigado,", "Abraço,", "Obrigada!", "Bjs,", "Cumprimentos,"],
        "names": ["Ana Beatriz Souza", "João Pedro Almeida", "Rafael Costa", "Mariana Oliveira", "Tiago Ferreira", "Inês Carvalho", "Rui Martins", "Fernanda Lima", "Gustavo Ribeiro", "Catarina Sousa", "Luís Gonçalves", "Camila Rocha"],
        "roles": ["Administração", "Direção Financeira", "Gerência", "Financeiro", "Departamento de TI", "Compras"],
        "companies": ["Contabilidade Horizonte Ltda.", "Padaria Estrela do Norte", "Construtora Vale Verde Ltda.", "Farmácia Central, Lda.", "Agência Maré Digital", "Imobiliária Atlântico, Lda."],
        "legal": [
            "Esta mensagem e seus anexos podem conter informações confidenciais ou privilegiadas. Se você não for o destinatário, fica notificado de que qualquer divulgação, cópia ou uso é proibido. Caso tenha recebido por engano, apague-a e avise o remetente.",
            "Aviso de confidencialidade: esta mensagem destina-se exclusivamente ao seu destinatário. Os dados pessoais são tratados nos termos do RGPD.",
            "Em conformidade com a LGPD (Lei 13.709/2018), seus dados são tratados apenas para a finalidade desta comunicação.",
        ],
        "phone": ["Tel.: (11) 3456-7890", "Cel.: +55 21 98765-4321", "Tel. +351 21 345 6789", "Telm. 912 345 678"],
        "quote_attr": ["Em {wd}, {d} de {mon} de 2026 às {hm}, {who} <{addr}> escreveu:", "No dia {d}/{mm}/2026, às {hm}, {who} escreveu:"],
        "outlook": "De: {who} <{addr}>\nEnviado: {wdl}, {d} de {monl} de 2026 {hm}\nPara: {me}\nAssunto: {subj}",
        "fwd_head": "---------- Forwarded message ---------\nDe: {me} <{maddr}>\nDate: {wd}, {d} de {mon} de 2026 às {hm}\nSubject: {subj}\nTo: {who} <{addr}>",
        "fwd_prefix": ["Fwd: ", "ENC: ", "Fw: "],
        "re": ["Re: ", "RE: ", "Res: "],
        "wd": ["seg.", "ter.", "qua.", "qui.", "sex.", "sáb.", "dom."], "wdl": ["segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo"],
        "mon": ["nov.", "dez."], "monl": ["novembro", "dezembro"],
        "support": ["Suporte", "Equipe de Atendimento", "Faturação"],
        "vendor_quotes": [
            "Olá,\n\nObrigado pelo contato. Para ajudar, precisamos do e-mail associado à sua conta.\n\nAbraços,\nEquipe de suporte",
            "Caro cliente,\n\nRecebemos o seu pedido (ticket n.º {tk}). Um técnico responderá no prazo de 24 horas úteis.\n\nApoio ao Cliente",
            "Olá,\n\nPode nos informar o nome do workspace e o plano contratado?\n\nObrigado,\nSuporte",
        ],
    },
    "it": {
        "greet_formal": ["Buongiorno,", "Gentile Servizio Clienti,", "Spett.le Assistenza,", "Egregi Signori,", "Buonasera,", "Gentili signori,"],
        "greet_informal": ["Ciao,", "Ciao a tutti,", "Salve,", "Ciao ragazzi,", "Ehi,"],
        "close_formal": ["Cordiali saluti,", "Distinti saluti,", "In attesa di un Vostro cortese riscontro, porgo distinti saluti.", "Grazie per l'attenzione.\nCordialmente,", "Resto in attesa.\nSaluti,"],
        "close_informal": ["Grazie!", "Ciao", "Un saluto,", "Grazie mille,", "A presto,"],
        "names": ["Giulia Bianchi", "Marco Rossi", "Francesca Romano", "Alessandro Conti", "Chiara Esposito", "Luca Ferrari", "Elena Galli", "Davide Marino", "Sara Greco", "Matteo Colombo", "Federica Ricci", "Paolo De Luca"],
        "roles": ["Amministrazione", "Responsabile IT", "Ufficio Acquisti", "Office Manager", "Direzione Generale", "Ufficio Contabilità"],
        "companies": ["Studio Associato Bianchi & Partners", "Ferramenta Colombo S.r.l.", "Agenzia Viaggi Sole Mio", "Tecnoimpianti S.p.A.", "Pasticceria Ricci S.n.c.", "Officina Grafica Milano S.r.l."],
        "legal": [
            "Le informazioni contenute in questa e-mail e negli eventuali allegati sono riservate e destinate esclusivamente al destinatario. Ai sensi del Regolamento UE 2016/679 (GDPR), qualora abbiate ricevuto il messaggio per errore, siete pregati di cancellarlo e di darne notizia al mittente.",
            "P.IVA 01234567890 - Capitale sociale € 10.000 i.v. - REA MI-1234567",
            "Prima di stampare, pensa all'ambiente.",
        ],
        "phone": ["Tel. 02 1234 5678", "Cell. 347 123 4567", "Tel. +39 06 9876 5432", "+41 91 123 45 67"],
        "quote_attr": ["Il giorno {wd} {d} {mon} 2026 alle ore {hm} {who} <{addr}> ha scritto:", "Il {d}/{mm}/2026 {hm}, {who} ha scritto:"],
        "outlook": "Da: {who} <{addr}>\nInviato: {wdl} {d} {monl} 2026 {hm}\nA: {me}\nOggetto: {subj}",
        "fwd_head": "---------- Forwarded message ---------\nDa: {me} <{maddr}>\nDate: {wd} {d} {mon} 2026 alle ore {hm}\nSubject: {subj}\nTo: {who} <{addr}>",
        "fwd_prefix": ["I: ", "Fwd: ", "Inoltro: "],
        "re": ["R: ", "Re: ", "RE: "],
        "wd": ["lun", "mar", "mer", "gio", "ven", "sab", "dom"], "wdl": ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"],
        "mon": ["nov", "dic"], "monl": ["novembre", "dicembre"],
        "support": ["Assistenza", "Servizio Clienti", "Ufficio Fatturazione"],
        "vendor_quotes": [
            "Buongiorno,\n\ngrazie per averci scritto. Per aiutarLa ci serve l'indirizzo e-mail associato all'account.\n\nCordiali saluti,\nIl team di assistenza",
            "Gentile cliente,\n\nabbiamo ricevuto la Sua richiesta (ticket n. {tk}). Un operatore Le risponderà entro 24 ore lavorative.\n\nServizio Clienti",
            "Ciao,\n\nci puoi indicare il nome del workspace e il piano sottoscritto?\n\nGrazie,\nAssistenza",
        ],
    },
}

OWN_GREETINGS = ("hola", "buenas", "buenos", "oye", "oigan", "estimad", "a la atención", "bonjour", "bonsoir", "bjr", "salut", "coucou", "hello", "hey", "madame", "messieurs", "objet", "à l'attention", "olá", "ola ", "oi", "opa", "bom dia", "boa tarde", "boa noite", "boas", "prezad", "exmo", "a: ", "ciao", "buongiorno", "buonasera", "salve", "ehi", "gentil", "spett", "destinatario", "chicos", "ragazzi", "gente")
MAIL_DOMAINS = {
    "es": ["gmail.com", "hotmail.es", "telefonica.net", "costabrava-inmo.es", "lumenarq.com"],
    "fr": ["gmail.com", "orange.fr", "free.fr", "cabinet-girard.fr", "hexa-digital.fr"],
    "pt": ["gmail.com", "uol.com.br", "sapo.pt", "horizonte-contab.com.br", "farmaciacentral.pt"],
    "it": ["gmail.com", "libero.it", "tiscali.it", "studiobianchi.it", "tecnoimpianti.it"],
}
VENDOR_DOMAINS = ["tallyflow.io", "dialwise.com", "pixelboard.app", "crmora.com", "hostnimbus.eu", "planloop.io"]
ENTITY = {"á": "&aacute;", "é": "&eacute;", "í": "&iacute;", "ó": "&oacute;", "ú": "&uacute;", "à": "&agrave;",
          "è": "&egrave;", "ì": "&igrave;", "ò": "&ograve;", "ù": "&ugrave;", "ç": "&ccedil;", "ñ": "&ntilde;",
          "ã": "&atilde;", "õ": "&otilde;", "ê": "&ecirc;", "â": "&acirc;", "ô": "&ocirc;", "É": "&Eacute;",
          "€": "&euro;", "«": "&laquo;", "»": "&raquo;"}


def ascii_local(name):
    first = unicodedata.normalize("NFKD", name.split()[0].lower())
    return "".join(c for c in first if c.isascii())


def parse_cores(path):
    entries, cur = [], None
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            parts = [p.strip() for p in line[3:].split("|")]
            if len(parts) != 4:
                sys.exit(f"{path}:{n}: header needs 4 fields separated by |, got {len(parts)}")
            label, reason, tags, subject = parts
            if label not in LABELS:
                sys.exit(f"{path}:{n}: unknown label {label!r}")
            cur = {"label": label, "reason": None if reason == "-" else reason,
                   "tags": [t for t in tags.split(",") if t.strip() and t != "-"],
                   "subject": "" if subject == "-" else subject, "lines": [], "line": n}
            entries.append(cur)
        elif cur is not None:
            cur["lines"].append(line)
    for e in entries:
        e["text"] = "\n".join(e["lines"]).strip("\n")
    return entries


def quote(text):
    return "\n".join(("> " + l) if l else ">" for l in text.split("\n"))


def to_html(greet, paras, sig, quoted_attr, quoted_text, rng):
    def enc(s):
        s = html.escape(s, quote=False)
        if rng.random() < 0.6:
            s = "".join(ENTITY.get(c, c) for c in s)
        return s.replace("\n", "<br>")
    out = ['<div dir="ltr">'] if rng.random() < 0.5 else ["<html><body>"]
    if greet:
        out.append(f"<div>{enc(greet)}</div><div><br></div>")
    for p in paras:
        out.append(f"<p>{enc(p)}</p>" if rng.random() < 0.5 else f"<div>{enc(p)}</div><div>&nbsp;</div>")
    if sig:
        out.append(f'<div style="color:#555555;font-size:12px">{enc(sig)}</div>')
    if quoted_attr:
        out.append(f'<div class="gmail_quote"><div>{enc(quoted_attr)}</div>'
                   f'<blockquote style="margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex">'
                   + "".join(f"<p>{enc(p)}</p>" for p in quoted_text.split("\n\n")) + "</blockquote></div>")
    out.append("</div>" if out[0].startswith("<div") else "</body></html>")
    return "\n".join(out)


PT_BR_MARKS = ("você", "vocês", "vcs", "R$", " pra ", "pix", "cnpj", "cpf", "boleto", "usuário", "cadê", "tô ", " tá ", "estorno", "ônibus", "celular", "valeu", " né", "show")
PT_PT_MARKS = ("vós", "vossa", "vosso", "convosco", "v. exas", "utilizador", "subscrição", "€", "lda", "morada", "equipa", "nif", "contacto", "agradecia")
VARIANTS = {
    "pt_br": {
        "greet_formal": ["Bom dia,", "Prezados,", "Boa tarde,", "Prezada equipe de suporte,", "Olá, equipe,"],
        "greet_informal": ["Oi,", "Olá!", "Oi pessoal,", "E aí,", "Oi, tudo bem?"],
        "close_formal": ["Atenciosamente,", "Cordialmente,", "Aguardo retorno.\nAtenciosamente,", "Obrigado desde já,"],
        "close_informal": ["Valeu!", "Abraço,", "Obrigada!", "Bjs,", "Abs,"],
        "names": ["Ana Beatriz Souza", "João Pedro Almeida", "Rafael Costa", "Mariana Oliveira", "Fernanda Lima", "Gustavo Ribeiro", "Camila Rocha", "Lucas Nascimento"],
        "companies": ["Contabilidade Horizonte Ltda.", "Padaria Estrela do Norte", "Construtora Vale Verde Ltda.", "Agência Maré Digital"],
        "phone": ["Tel.: (11) 3456-7890", "Cel.: +55 21 98765-4321", "WhatsApp (31) 99876-5432"],
        "legal": ["Esta mensagem e seus anexos podem conter informações confidenciais ou privilegiadas. Se você não for o destinatário, fica notificado de que qualquer divulgação, cópia ou uso é proibido. Caso tenha recebido por engano, apague-a e avise o remetente.",
                  "Em conformidade com a LGPD (Lei 13.709/2018), seus dados são tratados apenas para a finalidade desta comunicação."],
    },
    "pt_pt": {
        "greet_formal": ["Bom dia,", "Exmos. Senhores,", "Boa tarde,", "Caros senhores,", "Exmo.(a) Senhor(a),"],
        "greet_informal": ["Olá,", "Boas,", "Olá a todos,", "Viva,"],
        "close_formal": ["Com os melhores cumprimentos,", "Melhores cumprimentos,", "Cumprimentos,", "Grato pela atenção.\nCumprimentos,"],
        "close_informal": ["Obrigado,", "Abraço,", "Obrigada!", "Cumprimentos,"],
        "names": ["Tiago Ferreira", "Inês Carvalho", "Rui Martins", "Catarina Sousa", "Luís Gonçalves", "Joana Pires", "Miguel Antunes", "Sofia Marques"],
        "companies": ["Farmácia Central, Lda.", "Imobiliária Atlântico, Lda.", "Metalúrgica do Ave, S.A.", "Clínica Dentária Sorriso, Lda."],
        "phone": ["Tel. +351 21 345 6789", "Telm. 912 345 678", "Tel. 22 608 1234"],
        "legal": ["Aviso de confidencialidade: esta mensagem destina-se exclusivamente ao seu destinatário. Os dados pessoais são tratados nos termos do RGPD.",
                  "Antes de imprimir este e-mail, pense no ambiente."],
    },
}


def wrap(lang, e, rng):
    env = ENV[lang]
    if lang == "pt":
        # Brazilian and European Portuguese mail differ in greetings, names and footers too.
        low = " " + e["text"].lower() + " "
        if any(m in low for m in PT_PT_MARKS) or "ptpt" in e["tags"]:
            env = dict(env, **VARIANTS["pt_pt"])
        elif any(m.lower() in low for m in PT_BR_MARKS) or "br" in e["tags"]:
            env = dict(env, **VARIANTS["pt_br"])
        else:
            env = dict(env, **VARIANTS[rng.choice(["pt_br", "pt_pt"])])
    tags = list(e["tags"])
    text = e["text"]
    fwd_note, own_quote = None, None
    if ">>>FWD" in text:
        fwd_note, text = [s.strip("\n") for s in text.split(">>>FWD", 1)]
    if ">>>QUOTE" in text:
        text, own_quote = [s.strip("\n") for s in text.split(">>>QUOTE", 1)]
    raw = "raw" in tags
    formal = "informal" not in tags
    if "formal" not in tags and "informal" not in tags and not raw:
        tags.append("formal" if formal else "informal")
    name = rng.choice(env["names"])
    vendor = rng.choice(VENDOR_DOMAINS)
    who = rng.choice(env["support"])
    addr = f"{rng.choice(['support', 'help', 'billing', 'soporte' if lang == 'es' else 'support'])}@{vendor}"
    slots = {"wd": "", "wdl": "", "d": rng.randint(1, 28), "mm": rng.choice(["11", "12"]),
             "hm": f"{rng.randint(8, 19)}:{rng.randint(0, 59):02d}", "who": who, "addr": addr,
             "me": name, "maddr": ascii_local(name) + "@" + rng.choice(MAIL_DOMAINS[lang]),
             "subj": e["subject"] or "(sem assunto)", "tk": rng.randint(10000, 99999)}
    m = rng.randrange(2)
    slots["mon"], slots["monl"] = env["mon"][m], env["monl"][m]
    # Quoted mail predates the message (written on 2026-12-07), and the weekday matches the date.
    if m == 1:
        slots["d"] = 1 + slots["d"] % 6
    slots["mm"] = ["11", "12"][m]
    i = datetime.date(2026, 11 + m, slots["d"]).weekday()
    slots["wd"], slots["wdl"] = env["wd"][i], env["wdl"][i]

    greet = close = None
    sig_lines = []
    own_greeting = text.split("\n", 1)[0].lower().startswith(OWN_GREETINGS)
    if not raw:
        if rng.random() < 0.85 and not own_greeting:
            greet = rng.choice(env["greet_formal" if formal else "greet_informal"])
        close = rng.choice(env["close_formal" if formal else "close_informal"])
        sig_lines = [close, name if rng.random() < 0.7 else name.split()[0]]
        if formal and rng.random() < 0.55:
            sig_lines += [rng.choice(env["roles"]), rng.choice(env["companies"])]
            if rng.random() < 0.6:
                sig_lines.append(rng.choice(env["phone"]))
            if rng.random() < 0.6:
                sig_lines += ["", rng.choice(env["legal"])]
                tags.append("legal_footer")
        tags.append("signature")
    if fwd_note is not None:
        # The forwarded mail is someone else's (a boss, a customer): it keeps its own words and
        # first name only; the greeting and signature belong to the colleague who forwards it.
        orig = rng.choice([n for n in env["names"] if n != name])
        fwd_slots = dict(slots, me=orig, maddr=ascii_local(orig) + "@" + rng.choice(MAIL_DOMAINS[lang]),
                         who=name, addr=ascii_local(name) + "@" + rng.choice(MAIL_DOMAINS[lang]))
        forwarded_block = env["fwd_head"].format(**fwd_slots) + "\n\n" + text + "\n\n" + orig.split()[0]
        text = fwd_note
        greet = greet if rng.random() < 0.5 else None

    quoted_attr = quoted_text = None
    if own_quote is not None:
        # A quote signed by a named vendor comes from that vendor's address.
        for domain in VENDOR_DOMAINS:
            if domain.split(".")[0] in own_quote.lower():
                slots["addr"] = slots["addr"].split("@")[0] + "@" + domain
    if own_quote is not None or ("quoted" in tags and fwd_note is None):
        quoted_text = (own_quote if own_quote is not None else rng.choice(env["vendor_quotes"])).format(**slots)
        if "outlook" in tags:
            quoted_attr = env["outlook"].format(**slots)
        else:
            quoted_attr = rng.choice(env["quote_attr"]).format(**slots)
        if "quoted" not in tags:
            tags.append("quoted")

    subject = e["subject"]
    if quoted_attr and subject and not subject.lower().startswith(("re", "r:", "res")) and rng.random() < 0.8:
        subject = rng.choice(env["re"]) + subject

    if "html" in tags:
        paras = text.split("\n\n")
        body = to_html(greet, paras, "\n".join(sig_lines), quoted_attr, quoted_text, rng)
        if fwd_note is not None:
            sys.exit("html + forward not supported")
    else:
        parts = []
        if greet:
            parts.append(greet)
        parts.append(text)
        if sig_lines:
            parts.append("\n".join(sig_lines))
        body = "\n\n".join(parts)
        if quoted_attr:
            if "outlook" in tags:
                body += "\n\n-----Original Message-----\n" + quoted_attr + "\n\n" + quoted_text
            else:
                body += "\n\n" + quoted_attr + "\n\n" + quote(quoted_text)
        if fwd_note is not None:
            body += "\n\n" + forwarded_block
            subject = rng.choice(env["fwd_prefix"]) + (e["subject"] or "")
            if "forwarded" not in tags:
                tags.append("forwarded")
    if "html" not in tags and "plain" not in tags:
        tags.insert(0, "plain")
    tags = [t for t in tags if t not in ("raw", "outlook", "br", "ptpt")]
    rec = {"id": None, "lang": lang, "label": e["label"]}
    if e["reason"]:
        rec["reason"] = e["reason"]
    rec["subject"] = subject
    rec["body"] = body
    if "html" in tags:
        rec["content_type"] = "text/html"
    rec["tags"] = sorted(set(tags), key=tags.index)
    rec["provenance"] = PROVENANCE
    return rec


def build(lang):
    entries = parse_cores(HERE / "cores" / f"{lang}.txt")
    rng = random.Random(f"mailclerk-train-{lang}-2026-12-07")
    out = []
    for n, e in enumerate(entries, 1):
        if e["reason"] and e["label"] not in ("refund", "both"):
            sys.exit(f"cores/{lang}.txt:{e['line']}: reason only goes with refund or both")
        if not e["text"]:
            sys.exit(f"cores/{lang}.txt:{e['line']}: empty body")
        rec = wrap(lang, e, rng)
        rec["id"] = f"tr-{lang}-{n:04d}"
        out.append(rec)
    with open(HERE / f"{lang}.jsonl", "w", encoding="utf-8") as f:
        for rec in out:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return len(out)


if __name__ == "__main__":
    for lang in sys.argv[1:] or ["es", "fr", "pt", "it"]:
        print(lang, build(lang))
