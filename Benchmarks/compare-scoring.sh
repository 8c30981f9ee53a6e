#!/usr/bin/env bash
# One run, same job: Twinning's loading, GEMM and full scoring (1,470 × 98,613, 17-dim
# vectors, top-50) against numpy on this machine, then GEMM with OpenBLAS's generic
# fallback kernels to show what `twinning` protects users from.
set -euo pipefail
cd "$(dirname "$0")"
REPEATS=${REPEATS:-3}
swift build -c release --product scoring-timing >/dev/null
.build/release/scoring-timing ../Data /tmp/twinning-scoring.json "$REPEATS" >/dev/null
python3 peer/scoring_peer.py ../Data /tmp/numpy-scoring.json "$REPEATS" >/dev/null
OPENBLAS_CORETYPE=Prescott .build/release/scoring-timing ../Data /tmp/twinning-scoring-prescott.json 1 >/dev/null
python3 - <<'PY'
import json
t, p, s = (json.load(open(f)) for f in ("/tmp/twinning-scoring.json", "/tmp/numpy-scoring.json", "/tmp/twinning-scoring-prescott.json"))
print(t["blas"])
print(f"load partners.csv (98,613 rows): twinning {t['load_partners_s']:.3f} s (numpy peer's csv module: {p['load_csv_s']:.3f} s)")
print(f"GEMM 1470x17 · (98613x17)^T float32, numpy matmul: {p['gemm_gflops']:.1f} GFLOP/s")
print(f"  twinning as scoring runs it ({t['block_size']}-column blocks): {t['gemm_pipeline_gflops']:.1f} GFLOP/s, "
      f"ratio {t['gemm_pipeline_gflops'] / p['gemm_gflops']:.2f}")
print(f"  twinning whole product into one new 580 MB matrix: {t['gemm_gflops']:.1f} GFLOP/s "
      f"(blocks of 256: {t['gemm_blocked_gflops']['256']:.1f}, 4096: {t['gemm_blocked_gflops']['4096']:.1f})")
print(f"  same GEMM on OpenBLAS's Prescott fallback kernels: {s['gemm_gflops']:.1f} GFLOP/s ({s['blas']})")
print(f"score all pairs (every component, no selection): twinning {t['score_only_s']:.3f} s")
print(f"score all pairs + top-50: twinning {t['score_top50_s']:.3f} s, numpy {p['score_top50_s']:.3f} s, "
      f"ratio numpy/twinning {p['score_top50_s'] / t['score_top50_s']:.2f}; twinning peak RSS {t['peak_rss_mib']:.0f} MiB")
PY
