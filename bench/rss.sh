#!/usr/bin/env bash
# Peak RSS under a steady PUT load: starts the Release server (embedded engine, durable), PUTs 1 KiB objects with
# bench/load/load.mjs (raw client, 32 in flight) for BENCH_SECONDS (default 600), and samples the server's resident set
# (VmRSS) and high-water mark (VmHWM) every BENCH_SAMPLE seconds (default 10). Prints one CSV line a sample
# (seconds,objects,rss_kib,hwm_kib), then the first, last and peak RSS. It measures memory, not speed, so it may run
# beside other work at a low priority:  nice -n 19 bench/rss.sh   (BENCH_DLL=path/coffer.dll: no build, run that copy)
set -euo pipefail
export NODE_NO_WARNINGS=1
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${BENCH_SECONDS:-600}"
sample="${BENCH_SAMPLE:-10}"
work="$(mktemp -d "${TMPDIR:-/tmp}/coffer-rss.XXXXXX")"
load_dir="$repo/bench/load"
pid="" loader=""
# Stops the load: no round starts after this, and the client of the round under way is ended.
stop_load() {
  if [[ -n "$loader" ]]; then touch "$work/stop"; pkill -P "$loader" 2>/dev/null || true; wait "$loader" 2>/dev/null || true; loader=""; fi
}
cleanup() {
  stop_load
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# BENCH_DLL runs a copy of a build made before (so a later build cannot replace the files under the running server).
coffer="${BENCH_DLL:-$repo/src/Coffer.Host/bin/Release/net10.0/coffer.dll}"
if [[ -z "${BENCH_DLL:-}" ]]; then dotnet build "$repo/src/Coffer.Host" -c Release -v q -nologo >/dev/null; fi
(cd "$load_dir" && npm ci --no-audit --no-fund --silent)
port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
endpoint="http://127.0.0.1:$port"; bucket=bench-1250000000; access=AKIDbench; secret=bench
COFFER_ROOT_APPID=1250000000 COFFER_ROOT_UIN=100000000001 COFFER_ROOT_SECRET_ID=$access COFFER_ROOT_SECRET_KEY=$secret \
  dotnet "$coffer" serve --data "$work/coffer" --listen "127.0.0.1:$port" --console off \
  >"$work/coffer.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
load() { node "$load_dir/load.mjs" --endpoints "$endpoint" --bucket "$bucket" --access "$access" --secret "$secret" "$@"; }
load --op bucket >/dev/null
echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); PUT 1 KiB for ${seconds} s, RSS every ${sample} s"

# The load: rounds of 10,000 PUTs under new prefixes, one after another, counted in a file.
: >"$work/rounds"
(
  round=0
  while [[ ! -e "$work/stop" ]]; do
    load --op put --size 1024 --count 10000 --concurrency 32 --prefix "r$round/" >>"$work/rounds"
    round=$((round + 1))
  done
) &
loader=$!

kib() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$pid/status"; }
echo "seconds,objects,rss_kib,hwm_kib"
start=$(date +%s)
first="" peak=0 last=0
while true; do
  now=$(( $(date +%s) - start ))
  rss=$(kib VmRSS); hwm=$(kib VmHWM)
  objects=$(( $(wc -l <"$work/rounds") * 10000 ))
  echo "$now,$objects,$rss,$hwm"
  first=${first:-$rss}; last=$rss; (( rss > peak )) && peak=$rss
  (( now >= seconds )) && break
  sleep "$sample"
done
stop_load
echo "# RSS first ${first} KiB, last ${last} KiB, peak ${peak} KiB (VmHWM $(kib VmHWM) KiB); $(( $(wc -l <"$work/rounds") * 10000 )) objects in whole rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
