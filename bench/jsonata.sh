#!/usr/bin/env bash
# bench/jsonata.sh: the HubSpot-style contact mapping over the same JSON Lines, end to end
# (parse, transform, serialize), with Switchboard's JSONata engine, jq, jsonata-rs and
# jsonata-python; outputs are compared record by record and records/s printed side by side.
#
# Usage: bench/jsonata.sh [COUNT]   (default 100000; WORK=dir for the data, default .build/bench-jsonata;
#        BIN=path to a prebuilt switchboard-bench skips the build)
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-100000}
WORK=${WORK:-.build/bench-jsonata}
mkdir -p "$WORK"

if [ -z "${BIN:-}" ]; then
    echo "== building switchboard-bench (release)"
    swift build -c release --product switchboard-bench >/dev/null
    BIN="$(swift build -c release --show-bin-path)/switchboard-bench"
fi

"$BIN" jsonata --print-expression >"$WORK/mapping.jsonata"
"$BIN" jsonata --print-jq >"$WORK/mapping.jq"

echo "== switchboard (swift)"
"$BIN" jsonata --count "$COUNT" --write-input "$WORK/contacts.jsonl" --output "$WORK/out-swift.jsonl" | tee "$WORK/swift.txt"

if ! command -v jq >/dev/null; then
    apt-get install -y jq >/dev/null
fi

cat >"$WORK/run_python.py" <<'PY'
"""Maps JSON Lines with a JSONata port (imported as `jsonata`): parse, evaluate, serialize; prints records/s."""
import json
import sys
import time

import jsonata

name, expression_file, input_file, output_file = sys.argv[1:5]
expression = jsonata.Jsonata(open(expression_file).read())
lines = open(input_file, encoding="utf-8").read().splitlines()
out = []
start = time.perf_counter()
for line in lines:
    result = expression.evaluate(json.loads(line))
    out.append(json.dumps(result, separators=(",", ":"), ensure_ascii=False))
elapsed = time.perf_counter() - start
open(output_file, "w", encoding="utf-8").write("\n".join(out) + "\n")
print(f"{name}: {len(lines)} records in {elapsed:.3f} s = {int(len(lines) / elapsed)} records/s")
PY

cat >"$WORK/compare.py" <<'PY'
"""Compares two JSON Lines files record by record (parsed values; numbers by value)."""
import json
import sys

reference, candidate = sys.argv[1:3]
a = open(reference, encoding="utf-8").read().splitlines()
b = open(candidate, encoding="utf-8").read().splitlines()
if len(a) != len(b):
    print(f"  {candidate}: {len(b)} records, expected {len(a)}")
    sys.exit(1)
diffs = [i for i, (x, y) in enumerate(zip(a, b)) if json.loads(x) != json.loads(y)]
if diffs:
    i = diffs[0]
    print(f"  {candidate}: {len(diffs)} records differ; first at line {i + 1}:\n    swift: {a[i]}\n    other: {b[i]}")
    sys.exit(1)
print(f"  {candidate}: all {len(a)} records identical")
PY

echo "== jq $(jq --version)"
START=$(date +%s.%N)
jq -c -f "$WORK/mapping.jq" "$WORK/contacts.jsonl" >"$WORK/out-jq.jsonl"
END=$(date +%s.%N)
python3 -c "n=$COUNT; s=$END-$START; print(f'jq: {n} records in {s:.3f} s = {int(n/s)} records/s')" | tee "$WORK/jq.txt"

for PORT in jsonata-rs jsonata-python; do
    VENV=".venv-bench-$( [ "$PORT" = jsonata-rs ] && echo jsonata-rs || echo jsonata-python )"
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q "$PORT"
    fi
    echo "== $PORT"
    "$VENV/bin/python" "$WORK/run_python.py" "$PORT" "$WORK/mapping.jsonata" "$WORK/contacts.jsonl" "$WORK/out-$PORT.jsonl" | tee "$WORK/$PORT.txt"
done

echo "== output comparison (against switchboard)"
STATUS=0
for OTHER in jq jsonata-rs jsonata-python; do
    python3 "$WORK/compare.py" "$WORK/out-swift.jsonl" "$WORK/out-$OTHER.jsonl" || STATUS=1
done

echo "== records/second"
for NAME in swift jq jsonata-rs jsonata-python; do
    printf '  %-16s %s\n' "$NAME" "$(grep -o '[0-9]* records/s' "$WORK/$NAME.txt")"
done
exit $STATUS
