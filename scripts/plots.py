#!/usr/bin/env python3
"""Draw the research figures from the tables twinning writes.

  --evaluate DIR   a `twinning evaluate --out` folder: rank-ecdf.png (from ranks.csv) and
                   mrr-by-country.png (from metrics.csv)
  --tune DIR       a `twinning tune --out` folder: stability.png (from stability.csv) and
                   the held-out ranks of each method in rank-ecdf.png (from ranks.csv)
  --proposals DIR  a `twinning match` folder: scores.png (from proposals.csv)
  --out DIR        where the PNGs go (created if missing)

Needs matplotlib (Debian: apt-get install python3-matplotlib; elsewhere pip install matplotlib). Reads the CSVs with the standard library.
Figures are deterministic: same tables, same pixels.
"""
import argparse
import csv
import os
import sys

try:
    import matplotlib
except ImportError:
    sys.exit("plots.py needs matplotlib: apt-get install python3-matplotlib (Debian's, for /usr/bin/python3) "
             "or pip install matplotlib")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams.update({"figure.dpi": 110, "font.size": 9, "svg.hashsalt": "twinning", "axes.spines.top": False,
                     "axes.spines.right": False})


def rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def save(fig, out, name):
    """Writes the figure as a PNG without a software stamp, so the bytes depend on the data only."""
    fig.tight_layout()
    path = os.path.join(out, name)
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return path


def ecdf(ax, ranks, label, style="-"):
    ranks = sorted(ranks)
    n = len(ranks)
    if n == 0:
        return
    xs, ys = [], []
    for k, r in enumerate(ranks, 1):
        xs.append(r)
        ys.append(k / n)
    ax.step(xs, ys, where="post", label=f"{label} (n={n})", linestyle=style)


def rank_ecdf(evaluate, tune, out):
    fig, ax = plt.subplots(figsize=(6.4, 4))
    if evaluate:
        table = rows(os.path.join(evaluate, "ranks.csv"))
        for method in dict.fromkeys(r["method"] for r in table):
            ecdf(ax, [int(r["rank"]) for r in table if r["method"] == method and r["rank"]], f"evaluate: {method}")
    if tune:
        table = rows(os.path.join(tune, "ranks.csv"))
        for method in dict.fromkeys(r["method"] for r in table):
            ecdf(ax, [int(r["rank"]) for r in table if r["method"] == method], f"tune held out: {method}", "--")
    ax.set_xscale("log")
    ax.set_xlabel("rank of the true partner among the candidates (log scale)")
    ax.set_ylabel("share of true pairs ranked at or above")
    ax.set_title("Where real partners rank")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    return save(fig, out, "rank-ecdf.png")


def mrr_by_country(evaluate, out, top=15):
    table = [r for r in rows(os.path.join(evaluate, "metrics.csv")) if r["group"] not in ("all", "name-matched") and r["method"] == "weights"]
    table.sort(key=lambda r: (-int(r["pairs"]), r["group"]))
    table = table[:top]
    overall = next((r for r in rows(os.path.join(evaluate, "metrics.csv")) if r["group"] == "all" and r["method"] == "weights"), None)
    fig, ax = plt.subplots(figsize=(6.4, 4))
    labels = [f"{r['group']} ({r['pairs']})" for r in table]
    ax.barh(range(len(table)), [float(r["mrr"]) for r in table], color="#0b5cad")
    ax.set_yticks(range(len(table)), labels)
    ax.invert_yaxis()
    if overall:
        ax.axvline(float(overall["mrr"]), color="#b3261e", linestyle="--", label=f"all countries {float(overall['mrr']):.4f}")
        ax.legend(fontsize=7, loc="lower right")
    ax.set_xlabel("mean reciprocal rank of the true partner")
    ax.set_title(f"MRR per partner country (the {len(table)} with most true pairs)")
    return save(fig, out, "mrr-by-country.png")


def stability(tune, out):
    table = rows(os.path.join(tune, "stability.csv"))
    components = list(dict.fromkeys(r["component"] for r in table))
    changes = sorted(dict.fromkeys(float(r["change"]) for r in table))
    grid = [[float("nan")] * len(changes) for _ in components]
    for r in table:
        grid[components.index(r["component"])][changes.index(float(r["change"]))] = 100 * float(r["share_kept"])
    fig, ax = plt.subplots(figsize=(4.2, 3.6))
    image = ax.imshow(grid, cmap="Blues", vmin=min(min(g) for g in grid) - 5, vmax=100, aspect="auto")
    for i, line in enumerate(grid):
        for j, v in enumerate(line):
            ax.text(j, i, f"{v:.1f} %", ha="center", va="center", color="white" if v > 90 else "black")
    ax.set_xticks(range(len(changes)), [f"{c:+.0%}" for c in changes])
    ax.set_yticks(range(len(components)), components)
    ax.set_xlabel("change of one weight")
    ax.set_title("Share of proposals kept")
    fig.colorbar(image, ax=ax, shrink=0.8)
    return save(fig, out, "stability.png")


def scores(proposals, out):
    table = rows(os.path.join(proposals, "proposals.csv"))
    values = [float(r["score"]) for r in table]
    statuses = sorted(dict.fromkeys(r["status"] for r in table))
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    bins = [k / 50 for k in range(51)]
    ax.hist([[float(r["score"]) for r in table if r["status"] == s] for s in statuses], bins=bins, stacked=True,
            label=[f"{s} ({sum(1 for r in table if r['status'] == s)})" for s in statuses])
    ax.set_xlabel("score")
    ax.set_ylabel("proposals")
    ax.set_title(f"Scores of the {len(values)} proposals (mean {sum(values) / max(len(values), 1):.3f})")
    ax.legend(fontsize=7)
    return save(fig, out, "scores.png")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[2:]))
    ap.add_argument("--evaluate")
    ap.add_argument("--tune")
    ap.add_argument("--proposals")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if not (a.evaluate or a.tune or a.proposals):
        ap.error("give at least one of --evaluate, --tune, --proposals")
    os.makedirs(a.out, exist_ok=True)
    written = []
    if a.evaluate or a.tune:
        written.append(rank_ecdf(a.evaluate, a.tune, a.out))
    if a.evaluate:
        written.append(mrr_by_country(a.evaluate, a.out))
    if a.tune and os.path.exists(os.path.join(a.tune, "stability.csv")):
        written.append(stability(a.tune, a.out))
    if a.proposals:
        written.append(scores(a.proposals, a.out))
    for path in written:
        print(path)


if __name__ == "__main__":
    sys.exit(main())
