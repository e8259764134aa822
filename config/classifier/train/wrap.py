#!/usr/bin/env python3
"""Build the classifier training files from hand-written core texts.

The core texts (the customer's own words, label, subject, tags) are written by hand in
``cores_<lang>.py`` next to this file, one ``E(...)`` entry each. This script only dresses
them as real mail: a greeting and a closing in the right register, a signature (sometimes
with a company's legal footer or a "sent from my phone" line), an optional quoted earlier
message in the language's own mail-client wording, an optional forward by a colleague or
assistant, and an optional HTML rendering. Everything is seeded, so running it twice gives
byte-identical files.

Usage:
    python3 config/classifier/train/wrap.py            # writes en.jsonl, de.jsonl, nl.jsonl
    python3 config/classifier/train/wrap.py en de      # only these languages

Entry options (see ``E`` below):
    mode="wrap"  greeting + text + closing + signature (default)
    mode="raw"   the text is the whole body, exactly as written (one-word mails, footers)
    mode="bare"  the text plus, sometimes, just a name
    reg="f"/"i"  formal or informal greeting and closing (default: neutral)
    quote=...    quote an earlier message under the new text: a key of the language's
                 QUOTES pool ("cancelled", "refunded", ...) or literal text
    fwd=...      the text is forwarded by someone else, who adds this line above it
    html=True    render the body as HTML (content_type text/html)
"""

import datetime
import html
import json
import os
import random
import re
import sys
from html.entities import codepoint2name

sys.dont_write_bytecode = True  # keep the cores_*.py imports from leaving __pycache__ behind

HERE = os.path.dirname(os.path.abspath(__file__))
PROVENANCE = "written by the mailclerk team (helper), 2026-12-07"
LABELS = {"refund", "cancellation", "both", "refund_status", "policy_question", "withdrawal", "other"}


def E(label, subject, text, *tags, reason=None, mode="wrap", reg=None, quote=None, fwd=None,
      html=False):
    """One hand-written core message."""
    assert label in LABELS, label
    assert reason in (None, "billing_error")
    return dict(label=label, subject=subject, text=text.strip("\n"), tags=list(tags),
                reason=reason, mode=mode, reg=reg, quote=quote, fwd=fwd, html=html)


