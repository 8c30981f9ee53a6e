#!/usr/bin/env python3
"""Builds the full-scale input of the matching benchmark: every one of the 98,129 inhabited LAUs
of Data/partners.csv made a volunteer with one slot, with offers filled in for the LAUs
that had none (drawn like the shipped synthetic survey, seeded), so that every pair has
all its score components.

    python3 Benchmarks/peer/make_full_scale.py Data OUT_DIR
"""
import csv, os, random, sys

data, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
rng = random.Random(20261129)
with open(os.path.join(data, "partners.csv"), newline="", encoding="utf-8") as f:
    reader = csv.reader(f)
    header = next(reader)
    rows = list(reader)
offers = [k for k, c in enumerate(header) if c.startswith("offer_")]
volunteer, synthetic, slots = header.index("volunteer"), header.index("offers_synthetic"), header.index("slots")
for r in rows:
    if r[volunteer] != "1":
        values = [rng.random() ** 2 * 0.4 for _ in offers]
        for k in rng.sample(range(len(offers)), rng.randint(3, 6)):
            values[k] = rng.uniform(0.6, 1.0)
        for k, v in zip(offers, values):
            r[k] = f"{v:.3f}".rstrip("0").rstrip(".") or "0"
    r[volunteer] = r[synthetic] = "1"
    r[slots] = "1"
with open(os.path.join(out, "partners.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
print(f"{len(rows)} partners, all volunteers with one slot, written to {out}/partners.csv", file=sys.stderr)
