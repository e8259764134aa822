#!/usr/bin/env python3
"""Build and check the `<lang>-n.jsonl` training files (issue 13, fourth batch).

Every message is written out in full by hand in `n_<lang>.py` (no template, no slot filling);
this script only numbers them (`tr-<lang>-nNNN`), writes one JSON line per message and checks
every `*.jsonl` of this directory (JSON parses, known fields, valid lang/label/reason/
content_type, ids unique across all files).

    python3 config/classifier/pending/n_build_en_de.py          # rebuild en-n.jsonl, de-n.jsonl, check
    python3 config/classifier/pending/n_build_en_de.py --check  # only check
"""
import collections
import glob
import importlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
LANGS = {"en", "de", "es", "fr", "pt", "it", "nl"}
LABELS = {"refund", "cancellation", "both", "refund_status", "policy_question", "withdrawal", "other"}
FIELDS = {"id", "lang", "label", "reason", "subject", "body", "content_type", "tags", "provenance"}
PROVENANCE = "written by the mailclerk team (helper), 2026-12-07"
BUILT = ("en", "de")


def build(lang):
    mod = importlib.import_module(f"n_{lang}")
    out = []
    for i, (label, subject, body, tags, opts) in enumerate(mod.ROWS, 1):
        row = {"id": f"tr-{lang}-n{i:03d}", "lang": lang, "label": label}
        if opts.get("reason"):
            row["reason"] = opts["reason"]
        row["subject"] = subject
        row["body"] = body
        if opts.get("html"):
            row["content_type"] = "text/html"
        row["tags"] = tags.split()
        row["provenance"] = PROVENANCE
        out.append(row)
    with open(os.path.join(HERE, f"{lang}-n.jsonl"), "w", encoding="utf-8") as f:
        for row in out:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def check():
    ids = collections.Counter()
    bad = 0
    for path in sorted(glob.glob(os.path.join(HERE, "*.jsonl"))):
        name = os.path.basename(path)
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                print(f"{name}:{n}: not JSON: {e}")
                bad += 1
                continue
            ids[r.get("id")] += 1
            errs = []
            if set(r) - FIELDS:
                errs.append(f"unknown fields {sorted(set(r) - FIELDS)}")
            for k in ("id", "lang", "label", "subject", "body", "tags", "provenance"):
                if k not in r:
                    errs.append("missing " + k)
            if r.get("lang") not in LANGS:
                errs.append("lang")
            if r.get("label") not in LABELS:
                errs.append("label")
            if "reason" in r and (r["reason"] != "billing_error" or r["label"] not in ("refund", "both")):
                errs.append("reason")
            if r.get("content_type", "text/html") != "text/html":
                errs.append("content_type")
            if name.endswith("-n.jsonl"):
                lang = name[: -len("-n.jsonl")]
                if r.get("lang") != lang or not str(r.get("id")).startswith(f"tr-{lang}-n"):
                    errs.append("lang/id prefix")
                if not r.get("tags") or not str(r.get("body", "")).strip():
                    errs.append("tags/body empty")
            if errs:
                bad += 1
                print(f"{name}:{n}: {r.get('id')}: {errs}")
    dups = sorted(i for i, c in ids.items() if c > 1)
    print("rows:", sum(ids.values()), "duplicate ids:", dups, "bad rows:", bad)
    for path in sorted(glob.glob(os.path.join(HERE, "*-n.jsonl"))):
        rows = [json.loads(l) for l in open(path, encoding="utf-8")]
        c = collections.Counter(r["label"] for r in rows)
        print(os.path.basename(path), len(rows), dict(sorted(c.items())),
              "billing_error:", dict(collections.Counter(r["label"] for r in rows if r.get("reason"))),
              "html:", sum(1 for r in rows if r.get("content_type")),
              "quoted:", sum("quoted" in r["tags"] for r in rows),
              "forwarded:", sum("forwarded" in r["tags"] for r in rows))
    return 1 if dups or bad else 0


if __name__ == "__main__":
    if "--check" not in sys.argv:
        for lang in [a for a in sys.argv[1:] if a in BUILT] or BUILT:
            build(lang)
    sys.exit(check())