# Per-language dressing. Each pack: greetings / closings by register, names, companies,
# legal footers, quote and forward headers, phone lines and the quoted-message pool.
PACKS = {
    "en": dict(
        greet={
            None: ["Hi,", "Hello,", "Hi there,", "Hello team,", "Hi support,", "Good morning,"],
            "f": ["Dear Sir or Madam,", "Dear support team,", "Good afternoon,", "Dear {vendor} team,"],
            "i": ["hey", "Hey guys,", "hi", "Yo,", "Hiya,"],
        },
        close={
            None: ["Thanks,", "Best,", "Cheers,", "Thank you,", "Regards,", "Thanks in advance,"],
            "f": ["Kind regards,", "Best regards,", "Yours faithfully,", "Many thanks and kind regards,"],
            "i": ["thx", "cheers", "ta,", "thanks!"],
        },
        names=["Emma Clarke", "Raj Patel", "Tom Hughes", "Sarah O'Neill", "Michael Grant",
               "Priya Shah", "Liam Murphy", "Jessica Tran", "David Okafor", "Hannah Reid",
               "Chris Walker", "Aisha Khan", "Ben Foster", "Olivia Brooks", "Marcus Lee",
               "Fiona MacLeod", "Daniel Cohen", "Grace Kim", "Owen Price", "Natalie Ward"],
        companies=["Brightline Logistics Ltd", "Harbour Dental Group", "Northgate Media",
                   "Pinecrest Consulting LLC", "Atlas Roofing Inc.", "Greenfield Analytics",
                   "Kestrel Studio", "Ridgeway Property Management"],
        titles=["Operations Manager", "Founder", "Office Manager", "Head of Sales", "Finance Lead",
                "Director", "IT Administrator"],
        legal=["{company} is registered in England and Wales, company no. {num}. Registered office: "
               "14 Mill Lane, Leeds LS1 4AB.\nThis email and any attachments are confidential and "
               "intended solely for the addressee. If you have received it in error, please notify "
               "the sender and delete it.",
               "CONFIDENTIALITY NOTICE: This message may contain privileged information. If you are "
               "not the intended recipient, any use, copying or distribution is prohibited.\n"
               "{company} | 2200 Market St, Suite 400, Denver, CO 80205",
               "Please consider the environment before printing this email.\n{company}, registered "
               "in Scotland SC{num}. VAT GB {vat}."],
        phone=["Sent from my iPhone", "Sent from my Android phone", "Sent from Outlook for iOS",
               "Get Outlook for Android"],
        months=["Oct", "Nov", "Dec"],
        tel="+44",
        quote_hdr=["On {wd}, {d} {mon} 2026 at {hm}, {sender} <{addr}> wrote:",
                   "On {d} {mon} 2026, at {hm}, {sender} <{addr}> wrote:",
                   "OUTLOOK"],
        outlook="-----Original Message-----\nFrom: {sender} <{addr}>\nSent: {wdl}, {d} {monl} 2026 {hm}\n"
                "To: {me}\nSubject: {subj}",
        fwd_hdr="---------- Forwarded message ---------\nFrom: {me} <{meaddr}>\nDate: {wd}, {d} {mon} 2026 at {hm}\n"
                "Subject: {subj}\nTo: {to}",
        wd=["Mon", "Tue", "Wed", "Thu", "Fri"],
        wdl=["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
        monl={"Oct": "October", "Nov": "November", "Dec": "December"},
        re=["Re: ", "RE: "],
        fw=["Fwd: ", "FW: "],
    ),
    "de": dict(
        greet={
            None: ["Hallo,", "Guten Tag,", "Hallo zusammen,", "Moin,", "Guten Morgen,"],
            "f": ["Sehr geehrte Damen und Herren,", "Sehr geehrtes {vendor}-Team,", "Guten Tag,",
                  "Sehr geehrte Damen und Herren,"],
            "i": ["Hi,", "Hey,", "Hallo ihr,", "Moin moin,", "Servus,", "Hi Leute,"],
        },
        close={
            None: ["Viele Grüße", "Grüße", "Beste Grüße", "Danke und Gruß", "Gruß"],
            "f": ["Mit freundlichen Grüßen", "Freundliche Grüße", "Mit besten Grüßen", "Hochachtungsvoll"],
            "i": ["LG", "Liebe Grüße", "Danke euch!", "VG", "Ciao"],
        },
        names=["Jonas Weber", "Katrin Schulz", "Lukas Becker", "Anna Hoffmann", "Stefan Wagner",
               "Julia Neumann", "Markus Richter", "Sabine Krüger", "Felix Braun", "Lea Zimmermann",
               "Thomas Schäfer", "Miriam Koch", "Florian Hartmann", "Nina Lange", "Dirk Wolff",
               "Sophie Vogel", "Tobias Keller", "Claudia Böhm", "Jan Meier", "Petra Fuchs"],
        companies=["Weber & Partner Steuerberatung", "Nordlicht Medien GmbH", "Hansen Logistik GmbH & Co. KG",
                   "Praxis Dr. Krüger", "Bergmann Immobilien GmbH", "Alpenblick Tourismus GmbH",
                   "Studio Fuchs", "Rheinwerk Elektrotechnik GmbH"],
        titles=["Geschäftsführer", "Office Management", "Buchhaltung", "Vertriebsleitung", "Geschäftsleitung",
                "IT-Administration", "Assistenz der Geschäftsführung"],
        legal=["{company}\nSitz der Gesellschaft: Hamburg | Registergericht: Amtsgericht Hamburg HRB {num}\n"
               "Geschäftsführer: Dr. Klaus Petersen | USt-IdNr.: DE{vat}",
               "Diese E-Mail enthält vertrauliche und/oder rechtlich geschützte Informationen. Wenn Sie "
               "nicht der richtige Adressat sind oder diese E-Mail irrtümlich erhalten haben, informieren "
               "Sie bitte sofort den Absender und vernichten Sie diese Mail.\n{company}, Amtsgericht "
               "München HRB {num}",
               "{company} · Königstraße 12 · 70173 Stuttgart\nRegistergericht Stuttgart HRA {num} · "
               "Steuernummer 99/{num}/0815"],
        phone=["Von meinem iPhone gesendet", "Gesendet von meinem Samsung Galaxy", "Von Outlook für iOS gesendet"],
        months=["Okt.", "Nov.", "Dez."],
        tel="+49",
        quote_hdr=["Am {d}. {mon} 2026 um {hm} schrieb {sender} <{addr}>:",
                   "Am {wdl}, {d}. {monl} 2026 um {hm} schrieb {sender} <{addr}>:",
                   "OUTLOOK"],
        outlook="-----Ursprüngliche Nachricht-----\nVon: {sender} <{addr}>\nGesendet: {wdl}, {d}. {monl} 2026 {hm}\n"
                "An: {me}\nBetreff: {subj}",
        fwd_hdr="---------- Weitergeleitete Nachricht ---------\nVon: {me} <{meaddr}>\nDate: {wd}., {d}. {mon} 2026 um {hm} Uhr\n"
                "Subject: {subj}\nTo: {to}",
        wd=["Mo", "Di", "Mi", "Do", "Fr"],
        wdl=["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"],
        monl={"Okt.": "Oktober", "Nov.": "November", "Dez.": "Dezember"},
        re=["AW: ", "Re: ", "Aw: "],
        fw=["WG: ", "Fwd: "],
    ),
    "nl": dict(
        greet={
            None: ["Hallo,", "Goedemorgen,", "Hoi,", "Beste support,", "Goedemiddag,"],
            "f": ["Geachte heer/mevrouw,", "Beste medewerker,", "Geachte {vendor},", "Goedendag,"],
            "i": ["Hoi!", "Hey,", "Hallo daar,", "Hoi allemaal,", "Yo,"],
        },
        close={
            None: ["Groet,", "Groeten,", "Bedankt,", "Alvast bedankt,"],
            "f": ["Met vriendelijke groet,", "Met vriendelijke groeten,", "Hoogachtend,", "Vriendelijke groet,"],
            "i": ["Groetjes,", "Gr.", "thx!", "Doei,"],
        },
        names=["Sanne de Vries", "Joris Bakker", "Lotte Jansen", "Daan Visser", "Eva Smit",
               "Bram Meijer", "Femke de Boer", "Ruben Mulder", "Anouk van Dijk", "Thijs de Graaf",
               "Iris Bos", "Niels Vos", "Marloes Peters", "Koen Hendriks", "Esther van Leeuwen",
               "Wouter Dekker", "Linda Brouwer", "Sem de Wit", "Noor Dijkstra", "Pieter Kok"],
        companies=["Bakker Installatietechniek B.V.", "Studio Noord", "De Graaf Advocaten",
                   "Visser Transport B.V.", "Fysiotherapie Oost", "Kok & Dekker Accountants",
                   "Groene Hart Makelaardij", "Brouwer Webdesign"],
        titles=["Office manager", "Directeur", "Eigenaar", "Administratie", "Teamleider verkoop",
                "Systeembeheer"],
        legal=["{company} | KvK {num} | BTW NL{vat}B01\nDe informatie in dit e-mailbericht is "
               "vertrouwelijk en uitsluitend bestemd voor de geadresseerde. Heeft u dit bericht "
               "onterecht ontvangen, verwijder het dan en stel de afzender op de hoogte.",
               "{company}\nKeizersgracht 221, 1016 DV Amsterdam\nKvK-nummer {num} · IBAN NL91 ABNA 0417 1643 00",
               "Op al onze diensten zijn de algemene voorwaarden van {company} van toepassing, "
               "gedeponeerd bij de KvK onder nummer {num}."],
        phone=["Verzonden vanaf mijn iPhone", "Verstuurd vanaf mijn Samsung", "Verzonden met Outlook voor Android"],
        months=["okt.", "nov.", "dec."],
        tel="+31",
        quote_hdr=["Op {d} {mon} 2026 om {hm} schreef {sender} <{addr}>:",
                   "Op {wdl} {d} {monl} 2026 {hm} schreef {sender} <{addr}>:",
                   "OUTLOOK"],
        outlook="-----Oorspronkelijk bericht-----\nVan: {sender} <{addr}>\nVerzonden: {wdl} {d} {monl} 2026 {hm}\n"
                "Aan: {me}\nOnderwerp: {subj}",
        fwd_hdr="---------- Doorgestuurd bericht ---------\nVan: {me} <{meaddr}>\nDatum: {wd} {d} {mon} 2026 om {hm}\n"
                "Onderwerp: {subj}\nAan: {to}",
        wd=["ma", "di", "wo", "do", "vr"],
        wdl=["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"],
        monl={"okt.": "oktober", "nov.": "november", "dec.": "december"},
        re=["Re: ", "RE: ", "Antw: "],
        fw=["Fwd: ", "FW: ", "Doorst: "],
    ),
}

VENDORS = [("Pipewise CRM", "support@pipewise.io"), ("Taskloom", "help@taskloom.app"),
           ("Dialbird", "support@dialbird.com"), ("Canvasly", "hello@canvasly.design"),
           ("HostHarbor", "billing@hostharbor.net"), ("Sprintly Boards", "support@sprintlyboards.com"),
           ("Leadcrate", "care@leadcrate.co"), ("Formfox", "support@formfox.io")]


def slug(name):
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "'": "", " ": "."})
    return name.lower().translate(table)


