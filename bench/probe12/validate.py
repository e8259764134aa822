#!/usr/bin/env python3
"""Check probe12.jsonl against the brief: shape, ids, labels, reasons, per-language counts."""
import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LANGS = ["en", "de", "es", "fr", "it", "nl", "pt"]
WANT = {"refund": 9, "cancellation": 9, "both": 6, "refund_status": 4,
        "policy_question": 3, "withdrawal": 2, "other": 7}
KEYS = {"id", "lang", "label", "reason", "subject", "body", "content_type", "tags", "provenance"}


def main():
    errs = []
    ids = set()
    per = collections.defaultdict(collections.Counter)
    billing = collections.Counter()
    quoted = collections.Counter()
    html = collections.Counter()
    with open(os.path.join(HERE, "probe12.jsonl"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                errs.append(f"line {n}: {e}")
                continue
            if set(r) - KEYS:
                errs.append(f"line {n}: unknown keys {set(r) - KEYS}")
            if r["id"] in ids:
                errs.append(f"line {n}: duplicate id {r['id']}")
            ids.add(r["id"])
            if not r["id"].startswith(f"p12-{r['lang']}-"):
                errs.append(f"line {n}: id/lang mismatch")
            if r["label"] not in WANT:
                errs.append(f"line {n}: bad label {r['label']}")
            if "reason" in r:
                if r["reason"] != "billing_error" or r["label"] not in ("refund", "both"):
                    errs.append(f"line {n}: reason on {r['label']}")
                billing[r["lang"]] += 1
            if not r["subject"].strip() or not r["body"].strip():
                errs.append(f"line {n}: empty subject/body")
            if r.get("content_type", "text/html") != "text/html":
                errs.append(f"line {n}: bad content_type")
            if not isinstance(r["tags"], list):
                errs.append(f"line {n}: tags not a list")
            per[r["lang"]][r["label"]] += 1
            if {"quoted", "forwarded"} & set(r["tags"]):
                quoted[r["lang"]] += 1
            if "content_type" in r:
                html[r["lang"]] += 1
    for lang in LANGS:
        if dict(per[lang]) != WANT:
            errs.append(f"{lang}: counts {dict(per[lang])}")
        if billing[lang] != 2:
            errs.append(f"{lang}: {billing[lang]} billing_error rows, want 2")
    print("rows", len(ids))
    print("lang " + " ".join(f"{k:>15}" for k in WANT) + "  billing_error quoted/fwd html")
    for lang in LANGS:
        print(f"{lang:4} " + " ".join(f"{per[lang][k]:>15}" for k in WANT)
              + f"  {billing[lang]:>13} {quoted[lang]:>10} {html[lang]:>4}")
    for e in errs:
        print("ERROR", e)
    sys.exit(1 if errs else 0)


if __name__ == "__main__":
    main()
