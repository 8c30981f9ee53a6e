#!/usr/bin/env python3
"""numpy + scipy peer of `twinning match` on the same files: the dense score matrix of every
seeking hromada against every volunteer partner (the same components, weights and rules
as the defaults: the fitted model's piecewise-linear shapes, log priors and capitals),
then scipy.optimize.linear_sum_assignment with each hromada repeated once per slot. Exact
for partners with one slot each (the full-scale benchmark input); prints JSON with the
time, peak RSS and total.

    python3 Benchmarks/peer/match_peer.py HROMADAS PARTNERS TIES
"""
import csv, json, resource, sys, time
import numpy as np
from scipy.optimize import linear_sum_assignment

start = time.perf_counter()
hromadas_path, partners_path, ties_path = sys.argv[1:4]
# Twinning's default weights (ScoreComponent.defaultWeight: the model `twinning tune`
# fits) and shape parameters (ScoreParameter.defaultValue); a negative weight scores
# 1 − value. The old components (profile … upward) weigh 0 by default.
WEIGHTS = dict(capitals=1.4246, km=-13.3727, km_over_100=-4.3341, km_over_200=10.4172, km_over_500=-4.9130,
               km_over_1000=-3.9812, km_over_2000=3.6931, ratio=10.3001, ratio_over_tenth=-1.8439,
               ratio_over_even=-15.7229, ratio_over_tenfold=9.1420, partner_over_1k=10.8999, partner_over_5k=6.9195,
               partner_over_20k=-8.1676, partner_over_100k=-0.7843, partner_over_500k=0.3074,
               region_log_prior=4.1103, area_log_prior=3.4294)
# The shaped components: (measure, knot); the value is (x − knot) / (top − knot) clamped
# to [0, 1], x the measure's decimal logarithm (ScoreComponent.shape).
SHAPES = dict(km=("km", 0), km_over_100=("km", 2), km_over_200=("km", np.log10(200)), km_over_500=("km", np.log10(500)),
              km_over_1000=("km", 3), km_over_2000=("km", np.log10(2000)), ratio=("ratio", -4),
              ratio_over_tenth=("ratio", -1), ratio_over_even=("ratio", 0), ratio_over_tenfold=("ratio", 1),
              partner_over_1k=("partner", 3), partner_over_5k=("partner", np.log10(5000)),
              partner_over_20k=("partner", np.log10(20000)), partner_over_100k=("partner", 5),
              partner_over_500k=("partner", np.log10(500000)))
TOP = dict(km=np.log10(20000), ratio=4, partner=7)
SIZE_SCALE, DISTANCE_SCALE_KM, GRAVITY_SIZE, PRIOR_STRENGTH = 1.0, 1000.0, 0.75, 5.0
GRAVITY_OFFSET_KM = 10.0
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


def sphere(lat, lon):
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=1)


def town(population):
    return np.clip(np.log10(population) / 6, 0, 1)


scoring = time.perf_counter()
prof_h = unit_rows(np.array([[float(H[i]["profile_urban"]), float(H[i]["profile_rural"])] for i in rows]))
prof_p = unit_rows(np.array([[float(P[j]["profile_urban"]), float(P[j]["profile_rural"])] for j in cols]))
pop_h = np.array([float(H[i]["population"]) for i in rows])
pop_p = np.array([float(P[j]["population"]) for j in cols])
A = sphere(np.array([float(H[i]["lat"]) for i in rows]), np.array([float(H[i]["lon"]) for i in rows]))
B = sphere(np.array([float(P[j]["lat"]) for j in cols]), np.array([float(P[j]["lon"]) for j in cols]))
col_of = {j: c for c, j in enumerate(cols)}

# Per partner: the largest LAU of its NUTS 2 region scores 1, of its NUTS 3 region ½
# (over every partner in the file; the first on equal populations).
def largest(key):
    best = {}
    for j, p in enumerate(P):
        if not p[key]:
            continue
        k = p["country"] + "/" + p[key]
        if k not in best or float(P[best[k]]["population"]) < float(p["population"]):
            best[k] = j
    return set(best.values())
nuts2, nuts3 = largest("nuts2"), largest("region")
centre = np.array([1.0 if j in nuts2 else 0.5 if j in nuts3 else 0.0 for j in cols])
# Per hromada: the most populous of its oblast (over every hromada; the first on equal).
top = {}
for i, h in enumerate(H):
    if h["region"] not in top or float(H[top[h["region"]]]["population"]) < float(h["population"]):
        top[h["region"]] = i
is_capital = np.array([1.0 if top[H[i]["region"]] == i else 0.0 for i in rows])

# Known ties: seeking hromadas have none of their own, so nothing is left out.
oblasts = sorted({h["region"] for h in H})
countries = sorted({p["country"] for p in P})
regions = sorted({p["country"] + "/" + p["nuts2"] for p in P})
# NUTS 3 areas within their NUTS 2 region (ScoreContext's area codes).
areas = sorted({p["country"] + "/" + p["nuts2"] + "/" + p["region"] for p in P})
o_of = {o: k for k, o in enumerate(oblasts)}
c_of = {c: k for k, c in enumerate(countries)}
r_of = {r: k for k, r in enumerate(regions)}
a_of = {a: k for k, a in enumerate(areas)}
country_of_region = np.zeros(len(regions), dtype=int)
region_of_area = np.zeros(len(areas), dtype=int)
for p in P:
    country_of_region[r_of[p["country"] + "/" + p["nuts2"]]] = c_of[p["country"]]
    region_of_area[a_of[p["country"] + "/" + p["nuts2"] + "/" + p["region"]]] = r_of[p["country"] + "/" + p["nuts2"]]
