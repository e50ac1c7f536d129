#!/usr/bin/env bash
# End-to-end bench: volte check over a generated French corpus, side by side
# with ripgrep's raw multi-literal scan of the same phrases (and the Python
# peers when asked).
#
#   bench/run.sh [MEGABYTES] [DIR]        default: 100 MB in /tmp/volte-bench-<MB>
#   PEERS=python bench/run.sh 100         also the plain-Python peer
#   PEERS="python spacy" bench/run.sh 20  also spaCy (installs into bench/.venv)
#
# Prints wall time, MB/s, articles/s, sentences/s and peak RSS for a cold run
# (no cache), a warm run (nothing changed), and a re-check after one article
# is added. Needs /usr/bin/time; ripgrep is used when `rg` is on PATH
# (`cargo install ripgrep`).
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-100}
dir=${2:-/tmp/volte-bench-$mb}
peers=${PEERS:-}

cargo build --release --quiet --bin volte --example benchgen
volte=target/release/volte
if [ ! -d "$dir/corpus" ]; then
    target/release/examples/benchgen "$dir" "$mb"
fi
bytes=$(du -sb --apparent-size "$dir/corpus" | cut -f1)
articles=$(find "$dir/corpus" -name '*.md' | wc -l)
echo "corpus: $dir/corpus, $articles articles, $((bytes / 1000000)) MB; $(nproc) cores"
# Warm the page cache so every tool reads from memory.
cat $(find "$dir/corpus" -name '*.md') > /dev/null

measure() { # label, command...
    local label=$1; shift
    /usr/bin/time -o /tmp/volte-bench-time.txt -f "%e %M" "$@" > /tmp/volte-bench-out.txt 2>/dev/null || true
    local secs rss
    secs=$(tail -1 /tmp/volte-bench-time.txt | awk '{print $1}')
    rss=$(tail -1 /tmp/volte-bench-time.txt | awk '{print $2}')
    local sentences
    sentences=$(grep -o '[0-9]* sentences' /tmp/volte-bench-out.txt | head -1 | cut -d' ' -f1 || true)
    python3 - "$label" "$secs" "$rss" "$bytes" "$articles" "${sentences:-0}" <<'PY'
import sys
label, secs, rss, size, articles, sentences = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
line = f"{label:<34} {secs:7.2f} s  {size / 1e6 / secs:8.1f} MB/s  {articles / secs:9.0f} articles/s"
if sentences:
    line += f"  {sentences / secs:10.0f} sentences/s"
print(line + f"  peak RSS {rss / 1024:6.1f} MB")
PY
}

rm -rf "$dir/.volte-cache"
measure "volte check (cold, writes cache)" "$volte" check --rules "$dir/rules" --corpus "$dir/corpus"
measure "volte check --no-cache" "$volte" check --rules "$dir/rules" --corpus "$dir/corpus" --no-cache
measure "volte check (warm, nothing changed)" "$volte" check --rules "$dir/rules" --corpus "$dir/corpus"
added="$dir/corpus/added-by-bench.md"
target/release/examples/benchgen "$dir/one" 0.001 4242 > /dev/null 2>&1
sed 's/^id: .*/id: added-by-bench/' "$(find "$dir/one/corpus" -name '*.md' | head -1)" > "$added"
measure "volte check (one article added)" "$volte" check --rules "$dir/rules" --corpus "$dir/corpus"
rm -f "$added"; rm -rf "$dir/one"
if command -v rg > /dev/null; then
    measure "rg -i -F -c -f phrases" rg -i -F -c -f "$dir/phrases.txt" "$dir/corpus"
    measure "rg -i -F -c -f phrases (1 thread)" rg -j1 -i -F -c -f "$dir/phrases.txt" "$dir/corpus"
else
    echo "(rg not found: cargo install ripgrep)"
fi
for peer in $peers; do
    case $peer in
        python) measure "python: re + unicodedata" python3 bench/peer_python.py "$dir/phrases.txt" "$dir/corpus" ;;
        spacy)
            if [ ! -x bench/.venv/bin/python ]; then
                python3 -m venv bench/.venv
                bench/.venv/bin/pip install --quiet 'spacy>=3.8,<3.9'
            fi
            measure "spaCy blank(fr) + PhraseMatcher" bench/.venv/bin/python bench/peer_spacy.py "$dir/phrases.txt" "$dir/corpus" ;;
    esac
done
