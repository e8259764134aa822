#!/usr/bin/env python3
"""Build <lang>-n.jsonl from the hand-written n_<lang>.txt (issue 13, fourth data pass).

n_<lang>.txt holds one whole message per entry, written by hand; this script only turns
it into JSON Lines and checks it. An entry starts with a header line
    === <label> [billing_error] | <subject> | <tag,tag,...>
and its body is every following line up to the next header (trailing blank lines dropped).
Tag `html` sets content_type text/html. Ids are tr-<lang>-nNNN in file order.
Checks: labels/reason valid, ids unique across every *.jsonl in this directory.
Usage: python3 n_build.py [lang ...]   (default: es pt)
"""
import json, glob, os, sys, collections
HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = {"refund","cancellation","both","refund_status","policy_question","withdrawal","other"}
PROV = "written by the mailclerk team (helper), 2026-12-07"

def parse(lang):
    rows, cur = [], None
    for n, line in enumerate(open(os.path.join(HERE, f"n_{lang}.txt"), encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if line.startswith("=== "):
            if cur: rows.append(cur)
            head, subject, tags = (p.strip() for p in line[4:].split("|", 2))
            words = head.split()
            label, reason = words[0], (words[1] if len(words) > 1 else None)
            if label not in LABELS: sys.exit(f"n_{lang}.txt:{n}: unknown label {label!r}")
            if reason not in (None, "billing_error") or (reason and label not in ("refund","both")):
                sys.exit(f"n_{lang}.txt:{n}: bad reason {reason!r} for {label}")
            cur = {"label": label, "reason": reason, "subject": subject,
                   "tags": [t.strip() for t in tags.split(",") if t.strip()], "body": [], "line": n}
        elif cur is not None:
            cur["body"].append(line)
    if cur: rows.append(cur)
    out = []
    for i, c in enumerate(rows, 1):
        body = "\n".join(c["body"]).strip("\n")
        if not body.strip(): sys.exit(f"n_{lang}.txt:{c['line']}: empty body")
        if not c["tags"]: sys.exit(f"n_{lang}.txt:{c['line']}: no tags")
        r = {"id": f"tr-{lang}-n{i:03d}", "lang": lang, "label": c["label"]}
        if c["reason"]: r["reason"] = c["reason"]
        r["subject"] = c["subject"]; r["body"] = body
        if "html" in c["tags"]: r["content_type"] = "text/html"
        r["tags"] = c["tags"]; r["provenance"] = PROV
        out.append(r)
    return out

langs = sys.argv[1:] or ["es", "pt"]
for lang in langs:
    rows = parse(lang)
    with open(os.path.join(HERE, f"{lang}-n.jsonl"), "w", encoding="utf-8") as f:
        for r in rows: f.write(json.dumps(r, ensure_ascii=False) + "\n")
ids = collections.Counter()
for f in glob.glob(os.path.join(HERE, "*.jsonl")):
    for line in open(f, encoding="utf-8"):
        ids[json.loads(line)["id"]] += 1
dups = [i for i, c in ids.items() if c > 1]
for lang in langs:
    rows = [json.loads(l) for l in open(os.path.join(HERE, f"{lang}-n.jsonl"), encoding="utf-8")]
    c = collections.Counter(r["label"] for r in rows)
    print(f"{lang}-n.jsonl", len(rows), dict(sorted(c.items())),
          "billing_error:", sum(1 for r in rows if r.get("reason")),
          "html:", sum(1 for r in rows if r.get("content_type")),
          "quoted:", sum("quoted" in r["tags"] for r in rows),
          "forwarded:", sum("forwarded" in r["tags"] for r in rows))
print("duplicate ids:", dups)
sys.exit(1 if dups else 0)
