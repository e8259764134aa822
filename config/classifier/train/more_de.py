"""German messages for de-more.jsonl, each written out in full by hand (see more_build.py)."""


def R(label, subject, body, tags, **opts):
    return (label, subject, body, tags, opts)


ROWS = [
    # ------------------------------------------------------------------ refund (13, 2 billing_error)
    R("refund", "", """Kann ich das Geld für Dezember wiederhaben? Hab die App gar nicht aufgemacht.""",
      "plain short informal"),
    R("refund", "Re: Bestätigung Ihrer Kündigung", """Hallo,

danke für die Bestätigung. Allerdings wurde die Jahresgebühr von 119 € zwei Tage vor meiner Kündigung noch abgebucht, und das Jahr werde ich ja nicht mehr nutzen. Ich bitte darum, mir den Betrag zurückzuzahlen.

Viele Grüße
Stefanie Hollmann

Am 2. Dez. 2026 um 16:05 schrieb Planwerk Support <support@planwerk.de>:
> Hallo Frau Hollmann,
>
> hiermit bestätigen wir die Kündigung Ihres Planwerk-Abonnements. Ihr Zugang
> bleibt bis zum 30.11.2027 bestehen, weitere Abbuchungen erfolgen nicht.
>
> Ihr Planwerk-Team""", "quoted signature vendor_confirmation_quoted"),
    R("refund", "Trotz Kündigung abgebucht", """Guten Tag,

ich habe zum 30.11. gekündigt, die Bestätigung liegt mir vor. Am 1.12. wurden trotzdem 34,90 € eingezogen. Bitte überweisen Sie das zurück.

M. Castellano""", "plain signature"),
    R("refund", "Doppelte Lastschrift", """Guten Tag,

auf meinem Kontoauszug stehen zwei Lastschriften von Ihnen über je 49,00 €, beide vom 03.12. Ich habe nur ein Konto bei Ihnen. Bitte erstatten Sie mir eine davon.

Freundliche Grüsse
Sabine Kröger""", "billing_error signature", reason="billing_error"),
    R("refund", "Falscher Betrag auf Rechnung R-77120", """Grüezi

Wir haben 5 Lizenzen, verrechnet wurden aber 12 (CHF 336.00 statt CHF 140.00). Bitte buchen Sie uns die Differenz von CHF 196.00 auf die Kreditkarte zurück, nicht als Guthaben.

Besten Dank und freundliche Grüsse
Reto Ammann
Ammann Treuhand AG, Winterthur""", "billing_error signature swiss formal", reason="billing_error"),
    R("refund", "GELD ZURÜCK", """ICH WILL MEIN GELD ZURÜCK!!! SEIT ZWEI WOCHEN FUNKTIONIERT GAR NICHTS.""", "caps angry short"),
    R("refund", "Verlängerung", """Verlängerung bitte rückgängig machen, war keine Absicht.""", "short"),
    R("refund", "rückerstatung", """hallo, kann ich ne rückerstatung bekommen? hab aus versehn das jahresabo statt monat gebucht""",
      "typo informal lowercase"),
    R("refund", "Bitte um Kulanz", """Sehr geehrte Damen und Herren,

seit 2021 nutze ich Ihr Terminbuchungstool für meine Physiotherapiepraxis und war immer sehr zufrieden. Leider musste ich die Praxis aus gesundheitlichen Gründen zum 30. November schließen. Die automatische Verlängerung am 1. Dezember (228,00 €) habe ich in dem ganzen Trubel schlicht übersehen.

Ich wäre Ihnen sehr verbunden, wenn Sie mir diesen Betrag aus Kulanz zurückzahlen könnten. Der Zugang wurde seitdem nicht mehr genutzt.

Mit freundlichen Grüßen
Ursula Mainhardt""", "formal long polite signature"),
    R("refund", "WG: Ihre Rechnung RE-2026-4471", """Hallo,

anbei die Rechnung für Herrn Dr. Brandt. Er bittet um Erstattung, das Paket wurde bei uns nie genutzt, wir haben intern auf ein anderes System umgestellt.

Gruß
Melanie Fuchs
Assistenz der Geschäftsführung

Von: Taktgeber Billing <billing@taktgeber.io>
Gesendet: Dienstag, 1. Dezember 2026 06:00
An: Dr. Jens Brandt
Betreff: Ihre Rechnung RE-2026-4471

Vielen Dank! Ihr Paket "Team 10" wurde verlängert.
Betrag: 590,00 €
Zeitraum: 01.12.2026 – 30.11.2027""", "forwarded signature"),
    R("refund", "Frage", """Wie bekomme ich mein Geld zurück? Das Abo passt doch nicht zu uns, abgeschlossen haben wir es am Montag.""",
      "howto"),
    R("refund", "Tarif", """Servus, bitte die 24 € von gestern wieder zurück aufs Konto, hab mich beim Tarif vertan. Danke dir! Flo""",
      "informal austrian short"),
    R("refund", "Refund", """Hallo, ich möchte bitte Refund für die 29 Euro. Programm läuft nicht auf meine Mac. Danke, Oksana""",
      "non_native mixed_language"),
    # ------------------------------------------------------------------ cancellation (13)
    R("cancellation", "", """kündigen""", "one_word lowercase"),
    R("cancellation", "Re: Wie können wir helfen?", """Kannst du das Abo bitte einfach für mich beenden? Ich find im Menü nix.

Am Fr., 4. Dez. 2026 um 15:10 schrieb Schreibwerk Support <hilfe@schreibwerk.app>:
> Hallo,
>
> danke für deine Nachricht! Magst du uns kurz beschreiben, worum es geht?
>
> Dein Schreibwerk-Team""", "quoted informal"),
    R("cancellation", "Automatische Verlängerung", """Bitte die automatische Verlängerung ausschalten. Danke""", "short"),
    R("cancellation", "kündgung", """hiermit kündige ich meinen acount zum nächst möglichen termin. email ist t.yilmaz84@gmx.de""",
      "typo lowercase"),
    R("cancellation", "Profil löschen", """Guten Tag,

bitte löschen Sie mein Profil samt allen gespeicherten Daten. Ich nutze den Dienst nicht mehr.

Danke
Heike Osterkamp""", "plain signature"),
    R("cancellation", "Team-Lizenzen", """Hallo,

unser Projektteam wird zum Jahresende aufgelöst. Bitte schließt alle vier Plätze im Team "Ausbau Nord" zum 31.12., damit ab Januar nichts mehr berechnet wird.

Danke und Gruß
Marco Hein
Projektleitung, Hein & Partner Bau""", "signature seats informal"),
    R("cancellation", "Vertrag Kundennr. 40-2281", """Sehr geehrte Damen und Herren,

hiermit teilen wir Ihnen mit, dass wir den Vertrag (Kundennr. 40-2281) über den 31.03.2027 hinaus nicht verlängern möchten. Bitte bestätigen Sie uns den Eingang sowie das Vertragsende schriftlich.

Mit freundlichen Grüßen
Holger Wendt
Kaufmännische Leitung
Wendt Haustechnik GmbH""", "formal signature"),
    R("cancellation", "Mitgliedschaft", """Hallo zusammen, ich würde meine Mitgliedschaft gern zum Monatsende beenden. War super, aber ich wechsle den Job und brauche es nicht mehr. LG Jana""",
      "plain polite informal"),
    R("cancellation", "", """Wo kann ich mein Abo beenden? In den Einstellungen finde ich nur "Plan ändern".""", "howto"),
    R("cancellation", "KUENDIGUNG", """KÜNDIGUNG!!! SOFORT!!! KEINE WEITEREN ABBUCHUNGEN.""", "caps angry short no_umlauts"),
    R("cancellation", "Unser Vereinszugang", """Liebe Leute,

kurz zur Lage: Unser Turnverein nutzt euer Tool seit drei Jahren für die Hallenbelegung und die Trainerplanung, und eigentlich lief das super. Auf der Jahreshauptversammlung wurde jetzt aber beschlossen, dass der Landesverband uns ab 2027 ein eigenes System stellt, kostenlos. Da konnte ich als Kassenwart schlecht dagegen argumentieren. Deshalb die Bitte: Schließt unseren Zugang bitte zum Jahresende, wir kommen da nicht mehr zurück.

Die Daten haben wir schon exportiert, das hat dank eurer Anleitung gut geklappt. Danke auch für die schnelle Hilfe im Sommer, als der Kalender gesponnen hat.

Sportliche Grüße
Dieter Lamprecht
Kassenwart TV Eichenau 1908 e.V.""", "long signature informal"),
    R("cancellation", "WG: Abo Zeiterfassung", """Hallo Support, bitte erledigen, s. u. Kundennummer ist 55120.

Danke, Kai Roth

Von: Petra Lindner <p.lindner@lindner-steuer.de>
Gesendet: Freitag, 4. Dezember 2026 16:12
An: Kai Roth <k.roth@lindner-steuer.de>
Betreff: Abo Zeiterfassung

Kai, kannst du bitte das Zeiterfassungs-Abo abbestellen? Ab Januar nehmen wir die Lösung vom Rechenzentrum.""",
      "forwarded signature"),
    R("cancellation", "Vertragsende", """<div>Sehr geehrtes Support-Team,</div><div><br></div><div>wir m&ouml;chten unseren Vertrag zum n&auml;chstm&ouml;glichen Zeitpunkt beenden. Bitte senden Sie uns eine Best&auml;tigung mit dem genauen Enddatum.</div><div><br></div><div>Mit freundlichen Gr&uuml;&szlig;en<br>Annette Sauerbrey<br>Sauerbrey Immobilien</div>""",
      "html formal signature", html=True),
    # ------------------------------------------------------------------ both (8, 1 billing_error)
    R("both", "zwei Sachen", """Hi, bitte die letzte Abbuchung (12,99 €) zurück, ich hab die App diesen Monat nicht genutzt. Und wie lösche ich eigentlich mein Profil?

Danke, Svenja""", "plain informal"),
    R("both", "", """kündigen + geld zurück""", "short lowercase"),
    R("both", "Sehr enttäuscht", """Guten Tag,

wir haben den Growth-Tarif im Oktober nur abgeschlossen, weil Ihr Vertrieb uns die DATEV-Schnittstelle "in wenigen Wochen" zugesagt hat. Jetzt ist Dezember und davon ist nichts zu sehen, nicht einmal auf der Roadmap. Ich habe Stunden damit verbracht, unsere Kontakte zu übertragen, und jetzt dürfen wir alles wieder zurückziehen.

Wir wollen raus: Bitte beenden Sie den Vertrag mit sofortiger Wirkung und zahlen Sie uns die zwei Monatsbeiträge (2 x 89 €) zurück.

Mit freundlichen Grüßen
Frank Udeh
Geschäftsführer, Udeh Hausverwaltung""", "long angry signature formal"),
    R("both", "zweimal abgebucht", """Sie haben zweimal 19,99 € abgebucht. Einmal will ich zurück, und dann kündige ich, mir reicht's.""",
      "billing_error angry", reason="billing_error"),
    R("both", "AW: Bevor du gehst ...", """Nein danke, kein Rabatt. Bitte das Konto schließen. Den Dezember-Beitrag hätte ich auch gern zurück, ich hatte euch schon am 30.11. im Chat gesagt, dass ich aufhören will, abgebucht wurde trotzdem am 1.

Jonas

Am Sa., 5. Dez. 2026 um 11:02 schrieb Pixelhaus <team@pixelhaus.de>:
> Hallo Jonas,
>
> schade, dass du gehen möchtest! Bevor du kündigst: Wir schenken dir 40 %
> Rabatt auf die nächsten drei Monate. Antworte einfach auf diese Mail.
>
> Dein Pixelhaus-Team""", "quoted informal"),
    R("both", "Abonnement von Herrn Gerhard Pohl", """Sehr geehrte Damen und Herren,

ich schreibe im Auftrag meines Vaters, Herrn Gerhard Pohl (Kundennummer 118-0343), der inzwischen in einem Pflegeheim lebt und den Dienst seit September nicht mehr nutzen kann. Eine Vollmacht schicke ich Ihnen gern zu.

Bitte beenden Sie sein Abonnement und erstatten Sie die Beiträge seit September.

Mit freundlichen Grüßen
Birgit Pohl-Santos""", "formal signature on_behalf"),
    R("both", "abo", """bitte abo beenen und die 9,99 zurück überweissen, hab mich nie eingelogt""", "typo lowercase"),
    R("both", "", """Konto löschen. Alles. Und die 60 € will ich wiederhaben.""", "angry short"),
    # ------------------------------------------------------------------ refund_status (7)
    R("refund_status", "", """Gibt's schon was Neues zu meiner Erstattung?""", "short informal"),
    R("refund_status", "Re: Ihre Zahlung", """Hallo Frau Berger,

das ist jetzt zwei Wochen her und auf meinem Konto ist noch nichts angekommen. Könnten Sie bitte einmal nachsehen?

Danke und viele Grüße
Paul Reinhardt

Am 20. Nov. 2026 um 11:03 schrieb Lea Berger (Kassenbuch Support) <support@kassenbuch.de>:
> Hallo Herr Reinhardt,
>
> entschuldigen Sie die Umstände. Ich habe unsere Buchhaltung gebeten, Ihnen
> die letzte Zahlung zu erstatten; das Geld sollte innerhalb einer Woche da sein.
>
> Viele Grüße
> Lea Berger""", "quoted signature"),
    R("refund_status", "Re: Ticket #88213", """mir wurde letzte woche gesagt dass ich das geld zurückbekomme. ist noch nicht da""",
      "informal lowercase short"),
    R("refund_status", "Gutschrift 240,00 EUR", """Sehr geehrte Damen und Herren,

bitte teilen Sie uns mit, ob die von Ihrer Kollegin am 20.11. zugesagte Gutschrift über 240,00 € bereits angewiesen wurde, und nennen Sie uns gegebenenfalls das Valutadatum für unsere Buchhaltung.

Mit freundlichen Grüßen
Helga Brenner
Rechnungswesen
Brenner Spedition GmbH & Co. KG""", "formal signature"),
    R("refund_status", "???", """WO BLEIBT MEINE RÜCKZAHLUNG??? DREI WOCHEN JETZT.""", "caps angry short"),
    R("refund_status", "Erstattung PayPal", """Laut Ihrer Mail geht die Erstattung auf mein PayPal-Konto. Das habe ich aber inzwischen geschlossen. Kommt das Geld dann trotzdem an, und wann ungefähr?""",
      "plain"),
    R("refund_status", "WG: Erstattung veranlasst", """Hallo,

die unten bestätigte Rückerstattung ist nach 14 Werktagen immer noch nicht auf unserem Firmenkonto. Bitte prüfen Sie das.

Gruß
Farida Yüksel
Buchhaltung, Praxis Dr. Lohmann

Von: Taktgeber Billing <billing@taktgeber.io>
Gesendet: Mittwoch, 18. November 2026 10:05
An: buchhaltung@praxis-lohmann.de
Betreff: Erstattung veranlasst

Guten Tag,

wir haben eine Erstattung über 72,00 € auf Ihr Konto DE89 **** 4410 veranlasst. Die Gutschrift kann 5–10 Werktage dauern.

Taktgeber Billing""", "forwarded signature"),
    # ------------------------------------------------------------------ policy_question (6)
    R("policy_question", "Jahresabo", """Gibt's bei Jahresabos eigentlich Geld zurück, wenn man mittendrin aufhört? Überlege gerade, vom Monatsabo umzusteigen.""",
      "informal"),
    R("policy_question", "", """Wo finde ich Ihre Kündigungsbedingungen? Auf der Website habe ich nichts gefunden.""", "short"),
    R("policy_question", "Kündigungsfrist Business-Tarif", """Guten Tag,

bevor wir das Angebot unterschreiben: Welche Kündigungsfrist gilt beim Business-Tarif, und werden im Voraus bezahlte Monate bei vorzeitiger Beendigung anteilig erstattet?

Mit freundlichen Grüßen
Claudia Ebner
Einkauf, Ebner Feinkost GmbH""", "formal signature presales"),
    R("policy_question", "Garantie?", """Gibt es bei Ihnen eine Geld-zurück-Garantie?""", "short"),
    R("policy_question", "Kündigung mitten im Monat", """Wenn ich mitten im Monat kündige, kann ich dann bis zum Ende des bezahlten Zeitraums weiterarbeiten, oder ist der Zugang sofort weg?""",
      "plain"),
    R("policy_question", "AGB Erstattungen", """<div>Hallo,</div><div>k&ouml;nnten Sie mir den Link zu Ihren AGB schicken, speziell zum Abschnitt &uuml;ber Erstattungen bei Reduzierung der Lizenzen w&auml;hrend der Laufzeit? Unsere Buchhaltung m&ouml;chte das vorher lesen.</div><div><br></div><div>Danke,<br>Timo Albers</div>""",
      "html signature", html=True),
    # ------------------------------------------------------------------ withdrawal (5)
    R("withdrawal", "Widerruf", """Sehr geehrte Damen und Herren,

hiermit widerrufe ich den am 02.12.2026 geschlossenen Vertrag über das Pixelhaus-Pro-Abonnement (Kundennummer 70331).

Mit freundlichen Grüßen
Katharina Moser""", "formal signature"),
    R("withdrawal", "Bestellung 2026-8812", """Ich mache von meinem Widerrufsrecht Gebrauch. Bestellt am Freitag, Bestellnummer 2026-8812.""",
      "plain short"),
    R("withdrawal", "Widerrufsformular", """An: Schreibwerk GmbH, Am Hafen 12, 20457 Hamburg, widerruf@schreibwerk.app

Hiermit widerrufe(n) ich/wir (*) den von mir/uns (*) abgeschlossenen Vertrag über den Kauf der folgenden Waren (*)/die Erbringung der folgenden Dienstleistung (*): Schreibwerk Team, Jahreslizenz
Bestellt am (*)/erhalten am (*): 30.11.2026
Name des/der Verbraucher(s): Pieter Claes
Anschrift des/der Verbraucher(s): Lindenstraße 4, 50674 Köln
Datum: 07.12.2026

(*) Unzutreffendes streichen.""", "form formal"),
    R("withdrawal", "", """will das innerhalb der 14 tage widerrufen, geld bitte zurück auf die karte""",
      "informal lowercase"),
    R("withdrawal", "Rücktritt vom Vertrag", """Sehr geehrte Damen und Herren,

ich trete gemäß FAGG innerhalb der 14-tägigen Frist vom Vertrag über das am 3. Dezember gebuchte Jahresabo zurück. Um Bestätigung wird gebeten.

Freundliche Grüße aus Graz
Lukas Pichler""", "formal austrian signature"),
    # ------------------------------------------------------------------ other (21)
    R("other", "Re: Ihre Erstattung", """ja, Erstattung morgen passt, danke!

Am So., 6. Dez. 2026 um 16:30 schrieb Planwerk Billing <billing@planwerk.de>:
> Hallo Frau Engel,
>
> wir können die Erstattung über 18 € morgen früh anweisen. Passt Ihnen das?
>
> Planwerk Billing""", "ack quoted refund_word"),
    R("other", "AW: Kündigungsbestätigung", """Danke für die Bestätigung der Kündigung, alles klar so.""", "ack short cancel_word"),
    R("other", "Ich habe NICHT gekündigt", """Hallo,

ich habe gerade eine Mail bekommen, dass mein Abo gekündigt sei. Ich habe aber NICHT gekündigt und will das auch nicht! Bitte schalten Sie den Zugang sofort wieder frei, das ganze Büro arbeitet damit.

Danke
Joachim Pieper
Pieper Tischlerei""", "negation signature cancel_word"),
    R("other", "Absturz", """Wenn das Programm noch ein einziges Mal während eines Kundentermins abstürzt, kündige ich. Nur damit ihr Bescheid wisst.""",
      "conditional cancel_word"),
    R("other", "Bestellung KL-3320", """Guten Tag, bitte stornieren Sie meine Bestellung der zwei Kartenlesegeräte (Bestell-Nr. KL-3320), der Umzug der Filiale verschiebt sich. Das Software-Abo läuft natürlich weiter.""",
      "other_object cancel_word"),
    R("other", "Hotel Anwenderkonferenz", """Hallo, ich habe über Ihre Konferenzseite ein Zimmer für den 14. Januar gebucht und muss die Hotelbuchung leider stornieren. Wende ich mich da an Sie oder direkt ans Hotel?

Danke, Aylin""", "other_object cancel_word"),
    R("other", "Schulungstermin Donnerstag", """Hallo Herr Kraus,

den Schulungstermin am Donnerstag muss ich leider absagen, bei uns ist die halbe Mannschaft krank. Können wir auf nächste Woche verschieben, gern Dienstag oder Mittwoch vormittags?

Viele Grüße
Sandra Voigt""", "other_object appointment signature"),
    R("other", "Überweisung Rechnung 2026-118", """Hallo,

wir haben die Überweisung für Rechnung 2026-118 versehentlich doppelt ausgeführt. Unsere Bank holt die zweite Zahlung schon zurück, bitte überweisen Sie also nichts zurück, sonst haben wir das Geld am Ende doppelt.

Gruß
Tarek Haddad
Finanzbuchhaltung, Kaltwasser Brauerei""", "other_object signature refund_word"),
    R("other", "SEPA-Mandat", """Zur Info: Ich habe das SEPA-Mandat bei meiner Bank widerrufen, weil wir das Geschäftskonto wechseln. Die neue IBAN schicke ich diese Woche, bitte sperren Sie uns in der Zwischenzeit nicht.""",
      "other_object widerruf_word"),
    R("other", "Kündigung", """Sehr geehrter Herr Schuster,

hiermit kündige ich mein Arbeitsverhältnis fristgerecht zum 31.01.2027. Ich bitte um eine kurze schriftliche Bestätigung sowie um ein qualifiziertes Arbeitszeugnis.

Mit freundlichen Grüßen
Simone Achterberg""", "other_object formal misdirected cancel_word"),
    R("other", "Feiertage im Kalender", """Hallo, wie kann ich im Teamkalender die Feiertage für Bayern einblenden?

Danke
Leonie

--
Sie erhalten diesen Newsletter, weil Sie sich auf www.kaltwasser-brauerei.de angemeldet haben.
Abmelden | Einstellungen ändern | Im Browser ansehen""", "unsubscribe_footer howto"),
    R("other", "Rechnung stornieren", """Wie storniere ich eine Rechnung, die ich schon an einen Kunden verschickt habe? Da ist ein Zahlendreher in der Adresse.""",
      "howto cancel_word feature"),
    R("other", "", """wie erstatte ich einer kundin eine anzahlung über das kassenmodul? finde den knopf nicht""",
      "howto refund_word feature lowercase"),
    R("other", "Tarifwechsel", """Können wir ab Januar vom Profi- in den Basis-Tarif wechseln? Die Schnittstellen brauchen wir nicht mehr.""",
      "downgrade"),
    R("other", "Winterpause", """Moin! Kann man das Konto über den Winter pausieren, so Januar bis März? Der Laden ist in der Zeit zu.

Gruß
Hauke
Kajakverleih Schlei""", "pause signature informal"),
    R("other", "neue Karte", """neue kreditkarte – wo trag ich die ein, damit das abo weiterläuft?""", "card lowercase"),
    R("other", "Werbung", """Bitte schicken Sie mir keine Werbe-Mails mehr. Das Konto möchte ich behalten, nur den Newsletter nicht.""",
      "other_object newsletter negation"),
    R("other", "Update", """Das neue Update ist echt eine Katastrophe, alles dauert doppelt so lang. Ich will nichts, wollte es nur mal loswerden.""",
      "complaint"),
    R("other", "AW: Erstattung veranlasst", """Ist heute angekommen, danke!

> Guten Tag,
>
> wir haben eine Erstattung über 49,00 € auf Ihre Karte mit Endung 4411 veranlasst.
> Die Gutschrift kann 5–10 Werktage dauern.""", "ack quoted refund_word"),
    R("other", "Einrichtungsgebühr", """Unser Einkauf fragt, ob Sie die Einrichtungsgebühr erlassen könnten, wenn wir statt 12 gleich 24 Monate Laufzeit nehmen.""",
      "sales"),
    R("other", "hat sich erledigt", """Ich wollte eigentlich eine Erstattung verlangen, aber seit eurem Update gestern läuft die Synchronisierung wieder. Hat sich also erledigt, danke.""",
      "negation refund_word"),
]
