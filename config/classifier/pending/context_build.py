#!/usr/bin/env python3
"""Build context-<lang>.jsonl from the hand-written context_<lang>.txt (session 11, data11).

Each entry in the .txt is a header line
    === <label> | <subject> | <tag>, <tag>, ...
followed by the whole message body, written by hand. This script only numbers the entries
(tr-<lang>-x001 ...), writes JSON Lines and checks them: labels, counts per label, ids
unique across ../train/ and here, and no body too close (difflib > 0.8) to another row of the
same language. A tag `html` marks a text/html body.

    python3 config/classifier/pending/context_build.py          # all languages present
    python3 config/classifier/pending/context_build.py de       # one language
"""
import difflib
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN = os.path.join(HERE, "..", "train")
LANGS = ["en", "de", "es", "fr", "it", "nl", "pt"]
LABELS = {"refund", "cancellation", "both", "refund_status", "policy_question", "withdrawal", "other"}
# The brief asks for exactly this mix per language.
WANT = {"cancellation": 11, "both": 8, "refund": 8, "other": 3}
PROVENANCE = ("written by the mailclerk team (helper data11), 2026-12-08: "
              "requests inside ordinary context")


def parse(path, lang):
    rows = []
    cur = None
    for line in open(path, encoding="utf-8"):
        if line.startswith("=== "):
            if cur:
                rows.append(cur)
            label, subject, tags = [p.strip() for p in line[4:].split("|")]
            cur = {"label": label, "subject": subject,
                   "tags": [t.strip() for t in tags.split(",") if t.strip()], "lines": []}
        elif cur is not None:
            cur["lines"].append(line.rstrip("\n"))
    if cur:
        rows.append(cur)
    out = []
    for i, r in enumerate(rows, 1):
        body = "\n".join(r["lines"]).strip("\n")
        row = {"id": f"tr-{lang}-x{i:03d}", "lang": lang, "label": r["label"],
               "subject": r["subject"], "body": body}
        if "html" in r["tags"]:
            row["content_type"] = "text/html"
        row["tags"] = r["tags"]
        row["provenance"] = PROVENANCE
        out.append(row)
    return out


def others(skip):
    """Every other row in ../train/ and here, by file."""
    for f in sorted(glob.glob(os.path.join(TRAIN, "*.jsonl")) + glob.glob(os.path.join(HERE, "*.jsonl"))):
        if os.path.abspath(f) in skip:
            continue
        for line in open(f, encoding="utf-8"):
            yield json.loads(line)


def main():
    langs = sys.argv[1:] or [l for l in LANGS if os.path.exists(os.path.join(HERE, f"context_{l}.txt"))]
    ok = True
    for lang in langs:
        src = os.path.join(HERE, f"context_{lang}.txt")
        dst = os.path.join(HERE, f"context-{lang}.jsonl")
        rows = parse(src, lang)
        counts = {}
        for r in rows:
            if r["label"] not in LABELS:
                print(f"{r['id']}: bad label {r['label']}"); ok = False
            if not r["body"] or not r["tags"]:
                print(f"{r['id']}: empty body or tags"); ok = False
            counts[r["label"]] = counts.get(r["label"], 0) + 1
        if counts != WANT:
            print(f"{lang}: counts {counts} != {WANT}"); ok = False
        existing = list(others({os.path.abspath(dst)}))
        ids = {e["id"] for e in existing}
        same = [e["body"] for e in existing if e["lang"] == lang]
        for r in rows:
            if r["id"] in ids:
                print(f"{r['id']}: id exists already"); ok = False
            for b in same + [x["body"] for x in rows if x is not r]:
                m = difflib.SequenceMatcher(None, r["body"], b, autojunk=False)
                if m.real_quick_ratio() > 0.8 and m.quick_ratio() > 0.8 and m.ratio() > 0.8:
                    print(f"{r['id']}: too close to another body: {b[:60]!r}"); ok = False
        with open(dst, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        quoted = sum("quoted" in r["tags"] for r in rows)
        print(f"{lang}: {len(rows)} rows {dict(sorted(counts.items()))} quoted {quoted}")
    # Re-read everything written, as the trainer would.
    for lang in langs:
        for line in open(os.path.join(HERE, f"context-{lang}.jsonl"), encoding="utf-8"):
            r = json.loads(line)
            if "reason" in r and r["label"] not in ("refund", "both"):
                print(f"{r['id']}: reason on {r['label']}"); ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
