#!/bin/bash
# `repro power` on a frozen copy of a format-2 golden (testdata/MA-frozen.nightly.json,
# the MA-frozen nightly golden of 3d500d0): text
# and JSON output, the fallback to the tier below, format 3 read alike, the
# spec preferred to the rule sentence, and the usage errors (exit 2).
set -u
REPRO="$1"
GOLDEN_DIR="$(dirname "$2")"
fail=0
check() {  # check NAME COMMAND...: the command must succeed
  local name="$1"; shift
  if ! "$@"; then echo "FAIL: $name"; fail=1; fi
}

out="$("$REPRO" power MA-frozen --tier=nightly --golden_dir="$GOLDEN_DIR")"
rc=$?
out2="$out"
check "text exit 0" test "$rc" -eq 0
check "names the pilot" grep -q "pilot $GOLDEN_DIR/MA-frozen.nightly.json" <<<"$out"
check "lists the odds-ratio claim" grep -q "MA-frozen/d-at-least-p-converges  \[undecided_at_this_scale\]" <<<"$out"
check "units needed per group" grep -q "units (.* per group x 2)" <<<"$out"
check "units now" grep -q "units now   30 (30 runs, 1 runs per unit)" <<<"$out"

json="$("$REPRO" power MA-frozen --tier=nightly --golden_dir="$GOLDEN_DIR" --format=json)"
check "json exit 0" test $? -eq 0
for key in '"pilot_tier": "nightly"' '"decidable": true' '"core_hours_per_run"' \
           '"to_decide"' '"p_decided"' '"method": "exact enumeration'; do
  check "json has $key" grep -q "$key" <<<"$json"
done

# No paper golden: the pilot is the nightly one, the costs paper's.
out="$("$REPRO" power MA-frozen --tier=paper --golden_dir="$GOLDEN_DIR")"
check "paper falls back to nightly" grep -q "MA-frozen at paper: pilot $GOLDEN_DIR/MA-frozen.nightly.json" <<<"$out"

# A cap too small for any design: "not decidable below cap".
out="$("$REPRO" power MA-frozen --tier=nightly --golden_dir="$GOLDEN_DIR" --cap_core_hours=0.01)"
check "tiny cap" grep -q "not decidable below cap" <<<"$out"

# Both result formats: the fixture is format 2; a format-3 copy
# reads the same, a format the binary does not know is refused (exit 2).
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
mkdir -p "$TMP/f3" "$TMP/f9" "$TMP/nospec"
sed 's/"format_version": 2/"format_version": 3/' "$GOLDEN_DIR/MA-frozen.nightly.json" >"$TMP/f3/MA-frozen.nightly.json"
sed 's/"format_version": 2/"format_version": 9/' "$GOLDEN_DIR/MA-frozen.nightly.json" >"$TMP/f9/MA-frozen.nightly.json"
check "golden is format 2" grep -q '"format_version": 2' "$GOLDEN_DIR/MA-frozen.nightly.json"
f3="$("$REPRO" power MA-frozen --tier=nightly --golden_dir="$TMP/f3")"
check "format 3 exit 0" test $? -eq 0
check "format 3 plans like format 2" test "$(sed 1d <<<"$f3")" = "$(sed 1d <<<"$out2")"
err="$("$REPRO" power MA-frozen --tier=nightly --golden_dir="$TMP/f9" 2>&1 >/dev/null)"
check "format 9 refused" grep -q "format_version': expected 2 to 3" <<<"$err"

# The spec gives statistic, side and threshold; a claim without a spec (an
# id MA-frozen does not declare) falls back to its rule sentence and says so.
check "json reads the spec" grep -q '"from_spec": true' <<<"$json"
check "spec side less" grep -q '"side": "less"' <<<"$json"
sed 's#"MA-frozen/larger-d-trains-better"#"MA-frozen/undeclared"#' "$GOLDEN_DIR/MA-frozen.nightly.json" >"$TMP/nospec/MA-frozen.nightly.json"
ns="$("$REPRO" power MA-frozen --tier=nightly --golden_dir="$TMP/nospec" --format=json)"
check "undeclared claim from the rule" grep -q '"from_spec": false' <<<"$ns"
check "undeclared claim says so" grep -q 'no ClaimSpec for this claim' <<<"$ns"

