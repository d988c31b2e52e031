# A throwaway one-node Slurm cluster on 127.0.0.1, for tests. Source it:
#
#   source slurm_cluster.sh
#   trap slurm_cluster_stop EXIT       # the caller owns the trap
#   slurm_cluster_start "$DIR"         # exports SLURM_CONF
#   ... sbatch / squeue / scontrol ...
#   slurm_cluster_stop
#
# Everything (munge key and socket, slurm.conf, state, spool, logs, pid files)
# lives under DIR, so nothing touches /etc/slurm, /run/munge or a cluster the
# machine may already run. Each daemon is stopped by the pid in its own pid
# file, never by name: other people's daemons may run on this machine. Needs
# root (slurmd runs jobs as the submitting user) and the packages slurm-wlm and
# munge. See /work/shared/SLURM_NOTES.md for what this was derived from.

SLURM_CLUSTER_DIR=""

_slurm_log() { echo "slurm_cluster: $*" >&2; }

# A TCP port nobody listens on, from a range away from Slurm's defaults
# (6817/6818) so a real cluster on this machine is never disturbed.
_slurm_free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 20000))
    if ! ss -Hltn "sport = :${port}" 2>/dev/null | grep -q .; then
      echo "${port}"
      return 0
    fi
  done
  _slurm_log "no free TCP port found in 20000-39999"
  return 1
}

# Waits up to $2 seconds for pid file $1 to name a live process.
_slurm_wait_pidfile() {
  local file=$1 timeout=$2 pid
  for _ in $(seq 1 $((timeout * 10))); do
    if [[ -s "${file}" ]]; then
      pid=$(<"${file}")
      if [[ "${pid}" =~ ^[0-9]+$ ]] && kill -0 "${pid}" 2>/dev/null; then
        return 0
      fi
    fi
    sleep 0.1
  done
  _slurm_log "no live process in ${file} after ${timeout} s"
  return 1
}

# slurm_cluster_start DIR: munged, slurmctld and slurmd with their state under
# DIR (an empty or new directory; keep it short: the munge socket path must fit
# in 108 bytes). Returns when sinfo shows the node idle. Lines in
# SLURM_CLUSTER_EXTRA_CONF (e.g. "MaxArraySize=3") are appended to slurm.conf.
slurm_cluster_start() {
  local dir=$1
  if [[ -z "${dir}" ]]; then
    _slurm_log "slurm_cluster_start: expected a directory argument"
    return 2
  fi
  mkdir -p "${dir}"/{munge,state,spool,log,run}
  SLURM_CLUSTER_DIR=$(cd "${dir}" && pwd)
  dir=${SLURM_CLUSTER_DIR}
  local host cpus mem_mb ctld_port slurmd_port
  host=$(hostname -s)
  cpus=$(nproc)
  # Memory is not a consumable resource here (CR_Core); half of it keeps the
  # node valid even if slurmd sees a little less than /proc/meminfo says.
  mem_mb=$(awk '/^MemTotal:/ { print int($2 / 2048) }' /proc/meminfo)
  ctld_port=$(_slurm_free_port)
  slurmd_port=$(_slurm_free_port)

  # Munge with a private key and socket: the package's key and a system
  # munged, if any, stay untouched.
  dd if=/dev/urandom of="${dir}/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "${dir}/munge/munge.key"
  chmod 700 "${dir}/munge"
  # --force: as root munged refuses files it does not like the owner of.
  munged --force --socket="${dir}/munge/socket" \
    --key-file="${dir}/munge/munge.key" \
    --pid-file="${dir}/run/munged.pid" \
    --seed-file="${dir}/munge/seed" \
    --log-file="${dir}/log/munged.log" 2>>"${dir}/log/munged.stderr" || {
    _slurm_log "munged failed to start; see ${dir}/log/munged.*"
    return 1
  }
  _slurm_wait_pidfile "${dir}/run/munged.pid" 10 || return 1
  if ! echo x | munge --socket="${dir}/munge/socket" |
      unmunge --socket="${dir}/munge/socket" | grep -q 'STATUS: *Success'; then
    _slurm_log "munge round trip failed (munge | unmunge); see ${dir}/log/munged.log"
    return 1
  fi

  cat >"${dir}/slurm.conf" <<EOF
# Written by tests/slurm/slurm_cluster.sh; removed with ${dir}.
ClusterName=initrepro-test
SlurmctldHost=${host}(127.0.0.1)
SlurmctldPort=${ctld_port}
SlurmdPort=${slurmd_port}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${dir}/munge/socket
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
StateSaveLocation=${dir}/state
SlurmdSpoolDir=${dir}/spool
SlurmctldPidFile=${dir}/run/slurmctld.pid
SlurmdPidFile=${dir}/run/slurmd.pid
SlurmctldLogFile=${dir}/log/slurmctld.log
SlurmdLogFile=${dir}/log/slurmd.log
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
# Finished jobs stay visible to scontrol for this long (tests poll them).
MinJobAge=600
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem_mb} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
${SLURM_CLUSTER_EXTRA_CONF:-}
EOF
  export SLURM_CONF="${dir}/slurm.conf"

  slurmctld -f "${SLURM_CONF}" || {
    _slurm_log "slurmctld failed to start; see ${dir}/log/slurmctld.log"
    return 1
  }
  _slurm_wait_pidfile "${dir}/run/slurmctld.pid" 15 || return 1
  slurmd -f "${SLURM_CONF}" || {
    _slurm_log "slurmd failed to start; see ${dir}/log/slurmd.log"
    return 1
  }
  _slurm_wait_pidfile "${dir}/run/slurmd.pid" 15 || return 1

  local state=""
  for _ in $(seq 1 300); do
    state=$(sinfo -h -N -n "${host}" -o '%t' 2>/dev/null || true)
    [[ "${state}" == "idle" ]] && return 0
    sleep 0.1
  done
  _slurm_log "node ${host} is '${state}', not idle, after 30 s; see ${dir}/log/"
  return 1
}

# slurm_cluster_stop: stops slurmd, slurmctld and munged of the cluster
# started above by the pids in their pid files (TERM, then KILL after 10 s).
# Safe to call twice, or when start failed halfway.
slurm_cluster_stop() {
  [[ -n "${SLURM_CLUSTER_DIR}" ]] || return 0
  local name file pid
  for name in slurmd slurmctld munged; do
    file="${SLURM_CLUSTER_DIR}/run/${name}.pid"
    [[ -s "${file}" ]] || continue
    pid=$(<"${file}")
    [[ "${pid}" =~ ^[0-9]+$ ]] || continue
    if kill -0 "${pid}" 2>/dev/null; then
      kill -TERM "${pid}" 2>/dev/null || true
      for _ in $(seq 1 100); do
        kill -0 "${pid}" 2>/dev/null || break
        sleep 0.1
      done
      if kill -0 "${pid}" 2>/dev/null; then
        _slurm_log "${name} (pid ${pid}) ignored TERM for 10 s; sending KILL"
        kill -KILL "${pid}" 2>/dev/null || true
      fi
    fi
    rm -f "${file}"
  done
  return 0
}

# slurm_cluster_logs: the tail of every daemon log, for a failing test.
slurm_cluster_logs() {
  [[ -n "${SLURM_CLUSTER_DIR}" ]] || return 0
  local f
  for f in "${SLURM_CLUSTER_DIR}"/log/*; do
    [[ -f "${f}" ]] || continue
    echo "----- ${f} (last 30 lines)" >&2
    tail -n 30 "${f}" >&2
  done
}
