"""English messages for en-n.jsonl, each written out in full by hand (see n_build_en_de.py)."""


def R(label, subject, body, tags, **opts):
    return (label, subject, body, tags, opts)


B = "billing_error"

ROWS = [
    # ---------------------------------------------------------------- batch 1
    R("refund", "", """refund me the 12 quid pls""", "short lowercase informal"),
    R("refund", "money back?", """money back? the export to xero never worked, not once""", "short informal lowercase"),
    R("refund", "Last payment", """Good evening,

I'd appreciate it if the last payment of £18.50 could be returned to me. I moved to a different role at work in November and haven't needed Stackwise since; I simply didn't notice the card was still being charged.

Many thanks for considering it,
Philippa Rudd""", "formal polite signature"),
    R("refund", "Monday's charge", """Hey - can you reverse the charge from Monday? $79, card ending 0312. I hit "upgrade" on my phone while trying to close a popup. Still on the free plan as far as I'm concerned.""", "informal"),
    R("refund", "trial", """I forgot to cancel the trial and got billed $45 this morning, can I get that back? Haven't used it past day 2.""", "plain"),
    R("refund", "Re: Your Loomcast subscription has been cancelled", """Hi there,

That's fine, but the card was debited for January 40 minutes before I clicked cancel. Could you send the $29 back please? Clearly I'm not going to use January.

Thanks
Dom

On Sun, 6 Dec 2026 at 21:14, Loomcast <accounts@loomcast.tv> wrote:
> Hi Dominic,
>
> We're sorry to see you go. Your Loomcast Creator subscription has been
> cancelled and will not renew. You can keep using Creator features until
> 5 January 2027.
>
> If you change your mind, you can reactivate any time from Settings > Billing.
>
> - The Loomcast team""", "quoted signature vendor_confirmation_quoted"),
    R("refund", "Charge I don't recognise", """Hello,

There's a payment of $112.00 to "FLOWRIDGE*SUB" on my Visa from 2 December. I have never signed up for anything called Flowridge and nobody else uses this card. I want it refunded, and I'd like to know which email address it was made with.

Regards,
Tomasz Wiśniewski""", "billing_error signature non_native", reason=B),
    R("cancellation", "", """stop my plan""", "short lowercase"),
    R("cancellation", "After March", """Hi Carla,

Just a heads-up that I won't be needing Briefcraft after March, the project it was for wraps up then. Could you set it so nothing is charged from April on?

Cheers,
Owen""", "indirect signature"),
    R("cancellation", "renewal 2027", """please make sure I'm not billed again next year. once this year runs out I'm done.""", "indirect lowercase"),
    R("cancellation", "Contract 44-1187", """Dear Ledgerlark team,

Further to our call last Tuesday, we hereby ask you to end our contract with you at the end of the current term (31 March 2027). Please confirm the end date in writing.

Kind regards,

Harriet Mbeki
Finance Director
Coldharbour Logistics Ltd""", "formal signature"),
    R("cancellation", "card", """remove my card and close the account. thanks""", "short lowercase"),
    R("cancellation", "how?", """how do I cancel?""", "howto short"),
    R("both", "", """Cancel me and refund the last month. I was charged on the 3rd and I'm not staying.""", "plain short"),
    R("both", "Disappointed", """Hi,

I signed up mostly for the calendar sync with Outlook, which your pricing page lists under Pro. It turns out it's read-only, so my team keeps double-booking. I've given it three weeks.

Please return the £240 for the annual plan.

Also - and I should have said this first - I don't want the account to continue. Shut it down once the refund is done.

Lorna Fitzgerald""", "long signature"),
    R("both", "WE ARE DONE", """CLOSE OUR ACCOUNT AND SEND BACK THE MONEY FOR THE SEATS WE NEVER USED. 14 SEATS, 3 PEOPLE. UNBELIEVABLE.""", "caps angry"),
    R("both", "Fwd: Pollbird account", """Hi Pollbird support,

My dad asked me to sort this out for him (see below). He's 81 and signed up thinking it was a one-off payment. Can you please close the account and give him his money back?

Thank you,
Aoife Gallagher

---------- Forwarded message ---------
From: Seamus Gallagher <seamus.gallagher54@eircom.net>
Date: Fri, 4 Dec 2026 at 18:02
Subject: Pollbird account
To: Aoife Gallagher <aoife.g@gmail.com>

Aoife love can you get them to stop this, they took 35 euro again, I only wanted it for the parish survey in October. I want the money back and no more of it.
Dad""", "forwarded signature"),
    R("both", "subscription", """Hello, I would like to finish my subscription and also I would like to recieve back the money of this month, because the app is not in my language and I can not use it. Thank you very much. Kenji""", "non_native typo"),
    R("both", "Re: Your invoice INV-30218", """This is the renewal I told you about on the phone - I don't want it. Refund it and close the account so I stop getting these.

Gary

-----Original Message-----
From: Fenwick Billing <billing@fenwickhq.com>
Sent: Tuesday, December 1, 2026 6:00 AM
To: gary@harlowplumbing.co.uk
Subject: Your invoice INV-30218

Hi Gary,

Thanks for your payment of £216.00 for Fenwick Field Service (Annual).
Your next renewal date is 1 December 2027.

Fenwick""", "quoted outlook"),
    R("refund_status", "", """Did the refund go through? Nothing on my card yet""", "short"),
    R("refund_status", "Re: Ticket #20144 - refund", """Hi Dev,

You wrote on 24 November that the refund had been approved and would reach me in 5-10 business days. We're at day 9 now. Is there a reference number I can give my bank?

Thanks,
Fatima

On Tue, 24 Nov 2026 at 11:03, Dev (Clipstack Support) <support@clipstack.io> wrote:
> Hi Fatima,
>
> I've approved a refund of $58.00 to your Mastercard ending 7781.
> It usually takes 5-10 business days to show up.
>
> Dev""", "quoted signature"),
    R("refund_status", "still waiting", """still waiting on that refund you promised me. it's been a month. is it coming or not""", "angry lowercase"),
    R("policy_question", "Annual vs monthly", """Hi, if I go annual and change my mind after two months, do I get the rest back or is it gone? Trying to decide.""", "plain"),
    R("policy_question", "Terms", """Good morning,

Our procurement team needs to know your notice period for cancelling a multi-year order form, and whether that's written down anywhere we can reference. Could you send the link?

Best regards,
Nkechi Adeyemi
Procurement, Bramwell Health Trust""", "formal signature"),
    R("policy_question", "", """do you have a refund policy or is everything final sale?""", "short lowercase"),
    R("withdrawal", "Withdrawal from contract", """Hello,

I'm a consumer in the Netherlands and signed up for Loomcast Creator on 3 December. I am exercising my right of withdrawal within the 14-day period. Please confirm receipt and refund the €14.99.

Regards,
Sanne de Wit""", "formal signature"),
    R("withdrawal", "cooling off", """hi, i'm within the 14 days so i'm withdrawing from the contract (EU customer, Belgium). no reason needed I think? confirm pls""", "informal lowercase"),
    R("other", "Re: Refund", """ok, the refund on Friday works. thanks for the quick reply""", "ack short"),
    R("other", "Pause instead?", """Hi,

I do not want to cancel, I just want to pause for two months while I'm on parental leave. Is that possible on the Solo plan?

Thanks,
Ruth""", "negation signature"),
    R("other", "Order 5512 - headset", """Hello,

Please cancel order 5512 for the two USB headsets, we bought them locally in the end. Our Dialstream subscription itself stays as it is, of course.

Kind regards,
Ibrahim Yusuf""", "other_object signature"),
    R("other", "Re: Reminder: Onboarding call", """Hi Jess, something came up, can we cancel tomorrow's onboarding call and do Thursday instead? Same time works.

Thanks!
Marta""", "other_object short"),
    R("other", "Invoice to my client", """How do I refund an invoice I sent to one of my own clients through your invoicing module? She paid twice by mistake and I want to give one back to her.""", "other_object howto"),
    R("other", "question about workflows", """Hello,

Is there a way to set up a recurring task that skips public holidays? We're in Scotland so the bank holidays differ from England.

Thanks,
Callum Reid

--
This email and any attachments are confidential and intended solely for the addressee. If you have received it in error, please notify the sender and delete it. Carrick Joinery Ltd, registered in Scotland SC441207.
To unsubscribe from Carrick Joinery updates, reply with UNSUBSCRIBE in the subject line.""", "unsubscribe_footer howto signature"),
    # ---------------------------------------------------------------- batch 2
    R("refund", "REFUND", """I WANT A REFUND FOR THE ANNUAL PLAN. YOUR "AI TRANSCRIPTION" IS WRONG IN EVERY SECOND SENTENCE.""", "caps angry"),
    R("refund", "Hi from Lagos", """Good day sir/ma,

Please I am kindly requesting for the refund of the $60 that was deducted from my account on 30th November. I was not aware that the plan will renew automatically, I used it only for my final year project which is now submitted.

I will be grateful for your quick response.

Yours faithfully,
Chinonso Eze""", "non_native formal signature"),
    R("refund", "", """<div dir="ltr">Hi,<div><br></div><div>Could I get the money for the Team upgrade back? We bought it on Thursday expecting SSO, and SSO turns out to be Enterprise only. We&#39;ve already switched back to the Starter plan in the admin panel.</div><div><br></div><div>Thanks,</div><div>Jonah Whitcombe</div><div>IT, Pellow &amp; Sons</div></div>""", "html signature", html=True),
    R("refund", "wrong amount", """Hello, your price page says $12/month for Solo. Card got charged $21. Typo on your side I guess? Please send the $9 back.""", "billing_error short", reason=B),
    R("refund", "about the renewal", """hi so i kinda forgot my yearly thing renews in december lol. any chance i could get it back? i literally opened the app once this year to check a recipe. no worries if not, just thought i'd ask""", "informal lowercase chatty"),
    R("refund", "Re: Your Gridnote account is closed", """Hello,

Thank you, I can confirm I asked for this. However I paid for 12 months in August and used it for about three. Since the account is now closed, I'd like the unused months paid back to me, prorated is fine.

Best wishes,
Eleanor Achterberg

On 5 Dec 2026, at 14:22, Gridnote Support <care@gridnote.com> wrote:

> Hi Eleanor,
>
> As requested, your Gridnote account has been closed and your data will be
> deleted within 30 days. No further payments will be taken.
>
> Take care,
> Gridnote Support""", "quoted signature vendor_confirmation_quoted prorated"),
    R("cancellation", "", """cancell my subscribtion please""", "typo short lowercase"),
    R("cancellation", "Seats", """Hi,

Our summer interns have left, so please take the 5 intern seats off our Trellow Business plan before the next invoice. The remaining 12 stay.

Thanks,
Naomi Fraser
Operations, Greyline Events""", "seats signature"),
    R("cancellation", "Re: Quick question about your plan", """Honestly Chris, we're not going to continue. Please don't renew the licence in February.

Sent from my iPhone

> On 2 Dec 2026, at 16:40, Chris from Salesflint <chris@salesflint.com> wrote:
>
> Hi Ana, your Salesflint licence renews on 14 February. Would you like to
> chat about the Growth tier before then? I have some slots next week.""", "quoted short"),
    R("cancellation", "data deletion", """Please delete all my data and the account. I've exported what I need. I don't want anything kept on your servers after this.""", "plain"),
    R("cancellation", "the workspace", """We don't use the "Northside Tenants" workspace any more, can it go? Nobody's logged in since the summer and the invoices still come to me as the treasurer.

Bill Ostrowski""", "indirect signature"),
    R("cancellation", "", """<div>Good afternoon,</div><div><br></div><div>I would like to terminate my Pro membership with effect from the end of the current billing period. Please confirm by email.</div><div><br></div><div>Yours sincerely,<br>Dr. Margarethe Lind</div>""", "html formal signature", html=True),
    R("both", "Support ticket: everything", """hello. the app wiped my notes twice this week. i'm not doing this again. you can keep the account, i mean close it, i don't want it. and i'd like this month back.""", "angry lowercase"),
    R("both", "account + charge", """Hi, I'm done with the tool, can you shut my account down? And there's a charge from the 1st I'd like back, I meant to leave in November.

Rosa""", "informal signature"),
    R("both", "", """<p>Dear Sir or Madam,</p><p>I hereby give notice to terminate my subscription (customer no. 118-4420) with immediate effect. I also request reimbursement of the fee debited on 1 December 2026, as I had already informed your sales representative on 27 November that I would not continue.</p><p>Yours faithfully,<br>Andreas Kowalczyk</p>""", "html formal signature", html=True),
    R("both", "Two payments and I'm leaving", """You charged me twice ($34 + $34) on the same day. Give one back. After that I want my subscription ended, this is the third billing mess this year.""", "billing_error angry", reason=B),
    R("both", "Canvasly", """Hi guys,

quick one: my kids' school switched to a different tool, so I don't need Canvasly Family any more. Could you stop the plan and refund what's left of the year? It renewed in September.

Cheers,
Bronwyn""", "informal signature prorated"),
    R("refund_status", "refund timing", """Hi, how long does a refund usually take to come back to PayPal? Your colleague Sam said on Wednesday it was done.""", "plain"),
    R("refund_status", "Fwd: Refund confirmation #RF-5530", """Hi team - client has asked us to chase this. The refund below hasn't reached their account after 15 working days. Can you check it actually went out?

Priya Nair
Account Manager, Larchmont Bookkeeping

---------- Forwarded message ---------
From: Paysheet Billing <billing@paysheet.app>
Date: Mon, 16 Nov 2026 at 10:12
Subject: Refund confirmation #RF-5530
To: accounts@holtbakery.co.uk

We've processed a refund of £84.00 to the card ending 2290.""", "forwarded signature"),
    R("refund_status", "", """has my reimbursement been processed yet or do i need to do something else? filled the form on the 28th""", "lowercase"),
    R("policy_question", "Question before upgrading", """Hi there,

Quick one before I upgrade to the yearly plan - if I find out it doesn't suit me, is there a window where you give money back? And does that apply to annual too or only monthly?

Thanks a lot,
Sunita""", "signature"),
    R("policy_question", "cancellation terms?", """where do i read about cancelling, like do i lose access right away? want to know before i sign up""", "lowercase"),
    R("policy_question", "Seats mid-cycle", """Good morning,

If we reduce our seat count mid-contract, does your policy give credits or refunds for the removed seats, or do they simply run until renewal? We need this for budgeting, not to request anything right now.

Kind regards,
Tobias Grant
Head of Finance, Orchard Lane Vets""", "formal signature"),
    R("withdrawal", "Withdrawal", """Dear Paysheet,

I hereby withdraw from the contract for the Paysheet Personal plan concluded on 1 December 2026 (order no. PS-77120). I am a consumer resident in Austria.

Name: Lukas Hofbauer
Address: Mariahilfer Straße 88, 1070 Wien
Date: 7 December 2026""", "formal model_form"),
    R("other", "Re: Your cancellation", """Thanks, that's all I needed. Have a nice weekend!

On Fri, 4 Dec 2026 at 10:05, Trellow <help@trellow.com> wrote:
> Hi Mark,
>
> Your cancellation has been processed. You won't be charged again.""", "ack quoted"),
    R("other", "Not leaving", """Just to be clear, I'm NOT cancelling. Your renewal reminder said "click here to cancel" and my colleague thought I'd asked for that. Everything stays as is.""", "negation"),
    R("other", "Flight for the summit", """Hello, I registered for your customer summit in Lisbon and your travel desk booked my flight. I can't attend now - who do I contact to cancel the flight booking? Conference ticket can be transferred to my colleague Emma Hart.""", "other_object"),
    R("other", "Downgrade", """Can you move us to the Basic plan from January? Three of us left and we don't need the reports.""", "downgrade"),
    R("other", "Re: Your refund has been issued", """<div>Thanks Maria, it arrived today. All sorted!</div><div><br></div><div>Best,<br>Lwazi</div><blockquote style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex">Hi Lwazi,<br>We&#39;ve issued a refund of R 499.00 to your card.<br>Maria, Payroo Support</blockquote>""", "ack html quoted", html=True),
    R("other", "If this happens again", """Third outage this month. If it goes down during our payroll run on Friday, we'll be cancelling and asking for every penny back. Consider this a formal complaint.

Graham Tully
Managing Director""", "conditional angry signature"),
    # ---------------------------------------------------------------- batch 3
    R("refund", "Fwd: Your Inkwell receipt", """Hi, this is from my husband's inbox - he's asked me to write. He bought this by accident on the iPad in our shop on Saturday (the till app and yours look alike). Can it be refunded please? Receipt below.

Thanks,
Moira Campbell

Begin forwarded message:

From: Inkwell <receipts@inkwell.studio>
Subject: Your Inkwell receipt
Date: 5 December 2026 at 11:47:02 GMT
To: Alasdair Campbell <campbell.books@btinternet.com>

Inkwell Studio - Annual
£89.99
Card: Visa •••• 6630""", "forwarded apple signature"),
    R("refund", "partial month", """Hi, I switched from monthly to annual on the 20th, so the last 10 days of my monthly period are unused. Any chance of getting those back? It's about $11.""", "plain prorated"),
    R("refund", "Statement query", """To whom it may concern,

I have today reviewed my company credit card statement and note a charge of €349.00 from your company dated 28 November 2026. We do not hold an account of that value with you; our plan is €34.90 per month. It appears a decimal has been misplaced. Please return the excess of €314.10 at your earliest convenience.

Yours faithfully,
Ciarán Ó Dálaigh
Financial Controller, Brightwater Marine Ltd""", "billing_error formal signature", reason=B),
    R("refund", "", """yo can i get my 15 bucks back, app doesnt work on my chromebook""", "informal lowercase short"),
    R("refund", "Charged after trial - not fair", """I signed up for the "free 14-day trial", put it in my calendar, and you charged me on day 12 because apparently the trial counts from when I first opened the signup page. That's not what the page said. I want the $39 back.""", "angry"),
    R("refund", "renewal refund", """<div dir="ltr"><div>Hello,</div><div><br></div><div>Our annual renewal went through on 1 December for 8 seats (£576). The team that used the tool was disbanded in October and I simply missed the renewal notice. Nobody has logged in since 14 October &mdash; you should be able to see that on your side.</div><div><br></div><div>Is there any way to get this renewal refunded?</div><div><br></div><div>Kind regards,</div><div>Helen Ashby</div><div>Office Manager | Tamsin Road Surgery</div></div>""", "html signature formal", html=True),
    R("cancellation", "C A N C E L", """cancel. cancel. cancel. which part of this is unclear? third email.""", "angry short"),
    R("cancellation", "Leaving", """Hi team,

We're moving everything to Microsoft Planner because IT wants one vendor. So I guess this is goodbye - please end the Tasklane Business subscription when the current month is over. It's been a good three years.

All the best,
Priyanka
Tasklane admin, Corvid Architects""", "informal signature"),
    R("cancellation", "auto-renew", """Hi, can you switch off auto renew on my account? I'll keep using it till the end, just don't want it rolling over.""", "plain"),
    R("cancellation", "Fwd: Domain + hosting", """Hi Hostwick, please action the below from our director. Account ref HW-20931.

Thanks
Jamie (office)

---------- Forwarded message ---------
From: Margaret Oduya <margaret@oduyadesign.co.uk>
Date: Thu, 3 Dec 2026 at 19:55
Subject: Domain + hosting
To: office@oduyadesign.co.uk

Jamie - we've moved the site to Squarespace. Can you get Hostwick to shut down our hosting plan, we're keeping the domain with them for now.
M""", "forwarded signature"),
    R("cancellation", "", """I no longer require the service. Kindly deactivate my account and ensure that no further payments are collected.""", "formal non_native"),
    R("cancellation", "Re: Welcome to Clipstack Pro!", """hi, this was meant to be a trial only. please close it before the first bill

> Welcome to Clipstack Pro! Your 7-day trial has started.
> Your first payment of $19.00 will be taken on 11 December 2026.""", "quoted short lowercase"),
    R("both", "Re: Your Quoteflow account", """Please cancel the account and put the $99 back on my card - I thought I was buying a single licence, not a subscription.

Sent from my Galaxy

-------- Original message --------
From: Quoteflow <team@quoteflow.io>
Date: 04/12/2026 09:12 (GMT+00:00)
To: d.ferreira@hotmail.com
Subject: Your Quoteflow account

Your Quoteflow Pro subscription is now active. Next billing date: 4 January 2027.""", "quoted android"),
    R("both", "", """can u unsubscribe me from the premium and give back the money pls. thx""", "informal lowercase short"),
    R("both", "Closing our studio", """Hello,

It's with some sadness that I write: after eleven years, Fernleaf Photography is closing at the end of the year. I'd therefore like to close our Galleria account. We paid the annual fee in October; would it be possible to have the unused portion returned? Any amount would help with the wind-down.

With thanks for many good years,
Rebecca Holm""", "long polite signature prorated"),
    R("both", "charged 3 times??", """I see THREE charges of $24.99 this week. I only ever had one account. Refund the two extra ones and then delete my account, I'm not risking this again.""", "billing_error angry", reason=B),
    R("both", "Our seats", """Hi,

We've reduced the team from 20 to 8. Please remove the 12 seats, and since we paid for them annually in September, refund the remaining months for those 12.

Thanks,
Omar Siddiqui
Finance, Kiteline Tutors""", "seats signature prorated"),
    R("refund_status", "Re: Refund request #7781", """Any update? You confirmed the refund on 20 Nov.""", "short quoted_subject"),
    R("refund_status", "refund to old card", """Hi, you said the refund was sent on the 2nd but my old card was cancelled after it got skimmed. Will the money bounce back to you, and then what happens? Do I need to give you new details?""", "plain"),
    R("refund_status", "", """<div>Hello,</div><div><br></div><div>I just wanted to check whether the refund of $42 that Tom mentioned on Friday has been sent. I can&#39;t see it in Stripe on my card yet.</div><div><br></div><div>Many thanks,<br>Yusuf</div>""", "html signature", html=True),
    R("policy_question", "", """whats ur refund policy""", "short lowercase"),
    R("policy_question", "Cancellation notice period", """Hello,

Our contract renews automatically on 1 June. How many days' notice do you need if we decide not to renew? I can't see it in the order form.

Thanks,
Gwen Pryce""", "signature"),
    R("policy_question", "Question from a reseller", """Hi, we resell your licences to small clinics. If a clinic stops after the first month, what does your policy allow - is the first month refundable or only cancellable? I need to put it in our own T&Cs.""", "plain"),
    R("withdrawal", "Right to withdraw - order CL-99012", """Hi,

I bought the Clipstack Pro yearly plan yesterday from Germany and I want to withdraw from the purchase (14-day right of withdrawal). Please confirm and send the €119 back.

Thanks,
Jens""", "signature"),
    R("other", "Cancel the webinar registration", """Hi, I signed up for Wednesday's webinar on pipeline forecasting but can't make it. Can you cancel my registration so the seat goes to someone else? Would love the recording if there is one.""", "other_object"),
    R("other", "newsletter", """I'd like to unsubscribe from the product newsletter please. Not the account! Just the weekly tips.""", "other_object"),
    R("other", "Feature: cancelled status", """Hi, in the job board is there a way to mark a job as "cancelled" rather than deleting it? Our electricians need to see which visits the customer called off.""", "howto"),
    R("other", "Re: Refund", """Understood, no refund on the annual plan. I'll keep using it then. Thanks for explaining clearly.""", "ack"),
    R("other", "Sales question", """Hi there, we're a 40-person agency looking at your Business plan. Do you offer annual invoicing with bank transfer instead of card? And is there a discount for nonprofits?

Thanks,
Hollie Marsh""", "sales signature"),
    R("other", "Bank transfer sent twice", """Hello, our bookkeeper paid invoice INV-8842 twice by transfer. No need to send anything back - just keep it as credit on our account for January.

Regards,
Mirela Popescu""", "other"),
    # ---------------------------------------------------------------- batch 4
    R("refund", "Re: Cancellation confirmed - Tidewell", """Thanks Jo. Since I cancelled within a week of being charged, can the December payment be refunded too? I'd assumed cancelling would take care of that, but the money's still gone.

Mark

On Wed, 2 Dec 2026 at 15:30, Jo at Tidewell <jo@tidewell.app> wrote:
> Hi Mark,
>
> All done - your Tidewell plan is cancelled and won't renew. You'll
> have access until 25 December.
>
> Jo""", "quoted vendor_confirmation_quoted"),
    R("refund", "Charged in USD not GBP", """Hi, I'm in the UK and my plan is £15/month, but this month I was billed $15 plus a foreign transaction fee by my bank, then ALSO £15 the next day. Please refund the dollar charge, it shouldn't have happened.

Cheers, Ruaridh""", "billing_error", reason=B),
    R("refund", "", """I never authorised this. Someone used my card on your site on 29/11 for "Pro Annual" ($199). I've frozen the card. Please refund it.""", "billing_error short", reason=B),
    R("refund", "Refund for the Pro upgrade?", """Hello! Really sorry to bother you. I upgraded to Pro last night thinking it would unlock the offline mode, but it turns out offline mode is coming "later this year". Could I possibly have the upgrade refunded? Happy to upgrade again when it's out :)

Thanks so much,
Lily""", "polite signature"),
    R("refund", "give money", """hello i pay 2 time for the license because first time the page error. please give money back for one. my email: huong.tran.88@yahoo.com""", "non_native billing_error typo", reason=B),
    R("refund", "Unused credits", """Hi, we bought a 5,000 SMS credit pack in the spring and only used about 800 before switching providers. Can the unused credits be paid out to us? The account itself we'll keep on the free tier.""", "plain"),
    R("cancellation", "END SUBSCRIPTION", """END MY SUBSCRIPTION NOW. I HAVE ASKED YOUR CHATBOT FOUR TIMES.""", "caps angry"),
    R("cancellation", "Re: Your plan renews in 7 days", """Please don't. Let it lapse.

On Mon, 7 Dec 2026, Formfox <billing@formfox.io> wrote:
> Heads up! Your Formfox Pro plan renews on 14 December 2026 for $190.
> No action is needed if you'd like to continue.""", "quoted short indirect"),
    R("cancellation", "Membership", """Dear Team,

Kindly take note that I wish to discontinue my membership with effect from 31st December. I will be grateful if you confirm the same.

Regards,
Venkatesh Iyer""", "formal non_native signature"),
    R("cancellation", "", """<div>hi can you close down our company workspace? we merged with another firm and use their tools now.<br><br>thx<br>Alessio</div>""", "html informal", html=True),
    R("cancellation", "unsub", """how do i unsubscribe from the paid plan?? the app only lets me change plan not stop it""", "howto lowercase"),
    R("cancellation", "My account", """Hi,

I'd like my account terminated please. I've got a few projects in there, I've downloaded them already so you can delete everything.

Kind regards,
Deirdre Lyons""", "signature"),
    R("both", "", """<div dir="ltr">Hi,<br><br>Please cancel my Dialbird subscription effective immediately and refund the unused part of this month. We&#39;ve moved our call centre to a different provider.<br><br>Regards,<br>Femi Adebayo<br>Adebayo Logistics</div>""", "html signature prorated", html=True),
    R("both", "sigh", """Honestly I don't even know why I still pay for this. Just end it and send back what I paid on the 1st, ok?""", "informal"),
    R("both", "Re: Before you go - 50% off!", """No discount needed thanks. I want out, and I want the renewal from last week refunded, I told your colleague on the phone before it renewed.

-----Original Message-----
From: Retention Team <stay@planloop.com>
Sent: Monday, December 7, 2026 8:00 AM
To: Sinead Byrne
Subject: Before you go - 50% off!

Hi Sinead, we noticed you're thinking of leaving. How about 50% off your next three months?""", "quoted outlook"),
    R("both", "Fwd: Leaving Pagecraft", """See below from Mrs Adler (our client). Please cancel her account and process the refund she's asking for.

Kind regards
Tom Pullman
Pullman Web Services

---------- Forwarded message ---------
From: Ruth Adler <ruth@adler-pottery.com>
Date: Sat, 5 Dec 2026 at 08:14
Subject: Leaving Pagecraft
To: Tom Pullman <tom@pullmanweb.co.uk>

Tom, I've decided to stop the online shop. Can you cancel the Pagecraft plan and get back the money for the year I just paid? I only launched in November.""", "forwarded signature"),
    R("both", "please", """hi, pls stop the subscription and refund me, I was charged even tho I deleted the app from my phone. thanks""", "informal typo"),
    R("refund_status", "How long?", """How long until the refund shows on my Amex? Got the email saying it was issued.""", "short"),
    R("refund_status", "Re: Re: Re: refund", """Hi, it's me again. This is the third time I'm asking. Your colleague promised the £64 refund on 12 November. Nothing. What is actually going on?

Ana""", "angry signature"),
    R("refund_status", "Refund - reference needed", """Good morning,

Our finance system needs a refund reference to reconcile the credit of €180 your team agreed on 26 November. Could you send it, and confirm the date it was sent?

Thank you,
Petra Novak
Accounts Receivable""", "formal signature"),
    R("policy_question", "Is the setup fee refundable?", """Hi, if we cancel during the first month, is the one-off onboarding fee refundable, or only the subscription part? Asking before we sign.""", "plain"),
    R("policy_question", "", """<div>Hello,</div><div>Do you have a money-back guarantee on the lifetime licence? The page says &quot;risk free&quot; but I can&#39;t find the actual terms.</div><div><br></div><div>Thanks,<br>Grant</div>""", "html signature", html=True),
    R("policy_question", "cancel anytime?", """Your website says "cancel anytime". Does that mean monthly plans end immediately, or at the end of the month? And for annual?""", "plain"),
    R("withdrawal", "EU right of withdrawal", """hello, I am from Poland and I purchased yesterday. I use my right of withdrawal in 14 days according EU law. please return money to the card""", "non_native"),
    R("other", "Re: Your refund of $29", """Perfect, thank you! Sorry for the grumpy emails earlier.""", "ack short"),
    R("other", "not cancelling, changing card", """Hi, I'm not cancelling anything, I just need to swap the card on file - the old one was lost. Where do I do that?""", "negation"),
    R("other", "Appointment cancellations", """Hi, our patients keep getting two SMS reminders when they cancel an appointment through the booking link. Is that a setting on our side? It's confusing them.

Dr. Ameena Hussain
Riverside Dental""", "howto other_object signature"),
    R("other", "Invoice query", """Could you re-send the November invoice with our VAT number on it? GB 384 2211 09. We need it for the quarter.""", "invoice"),
    R("other", "Contract renewal - upsell?", """Hi, our contract comes up for renewal in March. We'd like to add the analytics module and go to 30 seats. Can your sales team send a quote?

Best,
Robin Achebe""", "sales signature"),
    R("other", "Team member leaving", """Hello, one of our staff, Paul Gregg, left on Friday. How do I remove his access and reassign his projects to me? We want to keep the seat for his replacement.""", "howto"),
    # ---------------------------------------------------------------- batch 5
    R("refund", "RE: Order #QF-44120", """Hello,

I purchased two licences on 1 December but only needed one (our second designer's start date was pushed to spring). Could one of them be refunded?

Best regards,

Anjali Mehta
Studio Manager
Harrow & Finch Interiors Ltd
Registered in England & Wales No. 09873341. Registered office: 12 Gough Square, London EC4A 3DE.

CONFIDENTIALITY NOTICE: This e-mail and any files transmitted with it are confidential and may be legally privileged. They are intended solely for the use of the individual or entity to whom they are addressed. If you are not the intended recipient, you must not copy, distribute or take any action in reliance on it. If you have received this e-mail in error, please notify the sender immediately and delete it from your system. Harrow & Finch accepts no liability for any damage caused by any virus transmitted by this e-mail.""", "signature legal_footer long formal"),
    R("refund", "", """Is it possible to get a refund on the add-on I bought for the call recording? It's never recorded a single call.""", "plain"),
    R("refund", "feedback and a request", """Hi Sophie,

Long-time user here (since the beta, I think 2019?). I wanted to share some feedback first: the new dashboard is gorgeous and the mobile app finally feels fast. Kudos to the team.

The reason I'm writing though - our agency just lost its biggest client, and I've had to make cuts. I paid the annual Agency plan in November ($1,188) and I'm going to have to drop to the free tier. Would you be able to return the annual payment, or at least most of it? I realise that's a big ask.

Either way, thanks for building something good.

Marcus Delaney
Delaney Digital""", "long chatty signature"),
    R("refund", "refund request", """DEAR SIR, PLEASE REFUND MY PAYMENT OF 29.99 FROM 3RD DECEMBER. I DID NOT MEAN TO RENEW. THANK YOU. HAROLD BIGGS""", "caps formal"),
    R("refund", "Re: Your Tidewell subscription has ended", """Hi, so that's all sorted then - but what about the $12 from the 30th? That was charged after I asked you to close it on the 28th. I'd like that back.

On Sat, 5 Dec 2026, Tidewell <noreply@tidewell.app> wrote:
> Your Tidewell subscription has ended. We've deleted your workspace data
> as requested. Thanks for trying Tidewell.""", "quoted vendor_confirmation_quoted"),
    R("refund", "", """<div>Hi Hostwick,</div><div><br></div><div>The 3-year hosting package auto-renewed on 2 Dec ($321). I moved to a VPS in the spring and forgot this was on auto-renew. The sites are already gone from your server. Please can you reverse the renewal?</div><div><br></div><div>Cheers,<br>Nikhil</div>""", "html signature", html=True),
    R("cancellation", "", """Please cancel my subscription. Thanks""", "plain short"),
    R("cancellation", "Licence for Dr. Patel", """Hello, Dr. Patel retired last week, so we no longer need his licence. Please remove it from our practice account from the next billing date.

Regards,
Joanne
Practice Manager, Hillside Medical""", "seats signature"),
    R("cancellation", "Re: Invoice #2026-339 overdue", """Hi, I'm not going to pay this. I told you in October I was done. Please close the account and stop sending invoices.

Kate

-----Original Message-----
From: Accounts <accounts@reachly.io>
Sent: 04 December 2026 10:00
To: kate.morrow@morrowcandles.com
Subject: Invoice #2026-339 overdue

Dear customer, invoice #2026-339 for £45.00 is now 7 days overdue.""", "quoted outlook"),
    R("cancellation", "closing my business", """hi there, I'm shutting down my cleaning business at the end of the month, so I'm going to need to end the scheduling subscription. Do I have to do anything or can you do it from your side? Thank you! Gloria""", "informal indirect signature"),
    R("cancellation", "no renewal please", """I'd like to opt out of automatic renewal for my annual plan (expires 18 Feb). Thank you.""", "plain"),
    R("cancellation", "Fwd: Please cancel", """Hi, my boss sent this from his personal address by mistake, the account is under finance@gallowayfreight.com. Please go ahead with what he asks.

Lorna

---------- Forwarded message ---------
From: Rob Galloway <robgalloway61@gmail.com>
Date: Sun, 6 Dec 2026 at 22:41
Subject: Please cancel
To: support@routely.com

Cancel our Routely account please. Trucks are getting new trackers with their own software.""", "forwarded signature"),
    R("both", "Wrong plan, want out", """You upgraded me to the Team plan when I only clicked to see the price. I don't want it. Put me back to nothing - close the account - and refund the $96.""", "angry billing_error", reason=B),
    R("both", "Re: Your subscription was renewed", """Hello, I thought I had turned off renewal but apparently not. Please cancel my subscription and refund this renewal, thanks.

> Your Pagecraft Personal subscription was renewed on 7 Dec 2026.
> Amount charged: $96.00""", "quoted"),
    R("both", "", """want a refund and to delete my account. thanks""", "short lowercase"),
    R("both", "Service termination & credit", """Good afternoon,

Further to the repeated outages in November (tickets 4471, 4490 and 4502), Norland Freight hereby terminates its agreement for the Tracklane Fleet service with effect from 31 December 2026. We also request a refund of the November service fee (£640.00), as the service was unavailable for a substantial part of the month.

Please confirm both points in writing.

Regards,
James Whitlow
Operations Director, Norland Freight Ltd""", "formal signature long"),
    R("both", "Stop + money", """Hi - Can you stop the monthly payments and send back the last 2? I haven't used it since September, life got busy. Thanks, Mo""", "informal"),
    R("refund_status", "Refund not received", """Hi,

I received your email on 19 November confirming a refund of $149. My bank (Chase) says no credit has been received. Can you confirm the amount, date and last 4 digits of the card it was sent to?

Thanks,
Darnell Hughes""", "signature"),
    R("refund_status", "", """hey did u guys actually send it? still nothing""", "short lowercase"),
    R("refund_status", "Fwd: Your refund is on its way", """Hi, forwarding this for my mum. It's been three weeks and she hasn't had anything back on her card. Can you check please?

Sophie

Begin forwarded message:

From: Lumenly <support@lumenly.app>
Subject: Your refund is on its way
Date: 16 November 2026 at 09:30:11 GMT
To: Patricia Lowe <patlowe@aol.com>

Hi Patricia, we've refunded £39.99 to your card. Please allow 5-10 working days.""", "forwarded apple"),
    R("policy_question", "Notice period for monthly?", """Hi, on the monthly plan, is there a minimum notice before cancelling, or can I just stop whenever?""", "plain"),
    R("policy_question", "Pro-rata credits", """Hi there,

Before we commit: if we cancel the annual plan in month 4, do we get anything back for months 5-12, or does it just run out? I'd rather know now than argue later :)

Thanks,
Jess""", "signature"),
    R("withdrawal", "Cancellation within 14 days", """Dear Sir/Madam,

I am writing to exercise my right to cancel under the 14-day cooling-off period for the contract I concluded with you online on 30 November 2026 (Reachly Starter). I am a consumer in Ireland. Please confirm and refund.

Yours faithfully,
Niamh Kelleher""", "formal signature"),
    R("withdrawal", "", """I'd like to withdraw from my contract, I signed up 4 days ago and I'm in France so I understand I have 14 days. Thanks""", "plain"),
    R("other", "cancelled order on the storefront", """Hi, one of my shop customers cancelled her order but the storefront still shows it as paid. How do I mark it cancelled and refund her through your Stripe integration?""", "howto other_object"),
    R("other", "Re: Sorry to see you go", """Actually, I changed my mind before it went through - my manager found budget. Can you make sure the account stays open? We do NOT want it cancelled.""", "negation"),
    R("other", "Downgrade to monthly", """Hello, when our annual plan ends in March, we'd like to continue on monthly billing rather than another year. Is that possible?

Thanks,
Ingrid""", "billing_change signature"),
    R("other", "Great support!", """Just wanted to say Kwame on your support team was fantastic yesterday - fixed our import in 10 minutes. No refund or anything needed, just a thank you!""", "praise"),
    R("other", "Re: Meeting: Q1 planning", """Hi all, I'm going to have to cancel Thursday's planning meeting, I'm off sick. I'll send a new invite for next week.

Cheers,
Dan""", "other_object"),
    R("other", "Marketing emails", """Hi, I keep getting "we miss you" emails although I'm an active paying customer. Can you remove me from that list? Thanks.

--
Sent from Proton Mail. If you no longer wish to receive emails from me, reply STOP.""", "unsubscribe_footer"),
    # ---------------------------------------------------------------- batch 6
    R("refund", "integration broken", """The HubSpot sync was broken from 2 Oct to 20 Nov (your status page says so too). I'm staying, but I'd like October and November refunded, we paid for something that didn't work.""", "plain"),
    R("refund", "amount revert", """Dear Team,

I have taken the yearly plan by mistake on 4/12 instead of monthly. Kindly do the needful and revert the amount of Rs 8,999 to my account. I will subscribe monthly after that.

Thanks and regards,
Suresh Raghavan""", "non_native formal signature"),
    R("refund", "yearly by mistake", """G'day, bought the yearly by accident, meant the monthly. Can you refund it and I'll just sign up again monthly? Cheers mate""", "informal australian"),
    R("refund", "", """reimburse me for november pls, the app was down half the month""", "short lowercase"),
    R("refund", "Re: Re: refund", """Hi Aaron,

Thanks for getting back to me. As you suggested, I've now deleted the workspace myself. Can you go ahead with returning the $45 for this month now? My card is the same one.

Sophia

On Fri, 4 Dec 2026 at 17:02, Aaron (Boardly) <aaron@boardly.co> wrote:
> Hi Sophia,
> Before we look at a refund, could you let me know if you still need the
> workspace? If not, you can delete it under Settings > Danger zone.
> Aaron""", "quoted signature"),
    R("cancellation", "", """Kill the subscription.""", "short"),
    R("cancellation", "My late husband's account", """Hello,

My husband Geoffrey passed away in October. He had an account with you for his woodworking plans (geoff.thorne@btinternet.com). Please could you close it so it doesn't carry on charging.

Thank you,
Brenda Thorne""", "signature polite"),
    R("cancellation", "Notice of non-renewal", """Dear Accounts team,

Please accept this email as our 60 days' notice that Pennington Legal will not be renewing the Docufile Enterprise agreement when it expires on 5 February 2027.

Kind regards,
Sarah Pennington
Practice Director
Pennington Legal LLP

This email is sent on behalf of Pennington Legal LLP, a limited liability partnership registered in England and Wales (OC412887), authorised and regulated by the Solicitors Regulation Authority. Its contents are confidential and may be privileged. If you are not the intended recipient please tell us and delete it; do not use, copy or disclose it.""", "formal signature legal_footer"),
    R("cancellation", "app store?", """how do i get rid of the subscription if i signed up on the website and not through the app store? cant see it in my iphone settings""", "howto lowercase"),
    R("cancellation", "Team plan only", """Hi, please turn off the Team plan for acme-lab - I'm keeping my own Personal plan, just the team one needs to go.

Ty""", "seats short"),
    R("cancellation", "Re: Survey: How are we doing?", """Rating: 2/10. Comments: please just close my account, I've been asking in the app for a week.

> How likely are you to recommend Boardly to a friend? Reply with a number 0-10.""", "quoted"),
    R("both", "Account of my father, deceased", """Dear Sir or Madam,

I am the executor of the estate of the late Mr Alan Whitby, who died on 12 November 2026. Please close his account (alan.whitby@gmail.com) and refund any subscription payments taken after the date of death. I can provide a copy of the death certificate if required.

Yours faithfully,
Catherine Whitby""", "formal signature"),
    R("both", "", """i want out + my money""", "short lowercase"),
    R("both", "AGAIN", """I asked to cancel in September. You've charged me in October, November and December. Refund all three and this time ACTUALLY cancel it.""", "angry"),
    R("both", "bit of a saga", """Hiya,

Bit of a saga, sorry. So I signed up in the summer when we were planning my sister's wedding (your seating chart tool is brilliant btw), and then the wedding got moved to next year, and then my sister decided to just elope, so I'm not going to need it at all now! Could you close the account and refund whatever's left of the year? I paid annual in July I think.

Anyway, the tool was lovely, I'll recommend it to friends.

Love,
Kerry xx""", "long chatty signature prorated"),
    R("refund_status", "day 6", """Your email said the refund would take 3-5 days. It's day 6. Should I wait longer or has something gone wrong?""", "plain"),
    R("refund_status", "PayPal or card?", """Hi, did the refund go to my PayPal or to the card? I can't find it on either.

Thanks, Will""", "short signature"),
    R("refund_status", "Re: Your refund", """Hi, I got the refund notification but it says $31.20, not $48 as agreed. Is the rest still coming, or was that the full amount?""", "plain"),
    R("policy_question", "30 days?", """Can I get my money back if I cancel within the first 30 days? Just checking before I buy.""", "plain"),
    R("policy_question", "What if our company closes?", """Hi, we're a start-up and our runway is 14 months. If we buy the annual plan and have to shut down mid-year, is any of it refundable under your terms? Asking before I put it on the company card.

Thanks,
Priya""", "signature"),
    R("withdrawal", "Cancellation under the Consumer Contracts Regulations", """Hello,

I'm a consumer in England and I signed up on 2 December. I'm cancelling the contract within the 14-day cancellation period under the Consumer Contracts Regulations. Please confirm and return my payment.

Regards,
Oliver Pym""", "formal signature"),
    R("other", "direct debit mandate", """Hello, please cancel the direct debit mandate we set up with you in 2024 - we'd like to pay by card from January instead. The subscription continues as normal.""", "other_object"),
    R("other", "Change login email", """Hi, can I move my subscription to a different email address? I'm leaving my job and want to keep the account on my personal email.""", "howto"),
    R("other", "No refund wanted", """I don't want a refund, I want the bug fixed. The calendar export has been broken for two weeks and I've got clients relying on it.""", "negation complaint"),
    R("other", "Purchase order PO-5519", """Good morning,

Please cancel purchase order PO-5519 for the hardware starter bundle - it was raised against the wrong cost centre. Procurement will send a corrected PO today.

Regards,
Ama Owusu
Procurement, Westbridge Council""", "other_object signature"),
    R("other", "Upgrade mid-cycle", """If I upgrade from Solo to Team now, will I pay the full Team price for this month or just the difference for the remaining days?""", "sales"),
    R("other", "Re: Your cancellation is confirmed", """Noted, thanks. Will I still be able to download my old invoices after the 31st?

> Hi Ed, your cancellation is confirmed. Your plan ends on 31 December 2026.""", "ack quoted"),
]
