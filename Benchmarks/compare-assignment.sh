#!/usr/bin/env bash
# One run, same matrices: Twinning's solver vs scipy.optimize.linear_sum_assignment vs
# lapjv (square only: lapjv pads rectangular problems and takes minutes on 1469×40000).
# Needs: pip install lapjv. Writes matrices (~1.5 GB) to ${DIR:-/tmp/twinning-bench}.
set -euo pipefail
cd "$(dirname "$0")"
DIR=${DIR:-/tmp/twinning-bench}; REPEATS=${REPEATS:-3}
python3 peer/assignment_peer.py "$DIR" "$REPEATS"
swift build -c release --product assignment-timing >/dev/null
.build/release/assignment-timing "$DIR" "$REPEATS"
python3 - "$DIR" <<'PY'
import json, sys
d = sys.argv[1]
tw, pe = json.load(open(d + "/twinning.json")), json.load(open(d + "/peers.json"))
print(f"{'case':22} {'twinning s':>11} {'scipy s':>9} {'lapjv s':>9} {'scipy/tw':>9} {'lapjv/tw':>9}  same optimum")
for k in tw:
    t, p = tw[k]["seconds"], pe[k]
    lj = p.get("lapjv")
    same = abs(tw[k]["total"] - p["scipy_total"]) <= 1e-9 * max(1, abs(p["scipy_total"]))
    print(f"{k:22} {t:11.3f} {p['scipy']:9.3f} {lj if lj else float('nan'):9.3f} {p['scipy']/t:9.2f} "
          f"{(lj/t) if lj else float('nan'):9.2f}  {same}")
PY