def pick_quote(lang, key):
    mod = load_cores(lang)
    if key in mod.QUOTES:
        return mod.QUOTES[key]
    return key


def load_cores(lang):
    import importlib
    sys.path.insert(0, HERE)
    return importlib.import_module("cores_" + lang)


def fill(rng, tpl, ctx):
    return tpl.format(**ctx)


def signature(rng, pack, ctx, reg):
    r = rng.random()
    name = ctx["me"]
    if reg == "i" and r < 0.6:
        return name.split()[0], False
    if r < 0.45:
        return name, False
    if r < 0.7:
        return f"{name}\n{rng.choice(pack['titles'])}\n{ctx['company']}", True
    if r < 0.82:
        return f"{name}\n{rng.choice(pack['phone'])}", False
    legal = fill(rng, rng.choice(pack["legal"]), ctx)
    return f"{name}\n{rng.choice(pack['titles'])} | {ctx['company']}\nTel. {pack['tel']} {rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}\n\n{legal}", True


def dress(rng, pack, text, ctx, reg, mode):
    """Greeting + text + closing + signature, or less for raw/bare."""
    if mode == "raw":
        return text, False
    if mode == "bare":
        return (text + ("\n\n" + ctx["me"].split()[0] if rng.random() < 0.4 else "")), False
    parts = []
    own_greeting = re.match(r"(hi|hello|hey|dear|hallo|guten (tag|morgen)|sehr geehrte|moin|hoi|beste|geachte|goede\w*)\b",
                            text, re.IGNORECASE)
    if not own_greeting and rng.random() < 0.85:
        parts.append(fill(rng, rng.choice(pack["greet"][reg]), ctx))
    parts.append(text)
    sig, rich = signature(rng, pack, ctx, reg)
    if rng.random() < 0.9:
        parts.append(rng.choice(pack["close"][reg]) + "\n" + sig)
    else:
        parts.append(sig)
    return "\n\n".join(parts), rich


