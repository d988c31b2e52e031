#!/bin/bash
# End-to-end test of `repro submit --engine=slurm` on a one-node Slurm
# cluster started here (as root; slurm-wlm and munge come from
# tools/bootstrap, the test installs nothing):
#   1. submit MA-survival smoke in 4 shards, wait for the merge job; the
#      result must be byte-identical to `repro run` on one machine;
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

# submit OUT: runs `repro submit`, sets ARRAY_ID (maybe empty), ARRAY_SHARDS,
# MERGE_ID from its output.
submit() {
  local out=$1 log
  log=$("${REPRO}" submit MA-survival --tier=smoke --engine=slurm --shards=4 \
    --time=00:05:00 --out="${out}") || fail "repro submit failed: ${log}"
  echo "${log}" >&2
  # "  array job 12: shards 0-3 (...)" or "  array job 12: shard 2 (...)"
  local array_line='^  array job \([0-9]*\): shards\{0,1\} \([0-9,-]*\).*'
  ARRAY_ID=$(sed -n "s/${array_line}/\1/p" <<<"${log}")
  ARRAY_SHARDS=$(sed -n "s/${array_line}/\2/p" <<<"${log}")
  MERGE_ID=$(sed -n 's/^  merge job \([0-9]*\).*/\1/p' <<<"${log}")
  [[ -n "${MERGE_ID}" ]] || fail "no merge job id in the output of repro submit"
}

SLURM_OUT="${WORK}/slurm_out"
LOCAL_OUT="${WORK}/local_out"
RESULT=results/MA-survival.smoke.json
RUNS="${SLURM_OUT}/store/MA-survival/runs"

# --- 1. Everything through Slurm, compared with one machine.
submit "${SLURM_OUT}"
[[ -n "${ARRAY_ID}" && "${ARRAY_SHARDS}" == "0-3" ]] ||
  fail "first submission: expected an array job over shards 0-3, got '${ARRAY_SHARDS}'"
wait_completed "${MERGE_ID}"
[[ "$(job_states "${ARRAY_ID}" | sort -u)" == COMPLETED ]] ||
  fail "array job ${ARRAY_ID}: not every task COMPLETED"
[[ -x "${SLURM_OUT}/bin/repro" ]] || fail "submit did not install ${SLURM_OUT}/bin/repro"
"${REPRO}" run MA-survival --tier=smoke --out="${LOCAL_OUT}" --quiet >/dev/null ||
  fail "repro run (local reference) failed"
cmp "${SLURM_OUT}/${RESULT}" "${LOCAL_OUT}/${RESULT}" ||
  fail "Slurm result differs from the single-machine result"
echo "pass: Slurm result == local result" >&2

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
[[ "${ARRAY_SHARDS}" == "${victim_shard}" ]] ||
  fail "resubmission: expected an array over shard ${victim_shard} only, got '${ARRAY_SHARDS}'"
grep -q "^#SBATCH --array=${victim_shard}\$" \
  "${SLURM_OUT}/slurm/MA-survival.smoke.array.sbatch" ||
  fail "array script does not cover exactly shard ${victim_shard}"
wait_completed "${MERGE_ID}"
[[ "$(job_states "${ARRAY_ID}")" == COMPLETED ]] ||
  fail "resubmitted array job ${ARRAY_ID}: expected one COMPLETED task"
[[ -f "${victim}" ]] || fail "the deleted run ${victim_key} was not retrained"
[[ "$(fingerprint)" == "${before}" ]] || fail "run files other than the deleted one changed"
cmp "${SLURM_OUT}/${RESULT}" "${LOCAL_OUT}/${RESULT}" ||
  fail "result after resubmission differs from the single-machine result"
echo "pass: resubmission retrained only shard ${victim_shard}; result identical" >&2

# --- 3. Nothing missing: only a merge is submitted.
submit "${SLURM_OUT}"
[[ -z "${ARRAY_ID}" ]] || fail "nothing missing, yet array job ${ARRAY_ID} was submitted"
wait_completed "${MERGE_ID}"
cmp "${SLURM_OUT}/${RESULT}" "${LOCAL_OUT}/${RESULT}" ||
  fail "merge-only result differs"
echo "pass: complete store submits only the merge" >&2

echo "PASS in $((SECONDS - start_s)) s" >&2
