#!/usr/bin/env bash
# JSON Schema validation benchmark: Switchboard's JSONSchema vs jsonschema-rs vs Python jsonschema,
# on the same 100,000 generated CRM contact records (pre-parsed; only validation is timed).
#
#   bench/json-schema.sh                 # full run (Python jsonschema takes ~30-60 s per pass)
#   COUNT=20000 bench/json-schema.sh     # fewer records
#   SKIP_PYTHON=1 bench/json-schema.sh   # only Switchboard and jsonschema-rs
#   BENCH_BIN=path/to/switchboard-bench bench/json-schema.sh   # use an already built binary
#
# Each line reports the best of several passes as wall-clock docs/s and as docs per CPU second
# (the second is steadier on a shared machine). Formats are asserted by all three validators.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT="${COUNT:-100000}"
ITERATIONS="${ITERATIONS:-5}"
OUT="${OUT:-.build/bench-json-schema}"
VENV=".venv-bench-jsonschema"
mkdir -p "$OUT"

# 1. Build the benchmark executable in release mode.
if [ -z "${BENCH_BIN:-}" ]; then
    swift build -c release --product switchboard-bench
    BENCH_BIN="$(swift build -c release --show-bin-path)/switchboard-bench"
fi

# 2. Python side: a venv with jsonschema and jsonschema-rs.
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
# The format-nongpl extra gives Python jsonschema real date-time, uri and other format checkers, so that all
# three validators assert the same formats (without it, date-time is not checked at all).
"$VENV/bin/pip" install --quiet --disable-pip-version-check "jsonschema[format-nongpl]" jsonschema-rs

# 3 + 4. Generate the data (deterministic, seed 42), validate with Switchboard, then with the Python validators.
ours="$("$BENCH_BIN" json-schema --count "$COUNT" --iterations "$ITERATIONS" \
    --write-data "$OUT/contacts.jsonl" --write-schema "$OUT/contact-schema.json")"
echo "$ours"
python_args=("$OUT/contact-schema.json" "$OUT/contacts.jsonl" --iterations "$ITERATIONS")
if [ -n "${SKIP_PYTHON:-}" ]; then python_args+=(--skip-python); fi
theirs="$("$VENV/bin/python" bench/json_schema_bench.py "${python_args[@]}")"
echo "$theirs"

# Side-by-side summary: wall-clock docs/s and docs per CPU second, and Switchboard's ratio to each.
echo
printf '%-36s %14s %18s\n' "validator" "docs/s (wall)" "docs/s (per CPU s)"
{ echo "$ours" | head -1; echo "$theirs"; } | while IFS= read -r line; do
    name="${line%%:*}"
    wall="$(echo "$line" | sed -E 's/.* ([0-9]+) docs\/s \(.*/\1/')"
    cpu="$(echo "$line" | sed -E 's/.* ([0-9]+) docs\/s per CPU second.*/\1/')"
    printf '%-36s %14s %18s\n' "${name:0:36}" "$wall" "$cpu"
done
