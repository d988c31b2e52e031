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
for g in "$@"; do  # the audit's goldens (the horizon check's are below)
  case "$(basename "$g")" in RE-*|XOR-*) cp "$g" "$ci_golden/" ;; esac
done
"$repro" report --tier=ci --out="$tmp/out_ci" --golden_dir="$ci_golden" >/dev/null
python3 "$audit_checker" "$tmp/out_ci/report" "$audit_json" "$ci_golden" ci
# Without RE-audit: the note.
cp "$ci_golden"/XOR-completeness.*.json "$tmp/golden_no_audit/"
"$repro" report --tier=ci --out="$tmp/out_no_audit" --golden_dir="$tmp/golden_no_audit" \
  >/dev/null
python3 "$audit_checker" "$tmp/out_no_audit/report" "$audit_json" \
  "$tmp/golden_no_audit" ci

# Nightly: a survivor-set claim's section says whether its verdict speaks
# for P1's 30000 steps, from MA-horizon's paper-tier result (here absent,
# then a copy of its nightly golden relabelled as a reproduced paper result).
# MA-frozen's claims are read at their own checkpoints: no such line.
nightly_golden="$tmp/golden_nightly"
mkdir -p "$nightly_golden" "$tmp/out_nightly"
for g in "$@"; do
  case "$g" in
    *MA-spectrum.nightly.json|*MA-horizon.nightly.json|*MA-frozen.nightly.json|*MA-controls.nightly.json)
      cp "$g" "$nightly_golden/" ;;
  esac
done
"$repro" report --tier=nightly --out="$tmp/out_nightly" --golden_dir="$nightly_golden" >/dev/null
md="$tmp/out_nightly/report/report.md"
section() {  # the lines of experiment $1's section of $md
  awk -v h="## $1 (nightly tier)" '$0 == h {on = 1; next} /^## / {on = 0} on' "$md"
}
section MA-spectrum | grep -q "Speaks for P1's 30000 steps\*\*: not yet shown" ||
  { echo "MA-spectrum: no 'not yet shown' horizon line"; exit 1; }
section MA-spectrum | grep -q "not run at the paper tier yet" ||
  { echo "MA-spectrum: the horizon line does not say MA-horizon's paper tier is not run"; exit 1; }
if section MA-frozen | grep -q "Speaks for P1's"; then
  echo "MA-frozen: a horizon line on claims read at their own checkpoints"; exit 1
fi
python3 - "$nightly_golden/MA-horizon.nightly.json" "$nightly_golden/MA-horizon.paper.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["tier"] = "paper"
for c in r["claims"]:
    if c["id"] == "MA-horizon/nightly-equals-paper":
        c["verdict"] = "reproduced"
        c["effect"].update({"estimate": 1.0, "low": 0.902, "high": 1.0, "n": 51})
        c.pop("to_decide", None)
json.dump(r, open(sys.argv[2], "w"))
PY
"$repro" report --tier=nightly --out="$tmp/out_nightly" --golden_dir="$nightly_golden" >/dev/null
section MA-spectrum | grep -q "Speaks for P1's 30000 steps\*\*: yes, \[MA-horizon/nightly-equals-paper\]" ||
  { echo "MA-spectrum: the horizon line does not say yes under a reproduced MA-horizon"; exit 1; }
grep -q "What a nightly verdict speaks for" "$md" ||
  { echo "no 'What a nightly verdict speaks for' paragraph"; exit 1; }
# The design-card paragraph: MA-frozen's 6 claims decided, MA-controls' 1
# of 3 (from the committed goldens), each undecided one with its way
# forward; MA-spectrum and MA-horizon name none.
grep -q "decides 7 of the 9 design-card claims" "$md" ||
  { echo "design-card paragraph: expected 7 of 9 decided"; grep "design card" "$md"; exit 1; }
grep -q "^- MA-controls/same-embedding-same-survivors: \`tools/repro run MA-controls --tier=nightly --set seeds=" "$md" ||
  { echo "design-card paragraph: no way forward for MA-controls' second claim"; exit 1; }
if grep -q "^- MA-frozen/" "$md"; then
  echo "design-card paragraph lists a decided claim"; exit 1
fi
echo "report_test: OK"
