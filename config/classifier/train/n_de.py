"""German messages for de-n.jsonl, each written out in full by hand (see n_build.py)."""


def R(label, subject, body, tags, **opts):
    return (label, subject, body, tags, opts)


B = "billing_error"

ROWS = [
    # ---------------------------------------------------------------- batch 1
    R("refund", "", """Geld zurück?""", "one_word short"),
    R("refund", "erstattung bitte", """erstattung bitte, hab mich verklickt""", "short lowercase"),
    R("refund", "Letzte Zahlung", """Guten Abend,

ich wäre Ihnen sehr dankbar, wenn Sie mir die letzte Zahlung über 18,50 € zurücküberweisen könnten. Ich habe seit meinem Stellenwechsel im November keinen Bedarf mehr an Stapelwerk und hatte schlicht übersehen, dass die Karte weiter belastet wird.

Vielen Dank für Ihr Verständnis
Friederike Rautenberg""", "formal polite signature"),
    R("refund", "Abbuchung vom Montag", """Hi, könnt ihr die Abbuchung vom Montag (79 €) stornieren und zurückbuchen? Hab am Handy aus Versehen auf "Upgrade" getippt, wollte eigentlich nur das Pop-up wegmachen.""", "informal"),
    R("refund", "Testzeitraum", """Ich hab vergessen, den Testzeitraum rechtzeitig zu beenden, und jetzt sind 45 € weg. Bekomme ich die wieder? Genutzt habe ich das Tool nur an den ersten beiden Tagen.""", "plain"),
    R("refund", "Re: Ihr Abonnement wurde gekündigt", """Hallo,

passt so, aber die Januar-Gebühr ist 40 Minuten bevor ich auf "Kündigen" geklickt habe noch abgegangen. Die 29 € hätte ich bitte zurück, den Januar nutze ich ja nicht mehr.

Gruß
Dominik Sauer

Am So., 6. Dez. 2026 um 21:14 schrieb Klangwerk <konto@klangwerk.fm>:
> Hallo Dominik,
>
> schade, dass du gehst. Dein Klangwerk-Creator-Abo wurde gekündigt und
> verlängert sich nicht mehr. Du kannst die Creator-Funktionen noch bis
> zum 05.01.2027 nutzen.
>
> Dein Klangwerk-Team""", "quoted signature vendor_confirmation_quoted"),
    R("refund", "Unbekannte Abbuchung", """Guten Tag,

auf meiner Kreditkartenabrechnung finde ich eine Belastung über 112,00 € mit dem Text "FLUSSGRAT*ABO" vom 2. Dezember. Ich habe bei Ihnen nie ein Konto angelegt und diese Zahlung nicht autorisiert. Ich fordere Sie auf, den Betrag zu erstatten, und bitte um Auskunft, mit welcher E-Mail-Adresse das Abo abgeschlossen wurde.

Mit freundlichen Grüßen
Grzegorz Nowak""", "billing_error formal signature", reason=B),
    R("cancellation", "", """Abo stoppen bitte""", "short"),
    R("cancellation", "Ab April", """Hallo Carla,

kurz zur Info: Ab April brauche ich Entwurfskiste nicht mehr, das Projekt endet im März. Kannst du es so einstellen, dass ab dann nichts mehr abgebucht wird?

Liebe Grüße
Ole""", "indirect informal signature"),
    R("cancellation", "nächstes Jahr", """bitte sorgt dafür, dass ich nächstes jahr nicht nochmal belastet werde. wenn das laufende jahr rum ist, ist schluss.""", "indirect lowercase"),
    R("cancellation", "Vertrag 44-1187", """Sehr geehrte Damen und Herren,

bezugnehmend auf unser Telefonat vom vergangenen Dienstag bitten wir Sie, unseren Vertrag zum Ende der laufenden Vertragslaufzeit (31.03.2027) zu beenden. Wir bitten um schriftliche Bestätigung des Vertragsendes.

Mit freundlichen Grüßen

Henrike Matthiesen
Leitung Finanzen
Kaltenbach Logistik GmbH
Sitz der Gesellschaft: Bremen, Amtsgericht Bremen HRB 30418
Geschäftsführer: Arne Kaltenbach, Birte Sommer
Diese E-Mail kann vertrauliche und/oder rechtlich geschützte Informationen enthalten. Wenn Sie nicht der richtige Adressat sind, informieren Sie bitte sofort den Absender und vernichten Sie diese Mail. Das unerlaubte Kopieren sowie die unbefugte Weitergabe dieser Mail sind nicht gestattet.""", "formal signature legal_footer long"),
    R("cancellation", "Karte", """Karte entfernen und Konto schließen. Danke.""", "short"),
    R("cancellation", "wie?", """Wie kündige ich?""", "howto short"),
    R("both", "", """Bitte kündigen und den letzten Monat erstatten. Am 3. wurde abgebucht, ich bleibe aber nicht.""", "plain short"),
    R("both", "Enttäuscht", """Hallo,

ich habe das Pro-Paket vor allem wegen der Outlook-Kalendersynchronisation gebucht, die auf Ihrer Preisseite aufgeführt ist. Wie sich herausstellt, funktioniert sie nur lesend, mein Team hat ständig Doppelbuchungen. Drei Wochen habe ich es jetzt versucht.

Bitte erstatten Sie mir die 240 € für das Jahrespaket.

Und, das hätte ich eigentlich zuerst schreiben sollen: Ich möchte das Konto nicht weiterführen. Bitte schließen Sie es, sobald die Erstattung raus ist.

Lore Fitzner""", "long signature"),
    R("both", "WIR SIND RAUS", """KONTO SCHLIESSEN UND DAS GELD FÜR DIE NIE GENUTZTEN LIZENZEN ZURÜCK. 14 LIZENZEN, 3 LEUTE. UNFASSBAR.""", "caps angry"),
    R("both", "WG: Umfrageheld Konto", """Hallo Umfrageheld-Support,

mein Vater hat mich gebeten, das für ihn zu klären (s. unten). Er ist 81 und dachte, es sei eine einmalige Zahlung. Könnten Sie bitte das Konto schließen und ihm sein Geld zurückgeben?

Danke und viele Grüße
Anja Gellert

---------- Weitergeleitete Nachricht ---------
Von: Siegfried Gellert <s.gellert@t-online.de>
Date: Fr., 4. Dez. 2026 um 18:02
Subject: Umfrageheld Konto
To: Anja Gellert <anja.gellert@gmail.com>

Anja kannst du da mal anrufen, die haben schon wieder 35 Euro abgebucht, ich wollte das nur für die Umfrage im Kirchenchor im Oktober. Ich will das Geld zurück und dass das aufhört.
Papa""", "forwarded signature"),
    R("both", "Abonement", """Hallo, ich möchte mein Abonement beenden und auch das Geld von diese Monat zurück bekommen, weil die App ist nicht auf meine Sprache und ich kann nicht benutzen. Vielen Dank. Kenji""", "non_native typo"),
    R("both", "AW: Ihre Rechnung RE-30218", """Das ist die Verlängerung, von der ich am Telefon gesprochen habe – die will ich nicht. Bitte zurückbuchen und das Konto auflösen, damit diese Rechnungen aufhören.

Gerd Harlaß

-----Ursprüngliche Nachricht-----
Von: Feldwerk Abrechnung <abrechnung@feldwerk.de>
Gesendet: Dienstag, 1. Dezember 2026 06:00
An: gerd@harlass-sanitaer.de
Betreff: Ihre Rechnung RE-30218

Hallo Herr Harlaß,

vielen Dank für Ihre Zahlung über 216,00 € für Feldwerk Service (jährlich).
Ihre nächste Verlängerung ist am 01.12.2027.

Feldwerk""", "quoted outlook"),
    R("refund_status", "", """Ist die Erstattung schon durch? Auf der Karte ist noch nix""", "short"),
    R("refund_status", "Re: Ticket #20144 – Erstattung", """Hallo Deniz,

Sie hatten am 24. November geschrieben, die Erstattung sei genehmigt und komme in 5–10 Werktagen an. Heute ist Tag 9. Gibt es eine Referenznummer, die ich meiner Bank nennen kann?

Danke
Fatma Aydın

Am Di., 24. Nov. 2026 um 11:03 schrieb Deniz (Clipstapel Support) <support@clipstapel.de>:
> Hallo Frau Aydın,
>
> ich habe eine Erstattung über 58,00 € auf Ihre Mastercard mit Endung 7781
> freigegeben. Bis sie sichtbar ist, dauert es meist 5–10 Werktage.
>
> Deniz""", "quoted signature"),
    R("refund_status", "warte immer noch", """warte immer noch auf die versprochene rückzahlung. ist jetzt ein monat her. kommt die noch oder nicht""", "angry lowercase"),
    R("policy_question", "Jahres- oder Monatsabo", """Hi, wenn ich das Jahresabo nehme und es mir nach zwei Monaten anders überlege – krieg ich den Rest zurück oder ist das Geld weg? Bin noch am Überlegen.""", "plain informal"),
    R("policy_question", "Vertragsbedingungen", """Guten Morgen,

unser Einkauf benötigt die Kündigungsfrist für mehrjährige Bestellformulare sowie eine Fundstelle, wo das schriftlich geregelt ist. Könnten Sie uns den Link schicken?

Freundliche Grüße
Nadine Achterberg
Einkauf, Klinikverbund Brahmsfeld""", "formal signature"),
    R("policy_question", "", """habt ihr überhaupt eine rückgaberegel oder ist alles endgültig bezahlt?""", "short lowercase"),
    R("withdrawal", "Widerruf meines Vertrags", """Guten Tag,

ich bin Verbraucherin und habe am 3. Dezember das Creator-Abo abgeschlossen. Hiermit widerrufe ich diesen Vertrag fristgerecht. Bitte bestätigen Sie den Eingang und erstatten Sie die 14,99 €.

Mit freundlichen Grüßen
Sanne Wittkamp""", "formal signature"),
    R("withdrawal", "widerruf", """hallo, bin noch in den 14 tagen, also widerrufe ich hiermit. grund muss ich ja keinen angeben oder? bitte kurz bestätigen""", "informal lowercase"),
    R("other", "Re: Erstattung", """ok, Erstattung am Freitag passt. Danke für die schnelle Antwort""", "ack short"),
    R("other", "Pausieren statt kündigen?", """Hallo,

ich will nicht kündigen, ich möchte nur für zwei Monate pausieren, weil ich in Elternzeit gehe. Geht das im Solo-Tarif?

Danke
Ruth""", "negation signature"),
    R("other", "Bestellung 5512 – Headsets", """Guten Tag,

bitte stornieren Sie die Bestellung 5512 über die zwei USB-Headsets, wir haben sie doch vor Ort gekauft. Unser Telefonie-Abo bleibt selbstverständlich bestehen.

Freundliche Grüße
Ibrahim Yılmaz""", "other_object signature"),
    R("other", "Re: Erinnerung: Einführungsgespräch", """Hallo Jessica, bei mir ist was dazwischengekommen – können wir das Einführungsgespräch morgen absagen und auf Donnerstag legen? Gleiche Uhrzeit passt.

Danke!
Marta""", "other_object short"),
    R("other", "Rechnung an meine Kundin", """Wie erstatte ich über euer Rechnungsmodul eine Rechnung, die ich an eine meiner Kundinnen geschickt habe? Sie hat aus Versehen doppelt bezahlt und ich will ihr eine Zahlung zurückgeben.""", "other_object howto"),
    R("other", "Frage zu Workflows", """Hallo,

kann man eine wiederkehrende Aufgabe so anlegen, dass sie Feiertage überspringt? Wir sitzen in Sachsen, da gibt es den Buß- und Bettag.

Danke
Kurt Reinhold

--
Tischlerei Reinhold GmbH · Amtsgericht Chemnitz HRB 22107
Sie erhalten unseren Werkstatt-Newsletter, weil Sie sich dafür angemeldet haben. Abmelden: antworten Sie mit ABMELDEN im Betreff.""", "unsubscribe_footer howto signature"),
]
