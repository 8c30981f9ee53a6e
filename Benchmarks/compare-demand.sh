#!/usr/bin/env bash
# The cost of `twinning match` as demand grows: every hromada seeking the same number of
# partners (slots 1, 2, 3, 5, 10), against two partner sets with one slot each (the shipped
# volunteers; every one of the 98,129 LAUs), no ties. Each run's wall time, peak RSS,
# price-out passes and total, with the numpy + scipy peer (dense scores, each hromada
# repeated once per slot, linear_sum_assignment) where it can run: its dense matrix is
# hromadas × slots × partners doubles, copied, so on every LAU it stops after slots
# ${PEER_MAX_LAU_SLOTS:-2} (memory), and any peer run over ${PEER_TIMEOUT:-900} s is cut.
# Prints a table and draws Benchmarks/demand-scaling.png (matplotlib).
# Writes its inputs and outputs to ${DIR:-/tmp/twinning-demand-bench}.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${DIR:-/tmp/twinning-demand-bench}
SLOTS=${SLOTS:-1 2 3 5 10}
rm -rf "$DIR" && mkdir -p "$DIR"
swift build -c release --product twinning >/dev/null
python3 Benchmarks/peer/make_demand.py Data "$DIR" $SLOTS
: > "$DIR/runs.tsv"
for set in volunteers every-lau; do
  for k in $SLOTS; do
    out="$DIR/$set-$k"
    /usr/bin/time -f "%e %M" -o "$out.time" .build/release/twinning match --hromadas "$DIR/hromadas-$k.csv" \
      --partners "$DIR/$set/partners.csv" --ties "$DIR/ties.csv" --out "$out" --format json > "$out.log" 2>&1
    peer="-"
    if [ "$set" = volunteers ] || [ "$k" -le "${PEER_MAX_LAU_SLOTS:-2}" ]; then
      if /usr/bin/time -f "%e %M" -o "$out.peer.time" timeout "${PEER_TIMEOUT:-900}" \
          python3 Benchmarks/peer/match_peer.py "$DIR/hromadas-$k.csv" "$DIR/$set/partners.csv" "$DIR/ties.csv" > "$out.peer.json"; then
        peer=ok
      else
        peer=timeout
      fi
    fi
    printf '%s\t%s\t%s\n' "$set" "$k" "$peer" >> "$DIR/runs.tsv"
    tail -1 "$out.log"
  done
done
/usr/bin/python3 Benchmarks/peer/plot_demand.py "$DIR" Benchmarks/demand-scaling.png
