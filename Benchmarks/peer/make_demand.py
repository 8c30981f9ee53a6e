#!/usr/bin/env python3
"""Builds the inputs of the demand benchmark (compare-demand.sh) from Data/: every hromada
seeking, with the same slots k for all (one hromadas file per k), no ties (so both sides
solve the same problem: no top-ups, nothing forbidden), and two partner sets with one
slot each: the shipped volunteers, and every one of the 98,129 LAUs (as
make_full_scale.py makes it). One slot per partner keeps the peer exact: it repeats each
hromada once per slot, and a repeated partner could take the same hromada twice.

    python3 Benchmarks/peer/make_demand.py Data OUT_DIR 1 2 3 5 10
"""
import csv, os, subprocess, sys

data, out, slots = sys.argv[1], sys.argv[2], [int(k) for k in sys.argv[3:]]
os.makedirs(out, exist_ok=True)
here = os.path.dirname(os.path.abspath(__file__))
subprocess.run([sys.executable, os.path.join(here, "make_full_scale.py"), data, os.path.join(out, "every-lau")], check=True)
with open(os.path.join(data, "hromadas.csv"), newline="", encoding="utf-8") as f:
    hromadas = list(csv.reader(f))
header = hromadas[0]
for k in slots:
    with open(os.path.join(out, f"hromadas-{k}.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in hromadas[1:]:
            r = list(r)
            r[header.index("slots")], r[header.index("seeking")] = str(k), "1"
            w.writerow(r)
with open(os.path.join(data, "partners.csv"), newline="", encoding="utf-8") as f:
    partners = list(csv.reader(f))
header = partners[0]
os.makedirs(os.path.join(out, "volunteers"), exist_ok=True)
with open(os.path.join(out, "volunteers", "partners.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(header)
    for r in partners[1:]:
        if r[header.index("volunteer")] == "1":
            r = list(r)
            r[header.index("slots")] = "1"
            w.writerow(r)
with open(os.path.join(out, "ties.csv"), "w", encoding="utf-8") as f:
    f.write("ua_id,eu_id,status\n")
print(f"hromadas with slots {slots}, volunteers and every LAU with one slot, written to {out}", file=sys.stderr)
