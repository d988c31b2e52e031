#!/usr/bin/env bash
# Usage: edges_test.sh REPRO GOLDEN_JSON (any golden; its directory is used)
set -uo pipefail
repro="$1"
golden_dir="$(cd "$(dirname "$2")" && pwd)"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# --- 1. Any path the filesystem accepts; nothing is ever run by a shell.
weird="$tmp/it's \$HOME and a space"
"$repro" reproduce --tier=smoke --jobs=2 --quiet --out="$weird" \
  --golden_dir="$golden_dir" >"$tmp/weird.out" 2>"$tmp/weird.err" \
  || fail "reproduce --out='$weird': $(tail -3 "$tmp/weird.err")"
[ -s "$weird/report/report.html" ] || fail "no report under '$weird'"
has() { compgen -G "$1" >/dev/null; }  # a glob that matches something
has "$weird/report/figures/*.png" || fail "no figures under '$weird'"
[ -d "$tmp/it's \$HOME and a space" ] || fail "the \$ was expanded"

hostile="$tmp/x';touch $tmp/PWNED;'"
"$repro" run MA-gradient --tier=smoke --quiet --out="$hostile" >/dev/null 2>&1 \
  || fail "run with a hostile --out"
"$repro" report MA-gradient --tier=smoke --out="$hostile" \
  --golden_dir="$golden_dir" >/dev/null 2>"$tmp/hostile.err" \
  || fail "report with a hostile --out: $(cat "$tmp/hostile.err")"
[ -e "$tmp/PWNED" ] && fail "a quote in --out ran a command"
has "$hostile/report/figures/*.svg" || fail "hostile --out: no figures"

# --- 2. gnuplot's outputs are checked: a fake gnuplot that exits 0 and
# leaves empty pictures (what a full disk does) is an error naming the file.
mkdir -p "$tmp/fakebin"
cat > "$tmp/fakebin/gnuplot" <<'FAKE'
#!/bin/sh
for f in $(sed -n 's/^set output "\(.*\)"$/\1/p' "$1"); do : > "$f"; done
exit 0
FAKE
chmod +x "$tmp/fakebin/gnuplot"
out="$(PATH="$tmp/fakebin:$PATH" "$repro" report MA-gradient --tier=smoke \
  --out="$hostile" --golden_dir="$golden_dir" 2>&1 >/dev/null)"
code=$?
[ "$code" -ne 0 ] || fail "empty gnuplot outputs were accepted"
echo "$out" | grep -q "report/figures/MA-gradient_.*\.svg: .*empty" \
  || fail "empty gnuplot output not named: $out"

# --- 3. Two trains to one --out: exactly one succeeds, the other exits
# non-zero before training.
t=(--p=23 --dim=16 --steps=2000 --log_every=1000)
"$repro" train "${t[@]}" --out="$tmp/race" >"$tmp/race1.out" 2>&1 &
first=$!
"$repro" train "${t[@]}" --out="$tmp/race" >"$tmp/race2.out" 2>&1 &
second=$!
wait "$first"; rc1=$?
wait "$second"; rc2=$?
if [ "$rc1" -eq 0 ] && [ "$rc2" -ne 0 ]; then loser="$tmp/race2.out"
elif [ "$rc2" -eq 0 ] && [ "$rc1" -ne 0 ]; then loser="$tmp/race1.out"
else fail "two trains to one --out: exit codes $rc1 and $rc2, expected one 0"; loser=/dev/null; fi
grep -q "nothing trained" "$loser" || fail "the losing train did not say it trained nothing: $(cat "$loser")"
grep -q "steps in" "$loser" && fail "the losing train trained: $(cat "$loser")"
[ -s "$tmp/race/summary.json" ] || fail "the winner's run is not complete"
has "$tmp/race.tmp.*" && fail "a train temp tree was left behind"
[ -e "$tmp/.race.train.lock" ] && fail "the train lock file was left behind"

# A killed train's temp tree is removed by the next train of that --out.
(exit 0) & dead=$!; wait "$dead"
mkdir -p "$tmp/again.tmp.$dead/init"
"$repro" train --p=23 --dim=16 --steps=5 --out="$tmp/again" >/dev/null 2>&1 || fail "train again"
[ -e "$tmp/again.tmp.$dead" ] && fail "stale temp tree again.tmp.$dead was not removed"

# --- 4. Two sweeps on one store share the work: every run trained once.
store="$tmp/shared"
"$repro" run MA-controls --tier=smoke --jobs=2 --out="$store" >/dev/null 2>"$tmp/sweep1.err" &
s1=$!
"$repro" run MA-controls --tier=smoke --jobs=2 --out="$store" >/dev/null 2>"$tmp/sweep2.err" &
s2=$!
wait "$s1" || fail "sweep 1: $(tail -2 "$tmp/sweep1.err")"
wait "$s2" || fail "sweep 2: $(tail -2 "$tmp/sweep2.err")"
trained() { sed -n 's/.*: \([0-9]*\) runs trained here.*/\1/p' "$1" | tail -1; }
n1=$(trained "$tmp/sweep1.err"); n2=$(trained "$tmp/sweep2.err")
runs=$(ls "$store/store/MA-controls/runs" | grep -c '\.run$')
[ "$runs" -eq 12 ] || fail "MA-controls smoke no longer has 12 runs ($runs); update the test"
[ "$((${n1:-0} + ${n2:-0}))" -eq "$runs" ] \
  || fail "two sweeps trained ${n1:-?} + ${n2:-?} runs for $runs"