# Every spec's scale_field names an integer field of its experiment's
# design at every tier that decides (the driver's `--set FIELD=N`).
"$REPRO" claims --format=json >"$TMP/claims.json"
check "claims json" test -s "$TMP/claims.json"
for t in ci nightly paper; do
  "$REPRO" design $(python3 -c 'import json,sys; print(" ".join(sorted({c["id"].split("/")[0] for c in json.load(open(sys.argv[1])) if c.get("scale_field")})))' "$TMP/claims.json") \
    --tier=$t --format=json >"$TMP/design.$t.json"
  check "scale_field is an int design field at $t" python3 - "$TMP/claims.json" "$TMP/design.$t.json" <<'PY'
import json, sys
claims = json.load(open(sys.argv[1]))
designs = {d["experiment"]: d["design"] for d in json.load(open(sys.argv[2]))}
bad = [c["id"] for c in claims if c.get("scale_field") and not (
    isinstance(designs[c["id"].split("/")[0]].get(c["scale_field"]), int))]
print("\n".join("bad scale_field: " + b for b in bad))
sys.exit(1 if bad else 0)
PY
done

expect2() {  # expect2 NAME ARGS...: exit 2 and a message on stderr
  local name="$1"; shift
  local err
  err="$("$REPRO" power "$@" 2>&1 >/dev/null)"
  local rc=$?
  if [ "$rc" -ne 2 ] || [ -z "$err" ]; then
    echo "FAIL: $name (exit $rc, stderr '$err')"; fail=1
  fi
}
expect2 "bad format" MA-frozen --golden_dir="$GOLDEN_DIR" --format=yaml
expect2 "bad cap" MA-frozen --golden_dir="$GOLDEN_DIR" --cap_core_hours=-1
expect2 "smoke tier" MA-frozen --golden_dir="$GOLDEN_DIR" --tier=smoke
expect2 "unknown experiment" NO-such --golden_dir="$GOLDEN_DIR"
expect2 "two experiments" MA-frozen MA-survival --golden_dir="$GOLDEN_DIR"
expect2 "no golden" MA-frozen --golden_dir=/nonexistent
expect2 "flag of another command" MA-frozen --steps=5

# A claim whose golden has too few valid runs gets no plan: more runs of
# that design decide nothing, and the golden's way forward is printed.
mkdir -p "$TMP/invalid"
python3 - "$GOLDEN_DIR/MA-frozen.nightly.json" "$TMP/invalid/MA-frozen.nightly.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
for c in g["claims"]:
    if c["id"] == "MA-frozen/d-at-least-p-converges":
        c["reason_code"] = "too_few_valid"
        c["reason"] = "too few valid runs: 3 of 30 planned runs valid."
        c["to_decide"] = {"tier": "nightly", "command": "no design known",
                          "no_design_known": True, "why": "a finding"}
json.dump(g, open(sys.argv[2], "w"))
PY
inv="$("$REPRO" power MA-frozen --tier=nightly --golden_dir="$TMP/invalid")"
check "too_few_valid not planned" grep -q "not planned: too few valid runs: 3 of 30 planned runs valid. More runs of this design do not help. The golden's way forward: no design known (a finding)" <<<"$inv"

