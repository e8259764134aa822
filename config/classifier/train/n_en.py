"""English messages for en-n.jsonl, each written out in full by hand (see n_build.py)."""


def R(label, subject, body, tags, **opts):
    return (label, subject, body, tags, opts)


B = "billing_error"

ROWS = [
    # ---------------------------------------------------------------- batch 1
    R("refund", "", """refund pls""", "one_word short lowercase"),
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
]
