#!/usr/bin/env python3
"""numpy + scipy peer of `twinning match` on the same files: the dense score matrix of every
seeking hromada against every volunteer partner (the same components, weights and rules
as the defaults), then scipy.optimize.linear_sum_assignment with each hromada repeated
once per slot. Exact for partners with one slot each (the full-scale benchmark input);
prints JSON with the time, peak RSS and total.

    python3 Benchmarks/peer/match_peer.py HROMADAS PARTNERS TIES
"""
import csv, json, resource, sys, time
import numpy as np
from scipy.optimize import linear_sum_assignment

start = time.perf_counter()
hromadas_path, partners_path, ties_path = sys.argv[1:4]
WEIGHTS = dict(needs=0.55, profile=0.10, size=0.15, proximity=0.15, ties=0.05)
R = 6371.0088


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


H, P, T = read(hromadas_path), read(partners_path), read(ties_path)
sectors = [k[len("need_"):] for k in H[0] if k.startswith("need_")]
h_index = {h["id"]: i for i, h in enumerate(H)}
p_index = {p["id"]: j for j, p in enumerate(P)}
existing = [(h_index[t["ua_id"]], p_index[t["eu_id"]]) for t in T if t["status"] == "existing"]
partnered = {i for i, _ in existing}
rows = [i for i in range(len(H)) if i not in partnered and int(H[i]["slots"] or 1) > 0]
cols = [j for j in range(len(P)) if P[j]["volunteer"] == "1" and int(P[j]["slots"] or 1) > 0]
load = time.perf_counter() - start


def unit_rows(m):
    n = np.linalg.norm(m, axis=1, keepdims=True)
    return np.divide(m, n, out=np.zeros_like(m), where=n > 0)


need = unit_rows(np.array([[float(H[i]["need_" + s]) for s in sectors] for i in rows]))
offer = unit_rows(np.array([[float(P[j]["offer_" + s]) for s in sectors] for j in cols]))
prof_h = unit_rows(np.array([[float(H[i]["profile_urban"]), float(H[i]["profile_rural"])] for i in rows]))
prof_p = unit_rows(np.array([[float(P[j]["profile_urban"]), float(P[j]["profile_rural"])] for j in cols]))
log_h = np.log([float(H[i]["population"]) for i in rows])
log_p = np.log([float(P[j]["population"]) for j in cols])


def sphere(lat, lon):
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=1)


A = sphere(np.array([float(H[i]["lat"]) for i in rows]), np.array([float(H[i]["lon"]) for i in rows]))
B = sphere(np.array([float(P[j]["lat"]) for j in cols]), np.array([float(P[j]["lon"]) for j in cols]))
# The ties component: the partner already twins with a hromada of the same oblast.
tied = np.zeros((len(rows), len(cols)))
col_of = {j: c for c, j in enumerate(cols)}
oblast_rows = {}
for r, i in enumerate(rows):
    oblast_rows.setdefault(H[i]["region"], []).append(r)
for i, j in existing:
    if j in col_of:
        tied[oblast_rows.get(H[i]["region"], []), col_of[j]] = 1

scoring = time.perf_counter()
chord = np.sqrt(np.maximum(0.0, 2 - 2 * (A @ B.T)))
distance = 2 * R * np.arcsin(np.minimum(1.0, chord / 2))
total_weight = sum(abs(w) for w in WEIGHTS.values())
S = (WEIGHTS["needs"] * (need @ offer.T)
     + WEIGHTS["profile"] * (prof_h @ prof_p.T)
     + WEIGHTS["size"] * np.exp(-np.abs(log_h[:, None] - log_p[None, :]))
     + WEIGHTS["proximity"] * np.exp(-distance / 1000.0)
     + WEIGHTS["ties"] * tied) / total_weight
del chord, distance, tied
score_seconds = time.perf_counter() - scoring

solving = time.perf_counter()
demand = [int(H[i]["slots"] or 1) for i in rows]
expanded = np.repeat(np.arange(len(rows)), demand)
r, c = linear_sum_assignment(S[expanded], maximize=True)
total = float(S[expanded[r], c].sum())
solve_seconds = time.perf_counter() - solving

print(json.dumps(dict(
    seconds=time.perf_counter() - start, load_s=load, score_s=score_seconds, solve_s=solve_seconds,
    peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, total=total, pairs=int(len(r)),
    rows=len(rows), columns=len(cols))))
