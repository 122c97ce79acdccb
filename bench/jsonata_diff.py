#!/usr/bin/env python3
"""Differential sweep: Switchboard's JSONata (through `switchboard transform`) against jsonata-python.

    python3 -m venv /tmp/jref && /tmp/jref/bin/pip install jsonata-python==0.7.1
    /tmp/jref/bin/python bench/jsonata_diff.py .build/debug/switchboard [bench/jsonata_diff_cases.py]

Each expression of the cases file runs over each of its group's inputs in both engines; results (JSON, or the error
code) are compared, numbers to 1e-12 relative. jsonata-python is a port of jsonata-js with bugs of its own: the
cases file's KNOWN lists the differences already judged (against jsonata-js's source and the language docs), each
with the reason; only the others are printed in full. Exits 1 when there is one.
"""
import json, math, re, subprocess, sys, os, signal
sys.setrecursionlimit(10000)
import jsonata
from jsonata import utils as jutils

UNDEF = "<undefined>"

def norm_ref(v, top=True):
    if v is None:
        return UNDEF if top else None
    if v is jutils.Utils.NULL_VALUE:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return float(v) if abs(v) < 1e308 else ("BIGINT", str(v)[:30])
    if isinstance(v, float):
        if math.isinf(v) or math.isnan(v):
            return ("NONFINITE", repr(v))
        return v
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        return [norm_ref(x, False) for x in v]
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if callable(x) or type(x).__name__ in ("JFunction", "JLambda", "Fn", "Transformer", "Pattern"):
                continue
            out[k] = norm_ref(x, False)
        return out
    if callable(v) or True:
        return UNDEF if top else None

def norm_ours(v):
    if isinstance(v, bool): return v
    if isinstance(v, (int, float)): return float(v)
    if isinstance(v, list): return [norm_ours(x) for x in v]
    if isinstance(v, dict): return {k: norm_ours(x) for k, x in v.items()}
    return v

class Timeout(Exception): pass
def _alarm(*a): raise Timeout()
signal.signal(signal.SIGALRM, _alarm)

def run_ref(expr, data):
    try:
        signal.alarm(5)
        j = jsonata.Jsonata(expr)
        j.set_output_convert_nulls(False)
        r = j.evaluate(data)
        signal.alarm(0)
        return ("ok", norm_ref(r))
    except Timeout:
        return ("err", "TIMEOUT")
    except Exception as e:
        signal.alarm(0)
        code = getattr(e, "error", None)
        if code: return ("err", code)
        return ("pyerr", type(e).__name__ + ": " + str(e)[:80])

def run_ours(sb, expr, datas):
    lines = "\n".join(json.dumps(d) for d in datas) + "\n"
    p = subprocess.run([sb, "transform", "--", expr], input=lines.encode(), capture_output=True, timeout=60)
    err = p.stderr.decode(errors="replace")
    if p.returncode == 2 or "expression:" in err:
        m = re.search(r"expression: ([A-Z]\d{4})", err)
        c = m.group(1) if m else "PARSE?" + err[:80]
        return [("err", c)] * len(datas)
    failed = {}
    for m in re.finditer(r"line (\d+): (?:([A-Z]\d{4}):)?(.*)", err):
        failed[int(m.group(1))] = m.group(2) or ("?" + m.group(3)[:60])
    outs = p.stdout.decode().split("\n")
    res, k = [], 0
    for i in range(1, len(datas) + 1):
        if i in failed:
            res.append(("err", failed[i])); continue
        line = outs[k]; k += 1
        if line == "": res.append(("ok", UNDEF))
        else: res.append(("ok", norm_ours(json.loads(line))))
    return res

def close(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (abs(a - b) <= 1e-12 * max(abs(a), abs(b)))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a.keys()) == list(b.keys()) and all(close(a[k], b[k]) for k in a)
    return a == b

def main():
    sb = sys.argv[1]
    cases_file = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "jsonata_diff_cases.py")
    ns = {"__file__": os.path.abspath(cases_file)}
    exec(open(cases_file).read(), ns)
    inputs, groups, known = ns["INPUTS"], ns["GROUPS"], ns.get("KNOWN", {})
    total = same = 0
    diffs = []
    for gname, in_names, exprs in groups:
        datas = [inputs[n] for n in in_names]
        for expr in exprs:
            ours = run_ours(sb, expr, datas)
            for n, d, o in zip(in_names, datas, ours):
                r = run_ref(expr, json.loads(json.dumps(d)))
                total += 1
                if o == r or (o[0] == r[0] == "ok" and close(o[1], r[1])):
                    same += 1; continue
                kind = "value"
                if r[0] == "pyerr": kind = "ref-crash"
                elif o[0] == "err" and r[0] == "err": kind = "code"
                elif o[0] == "ok" and r[0] == "ok" and close(json.loads(json.dumps(o[1]), parse_float=float), r[1]): kind = "float"
                diffs.append((gname, kind, expr, n, o, r))
    new = [d for d in diffs if d[2] not in known]
    for g, kind, expr, n, o, r in new:
        print(f"[{g}] {kind}: {expr}   @{n}\n    ours: {json.dumps(o, ensure_ascii=False)[:300]}\n    ref:  {json.dumps(r, ensure_ascii=False)[:300]}")
    print(f"\n{total} comparisons, {same} agree, {len(diffs) - len(new)} differ as known (KNOWN), {len(new)} differ otherwise")
    return 1 if new else 0

if __name__ == "__main__":
    sys.exit(main())
