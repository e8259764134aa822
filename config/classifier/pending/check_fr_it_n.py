#!/usr/bin/env python3
"""Check the hand-written fr-n.jsonl and it-n.jsonl rows (or the files given): JSON, known fields, lang matching the file
name, label, reason, content_type, provenance, id prefix tr-<lang>-n; ids unique across every *.jsonl
here; no body duplicated anywhere here. Prints counts per file; exits 1 on a problem."""
import json, glob, collections, sys, os
D = os.path.dirname(os.path.abspath(__file__))
FILES = sys.argv[1:] or [f"{D}/fr-n.jsonl", f"{D}/it-n.jsonl"]
LANGS = {"en","de","es","fr","pt","it","nl"}
LABELS = {"refund","cancellation","both","refund_status","policy_question","withdrawal","other"}
FIELDS = {"id","lang","label","reason","subject","body","content_type","tags","provenance"}
ids = collections.Counter(); bodies = collections.Counter(); bad = 0
for f in sorted(glob.glob(f"{D}/*.jsonl")):
    for n, line in enumerate(open(f, encoding="utf-8"), 1):
        r = json.loads(line); ids[r["id"]] += 1; bodies[r["body"].strip().lower()] += 1
for f in FILES:
    lang = f.split("/")[-1].split("-")[0]
    rows = []
    for n, line in enumerate(open(f, encoding="utf-8"), 1):
        r = json.loads(line); rows.append(r); e = []
        if set(r) - FIELDS: e.append("fields")
        for k in ("id","lang","label","subject","body","tags","provenance"):
            if k not in r: e.append("missing " + k)
        if r["lang"] != lang or r["lang"] not in LANGS: e.append("lang")
        if r["label"] not in LABELS: e.append("label")
        if "reason" in r and (r["reason"] != "billing_error" or r["label"] not in ("refund","both")): e.append("reason")
        if r.get("content_type", "text/html") != "text/html": e.append("content_type")
        if not r["id"].startswith(f"tr-{lang}-n"): e.append("id")
        if not r["tags"] or not r["body"].strip(): e.append("tags/body")
        if r["provenance"] != "written by the mailclerk team (helper), 2026-12-07": e.append("provenance")
        if bodies[r["body"].strip().lower()] > 1: e.append("duplicate body")
        if e: bad += 1; print(f, n, r["id"], e)
    c = collections.Counter(r["label"] for r in rows)
    be = collections.Counter(r["label"] for r in rows if r.get("reason"))
    print(f, len(rows), dict(sorted(c.items())), "billing_error:", dict(be),
          "html:", sum(1 for r in rows if r.get("content_type")),
          "quoted:", sum("quoted" in r["tags"] for r in rows),
          "forwarded:", sum("forwarded" in r["tags"] for r in rows),
          "empty subject:", sum(1 for r in rows if not r["subject"]))
dups = [i for i, k in ids.items() if k > 1]
print("all rows:", sum(ids.values()), "duplicate ids:", dups, "bad rows:", bad)
sys.exit(1 if dups or bad else 0)
