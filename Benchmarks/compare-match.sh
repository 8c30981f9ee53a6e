#!/usr/bin/env bash
# One run, same files: `twinning match` against a numpy + scipy peer (dense score matrix,
# linear_sum_assignment) at full scale — every one of the 98,129 LAUs a volunteer with one
# slot and offers — printing both times, both peak RSS figures and both totals; then the
# default match on the shipped data, several runs (hyperfine when installed).
# Writes its inputs and outputs to ${DIR:-/tmp/twinning-match-bench}.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${DIR:-/tmp/twinning-match-bench}
rm -rf "$DIR" && mkdir -p "$DIR"
swift build -c release --product twinning >/dev/null
python3 Benchmarks/peer/make_full_scale.py Data "$DIR/full"

measure() {   # measure NAME COMMAND…: wall seconds and peak RSS (KiB) into $DIR/NAME.time
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$DIR/$name.time" "$@" > "$DIR/$name.out"
}
measure twinning .build/release/twinning match --partners "$DIR/full/partners.csv" --out "$DIR/full/proposals" --format json
measure peer python3 Benchmarks/peer/match_peer.py Data/hromadas.csv "$DIR/full/partners.csv" Data/ties.csv

python3 - "$DIR" <<'PY'
import json, sys
d = sys.argv[1]
def timed(name):
    seconds, kib = open(f"{d}/{name}.time").read().split()
    return float(seconds), int(kib) / 1024
tw_s, tw_mib = timed("twinning"); pe_s, pe_mib = timed("peer")
tw_total = json.load(open(f"{d}/full/proposals/proposals.json"))["summary"]["total_score"]
pe_total = json.loads(open(f"{d}/peer.out").read())["total"]
print(open(f"{d}/twinning.out").read().strip())
print(f"\nfull scale (1,256 seeking hromadas × 98,129 LAUs):")
print(f"{'':10} {'wall s':>8} {'peak RSS MiB':>13} {'total score':>14}")
print(f"{'twinning':10} {tw_s:8.2f} {tw_mib:13.0f} {tw_total:14.6f}")
print(f"{'peer':10} {pe_s:8.2f} {pe_mib:13.0f} {pe_total:14.6f}")
print(f"peer / twinning: {pe_s / tw_s:.1f}× the time, {pe_mib / tw_mib:.1f}× the memory; "
      f"totals differ by {abs(tw_total - pe_total):.2e} (single- against double-precision scores)")
PY

echo
echo "default match on the shipped data (1,256 × 2,495 volunteers):"
if command -v hyperfine >/dev/null; then
  hyperfine -w 2 -r 15 -p "rm -rf $DIR/default" ".build/release/twinning match --out $DIR/default" | grep -E "Time|Range"
else
  for i in 1 2 3 4 5; do rm -rf "$DIR/default"; /usr/bin/time -f "%e s" .build/release/twinning match --out "$DIR/default" | tail -1; done
fi
