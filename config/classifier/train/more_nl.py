"""Dutch (and Flemish) messages for nl-more.jsonl, each written out in full by hand (see more_build.py)."""


def R(label, subject, body, tags, **opts):
    return (label, subject, body, tags, opts)


ROWS = [
    # ------------------------------------------------------------------ refund (13, 2 billing_error)
    R("refund", "", """Kan ik het geld van december terugkrijgen? Heb de app niet eens geopend.""",
      "plain short informal"),
    R("refund", "Re: Bevestiging opzegging", """Hallo,

Dank voor de bevestiging. Alleen is de jaarbetaling van € 99 twee dagen vóór mijn opzegging nog afgeschreven, en dat jaar ga ik niet meer gebruiken. Graag krijg ik dat bedrag terug.

Groet,
Ilse Hoekstra

Op wo 2 dec 2026 om 16:05 schreef Roosterwijs Support <support@roosterwijs.nl>:
> Beste Ilse,
>
> Hierbij bevestigen we dat je Roosterwijs-abonnement is opgezegd. Je houdt
> toegang tot 30 november 2027, er wordt niets meer afgeschreven.
>
> Team Roosterwijs""", "quoted signature vendor_confirmation_quoted"),
    R("refund", "Afgeschreven na opzegging", """Goedendag,

Ik heb per 30/11 opgezegd (de bevestiging heb ik nog), toch is er op 1 december € 34,95 geïncasseerd. Graag terugstorten.

M. Kuipers""", "plain signature"),
    R("refund", "Dubbele afschrijving", """Goedemiddag,

Ik zie twee keer € 49,00 van jullie op mijn rekening, allebei op 3 december. Ik heb maar één account. Willen jullie er één terugboeken?

Groet,
Marloes Timmer""", "billing_error signature", reason="billing_error"),
    R("refund", "Verkeerd bedrag factuur F-77120", """Dag,

Wij hebben 5 licenties, maar er werden er 12 aangerekend (€ 336 i.p.v. € 140). Gelieve het verschil van € 196 terug te storten op onze kredietkaart, niet als tegoed.

Met vriendelijke groeten
Bart Claeys
Claeys Boekhouding BV, Gent""", "billing_error signature flemish formal", reason="billing_error"),
    R("refund", "GELD TERUG", """IK WIL MIJN GELD TERUG. AL TWEE WEKEN WERKT ER HELEMAAL NIKS.""", "caps angry short"),
    R("refund", "verlenging", """verlenging graag terugdraaien, was niet de bedoeling""", "short lowercase"),
    R("refund", "jaar ipv maand", """hoi, kan ik mn geld terug krijgen? per ongeluk het jaarabonement genomen ipv maand""",
      "typo informal lowercase"),
    R("refund", "Verzoek om coulance", """Geachte heer/mevrouw,

Sinds 2020 gebruik ik uw bestelsoftware voor mijn bloemenzaak in Zwolle, altijd tot volle tevredenheid. Helaas heb ik de zaak per 1 november moeten sluiten. De automatische verlenging van 1 december (€ 180) is mij daarbij volledig ontgaan.

Zou u zo vriendelijk willen zijn dit bedrag uit coulance terug te betalen? Er is sinds de verlenging niet meer ingelogd.

Met vriendelijke groet,
Gerda Mulder""", "formal long polite signature"),
    R("refund", "Fwd: Je factuur 2026-4471", """Hallo,

Doorgestuurd namens dhr. De Bruijn. Hij verzoekt om terugbetaling van onderstaande factuur, het pakket is bij ons nooit gebruikt.

Groet,
Esra Demir
Managementassistent

---------- Doorgestuurd bericht ---------
Van: Kassaklok Facturatie <facturen@kassaklok.nl>
Date: di 1 dec 2026 om 06:00
Subject: Je factuur 2026-4471
To: Rutger de Bruijn <r.debruijn@debruijnbouw.nl>

Bedankt! Je pakket Team 10 is verlengd.
Bedrag: € 590,00
Periode: 01-12-2026 t/m 30-11-2027""", "forwarded signature"),
    R("refund", "Vraag", """Wat moet ik doen om het bedrag van gisteren terug te krijgen? Achteraf blijkt de software niet met onze kassa te werken.""",
      "howto"),
    R("refund", "iDEAL betaling", """Ik heb gisteren via iDEAL € 59 betaald, maar ik wilde het maandpakket en niet het kwartaal. Kan dat bedrag teruggestort worden?""",
      "plain"),
    R("refund", "Refund", """Hallo, ik wil graag een refund voor de 29 euro, het programma werkt niet op mijn Mac. Bedankt, Oksana""",
      "mixed_language"),
    # ------------------------------------------------------------------ cancellation (13)
    R("cancellation", "", """opzeggen""", "one_word lowercase"),
    R("cancellation", "Re: Waarmee kunnen we helpen?", """Kunnen jullie het gewoon voor me opzeggen? Ik kan die knop nergens vinden.

Op vr 4 dec 2026 om 15:10 schreef Notuleer Support <hulp@notuleer.app>:
> Hoi,
>
> Bedankt voor je bericht! Kun je kort beschrijven waar je hulp bij nodig hebt?
>
> Team Notuleer""", "quoted informal"),
    R("cancellation", "Verlenging", """Graag geen stilzwijgende verlenging meer, dus zet de automatische verlenging maar uit.""",
      "short"),
    R("cancellation", "opzegen", """ik wil mijn abonement opzegen per direct, mail is r.vandijk@ziggo.nl""", "typo lowercase"),
    R("cancellation", "Profiel verwijderen", """Goedendag,

Graag mijn profiel en alle opgeslagen gegevens verwijderen. Ik maak geen gebruik meer van jullie dienst.

Bedankt,
Hanneke Bos""", "plain signature"),
    R("cancellation", "Team Zuid", """Hoi,

Ons team Zuid wordt eind dit jaar opgeheven. Wil je alle zes plekken van dat team per 1 januari stopzetten, zodat ze niet meer gefactureerd worden?

Dank!
Mark Heijnen
Teamleider, Heijnen Installatietechniek""", "signature seats informal"),
    R("cancellation", "Overeenkomst klantnummer 40-2281", """Geachte heer/mevrouw,

Hierbij delen wij u mede dat wij de overeenkomst (klantnummer 40-2281) na 31 maart 2027 niet wensen te verlengen. Graag ontvangen wij een schriftelijke bevestiging van de ontvangst en de einddatum.

Met vriendelijke groet,
Henk Wouters
Financieel directeur
Wouters Klimaattechniek B.V.""", "formal signature"),
    R("cancellation", "Lidmaatschap", """Hallo allemaal, ik wil mijn lidmaatschap graag stopzetten aan het eind van de maand. Fijn gewerkt, maar er is geen budget meer. Groetjes, Fleur""",
      "plain polite informal"),
    R("cancellation", "", """Waar kan ik mijn account beëindigen? Ik zie alleen "abonnement wijzigen".""", "howto"),
    R("cancellation", "STOP", """STOP MET AFSCHRIJVEN. ACCOUNT OPHEFFEN.""", "caps angry short"),
    R("cancellation", "Ons account", """Beste mensen,

Even een update van onze kant: onze scoutinggroep gebruikt jullie planner nu drie jaar voor de opkomsten en het kampbeheer, en eerlijk gezegd zijn we er altijd blij mee geweest. Alleen heeft Scouting Nederland ons vanaf 2027 een eigen systeem aangeboden, gratis, en daar kon ik als penningmeester weinig tegenin brengen. Vandaar mijn vraag: kunnen jullie ons account per 31 december sluiten? We komen niet meer terug.

De gegevens hebben we al geëxporteerd, dat ging prima met jullie handleiding. En nog bedankt voor de snelle hulp in de zomer toen de agenda vastliep.

Stevige linker,
Ruud Verbeek
Penningmeester Scoutinggroep De Horst""", "long signature informal"),
    R("cancellation", "FW: abonnement planning", """Hoi support, zie hieronder, graag regelen. Klantnummer is 55120.

Dank, Kees Rutten

Van: Petra Lindeman <p.lindeman@lindeman-advies.nl>
Verzonden: vrijdag 4 december 2026 16:12
Aan: Kees Rutten <k.rutten@lindeman-advies.nl>
Onderwerp: abonnement planning

Kees, kun je het planningsabonnement laten stoppen? Vanaf januari gaan we over op het pakket van het hoofdkantoor.""",
      "forwarded signature"),
    R("cancellation", "Beëindiging contract", """<div>Beste,</div><div><br></div><div>Graag hadden wij ons contract be&euml;indigd tegen de eerstvolgende vervaldag. Gelieve ons de exacte einddatum te bevestigen.</div><div><br></div><div>Met vriendelijke groeten,<br>Annelies Maes<br>Maes Vastgoed, Leuven</div>""",
      "html flemish formal signature", html=True),
    # ------------------------------------------------------------------ both (8, 1 billing_error)
    R("both", "twee dingen", """Hoi, graag de laatste afschrijving terug (€ 12,99), ik heb de app deze maand niet gebruikt. En hoe verwijder ik eigenlijk mijn profiel?

Dank je, Sanne""", "plain informal"),
    R("both", "", """opzeggen en geld terug""", "short lowercase"),
    R("both", "Zeer teleurgesteld", """Goedendag,

We hebben het Growth-pakket in oktober alleen afgesloten omdat jullie verkoper ons de boekhoudkoppeling "binnen een paar weken" beloofde. Het is nu december en er is niets van te zien, zelfs niet op de roadmap. Ik heb uren besteed aan het overzetten van onze contacten en nu mogen we alles weer terugzetten.

Zeg het contract per direct op en stort de twee maandbedragen (2 x € 89) terug.

Met vriendelijke groet,
Frank Oduya
Directeur, Oduya Vastgoedbeheer""", "long angry signature formal"),
    R("both", "twee keer geïncasseerd", """Jullie hebben twee keer € 19,99 geïncasseerd. Eén keer terug graag, en daarna stop ik ermee, ik ben er klaar mee.""",
      "billing_error angry", reason="billing_error"),
    R("both", "Re: Voordat je gaat...", """Nee bedankt, geen korting. Sluit mijn account maar. De betaling van december wil ik ook terug, ik had op 30 november in de chat al gezegd dat ik wilde stoppen en toch is het op de 1e afgeschreven.

Jesse

Op za 5 dec 2026 om 11:02 schreef Pixelwerf <team@pixelwerf.nl>:
> Hoi Jesse,
>
> Jammer dat je wilt vertrekken! Voordat je opzegt: we geven je 40% korting
> op de komende drie maanden. Antwoord gewoon op deze mail.
>
> Team Pixelwerf""", "quoted informal"),
    R("both", "Abonnement van mevrouw J. Verhoef", """Geachte heer/mevrouw,

Ik schrijf namens mijn moeder, mevrouw Jacoba Verhoef (klantnummer 118-0343), die sinds september in een verpleeghuis woont en de dienst sindsdien niet meer kan gebruiken. Een machtiging stuur ik u graag toe.

Wilt u haar abonnement beëindigen en de bijdragen sinds september terugbetalen?

Met vriendelijke groet,
Carla Verhoef""", "formal signature on_behalf"),
    R("both", "abbo", """aub abbo stoppen en 9,99 terugstorten, nooit ingelogd""", "typo lowercase short"),
    R("both", "", """Account verwijderen. Alles. En die € 60 wil ik terug.""", "angry short"),
    # ------------------------------------------------------------------ refund_status (7)
    R("refund_status", "", """Al nieuws over mijn terugbetaling?""", "short"),
    R("refund_status", "Re: Je betaling", """Hoi Sanne,

Dat is nu twee weken geleden en er staat nog niks op mijn rekening. Kun je even kijken?

Groetjes,
Pim Akkerman

Op vr 20 nov 2026 om 11:03 schreef Sanne de Wit (Kassaklok Support) <support@kassaklok.nl>:
> Hoi Pim,
>
> Excuses voor het gedoe. Ik heb onze administratie gevraagd de laatste
> betaling terug te storten; binnen een week zou je het moeten zien.
>
> Groet,
> Sanne""", "quoted signature informal"),
    R("refund_status", "Re: Ticket #88213", """vorige week werd gezegd dat ik mijn geld terugkreeg. staat er nog steeds niet op""",
      "informal lowercase short"),
    R("refund_status", "Creditering € 240", """Geachte heer/mevrouw,

Graag vernemen wij of de door uw collega op 20 november toegezegde creditering van € 240,00 inmiddels is uitgevoerd, en zo ja op welke datum, zodat onze administratie dit kan verwerken.

Met vriendelijke groet,
Ingrid Brouwers
Crediteurenadministratie
Brouwers Transport B.V.""", "formal signature"),
    R("refund_status", "???", """WAAR BLIJFT MIJN GELD??? AL DRIE WEKEN.""", "caps angry short"),
    R("refund_status", "terugstorting naar opgeheven rekening", """Volgens jullie mail wordt het bedrag teruggestort op de rekening waarmee ik via iDEAL betaald heb. Die rekening heb ik inmiddels opgeheven. Komt het geld dan nog wel aan, en wanneer ongeveer?""",
      "plain"),
    R("refund_status", "Fwd: Terugbetaling verwerkt", """Hallo,

De terugbetaling hieronder staat na 14 werkdagen nog steeds niet op onze zakelijke rekening. Willen jullie het nakijken?

Groet,
Yasmina El Idrissi
Administratie, Tandartspraktijk Lohman

---------- Doorgestuurd bericht ---------
Van: Kassaklok Facturatie <facturen@kassaklok.nl>
Date: wo 18 nov 2026 om 10:05
Subject: Terugbetaling verwerkt
To: administratie@tandartslohman.nl

Goedendag,

We hebben € 72,00 teruggestort naar rekening NL91 **** 4410. Het kan 5 tot 10 werkdagen duren voordat het bedrag zichtbaar is.

Kassaklok Facturatie""", "forwarded signature"),
    # ------------------------------------------------------------------ policy_question (6)
    R("policy_question", "Jaarabonnement", """Krijg je bij een jaarabonnement eigenlijk iets terug als je halverwege stopt? Twijfel of ik van maand naar jaar moet overstappen.""",
      "informal"),
    R("policy_question", "", """Waar staan jullie opzegvoorwaarden? Kan ze nergens vinden op de site.""", "short"),
    R("policy_question", "Opzegtermijn Business-pakket", """Goedendag,

Voordat wij de offerte tekenen: welke opzegtermijn geldt er voor het Business-pakket, en worden vooruitbetaalde maanden bij vroegtijdige beëindiging naar rato terugbetaald?

Met vriendelijke groet,
Claudia Eijkman
Inkoop, Eijkman Delicatessen""", "formal signature presales"),
    R("policy_question", "garantie?", """Hebben jullie een niet-goed-geld-terug-garantie?""", "short"),
    R("policy_question", "Opzeggen halverwege de maand", """Als ik halverwege de maand opzeg, kan ik dan nog doorwerken tot het einde van de betaalde periode, of ben ik meteen mijn toegang kwijt?""",
      "plain"),
    R("policy_question", "Voorwaarden restitutie", """<div>Hallo,</div><div>Kunt u mij de link sturen naar het deel van uw algemene voorwaarden over restitutie bij het verminderen van het aantal licenties tijdens de looptijd? Onze controller wil dat eerst nalezen.</div><div><br></div><div>Bedankt,<br>Timo Aalbers</div>""",
      "html signature", html=True),
    # ------------------------------------------------------------------ withdrawal (5)
    R("withdrawal", "Herroeping", """Geachte heer/mevrouw,

Hierbij herroep ik de op 2 december 2026 gesloten overeenkomst voor het Pixelwerf Pro-abonnement (klantnummer 70331).

Met vriendelijke groet,
Katrien Mol""", "formal signature"),
    R("withdrawal", "Bestelling 2026-8812", """Ik maak gebruik van mijn herroepingsrecht. Besteld op vrijdag, bestelnummer 2026-8812.""",
      "plain short"),
    R("withdrawal", "Modelformulier voor herroeping", """Aan: Notuleer B.V., Keizersgracht 210, 1016 DZ Amsterdam, herroeping@notuleer.app

Ik/Wij (*) deel/delen (*) u hierbij mede, dat ik/wij (*) onze overeenkomst betreffende de verkoop van de volgende goederen/levering van de volgende dienst (*) herroep/herroepen (*): Notuleer Team, jaarlicentie
Besteld op (*)/Ontvangen op (*): 30-11-2026
Naam/Namen consument(en): Pieter Claessens
Adres consument(en): Lindelaan 4, 3521 AB Utrecht
Datum: 07-12-2026

(*) Doorhalen wat niet van toepassing is.""", "form formal"),
    R("withdrawal", "", """wil gebruik maken van de bedenktijd van 14 dagen, geld graag terug op mn rekening""",
      "informal lowercase"),
    R("withdrawal", "Herroepingsrecht jaarabonnement", """Beste,

Ik oefen mijn herroepingsrecht uit binnen de termijn van veertien dagen voor het jaarabonnement dat ik op 3 december heb afgesloten. Gelieve dit te bevestigen.

Mvg,
Jens Peeters""", "formal flemish signature"),
    # ------------------------------------------------------------------ other (21)
    R("other", "Re: Je terugbetaling", """ja hoor, terugbetaling morgen is prima, bedankt!

Op zo 6 dec 2026 om 16:30 schreef Roosterwijs Facturatie <facturen@roosterwijs.nl>:
> Beste Lieke,
>
> We kunnen de terugbetaling van € 18 morgenochtend verwerken. Komt dat uit?
>
> Roosterwijs Facturatie""", "ack quoted refund_word"),
    R("other", "Re: Bevestiging opzegging", """Bedankt voor de bevestiging van de opzegging, helemaal duidelijk zo.""", "ack short cancel_word"),
    R("other", "Ik heb NIET opgezegd", """Hallo,

Ik kreeg net een mail dat mijn abonnement is opgezegd. Ik heb NIET opgezegd en dat wil ik ook niet! Zet de toegang alsjeblieft meteen weer aan, het hele kantoor werkt ermee.

Bedankt,
Joost Pieters
Pieters Timmerwerken""", "negation signature cancel_word"),
    R("other", "Crash", """Als het programma nog één keer crasht tijdens een klantgesprek, zeg ik op. Even dat jullie het weten.""",
      "conditional cancel_word"),
    R("other", "Bestelling PA-3320", """Goedendag, graag mijn bestelling van twee pinautomaten annuleren (bestelnr. PA-3320), de verhuizing van de winkel is uitgesteld. Het softwareabonnement loopt gewoon door.""",
      "other_object cancel_word"),
    R("other", "Hotel gebruikersdag", """Hoi, ik heb via jullie evenementenpagina een hotelkamer geboekt voor 14 januari en moet die helaas annuleren. Moet ik daarvoor bij jullie zijn of bij het hotel zelf?

Dank, Aylin""", "other_object cancel_word"),
    R("other", "Training donderdag", """Beste Willem,

De training van donderdag moet ik helaas afzeggen, de helft van het team is ziek. Kunnen we het naar volgende week verplaatsen, bij voorkeur dinsdag- of woensdagochtend?

Groet,
Sandra Vogel""", "other_object appointment signature"),
    R("other", "Betaling factuur 2026-118", """Hallo,

We hebben de betaling voor factuur 2026-118 per ongeluk twee keer overgemaakt. Onze bank draait de tweede al terug, dus jullie hoeven niks terug te storten, anders hebben we het straks dubbel.

Groet,
Tarik Haddou
Financiële administratie, Brouwerij Koudwater""", "other_object signature refund_word"),
    R("other", "Machtiging incasso", """Ter info: ik heb de machtiging voor automatische incasso bij mijn bank ingetrokken, omdat we overstappen naar een nieuwe zakelijke rekening. Het nieuwe IBAN stuur ik deze week, graag het account in de tussentijd niet blokkeren.""",
      "other_object"),
    R("other", "Opzegging", """Beste meneer Schouten,

Hierbij zeg ik mijn arbeidsovereenkomst op met inachtneming van de opzegtermijn; mijn laatste werkdag wordt 31 januari 2027. Graag ontvang ik een schriftelijke bevestiging.

Met vriendelijke groet,
Simone Achterberg""", "other_object formal misdirected cancel_word"),
    R("other", "Feestdagen in de agenda", """Hoi, hoe zet ik de Belgische feestdagen in de teamagenda?

Dank,
Leonie

--
Je ontvangt deze nieuwsbrief omdat je je hebt aangemeld op www.koudwater.be.
Afmelden | Voorkeuren wijzigen | Bekijk in je browser""", "unsubscribe_footer howto"),
    R("other", "Factuur annuleren", """Hoe annuleer ik een factuur die ik al naar een klant heb gestuurd? Er staat een verkeerd huisnummer op.""",
      "howto cancel_word feature"),
    R("other", "", """klant heeft via de webshopkoppeling te veel betaald, hoe stort ik het verschil terug vanuit jullie dashboard?""",
      "howto refund_word feature lowercase"),
    R("other", "Pakket wijzigen", """Kunnen we vanaf januari van Pro naar Basis? De koppelingen gebruiken we niet meer.""",
      "downgrade"),
    R("other", "Winterstop", """Hoi! Kan ik het account in de wintermaanden op pauze zetten, zo januari tot en met maart? De camping is dan dicht.

Groet,
Hidde
Camping De Eikenhof""", "pause signature informal"),
    R("other", "nieuwe creditcard", """nieuwe creditcard, waar vul ik die in zodat het abonnement gewoon doorloopt?""", "card lowercase"),
    R("other", "Reclame", """Graag geen reclamemails meer. Het account wil ik houden, alleen de nieuwsbrief niet.""",
      "other_object newsletter negation"),
    R("other", "Nieuwe versie", """De nieuwe versie is echt een stuk trager, alles duurt twee keer zo lang. Ik wil verder niks, moest het even kwijt.""",
      "complaint"),
    R("other", "Re: Terugbetaling verwerkt", """Staat erop, dank je!

> Goedendag,
>
> We hebben € 49,00 teruggestort naar je kaart eindigend op 4411.
> Het kan 5 tot 10 werkdagen duren voordat het bedrag zichtbaar is.""", "ack quoted refund_word"),
    R("other", "Opstartkosten", """Onze inkoop vraagt of jullie de opstartkosten kunnen laten vervallen als we voor twee jaar tekenen in plaats van één.""",
      "sales"),
    R("other", "laat maar", """Ik wilde eigenlijk om mijn geld terug vragen, maar sinds jullie update van gisteren werkt de synchronisatie weer. Laat maar zitten dus, bedankt.""",
      "negation refund_word"),
]
