#!/bin/bash
# End-to-end test of `repro submit --engine=slurm` on a one-node Slurm
# cluster started here (as root; slurm-wlm and munge come from
# tools/bootstrap, the test installs nothing) with MaxArraySize=3, so array
# task ids must stay below 3:
#   1. submit MA-survival smoke in 4 shards, more than one array holds: submit
#      must read the limit from scontrol and split the shards into arrays
#      0-2 and 3 (task 0 of base 3), the merge after both; the result must
#      be byte-identical to `repro run` on one machine;
#   2. delete one run file, resubmit: the array must cover only that run's
#      shard, no other run file may change, and the merged result must again
#      be identical.
# Every daemon it starts is stopped by pid, also on failure.
set -euo pipefail

# Daemons, munged and dpkg's helpers live in sbin, which bazel's test PATH
# may leave out.
export PATH="${PATH}:/usr/local/sbin:/usr/sbin:/sbin"

readonly TIMEOUT_S=90  # per waited-for job; the smoke tier takes < 1 s

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# --- Locate the binary and the helper (runfiles under bazel, else the tree).
if [[ -n "${TEST_SRCDIR:-}" ]]; then
  root="${TEST_SRCDIR}/${TEST_WORKSPACE:-__main__}"
else
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fi
REPRO="${root}/src/cli/repro"
[[ -x "${REPRO}" ]] || REPRO="${root}/bazel-bin/src/cli/repro"
[[ -x "${REPRO}" ]] || fail "repro binary not found under ${root}"
REPRO=$(readlink -f "${REPRO}")
# shellcheck source=tests/slurm/slurm_cluster.sh
source "${root}/tests/slurm/slurm_cluster.sh"

[[ "$(id -u)" == 0 ]] || fail "needs root (starts slurmd)"

# --- Packages: tools/bootstrap installs them; a test installs nothing.
missing=()
for pkg in slurm-wlm munge; do
  dpkg -s "${pkg}" >/dev/null 2>&1 || missing+=("${pkg}")
