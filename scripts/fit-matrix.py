#!/usr/bin/env python3
"""Writes a needs-fit matrix (cosine of need and offer vectors) for the first H hromadas
and the first V volunteering partners of Data/, as a headerless CSV for `twinning assign`.

    python3 scripts/fit-matrix.py [H] [V] > fit.csv
"""
import csv, math, os, sys
here = os.path.dirname(os.path.abspath(__file__))
h = int(sys.argv[1]) if len(sys.argv) > 1 else 20
v = int(sys.argv[2]) if len(sys.argv) > 2 else 50
with open(os.path.join(here, "..", "Data", "hromadas.csv"), encoding="utf-8") as f:
    hromadas = list(csv.DictReader(f))[:h]
with open(os.path.join(here, "..", "Data", "partners.csv"), encoding="utf-8") as f:
    partners = [r for r in csv.DictReader(f) if r["volunteer"] == "1"][:v]
sectors = [k[5:] for k in hromadas[0] if k.startswith("need_")]
def unit(xs):
    n = math.sqrt(sum(x * x for x in xs)) or 1.0
    return [x / n for x in xs]
needs = [unit([float(r["need_" + s]) for s in sectors]) for r in hromadas]
offers = [unit([float(r["offer_" + s]) for s in sectors]) for r in partners]
w = csv.writer(sys.stdout, lineterminator="\n")
for a in needs:
    w.writerow([f"{sum(x * y for x, y in zip(a, b)):.4f}" for b in offers])
