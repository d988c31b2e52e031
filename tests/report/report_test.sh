#!/usr/bin/env bash
# Trains the smoke tier, writes its report, marks one experiment's paper
# tier as an old-format result, and checks the report (check_report.py).
# Then renders the ci report from the committed goldens of RE-audit,
# RE-completeness and XOR-completeness (no training), and checks the
# section "Auditing reviewer 1" of both reports (check_audit.py); a report
# without an RE-audit result shows the section as a one-line note.
set -euo pipefail
repro="$1"
checker="$2"
audit_checker="$3"
audit_json="$4"
shift 4  # the rest: the committed goldens the ci report reads
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
out="$tmp/out"
golden="$tmp/golden"   # empty: no goldens here
mkdir -p "$out/results" "$golden"
"$repro" run --tier=smoke --out="$out" --jobs=2 --quiet >/dev/null
# A paper-tier result of format 1 must show as "stale format", not crash.
echo '{"format_version": 1, "experiment": "MA-survival", "tier": "paper", "claims": []}' \
  > "$out/results/MA-survival.paper.json"
"$repro" report --tier=smoke --out="$out" --golden_dir="$golden" >/dev/null
python3 "$checker" "$out"
python3 "$audit_checker" "$out/report" "$audit_json" "$out/results" smoke

ci_golden="$tmp/golden_ci"
mkdir -p "$ci_golden" "$tmp/out_ci" "$tmp/golden_no_audit" "$tmp/out_no_audit"
cp "$@" "$ci_golden/"
"$repro" report --tier=ci --out="$tmp/out_ci" --golden_dir="$ci_golden" >/dev/null
python3 "$audit_checker" "$tmp/out_ci/report" "$audit_json" "$ci_golden" ci
# Without RE-audit: the note.
cp "$ci_golden"/XOR-completeness.*.json "$tmp/golden_no_audit/"
"$repro" report --tier=ci --out="$tmp/out_no_audit" --golden_dir="$tmp/golden_no_audit" \
  >/dev/null
python3 "$audit_checker" "$tmp/out_no_audit/report" "$audit_json" \
  "$tmp/golden_no_audit" ci