done
((${#missing[@]} == 0)) ||
  fail "missing Debian packages ${missing[*]}: run tools/bootstrap first"

# Short path under /tmp: the munge socket path must fit in 108 bytes, which
# bazel's TEST_TMPDIR does not guarantee.
WORK=$(mktemp -d /tmp/repro-slurm.XXXXXX)
cleanup() {
  local rc=$?
  if ((rc != 0)); then
    slurm_cluster_logs
    for f in "${WORK}"/*_out/slurm/logs/*; do
      [[ -f "${f}" ]] && { echo "----- ${f}" >&2; cat "${f}" >&2; }
    done
  fi
  slurm_cluster_stop
  rm -rf "${WORK}"
  exit "${rc}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_s=${SECONDS}
readonly MAX_ARRAY_SIZE=3
export SLURM_CLUSTER_EXTRA_CONF="MaxArraySize=${MAX_ARRAY_SIZE}"
slurm_cluster_start "${WORK}/cluster" || fail "could not start the cluster"
echo "cluster up in $((SECONDS - start_s)) s (SLURM_CONF=${SLURM_CONF})" >&2

# "JobState=X" of a job (array jobs: one line per task).
job_states() {
  scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' |
    cut -d= -f2 || true
}

# Waits until job $1 completed; fails on any other end state or timeout.
wait_completed() {
  local id=$1 states
  for _ in $(seq 1 $((TIMEOUT_S * 5))); do
    states=$(job_states "${id}")
    case "${states}" in
      COMPLETED) return 0 ;;
      *FAILED* | *CANCELLED* | *TIMEOUT* | *NODE_FAIL* | *OUT_OF_MEMORY*)
        fail "job ${id} ended ${states}" ;;
    esac
    sleep 0.2
  done
  fail "job ${id} not COMPLETED after ${TIMEOUT_S} s (state: ${states:-unknown})"
}

# submit OUT: runs `repro submit`, sets ARRAY_IDS and ARRAY_SHARDS (one
# entry per array job, maybe none) and MERGE_ID from its output.
submit() {
  local out=$1 log
  log=$("${REPRO}" submit MA-survival --tier=smoke --engine=slurm --shards=4 \
    --time=00:05:00 --out="${out}") || fail "repro submit failed: ${log}"
  echo "${log}" >&2
  # "  array job 12: shards 0-2 (...)" or "  array job 13: shard 3 (...)"
  local array_line='^  array job \([0-9]*\): shards\{0,1\} \([0-9,-]*\).*'
  mapfile -t ARRAY_IDS < <(sed -n "s/${array_line}/\1/p" <<<"${log}")
  mapfile -t ARRAY_SHARDS < <(sed -n "s/${array_line}/\2/p" <<<"${log}")
  MERGE_ID=$(sed -n 's/^  merge job \([0-9]*\).*/\1/p' <<<"${log}")
  [[ -n "${MERGE_ID}" ]] || fail "no merge job id in the output of repro submit"
  SUBMIT_LOG=${log}
}

SLURM_OUT="${WORK}/slurm_out"
LOCAL_OUT="${WORK}/local_out"
RESULT=results/MA-survival.smoke.json
RUNS="${SLURM_OUT}/store/MA-survival/runs"

# --- 1. Everything through Slurm in two arrays, compared with one machine.
# The dry run prints the limit it read and the commands the real run uses.
dry=$("${REPRO}" submit MA-survival --tier=smoke --engine=slurm --shards=4 \
  --time=00:05:00 --out="${WORK}/dry_out" --dry_run) || fail "dry run failed: ${dry}"
grep -q "^Slurm limits: MaxArraySize=${MAX_ARRAY_SIZE}[,]* .*(scontrol show config)$" <<<"${dry}" ||
  fail "dry run did not read MaxArraySize from scontrol: ${dry}"
grep -q -- '--dependency=afterok:ARRAY_JOB_ID_0:ARRAY_JOB_ID_1 ' <<<"${dry}" ||
  fail "dry run: merge does not depend on both arrays: ${dry}"

submit "${SLURM_OUT}"
[[ "${ARRAY_SHARDS[*]:-}" == "0-2 3" && ${#ARRAY_IDS[@]} == 2 ]] ||
  fail "first submission: expected arrays over shards 0-2 and 3, got '${ARRAY_SHARDS[*]:-}'"
grep -q "^  merge job ${MERGE_ID} after ${ARRAY_IDS[0]},${ARRAY_IDS[1]} " <<<"${SUBMIT_LOG}" ||
  fail "merge job is not after both arrays"
grep -q '^#SBATCH --array=0$' "${SLURM_OUT}/slurm/MA-survival.smoke.array-1.sbatch" ||
  fail "second array does not run task 0 (shard 3 = base 3 + 0)"
wait_completed "${MERGE_ID}"
for id in "${ARRAY_IDS[@]}"; do
  [[ "$(job_states "${id}" | sort -u)" == COMPLETED ]] ||
    fail "array job ${id}: not every task COMPLETED"
done
[[ -f "${SLURM_OUT}/slurm/logs/MA-survival.smoke.shard-3+0.${ARRAY_IDS[1]}.out" ]] ||
  fail "no log named after shard 3 (base 3 + task 0)"
[[ -x "${SLURM_OUT}/bin/repro" ]] || fail "submit did not install ${SLURM_OUT}/bin/repro"
"${REPRO}" run MA-survival --tier=smoke --out="${LOCAL_OUT}" --quiet >/dev/null ||
  fail "repro run (local reference) failed"
cmp "${SLURM_OUT}/${RESULT}" "${LOCAL_OUT}/${RESULT}" ||
  fail "Slurm result (split arrays) differs from the single-machine result"
echo "pass: split arrays (MaxArraySize=${MAX_ARRAY_SIZE}); Slurm result == local result" >&2

# --- 2. Delete one run, resubmit: only its shard reruns.
# The plan lists run_keys one per line (run i belongs to shard i mod 4);
# sed + grep instead of jq keeps the test's dependencies to Slurm and munge.
mapfile -t keys < <(sed -n '/"run_keys"/,/\]/p' \
  "${SLURM_OUT}/plans/MA-survival.smoke.json" | grep -o '[0-9a-f]\{32,64\}')
((${#keys[@]} == 4)) || fail "expected 4 run keys in the plan, found ${#keys[@]}"
victim_index=2
victim_key=${keys[victim_index]}
victim_shard=$((victim_index % 4))
victim="${RUNS}/${victim_key}.run"
[[ -f "${victim}" ]] || fail "run file ${victim} missing after the first merge"
# Inode + nanosecond mtime of every other run file: a retrained run would be
# a new file (atomic rename), so both would change.
fingerprint() {
  local k
  for k in "${keys[@]}"; do
    [[ "${k}" == "${victim_key}" ]] || stat -c '%n %i %.9Y' "${RUNS}/${k}.run"
  done
}
before=$(fingerprint)
rm "${victim}"
status=$("${REPRO}" status MA-survival --tier=smoke --out="${SLURM_OUT}")
grep -q "3 done, 1 missing, 0 corrupt" <<<"${status}" ||
  fail "repro status after deleting one run: ${status}"
grep -q "shard ${victim_shard}: 1 missing" <<<"${status}" ||
  fail "repro status does not name shard ${victim_shard}: ${status}"

submit "${SLURM_OUT}"
[[ "${ARRAY_SHARDS[*]:-}" == "${victim_shard}" ]] ||
  fail "resubmission: expected an array over shard ${victim_shard} only, got '${ARRAY_SHARDS[*]:-}'"
grep -q "^#SBATCH --array=${victim_shard}\$" \
  "${SLURM_OUT}/slurm/MA-survival.smoke.array.sbatch" ||
  fail "array script does not cover exactly shard ${victim_shard}"
wait_completed "${MERGE_ID}"
[[ "$(job_states "${ARRAY_IDS[0]}")" == COMPLETED ]] ||
  fail "resubmitted array job ${ARRAY_IDS[0]}: expected one COMPLETED task"
[[ -f "${victim}" ]] || fail "the deleted run ${victim_key} was not retrained"
[[ "$(fingerprint)" == "${before}" ]] || fail "run files other than the deleted one changed"
cmp "${SLURM_OUT}/${RESULT}" "${LOCAL_OUT}/${RESULT}" ||
  fail "result after resubmission differs from the single-machine result"
echo "pass: resubmission retrained only shard ${victim_shard}; result identical" >&2

# --- 3. Nothing missing: only a merge is submitted.
submit "${SLURM_OUT}"
((${#ARRAY_IDS[@]} == 0)) || fail "nothing missing, yet array job ${ARRAY_IDS[*]} was submitted"
wait_completed "${MERGE_ID}"
cmp "${SLURM_OUT}/${RESULT}" "${LOCAL_OUT}/${RESULT}" ||
  fail "merge-only result differs"
echo "pass: complete store submits only the merge" >&2

# --- 4. Issue 20: any --out (space, quote, '$', '%'), and --set reaching
# run-shard and merge: the modified design's runs, analysed by the merge.
ODD_OUT="${WORK}/odd dir it's \$HOME 50%d_out"
ODD_LOCAL="${WORK}/odd_local_out"
log=$("${REPRO}" submit MA-survival --tier=smoke --engine=slurm --shards=4 \
  --time=00:05:00 --set seeds=3 --out="${ODD_OUT}") ||
  fail "repro submit with an odd --out and --set failed: ${log}"
echo "${log}" >&2
grep -q "6 to train" <<<"${log}" || fail "--set seeds=3: expected 6 runs to train: ${log}"
MERGE_ID=$(sed -n 's/^  merge job \([0-9]*\).*/\1/p' <<<"${log}")
[[ -n "${MERGE_ID}" ]] || fail "no merge job id in the output of repro submit"
wait_completed "${MERGE_ID}"
[[ -f "${ODD_OUT}/slurm/logs/MA-survival.smoke.merge.${MERGE_ID}.out" ]] ||
  fail "no merge log under the literal '%' directory: $(ls "${ODD_OUT}/slurm/logs")"
"${REPRO}" run MA-survival --tier=smoke --set seeds=3 --out="${ODD_LOCAL}" \
  --quiet >/dev/null || fail "repro run --set seeds=3 (local reference) failed"
cmp "${ODD_OUT}/${RESULT}" "${ODD_LOCAL}/${RESULT}" ||
  fail "Slurm result (odd --out, --set seeds=3) differs from the local one"
cmp -s "${ODD_OUT}/${RESULT}" "${LOCAL_OUT}/${RESULT}" &&
  fail "--set seeds=3 gave the unmodified design's result"
echo "pass: odd --out and --set through Slurm; result == local result" >&2

echo "PASS in $((SECONDS - start_s)) s" >&2
