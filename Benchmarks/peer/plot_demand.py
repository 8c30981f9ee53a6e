#!/usr/bin/env python3
"""Reads compare-demand.sh's runs, prints the scaling table and draws it as a PNG.

    /usr/bin/python3 Benchmarks/peer/plot_demand.py RUN_DIR OUT.png
"""
import json, re, sys

run_dir, png = sys.argv[1], sys.argv[2]
rows = []
for line in open(f"{run_dir}/runs.tsv"):
    partners, k, peer = line.split()
    base = f"{run_dir}/{partners}-{k}"
    seconds, kib = open(f"{base}.time").read().split()
    log = open(f"{base}.log").read()
    passes = re.search(r"\((\d+) pass", log)
    total = json.load(open(f"{base}/proposals.json"))["summary"]["total_score"]
    row = dict(partners=partners, slots=int(k), seconds=float(seconds), mib=int(kib) / 1024,
               passes=int(passes.group(1)) if passes else 0, total=total, peer=peer)
    if peer == "ok":
        p = json.load(open(f"{base}.peer.json"))
        row.update(peer_seconds=float(open(f"{base}.peer.time").read().split()[0]), peer_mib=p["peak_rss_mib"], peer_total=p["total"])
    rows.append(row)

print(f"{'partners':11} {'slots':>5} {'wall s':>8} {'× slots 1':>9} {'RSS MiB':>8} {'passes':>6} {'total':>13}   "
      f"{'peer s':>8} {'peer MiB':>9} {'peer/tw':>7} {'|Δ total|':>9}")
for r in rows:
    first = next(x for x in rows if x["partners"] == r["partners"] and x["slots"] == min(y["slots"] for y in rows))
    line = (f"{r['partners']:11} {r['slots']:5} {r['seconds']:8.2f} {r['seconds'] / first['seconds']:9.2f} {r['mib']:8.0f} "
            f"{r['passes']:6} {r['total']:13.6f}   ")
    if "peer_seconds" in r:
        line += (f"{r['peer_seconds']:8.2f} {r['peer_mib']:9.0f} {r['peer_seconds'] / r['seconds']:7.1f} "
                 f"{abs(r['peer_total'] - r['total']):9.1e}")
    else:
        line += "not run: its dense matrix would not fit" if r["peer"] == "-" else "cut: over the time limit"
    print(line)

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("no PNG: matplotlib is missing (apt-get install python3-matplotlib)", file=sys.stderr)
    sys.exit(0)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
for partners, colour in (("volunteers", "tab:blue"), ("every-lau", "tab:red")):
    mine = [r for r in rows if r["partners"] == partners]
    left.plot([r["slots"] for r in mine], [r["seconds"] for r in mine], "o-", color=colour, label=f"twinning, {partners}")
    peer = [r for r in mine if "peer_seconds" in r]
    if peer:
        left.plot([r["slots"] for r in peer], [r["peer_seconds"] for r in peer], "s--", color=colour, label=f"numpy + scipy, {partners}")
    right.plot([r["slots"] for r in mine], [r["mib"] for r in mine], "o-", color=colour, label=f"twinning, {partners}")
    if peer:
        right.plot([r["slots"] for r in peer], [r["peer_mib"] for r in peer], "s--", color=colour, label=f"numpy + scipy, {partners}")
for axis, label in ((left, "wall time, s"), (right, "peak RSS, MiB")):
    axis.set_xlabel("partners wanted by every hromada (slots)")
    axis.set_ylabel(label)
    axis.set_yscale("log")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
fig.suptitle("twinning match as demand grows (1,470 hromadas; partners with one slot each)")
fig.tight_layout()
fig.savefig(png, dpi=110)
print(f"drawn {png}")
