#!/usr/bin/env bash
# `repro diff A B` on two small hand-made result folders: exit 0 when no
# verdict moved (effects may), 1 when one did, 2 on bad input.
set -uo pipefail
repro="$1"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
mk() {  # folder verdict estimate valid
  mkdir -p "$tmp/$1/results"
  cat > "$tmp/$1/results/MA-survival.ci.json" <<JSON
{"format_version": 2, "experiment": "MA-survival", "tier": "ci", "num_runs": 40,
 "claims": [
  {"id": "MA-survival/signal-predicts-survival", "verdict": "$2",
   "effect": {"statistic": "Pearson r", "estimate": $3, "low": 0.6, "high": 0.9,
              "level": 0.99, "n": 120, "unit": "(reference seed, k)"},
   "runs": {"valid": $4, "planned": 40}}]}
JSON
}
mk a reproduced 0.79 36
mk b reproduced 0.80 36
mk c undecided_at_this_scale 0.79 20
fail=0
check() {  # expected-exit A B
  out="$("$repro" diff "$tmp/$2" "$tmp/$3" 2>&1)"
  code=$?
  if [ "$code" -ne "$1" ]; then
    echo "FAIL: diff $2 $3 exited $code, expected $1:"; echo "$out"; fail=1
  fi
  echo "$out"
}
check 0 a a
out="$(check 0 a b)"; echo "$out"
echo "$out" | grep -q "Pearson r 0.79 -> 0.8" || { echo "FAIL: effect move not printed"; fail=1; }
out="$(check 1 a c)"; echo "$out"
echo "$out" | grep -q "verdict reproduced -> undecided" || { echo "FAIL: verdict move not printed"; fail=1; }
echo "$out" | grep -q "valid runs 36/40 -> 20/40" || { echo "FAIL: valid runs not printed"; fail=1; }
"$repro" diff "$tmp/a" >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: one argument must exit 2"; fail=1; }
"$repro" diff "$tmp/a" "$tmp/nowhere" >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: a missing folder must exit 2"; fail=1; }
exit $fail