def quote_block(rng, pack, ctx, quoted, subj):
    hdr = rng.choice(pack["quote_hdr"])
    if hdr == "OUTLOOK":
        return fill(rng, pack["outlook"], dict(ctx, subj=subj)), quoted, True
    return fill(rng, hdr, ctx), quoted, False


def to_html(new_text, quote):
    """Render as a web-mail client would: <div>/<p>, <br>, entities, a <blockquote>."""

    def esc(s):
        out = []
        for ch in html.escape(s, quote=False):
            cp = ord(ch)
            out.append(f"&{codepoint2name[cp]};" if cp > 127 and cp in codepoint2name else ch)
        return "".join(out)

    def paras(t):
        blocks = [b for b in t.split("\n\n")]
        return "".join(f"<div>{'<br>'.join(esc(line) for line in b.split(chr(10)))}</div><div><br></div>"
                       for b in blocks)

    body = f'<div dir="ltr">{paras(new_text)}</div>'
    if quote:
        hdr, q, outlook = quote
        if outlook:
            body += ('<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
                     f'<p class="MsoNormal">{"<br>".join(esc(x) for x in hdr.split(chr(10)))}</p></div>'
                     f'<p class="MsoNormal">{"<br>".join(esc(x) for x in q.split(chr(10)))}</p>')
        else:
            body += (f'<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">{esc(hdr)}<br></div>'
                     '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
                     'border-left:1px solid rgb(204,204,204);padding-left:1ex">'
                     f'{paras(q)}</blockquote></div>')
    body = body.replace("<div><br></div></div>", "</div>", 1) if body.endswith("<div><br></div></div>") else body
    return "<html><head><meta charset=\"utf-8\"></head><body>" + body.replace("  ", " &nbsp;") + "</body></html>"


