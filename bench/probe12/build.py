#!/usr/bin/env python3
"""Assemble bench/probe12/probe12.jsonl from the hand-written rows in src/."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "src"))
from common import PROVENANCE  # noqa: E402

LANGS = ["en", "de", "es", "fr", "it", "nl", "pt"]


def main():
    out = []
    for lang in LANGS:
        mod = __import__("rows_" + lang)
        for i, r in enumerate(mod.ROWS, 1):
            row = {"id": f"p12-{lang}-{i:03d}", "lang": lang, "label": r["label"]}
            if "reason" in r:
                row["reason"] = r["reason"]
            row["subject"] = r["subject"]
            row["body"] = r["body"]
            if "content_type" in r:
                row["content_type"] = r["content_type"]
            row["tags"] = r["tags"]
            row["provenance"] = PROVENANCE
            out.append(row)
    with open(os.path.join(HERE, "probe12.jsonl"), "w", encoding="utf-8") as f:
        for row in out:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(len(out), "rows")


if __name__ == "__main__":
    main()
