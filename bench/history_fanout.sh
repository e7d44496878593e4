#!/bin/sh
# Fanout N=500 S=10 W=32 with history on and off, alternated, RUNS pairs (default 3),
# each on a fresh server and store: delivered lines/s, and lines per CPU-second of the
# whole server and of its loop (the store thread apart).  docs/performance.md, History.
# Usage: bench/history_fanout.sh [RUNS]   (from the source tree, after make build)
set -e
B=${BUILD:-build}
D=$(mktemp -d)
hz=$(getconf CLK_TCK)
trap 'rm -rf "$D"' EXIT
for i in $(seq 1 ${1:-3}); do
 for mode in on off; do
  rm -f $D/h.db*
  if [ $mode = on ]; then en=yes; else en=no; fi
  printf '[server]\nname = irc.localhost\n[limits]\nconnect_rate = 0\nmax_per_address = 0\nflood_burst = 0\nsendq = 16m\n[history]\nenabled = %s\n' $en > $D/c.conf
  taskset -c 0 $B/parleyd --listen 127.0.0.1:0 --config $D/c.conf --store $D/h.db --log-level info > $D/srv.log 2>&1 &
  pid=$!
  sleep 0.5
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' $D/srv.log | head -1)
  t0=$(awk '{print $14+$15}' /proc/$pid/stat)
  out=$(taskset -c 1 $B/parley-bench -t 127.0.0.1:$port -n 500 -s 10 -w 32 -d 3 fanout 2>&1 | grep delivered)
  t1=$(awk '{print $14+$15}' /proc/$pid/stat)
  st=0; for t in /proc/$pid/task/*; do if grep -q parleyd-store $t/comm; then st=$(awk '{print $14+$15}' $t/stat); fi; done
  kill $pid; wait $pid
  del=$(echo "$out" | sed -n 's/.*delivered \([0-9]*\) in.*/\1/p')
  echo "history=$mode $out cpu_ticks=$((t1-t0)) lines_per_cpu_s=$(echo "$del * $hz / ($t1 - $t0)" | bc) store_ticks=$st lines_per_loop_cpu_s=$(echo "$del * $hz / ($t1 - $t0 - $st)" | bc)"
 done
done
