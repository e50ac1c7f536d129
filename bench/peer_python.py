"""Plain-Python peer for bench/run.sh: split sentences with a regex, fold case
and accents with unicodedata, and count the sentences holding any phrase (one
alternation). No negation, hedges, stances or dates: a floor for what an
interpreted pipeline costs."""
import pathlib
import re
import sys
import unicodedata


def fold(text):
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("\u2019", "'")


phrases = [fold(p) for p in pathlib.Path(sys.argv[1]).read_text().splitlines() if p]
pattern = re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)))
splitter = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÉÀ«\"])")
articles = sentences = hits = 0
for path in sorted(pathlib.Path(sys.argv[2]).rglob("*.md")):
    articles += 1
    for sentence in splitter.split(path.read_text(encoding="utf-8")):
        sentences += 1
        if pattern.search(fold(sentence)):
            hits += 1
print(f"{articles} articles, {sentences} sentences, {hits} with a phrase")
