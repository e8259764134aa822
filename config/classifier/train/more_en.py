"""English messages for en-more.jsonl, each written out in full by hand (see more_build.py)."""


def R(label, subject, body, tags, **opts):
    return (label, subject, body, tags, opts)


ROWS = [
    # ------------------------------------------------------------------ refund (13, 2 billing_error)
    R("refund", "", """can I get my money back for december? didn't touch the app once""",
      "plain short informal lowercase"),
    R("refund", "Re: Your Taskfold subscription has been cancelled", """Hi,

Thanks for confirming. The thing is, the yearly renewal went through on the 1st and I cancelled on the 3rd, so I've paid £96 for a year I'm not going to use. Could that be sent back to my card?

Best,
Gemma Holloway

On Thu, 3 Dec 2026 at 09:41, Taskfold Billing <billing@taskfold.io> wrote:
> Hi Gemma,
>
> Your Taskfold subscription has been cancelled. You'll keep access until
> 1 December 2027, and you won't be charged again.
>
> The Taskfold team""", "quoted signature vendor_confirmation_quoted"),
    R("refund", "charged after cancelling", """I cancelled on the 28th (I have the confirmation email) and you still took $24 on the 2nd. I'd like that back please.""",
      "plain short"),
    R("refund", "two payments??", """Hello,

my bank shows two identical payments of €19.90 to Quillpad on 4 Dec, ten minutes apart. I only have one account. Please return one of them.

Thank you
Ines Barros""", "billing_error signature non_native", reason="billing_error"),
    R("refund", "Invoice 2026-1187 is wrong", """Hi team,

our contract says $8 per agent and we have 11 agents, so $88. You billed $176 this month. We need the $88 difference put back on the company card, not as account credit please.

Thanks
Marcy Delgado
Accounts Payable | Fernhill Home Care""", "billing_error signature", reason="billing_error"),
    R("refund", "MONEY BACK", """I PAID FOR A WHOLE YEAR AND YOUR APP HAS NOT SYNCED SINCE OCTOBER. SEND MY MONEY BACK.""",
      "caps angry"),
    R("refund", "renewal", """renewed without asking me. reverse it pls""", "short informal lowercase"),
    R("refund", "refun", """hi, can i get a refun for the design tool? bought it on friday by mistake, ment to buy the monthly for my sister not the annual for me""",
      "typo informal lowercase"),
    R("refund", "A request regarding my renewal", """Dear Pixelmoor support team,

I hope this finds you well. I have been a happy user of Pixelmoor for three years, mostly for client mock-ups. Earlier this year I retired, and I had meant to let the subscription lapse, but I'm afraid the renewal on 29 November caught me by surprise ($144). I haven't opened the app since and don't expect to.

Would you consider returning the renewal payment? I would be very grateful, and I will happily keep recommending you to my former colleagues.

With kind regards,
Margaret Ellery""", "formal long polite signature"),
    R("refund", "Fwd: Your Hostwren renewal receipt", """Hi, forwarding this for Mr Okonkwo - he'd like the renewal below refunded, the practice website was moved to another host in October.

Regards,
Sally Brennan
PA to Chidi Okonkwo

---------- Forwarded message ---------
From: Hostwren <no-reply@hostwren.net>
Date: Tue, 1 Dec 2026 at 06:00
Subject: Your Hostwren renewal receipt
To: chidi@okonkwo-architects.co.uk

Thanks! Your Business Hosting plan has renewed.
Amount: £119.88
Period: 1 Dec 2026 - 30 Nov 2027""", "forwarded signature"),
    R("refund", "Question", """hello, the team plan we bought on monday isn't what we need. whats the process to get reimbursed?""",
      "howto lowercase"),
    R("refund", "Rembolso", """Hello, I want rembolso of the 49 dollars please, the program is not working in my computer windows 7. Thank you. Jorge""",
      "typo non_native mixed_language"),
    R("refund", "", """Can you put the $30 back on my card? I upgraded by accident while clicking around in settings.""",
      "plain short"),
    # ------------------------------------------------------------------ cancellation (13)
    R("cancellation", "", """cancel""", "one_word"),
    R("cancellation", "Re: How can we help?", """just cancel it for me, I can't find the button anywhere. same email as this one

On Fri, 4 Dec 2026 at 15:10, Beaconly Support <help@beaconly.app> wrote:
> Hi,
>
> Thanks for reaching out! Could you tell us a bit more about what you need
> so we can point you in the right direction?
>
> Beaconly Support""", "quoted informal"),
    R("cancellation", "auto renew", """Please make sure my plan doesn't renew in January.

Thanks, Keith""", "plain short"),
    R("cancellation", "cancell", """pls cancell my acount asap, the email is dbrowne77@gmail.com""", "typo lowercase"),
    R("cancellation", "Remove my data", """Hi,

I'd like my profile and everything attached to it deleted. I won't be using Beaconly any more.

Thanks,
Ravi""", "plain signature"),
    R("cancellation", "Harrowfield workspace", """Hello,

We're winding down the Harrowfield team workspace at the end of the year. Please close all six seats on it and stop billing us from January.

Thanks,
Annika Ferris
Office Manager, Harrowfield Surveyors""", "signature seats"),
    R("cancellation", "Non-renewal of agreement CV-20418", """Dear Sir or Madam,

Please take this as formal notice that Calder & Voss Ltd does not wish to renew its Ledgerlark annual agreement (account CV-20418), which expires on 31 January 2027. Kindly confirm receipt.

Yours faithfully,
Philip Marsh
Financial Controller
Calder & Voss Ltd""", "formal signature"),
    R("cancellation", "membership", """Hi there, I'd like to stop my membership at the end of this month. It's been great, money is just tight at the moment. Ellie""",
      "plain polite"),
    R("cancellation", "", """where's the button to end my plan?? looked everywhere in settings""", "howto informal"),
    R("cancellation", "STOP", """STOP CHARGING ME. CLOSE THE ACCOUNT.""", "caps angry short"),
    R("cancellation", "feedback + our account", """Hi Sam,

So we've been using Dialstream for about eight months at the agency, mostly for outbound follow-ups. Call quality has honestly been fine, and the CRM sync saved us a lot of copy-paste. But we've merged with another agency and they're on a different system, so we'll be moving everyone over. Can you shut down our Dialstream account once January is over? I'd rather not leave it running for nothing. If you need anything signed for that, send it to me.

Anyway, thanks for all the help with the number porting back in the spring, that was a pain and you made it easy.

Best,
Hollie Trent
Ops, Brightwater Agency""", "long signature"),
    R("cancellation", "Fwd: quillpad", """Hi support, see below from our founder, please action. The account is under accounts@kilnworks.co.

Thanks,
Rob

---------- Forwarded message ---------
From: Alys Penrose <alys@kilnworks.co>
Date: Fri, 4 Dec 2026 at 17:22
Subject: quillpad
To: Rob Tanner <rob@kilnworks.co>

Rob, can you get the Quillpad subscription cancelled? We've moved all our docs to the other tool now.""",
      "forwarded signature"),
    R("cancellation", "Closing our workspace", """<div>Hello,</div><div><br></div><div>We would like to close our Taskfold workspace &quot;Meridian Events&quot; and end the subscription at the next renewal date.</div><div><br></div><div>Kind regards,<br>Tomasz Nowicki<br>Meridian Events Ltd</div>""",
      "html signature formal", html=True),
    # ------------------------------------------------------------------ both (8, 1 billing_error)
    R("both", "two things", """Hi, please refund the $15 from Dec 2, I didn't use the app this month. And separately - how do I get my profile removed?

Thanks, Nadia""", "plain"),
    R("both", "", """cancel it and give me back this months payment""", "short informal lowercase"),
    R("both", "Very disappointed", """Hello,

We signed up for the Growth plan in October because your sales rep told us the WhatsApp integration was "a few weeks away". It's December and it still isn't even on the roadmap page. I've spent hours moving our contacts over and now we have to move them back.

I want the subscription ended today, and I want the two months we paid for a feature that doesn't exist returned to us ($398).

Regards,
Derek Lam
Director, Lam & Co Property""", "long angry signature"),
    R("both", "charged twice - I'm out", """You took £29 twice on the 1st. Give me the duplicate back and close my account, I've had enough.""",
      "billing_error angry", reason="billing_error"),
    R("both", "Re: Before you go...", """No thanks. Please go ahead and close it. I'd also like December's payment back, since I first asked to cancel on 30 November and it was taken on the 1st.

Owen

On Sat, 5 Dec 2026 at 11:02, Pixelmoor <team@pixelmoor.com> wrote:
> Hi Owen,
>
> We're sorry to see you go! Before you cancel: we'd love to offer you 40% off
> your next three months. Just reply and we'll apply it.
>
> The Pixelmoor Team""", "quoted"),
    R("both", "Dr Hale's account", """Good morning,

I'm writing on behalf of Dr Imogen Hale (account imogen.hale@halepractice.co.uk). She has retired from practice and has asked me to have her subscription terminated and the unused part of her annual fee paid back to her.

Many thanks,
June Carrow
Practice Administrator""", "formal signature on_behalf"),
    R("both", "subscripton", """plz stop my subscripton and refnd me the 9.99, i never even logged in""", "typo lowercase"),
    R("both", "", """Delete everything. Account, data, all of it. And I expect the $60 back.""", "angry short"),
    # ------------------------------------------------------------------ refund_status (7)
    R("refund_status", "", """any news on my refund?""", "short"),
    R("refund_status", "Re: Your payment", """Hi Mia,

It's been ten days since this and nothing has shown up on my card yet. Could you check on it?

Thanks,
Paul

On Mon, 23 Nov 2026 at 14:18, Mia (Ledgerlark Support) <support@ledgerlark.com> wrote:
> Hi Paul,
>
> Sorry about the trouble. I've asked our billing team to refund the last
> payment; you should see it within a week.
>
> Kind regards,
> Mia""", "quoted signature"),
    R("refund_status", "Re: Ticket #88213", """was told id get the money back last week, still not there""", "informal lowercase short"),
    R("refund_status", "Reimbursement of EUR 240", """Dear Sir or Madam,

Could you please confirm whether the reimbursement of €240 agreed with your colleague on 20 November has been processed, and send us the transaction reference for our records?

Kind regards,
Helena Voss
Finance
Orbital Freight GmbH""", "formal signature"),
    R("refund_status", "???", """WHERE IS MY REFUND. THREE WEEKS NOW.""", "caps angry short"),
    R("refund_status", "approved refund", """You said the refund was approved on Monday. The card I paid with has expired since then - will it still reach me, and roughly when?""",
      "plain"),
    R("refund_status", "Fwd: Refund issued", """Hello, the refund below still hasn't arrived on our company Amex after 12 business days. Can someone look into it?

Farah Qureshi
Bookkeeping, Lowther Dental

---------- Forwarded message ---------
From: Dialstream Billing <billing@dialstream.io>
Date: Wed, 18 Nov 2026 at 10:05
Subject: Refund issued
To: accounts@lowtherdental.co.uk

Hello,

We have issued a refund of £72.00 to your card ending 1009. Please allow 5-10 business days for it to appear.

Dialstream Billing""", "forwarded signature"),
    # ------------------------------------------------------------------ policy_question (6)
    R("policy_question", "annual plan question", """do you do refunds on annual plans if we leave after a few months? thinking about switching from monthly""",
      "informal lowercase"),
    R("policy_question", "", """Where is your cancellation policy? I can't find it anywhere on the website.""", "short"),
    R("policy_question", "Contract terms before signing", """Hello,

Before we sign the order form: what notice period applies if we want to end the contract early, and would any prepaid months be refunded pro rata?

Best regards,
Claire Ashworth
Procurement, Denholm Foods""", "formal signature presales"),
    R("policy_question", "guarantee?", """Is there a money-back guarantee for first-time customers?""", "short"),
    R("policy_question", "mid-month", """If I cancel halfway through the month, do I lose access straight away or only at the end of the period I've paid for?""",
      "plain"),
    R("policy_question", "Refund terms for seats", """<div>Hi,</div><div>could you send me a link to the part of your terms that covers refunds for seats removed mid-cycle? Our finance team wants to read it before we restructure.</div><div><br></div><div>Thanks,<br>Ben Adeyemi</div>""",
      "html signature", html=True),
    # ------------------------------------------------------------------ withdrawal (5)
    R("withdrawal", "Withdrawal", """Dear Sir or Madam,

I hereby exercise my right of withdrawal for the Pixelmoor Pro subscription I purchased on 2 December 2026.

Yours faithfully,
Katarina Moser""", "formal signature"),
    R("withdrawal", "14 days", """I live in Germany and bought this five days ago. I'd like to use my 14-day right to withdraw from the contract. Can you confirm it's done?""",
      "plain"),
    R("withdrawal", "Model withdrawal form", """To: Quillpad Ltd, 40 Wharf Road, London N1 7GR, support@quillpad.co

I hereby give notice that I withdraw from my contract for the supply of the following service: Quillpad Team (annual)
Ordered on: 30 November 2026
Name of consumer: Pieter Claes
Address of consumer: Kerkstraat 18, 2000 Antwerpen, Belgium
Date: 7 December 2026""", "form formal"),
    R("withdrawal", "", """withdrawing from the purchase within the 14 days, as is my right under EU law. refund to paypal pls""",
      "informal lowercase"),
    R("withdrawal", "Widerruf / withdrawal", """Hello, I am from Austria. I make use of my right of withdrawal (Widerrufsrecht) for the order from 1.12. Please confirm. Greetings, Lukas""",
      "non_native mixed_language"),
    # ------------------------------------------------------------------ other (20)
    R("other", "Re: Your refund", """yes, getting that refund tomorrow is fine, thanks!

On Sun, 6 Dec 2026 at 16:30, Taskfold Billing <billing@taskfold.io> wrote:
> Hi Lena,
>
> We can process the refund of $18 tomorrow morning. Does that work for you?
>
> Taskfold Billing""", "ack quoted refund_word"),
    R("other", "Re: Cancellation", """Got it, thanks for sorting the cancellation out so fast.""", "ack short cancel_word"),
    R("other", "I did NOT cancel", """Hi,

I just got an email saying my subscription was cancelled, but I never asked for that and I do NOT want to cancel. Please switch it back on, our whole team uses it.

Thanks,
Joanne Pike
Pike & Sons Joinery""", "negation signature cancel_word"),
    R("other", "crash again", """If the app crashes one more time during a client call I'm cancelling. Just so you know.""",
      "conditional cancel_word"),
    R("other", "Headset order H-5521", """Hi, I ordered two of the headsets from your hardware shop (order #H-5521) and would like to cancel that order, the office move got postponed. The software subscription stays as it is.""",
      "other_object cancel_word"),
    R("other", "conference hotel", """Hello, I booked a room through your user conference page for 14 January. I need to cancel the hotel booking - do I contact you or the hotel directly?

Thanks, Amira""", "other_object cancel_word"),
    R("other", "Canceled: Taskfold quarterly review", """This event has been canceled.

Taskfold quarterly review
Thursday 10 Dec 2026 14:00 - 14:45 (GMT)
Organizer: Jonah Price
Google Meet joining info: meet.google.com/xfd-qpwu-kst""", "other_object calendar cancel_word"),
    R("other", "Payment for invoice 4410", """Hi,

heads up: we sent the transfer for invoice 4410 to our old supplier's IBAN by mistake. Our bank is recalling it, so your payment will arrive a few days late. Sorry about that!

Regards,
Tariq Mahmood
Finance, Coldwater Brewing""", "other_object signature"),
    R("other", "direct debit", """FYI I've cancelled the direct debit mandate at my bank because we're switching business accounts. I'll set up the new one this week, please don't suspend us in the meantime.""",
      "other_object cancel_word"),
    R("other", "Notice", """Dear Mr Holt,

Please accept this letter as formal notice of my resignation from my position as Customer Success Associate. In line with my employment contract, my last working day will be 31 January 2027.

Kind regards,
Simone Achebe""", "other_object formal misdirected"),
    R("other", "pipeline export", """Hi, is there a way to export the pipeline view as a PDF?

Thanks,
Leo

--
You are receiving this email because you subscribed to the Fernhill Weekly.
Unsubscribe | Manage preferences | View in browser""", "unsubscribe_footer howto"),
    R("other", "cancel an invoice", """How do I cancel an invoice I sent to my client by mistake? It has the wrong VAT number on it.""",
      "howto cancel_word feature"),
    R("other", "", """one of my customers paid twice through the booking page, how do I refund her from my dashboard?""",
      "howto refund_word feature lowercase"),
    R("other", "Plan change", """Can we move from Business to Starter from next month? We don't need the API any more.""",
      "downgrade"),
    R("other", "winter", """Hi! Is it possible to pause the account January to March? The shop is shut for the season and we'll be back in April.

Cheers,
Morag
Skerry Kayaks""", "pause signature"),
    R("other", "new card", """my card expired, where do I put the new one so the subscription keeps going""", "card lowercase"),
    R("other", "marketing emails", """Please take me off your marketing emails. I still want my account, just not the newsletters.""",
      "other_object newsletter negation"),
    R("other", "new editor", """The new editor is so much slower. Not asking for anything, just wanted you to know it's been a frustrating week.""",
      "complaint"),
    R("other", "Re: Refund issued", """Received it this morning, all good. Thanks Mia!

> Hello,
>
> Good news: we have issued a refund of $49.00 to your card ending 4411.
> Please allow 5-10 business days for it to appear on your statement.""", "ack quoted refund_word"),
    R("other", "setup fee", """Our procurement team asks whether you could cancel the onboarding fee if we sign for two years instead of one.""",
      "sales cancel_word"),
    R("other", "please ignore my last email", """I was about to ask for a refund, but the fix you pushed last night solved the sync problem. Please ignore my earlier email, all good now.""",
      "negation refund_word"),
]