# No EXP: the tier's budget sheet over every registered experiment, from
# the goldens there are (here MA-frozen's only).
sheet="$("$REPRO" power --tier=nightly --golden_dir="$GOLDEN_DIR")"
check "sheet exit 0" test $? -eq 0
check "sheet names the budget" grep -q "Budget sheet, nightly tier (goldens in $GOLDEN_DIR): budget 4 core-hours" <<<"$sheet"
check "sheet counts MA-frozen's claims" grep -Eq "^MA-frozen +48 +[0-9.]+ +6 +5 " <<<"$sheet"
check "sheet marks a missing golden" grep -Eq "^MA-survival .*\(no golden\)" <<<"$sheet"
check "sheet marks design-card claims" grep -q "\[card\] MA-frozen/d-at-least-p-converges" <<<"$sheet"
check "sheet names another tier" grep -q "tools/repro run MA-frozen --tier=paper (0.45 core-hours, paper tier)" <<<"$sheet"
check "sheet totals" grep -q "Design-card claims: 6 tested, 5 decided" <<<"$sheet"
# A planner way forward at the tier enters the sums and can break the budget.
mkdir -p "$TMP/sheet"
python3 - "$GOLDEN_DIR/MA-frozen.nightly.json" "$TMP/sheet/MA-frozen.nightly.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
for c in g["claims"]:
    if c["id"] == "MA-frozen/d-at-least-p-converges":
        c["to_decide"] = {"tier": "nightly", "planner": True, "core_hours": 9.5,
                          "command": "tools/repro run MA-frozen --tier=nightly --set seeds=40"}
json.dump(g, open(sys.argv[2], "w"))
PY
sheet="$("$REPRO" power --tier=nightly --golden_dir="$TMP/sheet")"
check "planner way in the sum" grep -Eq "^MA-frozen +48 +[0-9.]+ +6 +5 +9.500" <<<"$sheet"
check "over budget said" grep -Eq "deciding the design card [0-9.]+ \(over\)" <<<"$sheet"
sj="$("$REPRO" power --tier=nightly --golden_dir="$TMP/sheet" --format=json)"
check "sheet json" grep -q '"design_card_decided": 5' <<<"$sj"
check "sheet json budget" grep -q '"budget_core_hours": 4' <<<"$sj"
# A higher tier's golden that tried more runs of an undecided claim prices
# it instead (another tier: out of this tier's sums).
python3 - "$TMP/sheet/MA-frozen.nightly.json" "$TMP/sheet/MA-frozen.paper.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
g["tier"] = "paper"
for c in g["claims"]:
    if c["id"] == "MA-frozen/d-at-least-p-converges":
        c["runs"]["planned"] = 10 * c["runs"]["planned"]
        c["to_decide"] = {"tier": "paper", "planner": True, "core_hours": 50.0,
                          "command": "tools/repro run MA-frozen --tier=paper --set seeds=99"}
json.dump(g, open(sys.argv[2], "w"))
PY
sheet="$("$REPRO" power --tier=nightly --golden_dir="$TMP/sheet")"
check "higher tier prices it" grep -q "tools/repro run MA-frozen --tier=paper --set seeds=99 (50 core-hours, paper tier; from $TMP/sheet/MA-frozen.paper.json, which tried more runs)" <<<"$sheet"
check "higher tier out of the sum" grep -Eq "^MA-frozen +48 +[0-9.]+ +6 +5 +0.3" <<<"$sheet"
rm "$TMP/sheet/MA-frozen.paper.json"

# A golden of another experiment under an experiment's name is refused.
mkdir -p "$TMP/wrong"
cp "$GOLDEN_DIR/MA-frozen.nightly.json" "$TMP/wrong/MA-survival.nightly.json"
expect2 "sheet: wrong experiment" --tier=nightly --golden_dir="$TMP/wrong"
err="$("$REPRO" power --tier=nightly --golden_dir="$TMP/wrong" 2>&1 >/dev/null)"
check "sheet error names the field" grep -q "field 'experiment': expected \"MA-survival\"" <<<"$err"

[ "$fail" -eq 0 ] && echo "power_command_test: all passed"
exit "$fail"
