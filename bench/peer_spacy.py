"""spaCy peer for bench/run.sh: blank French pipeline with the rule-based
sentencizer and a case-insensitive PhraseMatcher over the same phrases."""
import pathlib
import sys

import spacy
from spacy.matcher import PhraseMatcher

nlp = spacy.blank("fr")
nlp.add_pipe("sentencizer")
matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
phrases = [p for p in pathlib.Path(sys.argv[1]).read_text().splitlines() if p]
matcher.add("phrases", [nlp.make_doc(p) for p in phrases])
articles = sentences = hits = 0
paths = sorted(pathlib.Path(sys.argv[2]).rglob("*.md"))
texts = (p.read_text(encoding="utf-8") for p in paths)
for doc in nlp.pipe(texts, batch_size=64):
    articles += 1
    sentences += sum(1 for _ in doc.sents)
    hits += len(matcher(doc))
print(f"{articles} articles, {sentences} sentences, {hits} phrase hits")
