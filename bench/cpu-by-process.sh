#!/usr/bin/env bash
# CPU used by each process over the next N seconds (default 5), from /proc: `bash
# bench/cpu-by-process.sh 5` while a bench runs shows how the machine's cores are shared between
# the server, the load client and the wallet. 100 % is one core; Linux only.
set -euo pipefail
seconds=${1:-5}
ticks=$(getconf CLK_TCK)
declare -A before
cpu_of() { local rest; rest=$(cut -d')' -f2- "/proc/$1/stat" 2>/dev/null) || return 1; set -- $rest; echo $(( ${12} + ${13} )); }
for dir in /proc/[0-9]*; do pid=${dir#/proc/}; before[$pid]=$(cpu_of "$pid") || true; done
sleep "$seconds"
for dir in /proc/[0-9]*; do
  pid=${dir#/proc/}
  now=$(cpu_of "$pid") || continue
  used=$(( now - ${before[$pid]:-$now} ))
  (( used * 100 >= ticks * seconds )) || continue   # under 1 % of a core
  echo "$(( used * 100 / (ticks * seconds) )) % $pid $(tr '\0' ' ' < "$dir/cmdline" | cut -c1-120)"
done | sort -rn | head -12
