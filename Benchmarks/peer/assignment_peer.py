#!/usr/bin/env python3
"""Writes the comparison matrices and times scipy's linear_sum_assignment and lapjv on them.

    python3 Benchmarks/peer/assignment_peer.py DIR REPEATS

Matrices are seeded (numpy default_rng), stored as raw little-endian float64 in DIR with
DIR/cases.json describing them; medians go to DIR/peers.json.
"""
import json, os, sys, time
import numpy as np
from scipy.optimize import linear_sum_assignment
try:
    import lapjv
except ImportError:
    lapjv = None

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/twinning-bench"
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(20261129)
cases = []
def add(name, a, maximize):
    f = f"{name}.f64"
    np.ascontiguousarray(a, dtype=np.float64).tofile(os.path.join(out, f))
    cases.append(dict(name=name, file=f, rows=a.shape[0], columns=a.shape[1], maximize=maximize))
    return a
mats = {}
for n in [1000, 2000, 4000, 8000]:
    mats[f"uniform-{n}"] = add(f"uniform-{n}", rng.random((n, n)), False)
for n in [2000, 4000]:
    mats[f"integer-{n}"] = add(f"integer-{n}", rng.integers(0, 100, (n, n)).astype(np.float64), False)
u = rng.random((1469, 32)); u /= np.linalg.norm(u, axis=1, keepdims=True)
for m in [10000, 40000]:
    v = rng.random((m, 32)); v /= np.linalg.norm(v, axis=1, keepdims=True)
    mats[f"cosine-1469x{m}"] = add(f"cosine-1469x{m}", u @ v.T, True)
json.dump(cases, open(os.path.join(out, "cases.json"), "w"))

def median_time(f):
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); r = f(); ts.append(time.perf_counter() - t)
    return sorted(ts)[len(ts) // 2], r

res = {}
for c in cases:
    a = mats[c["name"]]; mx = c["maximize"]
    t, (r, k) = median_time(lambda: linear_sum_assignment(a, maximize=mx))
    res[c["name"]] = {"scipy": t, "scipy_total": float(a[r, k].sum())}
    print(f"scipy {c['name']}: {t:.3f} s", file=sys.stderr)
    if lapjv is not None and a.shape[0] == a.shape[1]:
        t, sol = median_time(lambda: lapjv.lapjv(-a if mx else a))
        res[c["name"]]["lapjv"] = t
        res[c["name"]]["lapjv_total"] = float(a[np.arange(a.shape[0]), sol[0]].sum())
        print(f"lapjv {c['name']}: {t:.3f} s", file=sys.stderr)
json.dump(res, open(os.path.join(out, "peers.json"), "w"))
