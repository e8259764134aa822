#!/usr/bin/env python3
"""Build and check the `<lang>-more.jsonl` training files (issue 13, second batch).

Each message in ``more_<lang>.py`` is written out in full by hand (greeting, text, signature,
quoted history): nothing is generated from slots here. This script only numbers the rows
(``tr-<lang>-m001``...), writes one JSON object per line and validates every file in this
directory: JSON parses, known fields only, valid lang/label/reason/content_type, non-empty
tags, ids unique across all files, no duplicate bodies.

Usage:
    python3 config/classifier/train/more_build.py          # rebuild en, de, nl -more files, check all
    python3 config/classifier/train/more_build.py --check  # only check every *.jsonl here
"""

import collections
import glob
import importlib
import json
import os
import sys

sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
PROVENANCE = "written by the mailclerk team (helper), 2026-12-07"
LABELS = {"refund", "cancellation", "both", "refund_status", "policy_question", "withdrawal", "other"}
LANGS = {"en", "de", "es", "fr", "pt", "it", "nl"}
FIELDS = {"id", "lang", "label", "reason", "subject", "body", "content_type", "tags", "provenance"}
REQUIRED = {"id", "lang", "label", "subject", "body", "tags", "provenance"}
MORE_LANGS = ["en", "de", "nl"]


def build(lang):
    mod = importlib.import_module(f"more_{lang}")
    out = []
    for n, (label, subject, body, tags, opts) in enumerate(mod.ROWS, 1):
        row = {"id": f"tr-{lang}-m{n:03d}", "lang": lang, "label": label}
        if opts.get("reason"):
            row["reason"] = opts["reason"]
        row["subject"] = subject
        row["body"] = body.strip("\n")
        if opts.get("html"):
            row["content_type"] = "text/html"
        row["tags"] = tags.split()
        row["provenance"] = PROVENANCE
        out.append(row)
    path = os.path.join(HERE, f"{lang}-more.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for row in out:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def check():
    ids = {}
    bad = 0
    for path in sorted(glob.glob(os.path.join(HERE, "*.jsonl"))):
        name = os.path.basename(path)
        counts = collections.Counter()
        bodies = set()
        for ln, line in enumerate(open(path, encoding="utf-8"), 1):
            where = f"{name}:{ln}"
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                print(f"{where}: not JSON: {e}"); bad += 1; continue
            problems = []
            if set(r) - FIELDS:
                problems.append(f"unknown fields {sorted(set(r) - FIELDS)}")
            if REQUIRED - set(r):
                problems.append(f"missing fields {sorted(REQUIRED - set(r))}")
            if r.get("lang") not in LANGS:
                problems.append(f"lang {r.get('lang')!r}")
            if r.get("label") not in LABELS:
                problems.append(f"label {r.get('label')!r}")
            if "reason" in r and (r["reason"] != "billing_error" or r["label"] not in ("refund", "both")):
                problems.append(f"reason {r['reason']!r} with label {r['label']!r}")
            if r.get("content_type") not in (None, "text/html"):
                problems.append(f"content_type {r['content_type']!r}")
            if not r.get("tags") or not all(isinstance(t, str) and t for t in r["tags"]):
                problems.append("tags empty")
            if not r.get("body", "").strip():
                problems.append("body empty")
            if r.get("id") in ids:
                problems.append(f"id {r.get('id')} also in {ids[r['id']]}")
            ids[r.get("id")] = where
            if name.endswith("-more.jsonl"):
                if r.get("body") in bodies:
                    problems.append("duplicate body")
                bodies.add(r.get("body"))
                # both-more.jsonl holds `both` rows of every language, ids tr-both-<lang>-NNN
                if name == "both-more.jsonl":
                    if not str(r.get("id", "")).startswith(f"tr-both-{r.get('lang')}-") or r.get("label") != "both":
                        problems.append(f"id {r.get('id')} not tr-both-<lang>-NNN or label not both")
                elif not str(r.get("id", "")).startswith(f"tr-{r.get('lang')}-m"):
                    problems.append(f"id {r.get('id')} not tr-<lang>-mNNN")
            for p in problems:
                print(f"{where}: {p}"); bad += 1
            counts[r.get("label")] += 1
        total = sum(counts.values())
        print(f"{name}: {total} rows", dict(sorted(counts.items())))
    print("OK" if not bad else f"{bad} problem(s)")
    return bad


if __name__ == "__main__":
    if "--check" not in sys.argv:
        for lang in [a for a in sys.argv[1:] if a in LANGS] or MORE_LANGS:
            build(lang)
    sys.exit(1 if check() else 0)
