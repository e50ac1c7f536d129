#!/usr/bin/env python3
"""Scores volte's claims on a labelled set against its gold.yaml.

    python3 eval/score.py eval/dev [--volte target/release/volte] [-v]
    python3 eval/score.py corpus --gold eval/corpus-gold.yaml

A claim is right when its sentence contains a gold quote of the same article,
proposition and stance. Precision = right claims / claims made (body only);
recall = gold labels found / gold labels.
"""
import argparse, json, subprocess, sys, unicodedata

def norm(s):
    s = unicodedata.normalize("NFC", s).replace("’", "'")
    return " ".join(s.split())

def load_gold(path):
    # gold.yaml is a flat list of 4-key maps; parse without a YAML dependency.
    items, cur = [], None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("- "):
            cur = {}
            items.append(cur)
            line = "  " + line[2:]
        key, _, value = line.strip().partition(":")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
            if line.strip().split(":", 1)[1].strip().startswith('"'):
                value = value.replace('\\"', '"')
            else:
                value = value.replace("''", "'")
        cur[key] = value
    return items

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("set")
    ap.add_argument("--volte", default="target/release/volte")
    ap.add_argument("--rules", default="rules")
    ap.add_argument("--gold", help="gold file (default: SET/gold.yaml)")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    out = subprocess.run([a.volte, "check", "--format", "json", "--rules", a.rules, "--corpus", a.set],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(out.stderr)
    report = json.loads(out.stdout)
    gold = load_gold(a.gold or f"{a.set}/gold.yaml")
    claims = [c for c in report["claims"] if c["section"] == "body"]
    found = set()
    right = 0
    for c in claims:
        sentence = norm(c["sentence"])
        hit = [i for i, g in enumerate(gold)
               if g["article"] == c["article"] and g["proposition"] == c["proposition"]
               and g["stance"] == c["stance"] and norm(g["quote"]) in sentence]
        if hit:
            right += 1
            found.update(hit)
        elif a.v:
            wrong = [g for g in gold if g["article"] == c["article"] and norm(g["quote"]) in sentence]
            why = "; ".join(f"gold {g['proposition']} {g['stance']}" for g in wrong) or "no gold label"
            print(f"FP  {c['proposition']} {c['stance']}  [{why}]\n    {c['path']}:{c['line']} cue «{c['cue']}» «{c['sentence'][:220]}»")
    if a.v:
        for i, g in enumerate(gold):
            if i not in found:
                print(f"FN  {g['proposition']} {g['stance']}  {g['article']}\n    «{g['quote']}»")
    p = right / len(claims) if claims else 1.0
    r = len(found) / len(gold) if gold else 1.0
    print(f"{a.set}: {len(claims)} claims, {right} right, precision {p:.1%}; "
          f"{len(found)}/{len(gold)} gold labels found, recall {r:.1%}")

if __name__ == "__main__":
    main()
