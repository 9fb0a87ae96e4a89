#!/usr/bin/env bash
# Starts (or stops) a one-node Slurm cluster on this machine, for trying the job scripts and for the
# integration test (tests/slurm.rs). Needs root and Debian's slurm-wlm and munge (.ci/run installs them).
#
#   examples/slurm/local-cluster.sh start DIR   # writes DIR/slurm.conf, starts munged, slurmctld, slurmd
#   export SLURM_CONF=DIR/slurm.conf            # then sbatch, squeue, sinfo use it
#   examples/slurm/local-cluster.sh stop DIR
#
# The daemons are started directly (no systemd), with proctrack/linuxproc and task/none so that no
# cgroup set-up is needed, and on their own ports so that they do not meet a real cluster's.
set -euo pipefail
action=${1:?start or stop}
dir=$(realpath -m "${2:?directory for the configuration and state}")
node=$(hostname -s)

case "$action" in
start)
  mkdir -p "$dir/state" "$dir/spool" /run/munge
  chown munge:munge /run/munge
  if ! pgrep -x munged >/dev/null; then
    [ -s /etc/munge/munge.key ] || { mungekey --create --keyfile /etc/munge/munge.key 2>/dev/null || \
      dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; }
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
    runuser -u munge -- /usr/sbin/munged
  fi
  cpus=$(nproc)
  cat > "$dir/slurm.conf" <<CONF
ClusterName=hazflow-local
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$node CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$dir/slurm.conf"
  /usr/sbin/slurmctld -f "$SLURM_CONF"
  /usr/sbin/slurmd -f "$SLURM_CONF"
  for _ in $(seq 1 60); do
    if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "Slurm is up: export SLURM_CONF=$SLURM_CONF"
      exit 0
    fi
    sleep 1
  done
  echo "Slurm did not come up; see $dir/slurmctld.log and $dir/slurmd.log" >&2
  exit 1
  ;;
stop)
  pids=()
  for daemon in slurmd slurmctld; do
    if [ -s "$dir/$daemon.pid" ]; then pids+=("$(cat "$dir/$daemon.pid")"); fi
  done
  # Also daemons whose pid files are gone (their directory deleted under them).
  pids+=($(pgrep -f -- "-f $dir/slurm.conf" || true))
  if [ ${#pids[@]} -gt 0 ]; then
    kill "${pids[@]}" 2>/dev/null || true
    # Wait until they are gone, so that the caller may delete the directory they write into.
    for _ in $(seq 1 50); do
      alive=0
      for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then alive=1; fi
      done
      [ "$alive" -eq 0 ] && break
      sleep 0.2
    done
  fi
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