has "$store/store/MA-controls/runs/*.lock" && fail "run lock files left behind"
# A killed run's temp in the store is removed by the next sweep.
key="$(cd "$store/store/MA-controls/runs" && compgen -G '*.run' | head -n 1)"
mv "$store/store/MA-controls/runs/$key" "$store/store/MA-controls/runs/.$key.tmp.$dead.0"
"$repro" run MA-controls --tier=smoke --quiet --out="$store" >/dev/null 2>&1 || fail "rerun"
[ -e "$store/store/MA-controls/runs/.$key.tmp.$dead.0" ] && fail "stale run temp not removed"

# --- 5. Resources and bad values.
# 2000 workers for 4 runs, under a limit 2000 thread stacks would exceed.
( ulimit -v 3000000; "$repro" run MA-gradient --tier=smoke --jobs=2000 --quiet \
    --out="$tmp/jobs" >/dev/null 2>"$tmp/jobs.err" ); code=$?
[ "$code" -eq 0 ] || fail "--jobs=2000 on 4 runs exited $code: $(cat "$tmp/jobs.err")"

expect_error() {  # NEEDLE CMD...: non-zero exit and a message with NEEDLE
  local needle="$1"; shift
  local out code
  out="$("$repro" "$@" 2>&1 >/dev/null)"; code=$?
  [ "$code" -ne 0 ] || fail "'$*' exited 0 ($out)"
  echo "$out" | grep -q -- "$needle" || fail "'$*' message lacks '$needle': $out"
}
# A design whose fields contradict each other is refused before any run
# trains (CheckDesign at the command's tier): nothing is written.
expect_error "steps = 60 must be a multiple of 5 x every = 50" run MA-handcrafted-settling --tier=smoke --set steps=60 --quiet --out="$tmp/contradiction"
[ ! -e "$tmp/contradiction" ] || fail "a refused design wrote $tmp/contradiction"
# A modulus must be prime (every p field); a prime in range is accepted.
expect_error "--set p: 12 is not prime; expected a prime in \[3, 257\]" run MA-survival --tier=smoke --set p=12 --quiet --out="$tmp/contradiction"
"$repro" design MA-survival --tier=smoke --set p=13 >/dev/null || fail "p=13 refused"
"$repro" plan MA-gradient --tier=smoke --shards=3 --out="$tmp/plan" >/dev/null || fail "plan"
cp "$tmp/plan/plans/MA-gradient.smoke.json" "$tmp/plan.before"
expect_error "expected an integer in \[1, 1000000\]" plan MA-gradient --tier=smoke --shards=1000001 --out="$tmp/plan"
expect_error "--overwrite_plan" plan MA-gradient --tier=smoke --shards=5 --out="$tmp/plan"
cmp -s "$tmp/plan.before" "$tmp/plan/plans/MA-gradient.smoke.json" || fail "a valid plan was replaced"
"$repro" status MA-gradient --tier=smoke --out="$tmp/plan" >/dev/null || fail "status after refused plans"
"$repro" plan MA-gradient --tier=smoke --shards=5 --overwrite_plan --out="$tmp/plan" >/dev/null \
  || fail "plan --overwrite_plan"
expect_error "expected an integer in \[1, 1000000\]" plan MA-gradient --tier=smoke --shards=1000001 --out="$tmp/fresh_plan"
[ -e "$tmp/fresh_plan" ] && fail "a refused plan wrote something"

# Merge of a corrupt run: says it does not train, and what does.
for s in 0 1 2 3 4; do
  "$repro" run-shard MA-gradient --tier=smoke --shard=$s --quiet --out="$tmp/plan" >/dev/null 2>&1 || fail "run-shard $s"
done
victim="$(compgen -G "$tmp/plan/store/MA-gradient/runs/*.run" | head -n 1)"
echo garbage > "$victim"
expect_error "merge does not train" merge MA-gradient --tier=smoke --out="$tmp/plan"
expect_error "repro run-shard MA-gradient --tier=smoke --shard=" merge MA-gradient --tier=smoke --out="$tmp/plan"
out="$("$repro" merge MA-gradient --tier=smoke --out="$tmp/plan" 2>&1)"
echo "$out" | grep -q "training it again" && fail "merge still says 'training it again': $out"

expect_error "minutes 99 must be below 60" submit MA-gradient --engine=slurm --time=25:99:99 --dry_run --out="$tmp/slurm"
expect_error "D-HH:MM:SS" submit MA-gradient --engine=slurm --time=25:99:99 --dry_run --out="$tmp/slurm"

# Goldens: no golden directory says where it looked; an unreadable golden
# is an error, never "not run".
expect_error "golden directory not found" check MA-gradient --tier=smoke --quiet --golden_dir= --out="$tmp/jobs"
expect_error "golden directory not found" check MA-gradient --tier=smoke --quiet --golden_dir="$tmp/nowhere" --out="$tmp/jobs"
mkdir -p "$tmp/golden_copy"
cp "$golden_dir/MA-gradient.smoke.json" "$golden_dir/MA-gradient.ci.json" "$tmp/golden_copy/"
chmod u+w "$tmp/golden_copy/"*
head -c 100 "$golden_dir/MA-gradient.ci.json" > "$tmp/golden_copy/MA-gradient.ci.json"
expect_error "golden_copy/MA-gradient.ci.json" reproduce MA-gradient --tier=smoke --quiet \
  --golden_dir="$tmp/golden_copy" --out="$tmp/jobs"
grep -q "not run" "$tmp/jobs/report/report.md" 2>/dev/null && \
  grep "MA-gradient" "$tmp/jobs/report/report.md" | grep -q "not run, ~0.0" && \
  fail "an unreadable ci golden was shown as not run"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "all edge checks passed"
