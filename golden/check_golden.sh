#!/usr/bin/env bash
# Re-runs the experiment of one golden file at its tier and compares.
# Usage: check_golden.sh REPRO GOLDEN_JSON   (golden named EXPERIMENT.TIER.json)
set -euo pipefail
repro="$1"
golden="$2"
base="$(basename "$golden" .json)"
experiment="${base%.*}"
tier="${base##*.}"
out="${TEST_TMPDIR:-$(mktemp -d)}/out"
exec "$repro" check "$experiment" --tier="$tier" --out="$out" \
  --golden_dir="$(dirname "$golden")" --jobs=2 --quiet