def build(lang):
    mod = load_cores(lang)
    pack = PACKS[lang]
    rng = random.Random("mailclerk-train-" + lang)
    entries = list(mod.ENTRIES)
    rng.shuffle(entries)
    rows = []
    for i, e in enumerate(entries, 1):
        vendor, vaddr = rng.choice(VENDORS)
        me = rng.choice(pack["names"])
        company = rng.choice(pack["companies"])
        # A real working day in the two weeks up to the day before these files were written.
        day = datetime.date(2026, 11, 23) + datetime.timedelta(days=rng.randrange(12))
        while day.weekday() > 4:
            day += datetime.timedelta(days=1)
        mon = pack["months"][day.month - 10]
        wdi = day.weekday()
        ctx = dict(vendor=vendor, sender=f"{vendor} Support", addr=vaddr, me=me,
                   meaddr=slug(me) + "@" + rng.choice(["gmail.com", "outlook.com", "web.de", "ziggo.nl",
                                                        "yahoo.com", "icloud.com", "gmx.de", "kpnmail.nl"]),
                   company=company, num=str(rng.randint(10000, 99999999)), vat=str(rng.randint(100000000, 999999999)),
                   d=day.day, mon=mon, monl=pack["monl"][mon], wd=pack["wd"][wdi],
                   wdl=pack["wdl"][wdi], hm=f"{rng.randint(7, 19):02d}:{rng.randint(0, 59):02d}",
                   to=vaddr)
        tags = list(e["tags"])
        subj = e["subject"]
        new_text, rich = dress(rng, pack, e["text"], ctx, e["reg"], e["mode"])
        if rich:
            tags.append("signature")
        quote = None
        if e["quote"]:
            q = pick_quote(lang, e["quote"])
            qsubj = subj.split(": ", 1)[-1] if subj else "Ticket #" + str(rng.randint(10000, 99999))
            quote = quote_block(rng, pack, ctx, q, qsubj)
            if subj and not subj.lower().startswith(("re", "aw", "antw", "fw", "wg")):
                subj = rng.choice(pack["re"]) + subj
            tags.append("quoted")
        if e["fwd"]:
            # The customer's request becomes the forwarded message; the forwarder writes on top.
            fctx = dict(ctx)
            boss = rng.choice([n for n in pack["names"] if n != me])
            fwd_hdr = fill(rng, pack["fwd_hdr"], dict(ctx, subj=subj or "(no subject)", to=slug(boss) + "@" + ctx["meaddr"].split("@")[1]))
            inner = new_text
            if quote:
                inner += "\n\n" + quote[0] + "\n" + "\n".join("> " + x if x else ">" for x in quote[1].split("\n"))
                quote = None
            top = fill(rng, e["fwd"], fctx) + "\n\n" + boss
            new_text = top + "\n\n" + fwd_hdr + "\n\n" + inner
            subj = rng.choice(pack["fw"]) + subj if subj else rng.choice(pack["fw"]).strip()
            tags.append("forwarded")
        if e["html"]:
            body = to_html(new_text, quote)
            tags.append("html")
        else:
            body = new_text
            if quote:
                hdr, q, outlook = quote
                if outlook:
                    body += "\n\n" + hdr + "\n\n" + q
                else:
                    body += "\n\n" + hdr + "\n" + "\n".join("> " + x if x else ">" for x in q.split("\n"))
            tags.insert(0, "plain")
        row = {"id": f"tr-{lang}-{i:04d}", "lang": lang, "label": e["label"]}
        if e["reason"]:
            row["reason"] = e["reason"]
        row["subject"] = subj
        row["body"] = body
        if e["html"]:
            row["content_type"] = "text/html"
        row["tags"] = list(dict.fromkeys(tags))
        row["provenance"] = PROVENANCE
        rows.append(row)
    path = os.path.join(HERE, f"{lang}.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path, len(rows)


def check(path):
    """Every line parses, fields and values are valid, ids are unique."""
    seen = set()
    allowed = {"id", "lang", "label", "reason", "subject", "body", "content_type", "tags", "provenance"}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            r = json.loads(line)
            where = f"{path}:{n}"
            assert set(r) <= allowed, (where, set(r) - allowed)
            assert r["lang"] in {"en", "de", "es", "fr", "pt", "it", "nl"}, where
            assert r["id"].startswith(f"tr-{r['lang']}-") and r["id"] not in seen, where
            seen.add(r["id"])
            assert r["label"] in LABELS, where
            assert r.get("reason") in (None, "billing_error"), where
            assert "reason" not in r or r["label"] in ("refund", "both"), where
            assert isinstance(r["subject"], str) and r["body"].strip(), where
            assert r.get("content_type") in (None, "text/html"), where
            assert isinstance(r["tags"], list) and r["provenance"], where
    return len(seen)


if __name__ == "__main__":
    for lang in sys.argv[1:] or ["en", "de", "nl"]:
        path, n = build(lang)
        print(path, n, "checked", check(path))
