"""German messages for de-n.jsonl, each written out in full by hand (see n_build_en_de.py)."""


def R(label, subject, body, tags, **opts):
    return (label, subject, body, tags, opts)


B = "billing_error"

ROWS = [
    # ---------------------------------------------------------------- batch 1
    R("refund", "", """Geld zurück?""", "one_word short"),
    R("refund", "erstattung bitte", """erstattung bitte, hab mich verklickt""", "short lowercase"),
    R("refund", "Studium abgebrochen", """Guten Abend,

ich habe mein Studium im November abgebrochen und brauche das Studierenden-Abo deshalb nicht mehr. Leider wurde am 1. Dezember noch einmal der Monatsbeitrag von 4,99 € eingezogen. Wäre es möglich, mir diesen zurückzuzahlen? Genutzt habe ich den Zugang seitdem nicht.

Vielen Dank und freundliche Grüße
Merle Janßen""", "polite signature"),
    R("refund", "Enterprise aus Versehen", """Hallo,

eine Kollegin hat gestern mit der Firmenkarte auf „Enterprise" hochgestuft – sie dachte, das sei eine kostenlose Testversion. Bitte buchen Sie die 890 € zurück; wir bleiben im Team-Tarif, den haben wir im Admin-Bereich schon wieder eingestellt.

Gruß
Thilo Wegener
IT, Wegener Spedition""", "signature"),
    R("refund", "Gutschein nicht angerechnet", """Hallo, ich hatte beim Abschluss den Gutscheincode HERBST3 für drei Gratismonate eingegeben (wurde auch als gültig angezeigt). Trotzdem wurden Oktober, November und Dezember je 9,99 € abgebucht. Bitte die 29,97 € zurückerstatten.""", "billing_error", reason=B),
    R("refund", "Re: Ihr Konto wurde gelöscht", """Hallo,

das ging ja schnell, danke! Nur eine Sache: Die Jahreslizenz hatte ich erst vor zehn Tagen bezahlt (99 €). Da ich sie jetzt nicht mehr nutzen kann, hätte ich gern mein Geld zurück.

Viele Grüße
Tobias Reuter

Am Sa., 5. Dez. 2026 um 12:02 schrieb Skizzenhaus <konto@skizzenhaus.de>:
> Hallo Tobias,
>
> wie gewünscht haben wir dein Skizzenhaus-Konto und alle Projekte gelöscht.
> Das lässt sich nicht rückgängig machen.
>
> Dein Skizzenhaus-Team""", "quoted signature vendor_confirmation_quoted"),
    R("refund", "Fotopaket", """Könnt ihr mir die Kohle für das Vorlagenpaket zurückgeben? Die Vorlagen sind alle im US-Letter-Format, für DIN A4 total unbrauchbar.""", "informal"),
    R("cancellation", "", """Abo stoppen bitte""", "short"),
    R("cancellation", "Vereinsheft", """Hallo zusammen,

unser Vereinsheft wird eingestellt, die Ausgabe im März ist die letzte. Danach brauchen wir das Layoutprogramm nicht mehr – bitte ab April nichts mehr berechnen.

Viele Grüße
Heinz-Dieter Klose
Schriftführer, Heimatverein Lippetal""", "indirect signature"),
    R("cancellation", "2027", """verlängerungsoption bitte deaktivieren. 2027 ohne uns.""", "indirect lowercase short"),
    R("cancellation", "Rahmenvertrag Mieterportal", """Sehr geehrte Damen und Herren,

hiermit kündigen wir den Rahmenvertrag über die Nutzung des Mieterportals (Vertragsnr. MP-44-1187) zum Ende der vereinbarten Laufzeit am 31.03.2027. Wir bitten um schriftliche Bestätigung.

Mit freundlichen Grüßen

Henrike Matthiesen
Leitung Finanzen
Kaltenbach Hausverwaltung GmbH
Sitz der Gesellschaft: Bremen, Amtsgericht Bremen HRB 30418
Geschäftsführer: Arne Kaltenbach, Birte Sommer
Diese E-Mail kann vertrauliche und/oder rechtlich geschützte Informationen enthalten. Wenn Sie nicht der richtige Adressat sind, informieren Sie bitte sofort den Absender und vernichten Sie diese Mail. Das unerlaubte Kopieren sowie die unbefugte Weitergabe dieser Mail sind nicht gestattet.""", "formal signature legal_footer long"),
    R("cancellation", "Karte", """Karte entfernen und Konto schließen. Danke.""", "short"),
    R("cancellation", "wie?", """Wie kündige ich?""", "howto short"),
    R("both", "", """Bitte kündigen und den letzten Monat erstatten. Am 3. wurde abgebucht, ich bleibe aber nicht.""", "plain short"),
    R("both", "Übersetzung", """Hallo,

ich habe Pro wegen der automatischen Übersetzung für meine polnischen Lieferanten genommen. Was da rauskommt, ist leider Kauderwelsch, meine Lieferanten haben schon nachgefragt, ob ich einen Schlaganfall hatte. Das Geld für Dezember hätte ich deshalb gern zurück.

Ansonsten ist das Programm ja in Ordnung, die Rechnungsvorlagen sind sogar richtig gut. Aber ohne die Übersetzung bringt es mir nichts.

Nehmt mich also bitte auch aus dem Abo raus.

Rainer Pohlmann""", "long signature far_apart"),
    R("both", "SOFORT BEENDEN", """ABO SOFORT BEENDEN UND ALLE BEITRÄGE SEIT SEPTEMBER ZURÜCK. SEIT DEM UPDATE SIND MEINE KUNDENDATEN WEG.""", "caps angry"),
    R("both", "WG: Konto meines Bruders", """Hallo,

mein Bruder ist für ein Jahr in Australien und kommt an seine alte Mailadresse nicht mehr ran, deshalb schicke ich das weiter. Bitte schließt sein Konto und gebt ihm die Dezember-Zahlung zurück.

Danke
Lea Hoffmann

---------- Weitergeleitete Nachricht ---------
Von: Jannik Hoffmann <jannik.hoffmann.au@gmail.com>
Date: Sa., 5. Dez. 2026 um 23:40
Subject: Konto
To: Lea Hoffmann <lea.hoffmann@web.de>

Lea kannst du denen schreiben, mein Account ist jannik.h@gmx.de. Konto zumachen und die 12,99 vom 1. zurück, ich komm hier nicht an die alte Mail. Danke dir!!""", "forwarded signature"),
    R("both", "Konto", """Bitte Konto schliessen und Geld zuruck fur Dezember, ich wohne jetzt wieder in Polen und brauche nicht mehr. Dziękuję, Marek""", "non_native typo"),
    R("both", "Re: Willkommen im Pro-Tarif", """Ich wollte nie Pro. Bitte alles rückgängig: Abo beenden, Geld zurück.

Am Mo., 7. Dez. 2026 um 06:00 schrieb Angebotsprofi <team@angebotsprofi.de>:
> Ihr Testzeitraum ist beendet – willkommen im Pro-Tarif!
> Wir haben 29,00 € von Ihrer Karte abgebucht.""", "quoted short"),
    R("refund_status", "", """Ist die Erstattung schon durch? Auf der Karte ist noch nix""", "short"),
    R("refund_status", "AW: Ihr Anliegen 20144", """Guten Tag Herr Demir,

Sie hatten mir am 24.11. bestätigt, dass die doppelt abgebuchten 58,00 € zurücküberwiesen werden. Bei meiner Volksbank ist bis heute nichts eingegangen. Können Sie mir das Überweisungsdatum nennen?

Mit freundlichen Grüßen
Fatma Aydın

-----Ursprüngliche Nachricht-----
Von: Deniz Demir <support@clipstapel.de>
Gesendet: Dienstag, 24. November 2026 11:03
An: f.aydin@posteo.de
Betreff: Ihr Anliegen 20144

Guten Tag Frau Aydın, wir erstatten Ihnen die doppelte Abbuchung über 58,00 €.""", "quoted outlook signature"),
    R("refund_status", "wo bleibt das geld", """wo bleibt das geld? seit dem 10. november warte ich, dreimal nachgefragt, immer heißt es "ist angewiesen".""", "angry lowercase"),
    R("policy_question", "Wechsel Jahres- auf Monatsabo", """Hi, wenn ich vom Jahres- aufs Monatsabo wechsle: Verfällt der Rest vom Jahr dann, oder wird der verrechnet oder erstattet? Steht das irgendwo?""", "plain informal"),
    R("policy_question", "Vergabeakte", """Guten Morgen,

für die Vergabeakte benötigen wir Ihre aktuellen Kündigungs- und Erstattungsbedingungen als PDF. Könnten Sie uns diese zusenden oder mitteilen, wo sie abrufbar sind?

Freundliche Grüße
Nadine Achterberg
Zentrale Vergabestelle, Kreis Steinburg""", "formal signature"),
    R("policy_question", "", """habt ihr überhaupt eine rückgaberegel oder ist alles endgültig bezahlt?""", "short lowercase"),
    R("withdrawal", "Widerruf Vertragsabschluss", """Guten Tag,

ich widerrufe meinen Vertragsabschluss vom Samstag. Ich bin Privatperson. Das Konto können Sie dann auch gleich löschen.

Mit freundlichen Grüßen
Sanne Wittkamp""", "formal signature"),
    R("withdrawal", "widerruf", """hallo, ich will widerrufen, hab mich am 2.12. angemeldet. bitte kurz bestätigen""", "informal lowercase"),
    R("other", "Re: Erstattung", """ok, Erstattung am Freitag passt. Danke für die schnelle Antwort""", "ack short"),
    R("other", "Ich habe NICHTS gekündigt", """Hallo,

ich will nicht kündigen! Mein Sohn hat sich an meinem Laptop zu schaffen gemacht und offenbar auf „Abo beenden" geklickt. Bitte machen Sie das rückgängig, ich brauche das Programm für meine Buchhaltung.

Danke
Ruth Kämmerer""", "negation signature"),
    R("other", "Visitenkarten", """Guten Tag,

bitte stornieren Sie meine Bestellung von 200 Visitenkarten über Ihren Druckservice (Auftrag DR-5512), da steht noch die alte Telefonnummer drauf. Ich lade eine neue Datei hoch.

Freundliche Grüße
Ibrahim Yılmaz""", "other_object signature"),
    R("other", "Abgesagt: Produktdemo Lagerprofi", """Diese Veranstaltung wurde abgesagt.

Produktdemo Lagerprofi
Mittwoch, 9. Dezember 2026 · 14:00–14:45
Organisator: Marta Wilke
Google Meet: meet.google.com/xbd-fqkr-pte""", "other_object calendar"),
    R("other", "Gutschrift verknüpfen", """Wie kann ich bei einer Gutschrift an meine Kundin die ursprüngliche Rechnungsnummer verknüpfen? Das Finanzamt will das so haben.""", "other_object howto"),
    R("other", "Excel-Export Umlaute", """Hallo,

beim Export nach Excel werden aus allen Umlauten komische Zeichen (Ã¼ statt ü). Kann ich die Kodierung irgendwo einstellen?

Danke
Kurt Reinhold

--
Tischlerei Reinhold GmbH · Amtsgericht Chemnitz HRB 22107
Sie erhalten unseren Werkstatt-Newsletter, weil Sie sich dafür angemeldet haben. Abmelden: antworten Sie mit ABMELDEN im Betreff.""", "unsubscribe_footer howto signature"),
    # ---------------------------------------------------------------- batch 2
    R("refund", "RÜCKZAHLUNG JAHRESBEITRAG", """ICH VERLANGE DEN JAHRESBEITRAG ZURÜCK. DIE SPRACHERKENNUNG VERSTEHT KEIN WORT BAYERISCH, UND GENAU DAFÜR HABE ICH SIE GEKAUFT.""", "caps angry"),
    R("refund", "Restguthaben", """Servus,

auf meinem Konto bei euch stehen noch 38,20 € Guthaben aus dem alten Prepaid-Tarif. Könnt ihr mir das auf mein Girokonto auszahlen? IBAN AT61 1904 3002 3457 3201, lautend auf Theresa Gruber.

Danke vielmals
Resi Gruber""", "austrian informal signature"),
    R("refund", "Zusatzoption Mehrsprachige Formulare", """<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body lang="DE"><div class="WordSection1"><p class="MsoNormal">Sehr geehrte Damen und Herren,<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p><p class="MsoNormal">wir haben letzte Woche die Zusatzoption &bdquo;Mehrsprachige Formulare&ldquo; gebucht, weil der Gro&szlig;teil unserer Kundschaft T&uuml;rkisch spricht. T&uuml;rkisch wird aber, wie wir jetzt feststellen, nicht unterst&uuml;tzt. Bitte erstatten Sie uns die 149,00&nbsp;&euro; f&uuml;r die Option.<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p><p class="MsoNormal">Mit freundlichen Gr&uuml;&szlig;en<o:p></o:p></p><p class="MsoNormal">Serkan &Ouml;zt&uuml;rk<br>&Ouml;zt&uuml;rk Reisen GmbH, Duisburg<o:p></o:p></p></div></body></html>""", "html outlook formal signature", html=True),
    R("refund", "8 statt 5 Nutzer", """Hallo, Sie berechnen uns seit Oktober 8 Nutzer. Wir haben aber am 30.9. drei Nutzer gelöscht und nur noch 5 – sehen Sie ja in der Nutzerverwaltung. Bitte erstatten Sie die Differenz für Oktober bis Dezember (3 × 3 × 12 € = 108 €).""", "billing_error", reason=B),
    R("refund", "Rückvergütung", """Grüezi mitenand

Ich habe das Abo im September für ein Vereinsprojekt gelöst, das nun abgesagt wurde. Wäre eine Rückvergütung der CHF 96.– möglich? Genutzt wurde es praktisch nicht.

Freundliche Grüsse
Beat Zürcher""", "swiss polite signature"),
    R("refund", "WG: Kreditkartenabrechnung November – bitte klären", """Hallo Planwerk-Team,

siehe unten die Rückfrage unserer Buchhaltung. Das Abo läuft auf meinen Namen, wir nutzen Planwerk aber seit dem Sommer nicht mehr, ich hatte schlicht vergessen, es abzustellen. Das habe ich jetzt selbst erledigt – könnten Sie uns die November-Abbuchung bitte erstatten?

Gruß
Jan Brückmann
Geschäftsführer, Brückmann Messebau

---------- Weitergeleitete Nachricht ---------
Von: Buchhaltung Brückmann <buchhaltung@brueckmann-messebau.de>
Date: Fr., 4. Dez. 2026 um 09:12
Subject: Kreditkartenabrechnung November – bitte klären
To: Jan Brückmann <jb@brueckmann-messebau.de>

Hallo Jan, auf der Firmenkarte steht „PLANWERK*ABO 240,00 EUR". Gehört das noch zu einem laufenden Projekt? Sonst bitte zurückholen.""", "forwarded signature"),
    R("cancellation", "", """abo beenden""", "short lowercase"),
    R("cancellation", "Sonderkündigung wegen Preiserhöhung", """Sehr geehrte Damen und Herren,

Sie haben mir mitgeteilt, dass der Preis meines Tarifs ab Februar von 9,90 € auf 14,90 € steigt. Dem stimme ich nicht zu und mache von meinem Sonderkündigungsrecht Gebrauch: Bitte beenden Sie den Vertrag zum Tag vor der Preiserhöhung.

Mit freundlichen Grüßen
Wolfgang Brenneisen""", "formal signature"),
    R("cancellation", "Standortlizenz Bochum", """Hallo,

unsere Filiale in Bochum schließt zum 31.12. Bitte kündigt die Standortlizenz „Bochum-Mitte" zu diesem Datum, die anderen vier Standorte laufen weiter.

Viele Grüße
Nora Fröhlich
Filialorganisation, Brotzeit Backstuben GmbH""", "seats signature"),
    R("cancellation", "AW: Neu im Dezember: Dark Mode!", """Schön für euch, aber ich bin raus. Bitte mein Konto schließen, in der App hab ich die Option nicht gefunden.

Am Di., 1. Dez. 2026 um 10:00 schrieb Notizwerk <news@notizwerk.de>:
> Neu im Dezember: Der Dark Mode ist da! Außerdem: schnellere Suche und
> neue Vorlagen für Meeting-Notizen.""", "quoted short"),
    R("cancellation", "Nutzerprofil löschen", """Bitte löschen Sie mein Nutzerprofil vollständig. Ich möchte Ihren Dienst nicht mehr nutzen und dort keine Daten mehr haben.""", "plain"),
    R("cancellation", "Hosting Business M", """<div>Guten Tag,</div><div><br></div><div>bitte beenden Sie unser Hosting-Paket &bdquo;Business M&ldquo; (Vertrag HB-20771) zum Ende der Laufzeit. Die Domain ziehen wir zu einem anderen Anbieter um, der KK-Antrag folgt separat.</div><div><br></div><div>Mit freundlichen Gr&uuml;&szlig;en<br>Dr. Margarethe Lindqvist</div>""", "html formal signature", html=True),
    R("both", "Datenverlust Nr. 3", """dritter datenverlust in zwei monaten. account löschen, januarbeitrag zurück. ende.""", "angry lowercase"),
    R("both", "Trainingsplaner", """Hey, ich bin durch mit dem Trainingsplaner. Bitte Abo beenden und mir die letzte Rate zurückgeben – die kam einen Tag, nachdem ich in der App auf „kündigen" gedrückt hab, offenbar ist das nicht durchgegangen.

Grüße
Rosa""", "informal signature"),
    R("both", "Vertrag 118-4420", """<p>Sehr geehrte Frau Dr. Ilgner,</p><p>wie heute telefonisch besprochen, k&uuml;ndigen wir den Vertrag Nr. 118-4420 zum 31.12.2026. Da wir die Jahresgeb&uuml;hr im Juli im Voraus bezahlt haben, bitten wir um anteilige Erstattung f&uuml;r die Monate Januar bis Juni 2027.</p><p>Mit freundlichen Gr&uuml;&szlig;en<br>Andreas Kowalski<br>Kowalski Dachtechnik GmbH</p>""", "html formal signature prorated", html=True),
    R("both", "monatlich UND jährlich", """Seit der Umstellung im Oktober bucht ihr bei mir monatlich 12 € UND habt im Oktober den Jahresbeitrag von 120 € genommen. Die doppelten Monatsbeiträge will ich zurück, und danach kündige ich, auf so ein Chaos hab ich keine Lust.""", "billing_error angry", reason=B),
    R("both", "Nachhilfe-App", """Hallo zusammen,

meine Tochter hat ihr Abi in der Tasche (1,7!), die Nachhilfe-App brauchen wir also nicht mehr. Könnt ihr das Abo beenden und uns das restliche Halbjahr erstatten? Bezahlt haben wir im Oktober für sechs Monate.

Viele Grüße
Britta Lorenz""", "informal signature prorated"),
    R("refund_status", "Datum der Rückzahlung", """Hallo, an welchem Tag wurde die Rückzahlung angewiesen? Ich finde sie nicht und brauche das Datum für die Buchhaltung.""", "plain"),
    R("refund_status", "Re: Ihre Reklamation", """Die 10 Tage sind um. Nichts da.

Am Mo., 23. Nov. 2026 um 16:20 schrieb Klangwerk Support <hilfe@klangwerk.fm>:
> Hallo Herr Brandl,
> wir erstatten Ihnen den Betrag von 59,90 € innerhalb von 10 Werktagen.
> Viele Grüße, Ihr Klangwerk-Team""", "quoted short"),
    R("refund_status", "", """erstatung über das formular beantragt, ticketnumer 55012 – hat das schon jemand bearbeitet?""", "lowercase typo"),
    R("policy_question", "Tarifwechsel mitten im Jahr", """Hallo,

bekomme ich bei euch eigentlich Geld zurück, wenn ich mitten im Jahr in einen kleineren Tarif wechsle, oder gilt der Preis bis zum Ende der Laufzeit? Ich will erst mal nur wissen, wie das geregelt ist.

Danke
Sunita""", "signature"),
    R("policy_question", "Kündigung per E-Mail?", """Kann man bei euch per E-Mail kündigen, oder braucht ihr das schriftlich per Post? Frage für später.""", "plain"),
    R("policy_question", "Gemeinnützige Vereine", """Guten Morgen,

gelten für gemeinnützige Vereine andere Kündigungsfristen oder Erstattungsregeln als für Firmen? Unser Vorstand möchte das vor dem Beschluss wissen.

Mit freundlichen Grüßen
Tobias Grantner
Kassenwart, Sportfreunde Obstgarten e.V.""", "formal signature"),
    R("withdrawal", "Widerruf", """An
Lohnzettel GmbH
Speicherstraße 4, 28217 Bremen

Hiermit widerrufe ich den von mir abgeschlossenen Vertrag über die Erbringung der folgenden Dienstleistung: Lohnzettel Privat (Bestellnr. LZ-77120)
Bestellt am: 01.12.2026
Name: Lukas Hofbauer
Anschrift: Mariahilfer Straße 88, 1070 Wien
Datum: 07.12.2026""", "formal model_form austrian"),
    R("other", "AW: Ihre Kündigung zum 31.12.", """Alles klar, danke für die Bestätigung. Bis dahin nutzen wir es noch fleißig!

Am Fr., 4. Dez. 2026 um 10:05 schrieb Aufgabenbrett <hilfe@aufgabenbrett.de>:
> Hallo Markus,
>
> deine Kündigung zum 31.12.2026 ist bei uns eingegangen.""", "ack quoted"),
    R("other", "Handyvertrag", """Sehr geehrte Damen und Herren,

hiermit kündige ich meinen Mobilfunkvertrag mit der Rufnummer 0171 5523 884 zum nächstmöglichen Zeitpunkt.

Mit freundlichen Grüßen
Horst Beckmann""", "other_object wrong_recipient"),
    R("other", "Messestand Stornierung", """Hallo, wir hatten über Ihre Partnerseite einen Messestand auf der DMEA gebucht. Den müssen wir stornieren – geht das über Sie oder direkt über die Messe Berlin? Unser Software-Abo bei Ihnen läuft normal weiter.""", "other_object"),
    R("other", "Rechnungsanschrift", """Bitte ab sofort folgende Rechnungsanschrift verwenden: Brennerei Aumüller GmbH, Am Mühlbach 3, 83022 Rosenheim. USt-IdNr. bleibt gleich.""", "billing_address"),
    R("other", "Stornogebühr einrichten", """<div>Hallo,</div><div><br></div><div>wie richte ich im Buchungskalender eine Stornogeb&uuml;hr f&uuml;r kurzfristige Terminabsagen ein? Unsere Kundinnen sagen immer wieder am selben Tag ab.</div><div><br></div><div>Liebe Gr&uuml;&szlig;e<br>Lutz Kosmetikstudio</div>""", "html howto other_object", html=True),
    R("other", "Support-Chat", """Wenn ihr den Support-Chat wirklich abschafft, wie es in eurem Newsletter steht, kündige ich zum Jahresende. Überlegt euch das gut.

Gerhard Tull
Geschäftsführer""", "conditional signature"),
    # ---------------------------------------------------------------- batch 3
    R("refund", "Umsatzsteuer falsch berechnet", """Sehr geehrte Damen und Herren,

wir sind ein Unternehmen mit Sitz in Linz (UID ATU71234508) und haben bei der Bestellung unsere UID angegeben. Trotzdem wurden uns auf Rechnung 2026-11873 19 % deutsche Umsatzsteuer berechnet und per Karte eingezogen, obwohl Reverse Charge gilt. Wir ersuchen um Rückerstattung der zu Unrecht verrechneten 57,00 € und um eine korrigierte Rechnung.

Mit freundlichen Grüßen
Mag. Elisabeth Pichler
Buchhaltung, Pichler Holzbau GmbH""", "billing_error formal signature austrian", reason=B),
    R("refund", "Black-Friday-Preis", """Hallo, ich hab am Black Friday das Jahresabo für 59 € gebucht (Aktionspreis, Screenshot hab ich), abgebucht wurden aber die regulären 99 €. Die 40 € Differenz bitte zurück.""", "billing_error", reason=B),
    R("refund", "Überweisung zurück", """Guten Tag,

ich hatte die Jahreslizenz per Vorkasse überwiesen, dann aber festgestellt, dass die Software unter Linux gar nicht läuft. Bitte überweisen Sie mir die 149 € auf mein Konto zurück: DE44 5001 0517 5407 3249 31, Kontoinhaber Paul Sternberg.

Danke
P. Sternberg""", "signature"),
    R("refund", "Sohn hat gekauft", """Mein Sohn (12) hat auf meinem Tablet den Premium-Zugang gekauft, ohne zu fragen. 24,99 €. Ich hätte das Geld gern zurück, er hat es auch nur zwei Tage benutzt und jetzt Tablet-Verbot.""", "plain"),
    R("refund", "", """moin, is ne erstatung drin? der export nach lexoffice geht seit dem updat nicht mehr und ich zahl ja nicht fürs rumprobiren""", "informal lowercase typo"),
    R("refund", "WG: Ihre Quittung – Rätselspaß Premium", """Hallo,

meine Mutter (79) hat die Quittung unten bekommen und ist ganz aufgelöst – sie dachte, sie kauft ein Rätselheft für einmal 4,99 €, nicht ein Jahresabo für 59,99 €. Könnten Sie ihr das Geld bitte zurückgeben? Sie hat die App seitdem nicht mehr geöffnet.

Vielen Dank
Claudia Sieverding

Anfang der weitergeleiteten Nachricht:

Von: Rätselspaß <quittung@raetselspass.app>
Betreff: Ihre Quittung – Rätselspaß Premium
Datum: 3. Dezember 2026 um 19:21:40 MEZ
An: Gisela Sieverding <g.sieverding@t-online.de>

Rätselspaß Premium – 12 Monate
59,99 €
Zahlungsart: PayPal""", "forwarded apple signature"),
    R("cancellation", "Abo künden", """Grüezi

Ich möchte mein Abo per Ende Jahr künden. Bitte bestätigen Sie mir die Kündigung schriftlich.

Freundliche Grüsse
Urs Brändli""", "swiss formal signature"),
    R("cancellation", "Umzug ins Ausland", """Hallo liebes Team,

ich ziehe im Januar nach Kanada und werde euer Tool dort nicht weiter nutzen (mein neuer Arbeitgeber hat was Eigenes). Bitte sorgt dafür, dass mein Abo danach nicht weiterläuft – das Konto könnt ihr dann auch gleich zumachen.

Danke für alles!
Jana""", "indirect informal signature"),
    R("cancellation", "Kündigung – auch per Einschreiben", """Sehr geehrte Damen und Herren,

hiermit kündige ich den Vertrag zu Kundennummer 55-90312 zum nächstmöglichen Termin. Dieselbe Kündigung geht Ihnen heute zusätzlich per Einschreiben zu. Bitte teilen Sie mir das Datum mit, zu dem der Vertrag endet.

Mit freundlichen Grüßen
Dietmar Ohlendorf""", "formal signature"),
    R("cancellation", "", """Account löschen bitte. Benutzername: kathi_bastelt""", "short"),
    R("cancellation", "Lizenz zurückgeben", """Hallo, wir möchten die CAD-Lizenz von Herrn Brückner zurückgeben, er ist nicht mehr bei uns. Die Lizenz soll bitte nicht mehr berechnet werden, die anderen drei laufen weiter.

Gruß
Claudia Ebert
Ingenieurbüro Ebert & Partner""", "seats signature"),
    R("cancellation", "", """<div>Hallo,</div><div>ich w&uuml;rde gern aussteigen. Wie beende ich das Abo &uuml;ber die App? Unter &bdquo;Konto&ldquo; sehe ich nur &bdquo;Abmelden&ldquo;, aber das loggt mich ja nur aus.</div><div><br></div><div>LG Sophie</div>""", "html howto signature", html=True),
    R("both", "AW: Ihre Zahlung ist fehlgeschlagen", """Gut so, ich will das auch nicht mehr. Bitte kündigen Sie das Abo und buchen Sie auch die Zahlung vom letzten Monat zurück, seitdem habe ich mich nicht einmal eingeloggt.

Von meinem Samsung Galaxy Smartphone gesendet.

-------- Ursprüngliche Nachricht --------
Von: Kontorbuch <abrechnung@kontorbuch.de>
Datum: 06.12.26 08:30 (GMT+01:00)
An: d.ferreira@gmx.net
Betreff: Ihre Zahlung ist fehlgeschlagen

Wir konnten 11,90 € nicht von Ihrer Karte abbuchen. Bitte aktualisieren Sie Ihre Zahlungsdaten.""", "quoted android"),
    R("both", "Praxisaufgabe", """Sehr geehrte Damen und Herren,

zum 31.12. gebe ich meine logopädische Praxis altersbedingt auf. Den Vertrag über die Terminverwaltung möchte ich daher zu diesem Datum beenden. Da die Jahresgebühr im Oktober für zwölf Monate eingezogen wurde, bitte ich außerdem um Rückzahlung des auf Januar bis September entfallenden Anteils.

Mit freundlichen Grüßen
Hannelore Wiegand""", "formal signature prorated long"),
    R("both", "", """abo weg und kohle zurük. danke""", "informal lowercase short typo"),
    R("both", "Gruppe Rasselbande", """Hallo,

unsere Kita-Gruppe „Rasselbande" wird zum Jahresende aufgelöst. Bitte nehmt die Gruppe aus unserem Elternportal-Vertrag raus und erstattet uns die Gebühren, die wir für diese Gruppe schon für Januar bis März bezahlt haben. Die anderen drei Gruppen bleiben.

Danke und viele Grüße
Omar Sadiq
Verwaltung, Kita Sonnenhügel gGmbH""", "seats signature prorated"),
    R("both", "Nicht autorisierte Abbuchungen", """Guten Tag, auf meinem Konto finde ich seit August monatlich 9,99 € von Ihnen. Ich habe das nie abgeschlossen, vermutlich ein alter Testzugang, der sich verlängert hat. Bitte zahlen Sie mir die vier Beträge zurück und löschen Sie diesen Zugang.""", "billing_error", reason=B),
    R("refund_status", "Re: Re: Ihr Fall 7781", """Hallo? Erstattung? Ist die jetzt unterwegs oder nicht?""", "short"),
    R("refund_status", "Erstattung an falsche Karte?", """Hallo, laut Ihrer Mail ging die Erstattung an die Kreditkarte meines Ex-Mannes, weil das Abo früher über ihn lief. Kommt das Geld irgendwie noch bei mir an, oder muss ich mich an ihn wenden?""", "plain"),
    R("refund_status", "Erstattung RE-2026-0912", """<div>Guten Tag,</div><div><br></div><div>ist die zugesagte Erstattung zur Rechnung RE-2026-0912 inzwischen raus? Unsere Buchhaltung fragt t&auml;glich nach.</div><div><br></div><div>Vielen Dank<br>Yusuf Demir<br>Demir Fliesen &amp; Naturstein</div>""", "html signature", html=True),
    R("policy_question", "", """was ist eure rückerstattungsregel""", "short lowercase"),
    R("policy_question", "Automatische Verlängerung?", """Hallo,

verlängert sich das Jahresabo automatisch? Und bis wann müsste man spätestens kündigen, wenn man nicht verlängern will? Ich habe nur die Preisseite gesehen.

Danke
Gwendolyn Priebe""", "signature"),
    R("policy_question", "Widerrufsrecht für Firmen?", """Hallo, gilt das 14-tägige Widerrufsrecht eigentlich auch für uns als GmbH, oder nur für Privatkunden? Wir überlegen, das Team-Paket zu testen.""", "plain"),
    R("withdrawal", "Widerruf Bestellung 4471", """Guten Tag,

hiermit nutze ich mein 14-tägiges Widerrufsrecht für die Bestellung 4471 vom 03.12.2026. Bei Rückfragen erreichen Sie mich mobil.

Jens Hartwig""", "signature"),
    R("other", "Online-Schulung verschieben", """Hallo, kann ich meine Anmeldung zur Online-Schulung am 15. Januar stornieren und stattdessen den Termin im März nehmen? Im Januar ist bei uns Inventur.""", "other_object"),
    R("other", "SMS-Werbung", """Bitte schicken Sie keine SMS-Werbung mehr an meine Handynummer. Das Konto bleibt natürlich, es geht nur um die Werbung.""", "other_object"),
    R("other", "Mahnlauf", """Hallo, unser automatischer Mahnlauf hat einem Kunden eine Mahnung geschickt, obwohl er am selben Tag bezahlt hatte. Kann man die Mahnung im System zurücknehmen, damit sie nicht in der Mahnstufe zählt?""", "howto other_object"),
    R("other", "AW: Kulanzanfrage", """Schade, dass keine Erstattung möglich ist, aber ich verstehe das. Dann nutze ich es eben bis zum Laufzeitende weiter. Danke für die ehrliche Antwort.""", "ack"),
    R("other", "Ausschreibung Projektsoftware", """Guten Tag,

wir schreiben derzeit eine Projektmanagement-Software aus. Könnten Sie uns bis zum 18.12. ein Angebot für 120 Nutzer inklusive Single Sign-on und Hosting in Deutschland zukommen lassen?

Freundliche Grüße
Hella Marschall
Beschaffung, Stadtwerke Wiesental""", "sales signature"),
    R("other", "Kündigungsvorlage", """Hi! Gibt es in eurem Dokumentenmodul eine Vorlage für Kündigungsschreiben an Mieter? Ich verwalte sechs Wohnungen und muss einem Mieter wegen Eigenbedarf kündigen.""", "howto other_object"),
    # ---------------------------------------------------------------- batch 4
    R("refund", "AW: Bestätigung Ihrer Kündigung – Bautagebuch Pro", """Guten Tag,

die Kündigung ist so in Ordnung. Allerdings hat mir Ihr Vertriebsmitarbeiter Herr Scholz beim Abschluss am 12.11. ausdrücklich zugesichert, dass ich im ersten Monat mit voller Erstattung aussteigen kann. Ich bin im ersten Monat – bitte erstatten Sie mir die im Voraus bezahlten drei Monate (267,00 €).

Mit freundlichen Grüßen
Bernd Hölscher
Hölscher Bau GmbH

-----Ursprüngliche Nachricht-----
Von: Bautagebuch Pro <vertrag@bautagebuch.pro>
Gesendet: Freitag, 4. Dezember 2026 16:40
An: b.hoelscher@hoelscher-bau.de
Betreff: Bestätigung Ihrer Kündigung – Bautagebuch Pro

Sehr geehrter Herr Hölscher, wir bestätigen Ihre Kündigung. Ihr Vertrag endet zum Ablauf der Mindestlaufzeit am 31.03.2027.""", "quoted outlook signature vendor_confirmation_quoted"),
    R("refund", "Abbuchung nach Kontoauflösung", """Guten Tag,

unser Verein hat sein Konto bei Ihnen im Juni aufgelöst – das haben Sie uns damals auch bestätigt. Jetzt wurden am 1.12. trotzdem 59 € per Lastschrift eingezogen, die wir nie autorisiert haben. Bitte zahlen Sie den Betrag auf das Vereinskonto zurück.

Mit freundlichen Grüßen
Helga Rosenthal
Kassenwartin, Kleingartenverein Am Lindenhain e.V.""", "billing_error formal signature", reason=B),
    R("refund", "Falscher Tarif berechnet", """Hallo, wir sind im Tarif „Verein" (19 €), berechnet wurde aber „Business" (49 €). Sieht nach einem Fehler bei der Umstellung aus. Die 30 € zu viel bitte zurückerstatten, danke.""", "billing_error short", reason=B),
    R("refund", "Premium für die Elternfotos", """Hallöchen,

ich bin Tagesmutter und hab mir Premium geholt, um den Eltern die Fotos aus der Woche zu schicken. Die wollen jetzt aber doch lieber alles per WhatsApp. Gibt es vielleicht eine Chance, das Geld zurückzubekommen? 😊 Wäre echt lieb!

Liebe Grüße
Lilly Hartwig""", "polite informal signature"),
    R("refund", "90 Euro", """Guten Tag, ich habe Monat-Tarif gewählt für 9 Euro, aber auf Karte steht 90 Euro. Vielleicht Jahr? Ich wollte nur Monat. Bitte Unterschied zurück. Mit freundliche Grüße, Olga Schmidt""", "non_native billing_error", reason=B),
    R("refund", "Kulanz für Dezember?", """Hallo Support,

ich war den ganzen November im Krankenhaus und konnte das Tool nicht nutzen, gleichzeitig hat es sich am 1.12. verlängert. Ich will das Abo behalten, aber wäre eine Rückzahlung für Dezember aus Kulanz drin? Das würde mir gerade sehr helfen.

Beste Grüße
Jürgen Abt""", "polite signature"),
    R("cancellation", "DRITTE KÜNDIGUNG", """ICH KÜNDIGE. ZUM DRITTEN MAL. BESTÄTIGEN SIE ES ENDLICH.""", "caps angry"),
    R("cancellation", "AW: Ihre Lizenz verlängert sich in 30 Tagen", """Nein danke, nicht verlängern. Und bitte auch keine weiteren Erinnerungen.

Am Mo., 7. Dez. 2026 um 07:00 schrieb Lagerprofi <lizenz@lagerprofi.de>:
> Ihre Lizenz „Lagerprofi Pro" verlängert sich am 06.01.2027 automatisch
> um ein Jahr (1.188,00 €). Sie müssen nichts weiter tun.""", "quoted short indirect"),
    R("cancellation", "Stilllegung Arbeitsbereich", """Hallo,

nach der Fusion mit der Kanzlei Berghoff nutzen wir deren Systeme. Unseren Arbeitsbereich „Kanzlei Stein" könnt ihr stilllegen, zahlen möchten wir dafür ab Januar nichts mehr.

Grüße
Pia Stein""", "indirect signature"),
    R("cancellation", "", """<div>Sehr geehrtes Team,</div><div><br></div><div>hiermit k&uuml;ndige ich meinen Account fristgerecht. Ich bitte um L&ouml;schung meiner personenbezogenen Daten nach Vertragsende sowie um eine kurze Best&auml;tigung.</div><div><br></div><div>Mit freundlichen Gr&uuml;&szlig;en<br>Ingrid Havelka</div>""", "html formal signature", html=True),
    R("cancellation", "Vertrag nicht verlängern", """Wir möchten nicht, dass sich unser Vertrag im März stillschweigend verlängert. Bitte als Kündigung zum Laufzeitende werten.

R. Kuhlmann
Kuhlmann Haustechnik""", "indirect signature"),
    R("cancellation", "auflösen", """Guten Tag, ich möchte mein Kundenkonto auflösen. Ich nutze inzwischen ein anderes Programm. Danke.""", "plain"),
    R("both", "Botendienst-App", """<div dir="ltr">Sehr geehrte Damen und Herren,<br><br>wir k&uuml;ndigen die Botendienst-App f&uuml;r unsere Apotheke zum Monatsende. Au&szlig;erdem bitten wir um Erstattung der Einrichtungsgeb&uuml;hr von 199&nbsp;&euro;, da die Einrichtung von Ihrer Seite nie abgeschlossen wurde.<br><br>Mit freundlichen Gr&uuml;&szlig;en<br>Apothekerin Femke Adebahr<br>Löwen-Apotheke Neustadt</div>""", "html signature formal", html=True),
    R("both", "menno", """Och menno. Die App stürzt ständig ab, ich mag nicht mehr. Abo aus und das Geld für diesen Monat zurück, bitte.""", "informal"),
    R("both", "AW: Ihr Treuebonus wartet!", """Treuebonus? Ich habe vor drei Wochen gekündigt, und Sie haben trotzdem verlängert. Buchen Sie die Verlängerung zurück und setzen Sie die Kündigung endlich um.

-----Ursprüngliche Nachricht-----
Von: Planschleife <treue@planschleife.de>
Gesendet: Montag, 7. Dezember 2026 08:00
An: Sina Brückner
Betreff: Ihr Treuebonus wartet!

Liebe Frau Brückner, danke, dass Sie ein weiteres Jahr bei uns sind! Als Dankeschön schenken wir Ihnen 5 GB Extraspeicher.""", "quoted outlook angry"),
    R("both", "WG: Terminmodul Autohaus Berger", """Hallo zusammen,

wir betreuen die IT vom Autohaus Berger, unten deren Bitte. Kundennummer ist 30-8812. Bitte Terminmodul kündigen und die Quartalsgebühr erstatten.

Viele Grüße
Tom Pullmann
Pullmann IT-Service

---------- Weitergeleitete Nachricht ---------
Von: Sabine Berger <s.berger@autohaus-berger.de>
Date: Fr., 4. Dez. 2026 um 17:05
Subject: Terminmodul
To: Tom Pullmann <tom@pullmann-it.de>

Hallo Tom, das Online-Terminmodul nutzt bei uns kein Mensch, die Kunden rufen eh an. Kannst du das kündigen und die Quartalsgebühr, die wir gerade im Voraus bezahlt haben, zurückholen?""", "forwarded signature"),
    R("both", "Mitgliedschaft + Geld", """Servus, bitte beendets meine Mitgliedschaft und überweists mir den Beitrag vom Dezember zurück. Ich hab die App eh schon am Handy gelöscht.""", "austrian informal"),
    R("refund_status", "Klarna", """Dauert die Rückerstattung auf Klarna genauso lange wie auf die Karte? Bisher sehe ich dort nur die offene Rechnung.""", "short"),
    R("refund_status", "AW: AW: AW: Erstattung", """Seit fünf Wochen werde ich vertröstet. Ich möchte jetzt ein konkretes Datum, an dem die Erstattung auf meinem Konto ist.

Anna Körber""", "angry signature"),
    R("refund_status", "Erstattung Filiale Gießen", """Guten Morgen,

ist die Erstattung für unsere Filiale Gießen (Kundennr. 2281) schon angewiesen? Laut Ihrem Kollegen sollte sie letzte Woche rausgehen.

Freundliche Grüße
Petra Nowak
Debitorenbuchhaltung""", "formal signature"),
    R("policy_question", "Restliche Tage", """Werden bei einer Kündigung im laufenden Monat die restlichen Tage erstattet, oder zahlt man den Monat voll?""", "plain"),
    R("policy_question", "Vorstandswechsel", """<div>Hallo,</div><div>bei uns im Verein wechselt der Vorstand j&auml;hrlich. Kann ein neuer Vorstand den Vertrag jederzeit k&uuml;ndigen, oder gilt eine Mindestlaufzeit? Wo steht das?</div><div><br></div><div>Danke<br>Gregor Wulf</div>""", "html signature", html=True),
    R("policy_question", "Mindestlaufzeit Team", """Gibt es beim Team-Tarif eine Mindestvertragslaufzeit?""", "short"),
    R("withdrawal", "Widerruf nach Fernabsatzrecht", """Hallo, ich bin Verbraucher und habe am Sonntag über Ihre Website bestellt. Ich widerrufe diesen Vertrag nach Fernabsatzrecht. Danke für eine kurze Bestätigung.""", "plain"),
    R("other", "AW: Gutschrift erstellt", """Prima, die Gutschrift ist da. Sie können das Ticket schließen.""", "ack short"),
    R("other", "Rechnungen an Buchhaltung", """Ich möchte nicht kündigen, nur die Rechnungen künftig an buchhaltung@meyer-holzbau.de schicken lassen. Wo stelle ich das ein?""", "negation howto"),
    R("other", "Anzahlung Brautpaar", """Hallo, ein Brautpaar hat seine Feier bei uns storniert. Wie erstatte ich ihm über eure Buchungssoftware einen Teil der Anzahlung? Laut unseren AGB behalten wir 30 %.

Viele Grüße
Gut Lindenhof Eventlocation""", "howto other_object signature"),
    R("other", "Neuer Firmenname", """Bitte stellen Sie künftige Rechnungen auf unseren neuen Firmennamen aus: aus „Meyer Holzbau" wird „Meyer & Sohn Holzbau GmbH". Anschrift bleibt gleich.""", "billing_address"),
    R("other", "Zahlung kommt", """Guten Tag, ich habe die Mahnung bekommen. Bitte keine Kündigung oder Sperre, die Überweisung ist heute raus, die alte Karte war abgelaufen.""", "negation"),
    R("other", "Lob + Wunsch", """Ich wollte einfach mal sagen, dass eure App mir den Alltag als Handwerker echt erleichtert. Ein Wunsch hätte ich: Dark Mode für Android? Wäre klasse.""", "praise"),
    # ---------------------------------------------------------------- batch 5 (own situations, not the English ones)
    R("refund", "Mandantenportal-Zusatz", """Sehr geehrte Damen und Herren,

wir haben am 30.11. die Jahreslizenz für den Zusatz „Mandantenportal" gebucht (480,00 € netto), weil uns Ihr Vertrieb eine DATEV-Anbindung zugesagt hatte. Diese ist, wie wir jetzt erfahren, erst für Mitte 2027 geplant. Wir bitten daher um Rückzahlung der Lizenzgebühr; den Zusatz haben wir bereits deaktiviert.

Mit freundlichen Grüßen

i. A. Corinna Wendel
Kanzleiorganisation

Wendel & Partner mbB Steuerberatungsgesellschaft
Partnerschaftsregister: Amtsgericht Essen PR 3318
Zuständige Kammer: Steuerberaterkammer Düsseldorf
Diese Nachricht ist ausschließlich für den bezeichneten Adressaten bestimmt. Sie kann dem Berufsgeheimnis unterliegende Informationen enthalten (§ 57 StBerG, § 203 StGB). Sollten Sie nicht der vorgesehene Empfänger sein, bitten wir Sie, den Absender umgehend zu informieren und die Nachricht zu löschen.""", "signature legal_footer long formal"),
    R("refund", "doppelt abonniert", """Hallo, ich hab gemerkt, dass ich euch doppelt zahle: einmal übers iPhone (Apple-Abo) und einmal direkt bei euch auf der Website. Das Apple-Abo behalte ich. Könnt ihr mir das direkt bezahlte Jahresabo erstatten? Account: mert.kaya@posteo.de""", "plain"),
    R("refund", "Unterrichtsplattform", """Liebes Support-Team,

ich unterrichte seit Jahren Klavier und bin während Corona mit meinen Schüler:innen auf eure Plattform umgestiegen – dafür erst mal ein großes Danke, das hat mir damals den Laden gerettet. Inzwischen kommen aber alle wieder in mein Studio, die letzte Online-Schülerin hat im Oktober aufgehört.

Langer Rede kurzer Sinn: Die Jahresgebühr wurde am 1. Dezember abgebucht (216 €), und ich werde die Plattform dieses Jahr sehr wahrscheinlich gar nicht brauchen. Wäre es möglich, mir das Geld zurückzugeben? Den kostenlosen Zugang würde ich gern behalten, falls doch mal jemand online Unterricht möchte.

Musikalische Grüße
Friederike Albers""", "long chatty signature"),
    R("refund", "PDF-EXPORT", """DAS PROGRAMM STÜRZT BEI JEDEM PDF-EXPORT AB. SEIT DREI WOCHEN. ICH WILL DIE 49 EURO ZURÜCK.""", "caps angry"),
    R("refund", "Re: Ihre Mitgliedschaft endet zum 31.12.", """Hallo,

danke für die Bestätigung. Ihr habt allerdings am 1.12. schon den Januar vorab eingezogen (19 €), obwohl ich am 28.11. gekündigt hatte. Den hätte ich gern zurück, ich bin ja ab Januar nicht mehr dabei.

Gruß
Kai Petersen

Am Mi., 2. Dez. 2026 um 08:15 schrieb Lernkreis Mitgliederservice <mitglieder@lernkreis.de>:
> Hallo Kai,
>
> wir bestätigen dir gerne, dass deine Mitgliedschaft zum 31.12.2026 endet.
> Bis dahin kannst du alle Kurse wie gewohnt nutzen.
>
> Dein Lernkreis-Team""", "quoted signature vendor_confirmation_quoted"),
    R("refund", "", """<div>Guten Tag,</div><div><br></div><div>wir sind ein eingetragener Verein und haben beim Abschluss versehentlich den Business-Tarif statt des Vereinstarifs gew&auml;hlt &ndash; unser Fehler, das gebe ich zu. Inzwischen sind wir im Vereinstarif. K&ouml;nnten Sie uns die Differenz f&uuml;r das laufende Jahr (360&nbsp;&euro;) erstatten? Den Freistellungsbescheid schicke ich gern mit.</div><div><br></div><div>Mit freundlichen Gr&uuml;&szlig;en<br>Ute Brinkmann<br>1. Vorsitzende, Tafel Nordheide e.V.</div>""", "html formal signature", html=True),
    R("cancellation", "", """Abo bitte zum 31.01. beenden.""", "plain short"),
    R("cancellation", "Schülerlizenzen Grundschule am Deich", """Sehr geehrte Damen und Herren,

die 25 Schülerlizenzen der Grundschule am Deich (Kundennummer SCH-2041) sollen zum Ende des Schuljahres am 31.07.2027 nicht verlängert werden, da das Land eine eigene Lernplattform bereitstellt. Bitte bestätigen Sie das Vertragsende an die Schulverwaltung.

Mit freundlichen Grüßen
Im Auftrag
Holger Detlefsen
Schulverwaltungsamt, Stadt Husum""", "formal signature seats"),
    R("cancellation", "AW: Einladung zum Jahresgespräch", """Hallo Frau Kranz,

danke für die Einladung, aber ein Jahresgespräch brauchen wir nicht mehr: Wir verlängern nicht. Der Vertrag soll zum 30.06. enden, bitte vormerken.

Viele Grüße
Sven Oltmanns

-----Ursprüngliche Nachricht-----
Von: Tanja Kranz <t.kranz@vertragsnest.de>
Gesendet: Donnerstag, 3. Dezember 2026 11:20
An: s.oltmanns@oltmanns-logistik.de
Betreff: Einladung zum Jahresgespräch

Hallo Herr Oltmanns, Ihr Vertrag verlängert sich zum 30.06.2027 automatisch um zwölf Monate. Gern würde ich vorher mit Ihnen über die neuen Funktionen sprechen.""", "quoted outlook signature"),
    R("cancellation", "ab februar", """ich brauch das ding ab februar nich mehr, stellt das bite ab. danke""", "indirect lowercase informal typo"),
    R("cancellation", "Kündigung Softwarepflegevertrag SP-2231", """Sehr geehrte Damen und Herren,

hiermit kündigen wir den Softwarepflegevertrag Nr. SP-2231 für „Lagerprofi Pro" fristgerecht zum 30.06.2027. Bitte bestätigen Sie uns den Eingang dieser Kündigung sowie das Vertragsende.

Mit freundlichen Grüßen
Brigitte Nohl
Einkauf, Nohl Elektrogroßhandel GmbH""", "formal signature"),
    R("cancellation", "WG: Sprachmemo Chef", """Hallo Support,

unten die Abschrift einer Sprachnachricht von Herrn Dr. Vogel. Das Konto läuft über praxis@dr-vogel-ortho.de. Bitte entsprechend erledigen.

Danke
Sandra Beil
Praxissekretariat

---------- Weitergeleitete Nachricht ---------
Von: Diktat-Abschrift <noreply@praxis-intern.de>
Date: Mo., 7. Dez. 2026 um 07:58
Subject: Sprachmemo Chef
To: s.beil@dr-vogel-ortho.de

"Frau Beil, bitte das Abo für das Diktierprogramm kündigen, wir nehmen ab Januar das von der Kassenärztlichen. Danke.\"""", "forwarded signature"),
    R("both", "Dann eben nicht", """Ihr Kollege schreibt, die Kalenderfreigabe für externe Kunden kommt „vorerst nicht". Genau dafür hatte ich das Jahresabo genommen. Dann kündige ich. Und die Vorauszahlung für Januar will ich zurück.""", "angry"),
    R("both", "AW: Neue Preise ab 1. Januar", """Zu diesen Preisen nicht. Kündigen Sie mein Abo bitte zum 31.12. und erstatten Sie den für Januar bereits eingezogenen Betrag.

Elke Hansen

-----Ursprüngliche Nachricht-----
Von: Kontorbuch <info@kontorbuch.de>
Gesendet: Dienstag, 1. Dezember 2026 09:00
An: elke.hansen@online.de
Betreff: Neue Preise ab 1. Januar

Liebe Kundin, lieber Kunde, ab dem 1. Januar 2027 kostet der Tarif Solo 14,90 € statt 11,90 € im Monat.""", "quoted outlook"),
    R("both", "", """konto zu, geld her.""", "short lowercase angry"),
    R("both", "Auflösung Konto und Restguthaben", """Sehr geehrte Damen und Herren,

ich ersuche um Auflösung meines Kontos (Benutzer gruber.anton) und um Rücküberweisung des verbleibenden Guthabens von 23,40 € auf mein Konto AT48 3200 0000 1234 5864 bei der Raiffeisenbank.

Hochachtungsvoll
Anton Gruber
Ried im Innkreis""", "formal austrian signature"),
    R("both", "Abo kündigen", """Hallo, ich will meine Abo kündigen und Geld zurück, weil ich habe nie benutzt. Mein Sohn hat angemeldet auf meine Name für die Schule, aber Schule braucht nicht. Danke, Ayşe Demir""", "non_native"),
    R("refund_status", "PayPal ausstehend", """Die Erstattung steht bei PayPal seit 8 Tagen auf „ausstehend". Ist das normal, oder hängt da was?""", "plain"),
    R("refund_status", "", """Rückzahlung schon raus?""", "short"),
    R("refund_status", "WG: Erstattung zugesagt", """Hallo, mein Mann hat mich gebeten nachzufragen – die unten zugesagte Erstattung ist bis heute nicht auf unserem Konto. Wann können wir damit rechnen?

Gruß
Birgit Sommer

---------- Weitergeleitete Nachricht ---------
Von: Rasterblatt Support <hilfe@rasterblatt.de>
Date: Do., 19. Nov. 2026 um 15:44
Subject: Erstattung zugesagt
To: Klaus Sommer <k.sommer@arcor.de>

Hallo Herr Sommer, wir erstatten Ihnen die Novembergebühr von 24,00 €. Das Geld ist in wenigen Tagen auf Ihrem Konto.""", "forwarded signature"),
    R("policy_question", "Kündigung in der Elternzeit", """Hallo, ich gehe im Frühjahr in Elternzeit. Gibt es bei euch für so einen Fall ein Sonderkündigungsrecht oder eine Pausenregel, oder läuft das Jahresabo einfach weiter? Ich will noch nichts kündigen, nur planen.""", "plain"),
    R("policy_question", "Geld-zurück-Garantie bei Verlängerung?", """Gilt eure 30-Tage-Geld-zurück-Garantie eigentlich nur beim ersten Kauf oder auch bei jeder Verlängerung?""", "plain"),
    R("withdrawal", "Widerruf", """Guten Tag, ich habe gestern bestellt und möchte mein Widerrufsrecht nutzen. Den einen Tag, den ich es schon benutzt habe, können Sie gern abziehen.

Freundliche Grüße
Melanie Rast""", "signature"),
    R("withdrawal", "Widerruf des Vertrags vom 04.12.2026", """Kundennr. 8812 – hiermit widerrufe ich den Vertrag vom 04.12.2026. Bitte um Bestätigung.

J. Lindner""", "short formal"),
    R("other", "Anwendertreffen Leipzig", """Hallo, bitte stornieren Sie meine Anmeldung zum Anwendertreffen in Leipzig am 21. Januar, ich kann leider nicht. Das Hotelzimmer habe ich selbst gebucht und storniere es direkt beim Hotel.

Danke
Carsten Möhle""", "other_object signature"),
    R("other", "Tarifwechsel nach dem Projekt", """Hi, wir wollen nicht kündigen, aber nach Projektende im März reicht uns der Basis-Tarif. Können wir dann von Premium auf Basis wechseln, ohne dass Daten verloren gehen?""", "negation downgrade"),
    R("other", "Dauerauftrag", """Nur zur Info: Ich habe den Dauerauftrag bei meiner Bank gelöscht, weil ihr ja seit Dezember per Lastschrift einzieht. Nicht dass da doppelt was kommt.""", "other_object"),
    R("other", "Schulung vor Ort", """Grüß Gott, bieten Sie auch Schulungen vor Ort in Wien an? Wir hätten acht neue Kolleginnen im Jänner. Was würde das kosten?

Mit freundlichen Grüßen
Mag. Petra Haider""", "sales austrian signature"),
    R("other", "AW: Ihre Kündigung", """Vielen Dank, Kündigung erhalten. Schicken Sie mir bitte noch die Schlussrechnung an diese Adresse.

Am Fr., 4. Dez. 2026 um 10:30 schrieb Vertragsnest <kuendigung@vertragsnest.de>:
> Guten Tag, hiermit bestätigen wir Ihre Kündigung zum 31.12.2026.""", "ack quoted"),
    R("other", "Lastschrift doppelt?", """Sollte die Lastschrift diesen Monat wieder doppelt kommen, gebe ich beide zurück und kündige. Bitte prüfen Sie Ihre Abrechnung vorher.""", "conditional"),
    # ---------------------------------------------------------------- batch 6
    R("refund", "Zwei Arbeitsbereiche bezahlt", """Hallo,

beim Einrichten haben wir versehentlich zwei Arbeitsbereiche angelegt („Praxis Kern" und „Praxis Kern 2") und für beide den Jahresbeitrag bezahlt. Den zweiten haben wir schon gelöscht. Können Sie uns den Beitrag dafür zurückzahlen?

Viele Grüße
Sabrina Kern""", "signature"),
    R("refund", "Rückerstattung via TWINT?", """Grüessech

Ich habe das Jahresabo letzte Woche mit TWINT bezahlt und merke jetzt, dass die App auf meinem älteren Android gar nicht läuft. Könnten Sie mir die CHF 79.– zurückerstatten, gerne wieder via TWINT?

Merci und freundliche Grüsse
Simone Gerber""", "swiss polite signature"),
    R("refund", "Guthaben auszahlen statt verrechnen", """Guten Tag,

Sie haben uns für die doppelt gezahlte Rechnung ein Guthaben im Kundenkonto eingetragen. Wir möchten das Geld aber bitte zurück auf unser Geschäftskonto, nicht als Guthaben – unser Vertrag endet ohnehin im Februar.

Mit freundlichen Grüßen
Buchhaltung Ostermann Bau""", "formal signature"),
    R("refund", "", """Erstattung für Dezember, bitte. Danke.""", "short"),
    R("refund", "jahrestarif", """Hallöchen, ick hab aus Versehn den Jahrestarif jebucht statt den Monat. Könnt ihr mir det Jeld zurückjeben? Dann buch ick den Monatstarif neu. Danke euch!""", "informal dialect typo"),
    R("cancellation", "", """Schluss, aus, vorbei. Abo weg.""", "short angry"),
    R("cancellation", "Kündigung für Frau Edith Maurer", """Sehr geehrte Damen und Herren,

als gerichtlich bestellte Betreuerin von Frau Edith Maurer (geb. 14.03.1939), die inzwischen in einer Pflegeeinrichtung lebt, kündige ich das auf ihren Namen laufende Abonnement (E-Mail edith.maurer@gmx.de) zum nächstmöglichen Zeitpunkt. Eine Kopie des Betreuerausweises füge ich bei.

Mit freundlichen Grüßen
Karin Schöndorf
Berufsbetreuerin""", "formal signature"),
    R("cancellation", "Zusatzmodul Lohn", """Hallo, bitte das Zusatzmodul Lohnabrechnung zum Monatsende kündigen. Das Hauptpaket Buchhaltung behalten wir. Danke, Erik Laubach""", "plain signature"),
    R("cancellation", "Google Play", """wie kündige ich wenn ich über google play abgeschloßen hab? in der app selbst find ich nix""", "howto lowercase typo"),
    R("cancellation", "Fristlose Kündigung", """Sehr geehrte Damen und Herren,

nach Ihrer Mitteilung vom 3. Dezember über den unbefugten Zugriff auf Kundendaten kündigen wir den Vertrag (Kundennummer 77-4410) fristlos aus wichtigem Grund. Bitte löschen Sie sämtliche bei Ihnen gespeicherten Daten unseres Unternehmens und bestätigen Sie die Löschung.

Mit freundlichen Grüßen
Dr. Felix Hanssen
Geschäftsführer, Hanssen Steuerberatung GmbH""", "formal signature"),
    R("cancellation", "Ruhestand", """Liebes Team, ich gehe zum Jahresende in den Ruhestand. Bitte meinen Zugang zum 31.12. stilllegen und danach nichts mehr abbuchen. Es war eine gute Zeit mit eurem Programm!

Herzliche Grüße
Waltraud Jessen""", "indirect signature"),
    R("both", "Unangekündigte Preiserhöhung", """Sehr geehrte Damen und Herren,

Sie haben seit November 14,90 € statt 9,90 € abgebucht, ohne mich vorher zu informieren. Einer Preiserhöhung habe ich nie zugestimmt. Ich kündige hiermit das Abo und verlange die Differenz für November und Dezember (10,00 €) zurück.

Mit freundlichen Grüßen
Manfred Oellers""", "formal signature billing_error", reason=B),
    R("both", "", """weg damit und geld retour. danke""", "short lowercase austrian"),
    R("both", "Kassenwart-Frust", """Hallo zusammen,

ich bin seit diesem Jahr Kassenwart bei uns im Schachverein und räume gerade die Finanzen auf. Dabei habe ich gesehen, dass wir seit 2024 euer Turnierverwaltungs-Abo bezahlen, das mein Vorgänger für eine einzige Vereinsmeisterschaft abgeschlossen hat. Seitdem hat sich niemand mehr eingeloggt. Bitte beendet das Abo und erstattet uns, was ihr kulanterweise erstatten könnt – mindestens aber den Beitrag für dieses Jahr.

Mit Schachgruß
Torsten Ahlers
SV Springer Bad Oldesloe e.V.""", "long signature"),
    R("both", "Abo", """Hallo,

bitte mein Abo zum nächstmöglichen Termin beenden. Ich bin mit der App an sich zufrieden, nutze sie aber kaum noch, seit ich im Homeoffice bin.

Viele Grüße
Lena Brandes

PS: Den Dezember-Beitrag, der nach meinem Anruf am 30.11. noch abgebucht wurde, hätte ich gern erstattet.""", "signature far_apart"),
    R("refund_status", "Gutschrift erfolgt?", """Sie schrieben, die Gutschrift sei erfolgt – auf welches Konto denn? Ich sehe weder auf der Karte noch auf dem Girokonto etwas.""", "plain"),
    R("refund_status", "", """Wann kommt denn nun die zugesagte Rückzahlung?""", "short"),
    R("refund_status", "Erstattung Mandant Vogt", """Sehr geehrte Damen und Herren,

für unseren Mandanten, die Vogt Metallbau GmbH, fragen wir nach dem Stand der am 18.11. zugesagten Erstattung über 356,00 €. Wurde die Gutschrift bereits erstellt und der Betrag angewiesen? Wir benötigen die Gutschrift für den Monatsabschluss.

Mit freundlichen Grüßen
Kanzlei Ebeling & Roth Steuerberater""", "formal signature"),
    R("policy_question", "Vorausbezahlte Monate", """Wo steht in euren AGB, was mit vorausbezahlten Monaten passiert, wenn man kündigt? Ich finde den Abschnitt nicht.""", "plain"),
    R("policy_question", "Kündigung zum Quartal?", """Guten Tag, kann man den Business-Vertrag zum Quartalsende kündigen oder nur zum Ende der Jahreslaufzeit? Danke für eine kurze Info.""", "plain"),
    R("withdrawal", "Widerruf gem. § 355 BGB", """Sehr geehrte Damen und Herren,

hiermit widerrufe ich gemäß § 355 BGB meine Bestellung des Tarifs „Privat Plus" vom 01.12.2026. Die Widerrufsfrist ist noch nicht abgelaufen.

Mit freundlichen Grüßen
Thorsten Behrendt
Kiefernweg 7, 14469 Potsdam""", "formal signature"),
    R("other", "Termin bei Dr. Kern", """Guten Tag, ich muss meinen Termin am Dienstag um 9:30 Uhr bei Frau Dr. Kern absagen. Ich habe die Adresse aus der Terminbestätigung genommen, hoffentlich kommt das an.

Gruß
Anneliese Voss""", "other_object"),
    R("other", "Bestellung an Lieferanten stornieren", """Hallo, wie storniere ich in eurem Einkaufsmodul eine Bestellung, die schon an den Lieferanten übermittelt wurde? Der Button ist ausgegraut.""", "howto other_object"),
    R("other", "zu teuer", """Ich will nicht kündigen, aber 39 € im Monat sind für mich als Einzelkämpferin echt viel. Gibt es einen günstigeren Tarif, der nur die Rechnungen kann?""", "negation downgrade"),
    R("other", "Preiserhöhung?", """Gerüchteweise erhöht ihr im Januar die Preise. Falls das stimmt und es mehr als 10 % sind, bin ich weg. Stimmt das?""", "conditional"),
    R("other", "AW: Erstattung 20 €", """Die 20 € sind angekommen, passt. Noch eine Frage: Kann ich die Rechnungen vom letzten Jahr gesammelt als PDF herunterladen?

Am Do., 3. Dez. 2026 um 14:10 schrieb Kontorbuch Support <support@kontorbuch.de>:
> Wir haben Ihnen 20,00 € erstattet.""", "ack quoted howto"),
    R("other", "Neue Bankverbindung", """Guten Tag,

wir haben die Hausbank gewechselt. Bitte ziehen Sie die monatlichen Beiträge ab Januar von dieser IBAN ein: DE12 2505 0180 0910 4471 22 (Sparkasse Hannover), Kontoinhaber Lindemann Gartenbau GmbH. Das neue SEPA-Mandat hängt an.

Freundliche Grüße
Heike Lindemann""", "payment_change signature"),
]
