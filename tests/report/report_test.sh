#!/usr/bin/env bash
# Trains the smoke tier, writes its report, marks one experiment's paper
# tier as an old-format result, and checks the report (check_report.py).
set -euo pipefail
repro="$1"
checker="$2"
out="${TEST_TMPDIR:-$(mktemp -d)}/out"
golden="${TEST_TMPDIR:-$(mktemp -d)}/golden"   # empty: no goldens here
mkdir -p "$out/results" "$golden"
"$repro" run --tier=smoke --out="$out" --jobs=2 --quiet >/dev/null
# A paper-tier result of format 1 must show as "stale format", not crash.
echo '{"format_version": 1, "experiment": "MA-survival", "tier": "paper", "claims": []}' \
  > "$out/results/MA-survival.paper.json"
"$repro" report --tier=smoke --out="$out" --golden_dir="$golden" >/dev/null
exec python3 "$checker" "$out"
