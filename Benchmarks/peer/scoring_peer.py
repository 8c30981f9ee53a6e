#!/usr/bin/env python3
"""numpy peer for the scoring benchmark: the same 1,470 × 98,613 job with 17-dimensional
vectors (one per sector) — float32 GEMM throughput, and the full blocked score with top-50 selection.

    python3 Benchmarks/peer/scoring_peer.py DATA_DIR OUT_JSON [REPEATS]
"""
import csv, json, sys, time
import numpy as np

data = sys.argv[1] if len(sys.argv) > 1 else "Data"
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/numpy-scoring.json"
repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3

def median(f):
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return sorted(ts)[len(ts) // 2]

def load(path):
    with open(path, newline="", encoding="utf-8") as fh:
        r = csv.DictReader(fh)
        rows = [(float(x["population"]), float(x["lat"]), float(x["lon"])) for x in r]
    return np.array(rows)
t = time.perf_counter(); P = load(data + "/partners.csv"); load_csv = time.perf_counter() - t
H = load(data + "/hromadas.csv")
n, m, d = len(H), len(P), 17

# Same LCG as the Swift side.
state = 20261129
def draws(count):
    global state
    out = np.empty(count, dtype=np.float32)
    a, c, mask = 6364136223846793005, 1442695040888963407, (1 << 64) - 1
    for i in range(count):
        state = (state * a + c) & mask
        out[i] = (state >> 40) / float(1 << 24)
    return out
needs = draws(n * d).reshape(n, d)
offers = draws(m * d).reshape(m, d)

gemm = median(lambda: needs @ offers.T)
gflops = 2.0 * n * m * d / gemm / 1e9

R = 6371.0088
w = dict(needs=0.55, profile=0.10, size=0.15, proximity=0.15, ties=0.05)
total = sum(abs(v) for v in w.values())
def unit(lat, lon):
    p, l = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(p) * np.cos(l), np.cos(p) * np.sin(l), np.sin(p)], axis=1)
UA, UE = unit(H[:, 1], H[:, 2]), unit(P[:, 1], P[:, 2])
lh, lp = np.log(H[:, 0]), np.log(P[:, 0])
nh = needs / np.linalg.norm(needs, axis=1, keepdims=True)
no = offers / np.linalg.norm(offers, axis=1, keepdims=True)

def score_top50(block=4096):
    best = np.full((n, 50), -np.inf, dtype=np.float32)
    best_idx = np.zeros((n, 50), dtype=np.int64)
    for s in range(0, m, block):
        e = min(m, s + block)
        fit = nh @ no[s:e].T
        size = np.exp(-np.abs(lh[:, None] - lp[None, s:e])).astype(np.float32)
        chord = np.sqrt(np.maximum(0, 2 - 2 * (UA @ UE[s:e].T)))
        prox = np.exp(-2 * R * np.arcsin(np.minimum(1, chord / 2)) / 1000).astype(np.float32)
        sc = (w["needs"] * fit + w["size"] * size + w["proximity"] * prox) / total
        both = np.concatenate([best, sc], axis=1)
        idx = np.concatenate([best_idx, np.broadcast_to(np.arange(s, e), sc.shape)], axis=1)
        part = np.argpartition(-both, 49, axis=1)[:, :50]
        best = np.take_along_axis(both, part, axis=1)
        best_idx = np.take_along_axis(idx, part, axis=1)
    return best
scoring = median(score_top50)
res = dict(load_csv_s=load_csv, gemm_s=gemm, gemm_gflops=gflops, score_top50_s=scoring)
json.dump(res, open(out, "w"), indent=1)
print(json.dumps(res, indent=1))
