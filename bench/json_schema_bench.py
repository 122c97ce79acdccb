#!/usr/bin/env python3
"""Validate the same pre-parsed contact records with jsonschema-rs and Python jsonschema.

Usage: json_schema_bench.py SCHEMA.json DATA.jsonl [--iterations K] [--skip-python]
Parsing happens first; only validation (is_valid, formats asserted) is timed. Prints docs/s.
"""
import argparse
import json
import time


def timed(label, is_valid, documents, iterations):
    best = float("inf")
    best_cpu = float("inf")
    valid = 0
    for _ in range(iterations):
        cpu = time.process_time()
        start = time.perf_counter()
        valid = sum(1 for d in documents if is_valid(d))
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    print(f"{label}: {len(documents)} documents ({valid} valid, {len(documents) - valid} invalid), "
          f"best of {iterations}: {best:.4f} s, {int(len(documents) / best)} docs/s "
          f"(CPU time {best_cpu:.4f} s, {int(len(documents) / best_cpu)} docs/s per CPU second)", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("schema")
    parser.add_argument("data")
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--python-iterations", type=int, default=1)
    parser.add_argument("--skip-python", action="store_true")
    args = parser.parse_args()

    with open(args.schema) as f:
        schema = json.load(f)
    with open(args.data) as f:
        documents = [json.loads(line) for line in f if line.strip()]

    import jsonschema_rs
    rs = jsonschema_rs.validator_for(schema, validate_formats=True)
    timed(f"jsonschema-rs {getattr(jsonschema_rs, '__version__', '')} is_valid".replace("  ", " "), rs.is_valid, documents, args.iterations)

    if not args.skip_python:
        import jsonschema
        from importlib.metadata import version
        cls = jsonschema.Draft202012Validator
        py = cls(schema, format_checker=cls.FORMAT_CHECKER)
        timed(f"python jsonschema {version('jsonschema')} is_valid", py.is_valid, documents, args.python_iterations)


if __name__ == "__main__":
    main()
