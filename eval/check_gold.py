#!/usr/bin/env python3
"""Sanity-check an eval set: every gold quote is verbatim in one body sentence
of its article (not in comments), has 8+ words, and valid ids. Prints counts.
Usage: python3 eval/check_gold.py eval/dev [eval/holdout]"""
import re, sys, pathlib, collections
import yaml

PROPS = {"algeria-backs-russian-presence-mali", "algeria-aligned-with-france-sahel",
         "mali-junta-trusts-algeria", "algerian-troops-in-mali", "algiers-accord-in-force"}

def load(d):
    arts = {}
    for f in sorted(pathlib.Path(d).glob("*.md")):
        text = f.read_text(encoding="utf-8")
        m = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
        fm = yaml.safe_load(m.group(1))
        body = re.split(r"^## (?:Commentaires|Comments)\s*$", m.group(2), flags=re.M)[0]
        arts[fm["id"]] = (f.name, fm, body)
    return arts

ok = True
for d in sys.argv[1:]:
    arts = load(d)
    gold = yaml.safe_load(open(pathlib.Path(d) / "gold.yaml", encoding="utf-8"))
    per_prop = collections.Counter(); per_art = collections.Counter(); langs = collections.Counter()
    seen = set()
    for _, fm, _ in arts.values():
        langs[fm["lang"]] += 1
    for g in gold:
        a, q, p, s = g["article"], g["quote"], g["proposition"], g["stance"]
        err = None
        if a not in arts: err = "unknown article"
        elif p not in PROPS: err = "unknown proposition"
        elif s not in ("supports", "opposes"): err = "bad stance"
        elif len(q.split()) < 8: err = "quote < 8 words"
        elif q not in arts[a][2]: err = "quote not in body"
        elif re.search(r"[.!?]\s+[«\"A-ZÀ-Ý]", q) and not re.search(r"\bM\.\s", q): err = "quote spans sentences?"
        elif (a, q, p) in seen: err = "duplicate"
        seen.add((a, q, p))
        if err:
            ok = False; print(f"{d}: {err}: {a} | {q}")
        per_prop[(p, s)] += 1; per_art[a] += 1
    print(f"== {d}: {len(arts)} articles {dict(langs)}, {len(gold)} labels")
    for p in sorted(PROPS):
        print(f"  {p:40s} supports={per_prop[(p,'supports')]:2d} opposes={per_prop[(p,'opposes')]:2d}")
    for a in arts:
        print(f"  {a:40s} {per_art[a]}")
sys.exit(0 if ok else 1)
