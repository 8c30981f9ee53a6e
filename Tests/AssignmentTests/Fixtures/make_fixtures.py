#!/usr/bin/env python3
"""Generates the scipy cross-check fixtures once: matrices as headerless CSV (an empty cell
is a forbidden pair) and scipy.optimize.linear_sum_assignment's optimal totals in
expected.json. Rerun only to change the fixtures: python3 make_fixtures.py
"""
import json
import numpy as np
from scipy.optimize import linear_sum_assignment

rng = np.random.default_rng(42)
cases = []
def add(name, a, maximize, forbid=0.0):
    a = a.astype(float)
    mask = rng.random(a.shape) < forbid
    bad = -np.inf if maximize else np.inf
    a[mask] = bad
    r, c = linear_sum_assignment(a, maximize=maximize)
    with open(name + ".csv", "w") as f:
        for row in a:
            f.write(",".join("" if not np.isfinite(x) else repr(float(x)) for x in row) + "\n")
    cases.append(dict(file=name + ".csv", maximize=maximize, total=float(a[r, c].sum()), pairs=int(len(r))))

add("uniform-30x50-min", rng.random((30, 50)), False)
add("uniform-50x30-max", rng.random((50, 30)), True)
add("integer-40x40-min", rng.integers(0, 1000, (40, 40)), False)
add("forbidden-25x60-min", rng.random((25, 60)), False, forbid=0.5)
add("forbidden-60x25-max", rng.random((60, 25)), True, forbid=0.3)
add("normal-80x80-max", rng.normal(size=(80, 80)), True)
add("integer-100x150-max", rng.integers(0, 100, (100, 150)), True, forbid=0.1)
json.dump(cases, open("expected.json", "w"), indent=1)