regions_of_country = np.bincount(country_of_region, minlength=len(countries))
areas_of_region = np.bincount(region_of_area, minlength=len(regions))
noc = np.zeros((len(oblasts), len(countries))); nor = np.zeros((len(oblasts), len(regions)))
noa = np.zeros((len(oblasts), len(areas)))
twinned_with = np.zeros(len(P))
tied_oblasts = {}
for i, j in existing:
    o, p = o_of[H[i]["region"]], P[j]
    noc[o, c_of[p["country"]]] += 1
    nor[o, r_of[p["country"] + "/" + p["nuts2"]]] += 1
    noa[o, a_of[p["country"] + "/" + p["nuts2"] + "/" + p["region"]]] += 1
    twinned_with[j] += 1
    tied_oblasts.setdefault(j, set()).add(H[i]["region"])
no, nc, nr, na, n = noc.sum(axis=1), noc.sum(axis=0), nor.sum(axis=0), noa.sum(axis=0), len(existing)
g = (nc + 1) / (n + len(countries))
p_country = (noc + PRIOR_STRENGTH * g[None, :]) / (no[:, None] + PRIOR_STRENGTH)
share = (nr + 1) / (nc[country_of_region] + regions_of_country[country_of_region])
p_region = (nor + PRIOR_STRENGTH * p_country[:, country_of_region] * share[None, :]) / (no[:, None] + PRIOR_STRENGTH)
area_share = (na + 1) / (nr[region_of_area] + areas_of_region[region_of_area])
p_area = (noa + PRIOR_STRENGTH * p_region[:, region_of_area] * area_share[None, :]) / (no[:, None] + PRIOR_STRENGTH)
country_prior = np.maximum(0, 1 + np.log10(p_country) / 4)
region_prior = np.maximum(0, 1 + np.log10(p_region) / 6)
region_log_prior = np.maximum(0, 1 + np.log10(p_region) / 9)
area_log_prior = np.maximum(0, 1 + np.log10(p_area) / 9)
row_oblast = np.array([o_of[H[i]["region"]] for i in rows])
col_country = np.array([c_of[P[j]["country"]] for j in cols])
col_region = np.array([r_of[P[j]["country"] + "/" + P[j]["nuts2"]] for j in cols])
col_area = np.array([a_of[P[j]["country"] + "/" + P[j]["nuts2"] + "/" + P[j]["region"]] for j in cols])
popularity = np.minimum(1, np.log2(1 + twinned_with[cols]) / 4)
tied = np.zeros((len(rows), len(cols)))
for j, its in tied_oblasts.items():
    if j in col_of:
        tied[[r for r, i in enumerate(rows) if H[i]["region"] in its], col_of[j]] = 1

chord = np.sqrt(np.maximum(0.0, 2 - 2 * (A @ B.T)))
distance = 2 * R * np.arcsin(np.minimum(1.0, chord / 2))
del chord
log_ratio = np.abs(np.log(pop_h)[:, None] - np.log(pop_p)[None, :])
normaliser = np.log(1 + 5000 / GRAVITY_OFFSET_KM) + GRAVITY_SIZE * np.log(1e4)
# The shapes' measures: log10 km (at least 1 km), log10 of the population ratio, log10 of
# the partner's population.
measures = dict(km=lambda: np.log10(np.maximum(distance, 1.0)),
                ratio=lambda: np.log10(pop_p)[None, :] - np.log10(pop_h)[:, None],
                partner=lambda: np.log10(pop_p)[None, :])


def shaped(name):
    measure, knot = SHAPES[name]
    return lambda: np.clip((measures[measure]() - knot) / (TOP[measure] - knot), 0, 1)
# Each component in its smallest broadcasting shape (a row, a column or the full matrix);
# a negative weight w adds |w|·(1 − v) = |w| + w·v.
values = dict(
    profile=lambda: prof_h @ prof_p.T,
    size=lambda: np.exp(-log_ratio / SIZE_SCALE),
    proximity=lambda: np.exp(-distance / DISTANCE_SCALE_KM),
    ties=lambda: tied,
    gravity=lambda: np.maximum(0, 1 - (np.log(1 + distance / GRAVITY_OFFSET_KM) + GRAVITY_SIZE * log_ratio) / normaliser),
    town=lambda: town(pop_p)[None, :],
    centre=lambda: centre[None, :],
    country_prior=lambda: country_prior[row_oblast][:, col_country],
    region_prior=lambda: region_prior[row_oblast][:, col_region],
    popularity=lambda: popularity[None, :],
    capitals=lambda: is_capital[:, None] * centre[None, :],
    upward=lambda: (1 - town(pop_h))[:, None] * town(pop_p)[None, :],
    region_log_prior=lambda: region_log_prior[row_oblast][:, col_region],
    area_log_prior=lambda: area_log_prior[row_oblast][:, col_area],
    **{name: shaped(name) for name in SHAPES},
)
total_weight = sum(abs(w) for w in WEIGHTS.values())
S = np.full(distance.shape, sum(-w for w in WEIGHTS.values() if w < 0))
for name, value in values.items():
    if WEIGHTS.get(name, 0) != 0:
        S += WEIGHTS[name] * value()
S /= total_weight
del distance, log_ratio, tied
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
