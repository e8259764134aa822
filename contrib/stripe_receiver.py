#!/usr/bin/env python3
"""A small bridge from mailclerk's billing webhook to Stripe (refunds and cancellations).

Not part of mailclerk and not a dependency: an example to adapt. Standard library only.

    MAILCLERK_SECRET_FILE=/etc/mailclerk/billing-secret \
    STRIPE_API_KEY=sk_test_... \
    ACCOUNTS_CSV=/etc/mailclerk/stripe-accounts.csv \
    python3 stripe_receiver.py 127.0.0.1 8787

ACCOUNTS_CSV maps mailclerk's account ids to Stripe: `account_id,customer,subscription`.
Run it behind a TLS-terminating proxy and point `[mailbox.billing] url` at the proxy.

Answers: 200 once Stripe did it (or did it before under the same Idempotency-Key, which
Stripe replays for 24 hours); 401 for a bad signature; 422 for what must go to people
(unknown account, no charge to refund); 502 when Stripe cannot be reached (mailclerk retries).
Set DRY_RUN=1 to log what would be called and answer 200.
"""

import csv
import hashlib
import hmac
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = open(os.environ["MAILCLERK_SECRET_FILE"], "rb").read().strip()
API_KEY = os.environ.get("STRIPE_API_KEY", "")
DRY_RUN = os.environ.get("DRY_RUN") == "1"


def load_accounts():
    path = os.environ.get("ACCOUNTS_CSV")
    if not path:
        return {}
    with open(path, newline="") as f:
        return {row["account_id"]: row for row in csv.DictReader(f)}


ACCOUNTS = load_accounts()


class Refusal(Exception):
    """Goes back as 422: people decide."""


def stripe(method, path, params, key):
    if DRY_RUN:
        print(f"DRY RUN {method} {path} {params} Idempotency-Key={key}", flush=True)
        return {"data": [{"payment_intent": "pi_dry", "amount": 0}]}
    data = urllib.parse.urlencode(params).encode() if params else None
    url = "https://api.stripe.com/v1" + path
    if method == "GET" and params:
        url, data = url + "?" + urllib.parse.urlencode(params), None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {API_KEY}")
    if method != "GET":
        # The same key for every try of one decision: Stripe does it once.
        req.add_header("Idempotency-Key", f"{key}-{path}")
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        detail = e.read().decode(errors="replace")[:300]
        if 400 <= e.code < 500 and e.code != 429:
            raise Refusal(f"Stripe {e.code}: {detail}")
        raise


def act(body, key):
    account = ACCOUNTS.get(body["account"]["id"])
    if account is None:
        raise Refusal(f"no Stripe customer for account {body['account']['id']}")
    for action in body["actions"]:
        if action["type"] == "refund":
            charges = stripe("GET", "/charges", {"customer": account["customer"], "limit": 1}, key)
            paid = [c for c in charges.get("data", []) if c.get("payment_intent")]
            if not paid:
                raise Refusal("no charge to refund")
            stripe("POST", "/refunds", {
                "payment_intent": paid[0]["payment_intent"],
                "amount": action["amount_minor"],
                "metadata[mailclerk_message]": body["message_id"],
                "metadata[clause]": action["clause"],
            }, key)
        elif action["type"] in ("cancel_subscription", "cancel_trial"):
            sub = account.get("subscription")
            if not sub:
                raise Refusal("no Stripe subscription for this account")
            effective = date.fromisoformat(action["effective"])
            if action["timing"] == "at_once" or effective <= date.today():
                stripe("DELETE", f"/subscriptions/{sub}", None, key)
            else:
                at = datetime(effective.year, effective.month, effective.day, tzinfo=timezone.utc)
                stripe("POST", f"/subscriptions/{sub}", {"cancel_at": int(at.timestamp())}, key)
        else:
            raise Refusal(f"unknown action {action['type']}")


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, self.headers.get("X-Mailclerk-Signature", "")):
            return self.answer(401, "bad signature")
        key = self.headers.get("Idempotency-Key", "")
        try:
            act(json.loads(body), key)
        except Refusal as r:
            return self.answer(422, str(r))
        except Exception as e:  # Stripe unreachable or 5xx: mailclerk tries again later
            return self.answer(502, f"Stripe unavailable: {e}")
        self.answer(200, "done")

    def answer(self, status, text):
        data = json.dumps({"status": status, "detail": text}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    ThreadingHTTPServer((host, port), Handler).serve_forever()
