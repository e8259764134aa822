#!/usr/bin/env python3
"""Check the hand-written *-more.jsonl rows: each line is JSON with the known fields, a valid
lang (matching the file name), label, reason and content_type, an id tr-<lang>-mNNN; ids are
unique across every *.jsonl file of this directory. Prints counts per file; exits 1 on a problem."""
import json, glob, collections, os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
LANGS = {"en","de","es","fr","pt","it","nl"}
LABELS = {"refund","cancellation","both","refund_status","policy_question","withdrawal","other"}
FIELDS = {"id","lang","label","reason","subject","body","content_type","tags","provenance"}
ids = collections.Counter(); bad = 0
for f in sorted(glob.glob(os.path.join(HERE, "*.jsonl"))):
    for n, line in enumerate(open(f, encoding="utf-8"), 1):
        r = json.loads(line)
        ids[r["id"]] += 1
        if f.endswith("-more.jsonl"):
            errs = []
            if set(r) - FIELDS: errs.append(f"fields {set(r)-FIELDS}")
            for k in ("id","lang","label","subject","body","tags","provenance"):
                if k not in r: errs.append("missing "+k)
            both = f.endswith("/both-more.jsonl")  # `both` rows of every language, ids tr-both-<lang>-NNN
            if r["lang"] not in LANGS or not (both or f.split("/")[-1].startswith(r["lang"]+"-")): errs.append("lang")
            if r["label"] not in LABELS: errs.append("label")
            if "reason" in r and (r["reason"] != "billing_error" or r["label"] not in ("refund","both")): errs.append("reason")
            if r.get("content_type", "text/html") != "text/html": errs.append("content_type")
            if not r["id"].startswith(f"tr-both-{r['lang']}-" if both else f"tr-{r['lang']}-m"): errs.append("id prefix")
            if both and r["label"] != "both": errs.append("label not both")
            if not isinstance(r["tags"], list) or not r["tags"]: errs.append("tags")
            if not r["body"].strip(): errs.append("empty body")
            if errs: bad += 1; print(f, n, r["id"], errs)
dups = [i for i, c in ids.items() if c > 1]
print("rows:", sum(ids.values()), "duplicate ids:", dups, "bad rows:", bad)
for f in sorted(glob.glob(os.path.join(HERE, "*-more.jsonl"))):
    rows = [json.loads(l) for l in open(f, encoding="utf-8")]
    c = collections.Counter(r["label"] for r in rows)
    print(f.split("/")[-1], len(rows), dict(sorted(c.items())),
          "billing_error:", sum(1 for r in rows if r.get("reason")),
          "html:", sum(1 for r in rows if r.get("content_type")),
          "quoted:", sum("quoted" in r["tags"] for r in rows),
          "forwarded:", sum("forwarded" in r["tags"] for r in rows))
sys.exit(1 if dups or bad else 0)
