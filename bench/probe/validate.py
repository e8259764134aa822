#!/usr/bin/env python3
"""Checks the shape of a probe file (default bench/probe/probe11.jsonl): every line parses,
ids are unique and carry their language, labels are the seven, `reason` is only
`billing_error` on refund/both, and each language has the brief's 40 rows and label counts
(refund 9, cancellation 9, both 6, refund_status 4, policy_question 3, withdrawal 2,
other 7; 2 billing_error). Exit 1 when a language is off, so it can gate a commit."""
import json, collections, sys
path = sys.argv[1] if len(sys.argv) > 1 else "bench/probe/probe11.jsonl"
LABELS = {"refund","cancellation","both","refund_status","policy_question","withdrawal","other"}
WANT = {"refund":9,"cancellation":9,"both":6,"refund_status":4,"policy_question":3,"withdrawal":2,"other":7}
ids=set(); per=collections.Counter(); cnt=collections.defaultdict(collections.Counter); be=collections.Counter(); html=collections.Counter(); ok=True
for n,line in enumerate(open(path),1):
    o=json.loads(line)
    assert o["id"] not in ids, o["id"]; ids.add(o["id"])
    assert o["label"] in LABELS, o
    assert o["id"].startswith(f"p11-{o['lang']}-")
    if "reason" in o:
        assert o["reason"]=="billing_error" and o["label"] in ("refund","both"), o["id"]
        be[o["lang"]]+=1
    for k in ("subject","body","tags","provenance"): assert k in o, (o["id"],k)
    assert o["body"].strip(), o["id"]
    if o.get("content_type")=="text/html": html[o["lang"]]+=1
    per[o["lang"]]+=1; cnt[o["lang"]][o["label"]]+=1
for lang in per:
    bad = per[lang]!=40 or dict(cnt[lang])!=WANT or be[lang]!=2
    print(lang, per[lang], dict(sorted(cnt[lang].items())), "billing_error", be[lang], "html", html[lang], "BAD" if bad else "ok")
    ok = ok and not bad
print("total", sum(per.values()), "OK" if ok and sum(per.values())==280 else "NOT COMPLETE/BAD")
sys.exit(0 if ok else 1)
