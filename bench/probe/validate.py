#!/usr/bin/env python3
"""Checks the shape of a blind probe file (default bench/probe/probe11.jsonl; also
bench/probe12/probe12.jsonl): every line parses with only the training format's keys, ids are
unique and read `<set>-<lang>-NNN` (the set from the file name: probe12.jsonl -> p12), labels
are the seven, `reason` is only `billing_error` on refund/both, subject and body are not empty,
tags (a list) and provenance are there, `content_type` is only text/html, and each of the seven
languages has the brief's 40 rows and label counts (refund 9, cancellation 9, both 6,
refund_status 4, policy_question 3, withdrawal 2, other 7; 2 billing_error). Prints the counts
per language; exits 1 when anything is off, so it can gate a commit."""
import collections
import json
import os
import sys

LANGS = ["en", "de", "es", "fr", "it", "nl", "pt"]
WANT = {"refund": 9, "cancellation": 9, "both": 6, "refund_status": 4,
        "policy_question": 3, "withdrawal": 2, "other": 7}
KEYS = {"id", "lang", "label", "reason", "subject", "body", "content_type", "tags", "provenance"}
REQUIRED = {"id", "lang", "label", "subject", "body", "tags", "provenance"}


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "bench/probe/probe11.jsonl"
    stem = os.path.splitext(os.path.basename(path))[0]
    prefix = "p" + stem.removeprefix("probe")
    errs = []
    ids = set()
    per = collections.defaultdict(collections.Counter)
    billing = collections.Counter()
    quoted = collections.Counter()
    html = collections.Counter()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                errs.append(f"line {n}: {e}")
                continue
            if set(r) - KEYS:
                errs.append(f"line {n}: unknown keys {set(r) - KEYS}")
            if REQUIRED - set(r):
                errs.append(f"line {n}: missing keys {REQUIRED - set(r)}")
                continue
            if r["id"] in ids:
                errs.append(f"line {n}: duplicate id {r['id']}")
            ids.add(r["id"])
            if not r["id"].startswith(f"{prefix}-{r['lang']}-"):
                errs.append(f"line {n}: id {r['id']} is not {prefix}-{r['lang']}-NNN")
            if r["label"] not in WANT:
                errs.append(f"line {n}: bad label {r['label']}")
            if "reason" in r:
                if r["reason"] != "billing_error" or r["label"] not in ("refund", "both"):
                    errs.append(f"line {n}: reason {r['reason']} on {r['label']}")
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
    for lang in set(per) - set(LANGS):
        errs.append(f"{lang}: not one of the seven languages")
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
    print("OK" if not errs else "BAD")
    sys.exit(1 if errs else 0)


if __name__ == "__main__":
    main()
