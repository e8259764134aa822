"""Checks holdout.jsonl: every line parses, fields/labels/langs valid, ids unique, counts."""
import collections, json, sys

LANGS = {"en", "de", "es", "fr", "pt", "it", "nl"}
LABELS = {"refund", "cancellation", "both", "refund_status", "policy_question", "withdrawal", "other"}
WANT = {"refund": 8, "cancellation": 8, "both": 5, "refund_status": 4,
        "policy_question": 4, "withdrawal": 3, "other": 9}
REQUIRED = {"id", "lang", "label", "subject", "body", "tags", "provenance"}
ALLOWED = REQUIRED | {"reason", "content_type"}

path = sys.argv[1] if len(sys.argv) > 1 else "bench/holdout/holdout.jsonl"
errors, ids, counts, reasons = [], set(), collections.Counter(), collections.Counter()
with open(path, encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: not JSON ({e})")
            continue
        keys = set(d)
        if REQUIRED - keys or keys - ALLOWED:
            errors.append(f"line {n}: missing {REQUIRED - keys}, unexpected {keys - ALLOWED}")
        if d.get("lang") not in LANGS:
            errors.append(f"line {n}: bad lang {d.get('lang')!r}")
        if d.get("label") not in LABELS:
            errors.append(f"line {n}: bad label {d.get('label')!r}")
        if not str(d.get("id", "")).startswith(f"ho-{d.get('lang')}-"):
            errors.append(f"line {n}: id {d.get('id')!r} lacks prefix ho-<lang>-")
        if d.get("id") in ids:
            errors.append(f"line {n}: duplicate id {d.get('id')}")
        ids.add(d.get("id"))
        if "reason" in d and (d["reason"] != "billing_error" or d["label"] not in ("refund", "both")):
            errors.append(f"line {n}: reason only billing_error on refund/both")
        if d.get("content_type", "text/html") != "text/html":
            errors.append(f"line {n}: content_type must be text/html when present")
        if not isinstance(d.get("tags"), list) or not all(isinstance(t, str) for t in d["tags"]):
            errors.append(f"line {n}: tags must be a list of strings")
        if not isinstance(d.get("body"), str) or not d["body"].strip():
            errors.append(f"line {n}: empty body")
        counts[(d.get("lang"), d.get("label"))] += 1
        if d.get("label") == "refund" and d.get("reason") == "billing_error":
            reasons[d.get("lang")] += 1
for lang in sorted(LANGS):
    for label, want in WANT.items():
        if counts[(lang, label)] < want:
            errors.append(f"{lang}/{label}: {counts[(lang, label)]} < {want}")
    if reasons[lang] < 2:
        errors.append(f"{lang}: fewer than 2 refund rows with reason billing_error")
print(f"{len(ids)} messages, {len(errors)} problems")
for e in errors:
    print(" ", e)
sys.exit(1 if errors else 0)
