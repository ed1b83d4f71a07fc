#!/usr/bin/env bash
# Notification delivery throughput: COUNT ObjectCreated events queued in the outbox of a fresh data folder
# (`Coffer.Benchmarks notify-seed`, the bodies a PUT queues), then a Release `coffer serve` on it delivers them to a
# local webhook (bench/load/webhook.mjs, answering 200 at once); the webhook times the first POST to the COUNT-th
# distinct event. Prints one JSON line: events/s, repeats, and the server's CPU time per event over the run.
#   bench/notify.sh [COUNT]        (default 100000; COFFER_METADATA=postgres://... for a PostgreSQL metadata database;
#                                   extra server configuration in BENCH_NOTIFY_SETTINGS, e.g. '"parallelism": 128')
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${1:-100000}"
work="$(mktemp -d "${TMPDIR:-/tmp}/coffer-notify.XXXXXX")"
server="" webhook=""
cleanup() {
  for p in $server $webhook; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build "$repo/src/Coffer.Host" -c Release -v q -nologo >/dev/null
dotnet build "$repo/bench/Coffer.Benchmarks" -c Release -v q -nologo >/dev/null
coffer="$repo/src/Coffer.Host/bin/Release/net10.0/coffer.dll"
bench="$repo/bench/Coffer.Benchmarks/bin/Release/net10.0/Coffer.Benchmarks.dll"
echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run; metadata ${COFFER_METADATA:-embedded SQLite}" >&2

# wait_line FILE PID: the address in FILE's first "listening on" line, once PID printed it.
wait_line() {
  for _ in $(seq 1 600); do
    if line="$(grep -m1 -o 'listening on http://[^ ]*' "$1" 2>/dev/null)"; then echo "${line#listening on }"; return 0; fi
    kill -0 "$2" 2>/dev/null || { cat "$1" >&2; return 1; }
    sleep 0.1
  done
  return 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

node "$repo/bench/load/webhook.mjs" 0 "$count" >"$work/webhook.out" &
webhook=$!
endpoint="$(wait_line "$work/webhook.out" "$webhook")"
dotnet "$bench" notify-seed "$work/data" "$count" bench >&2

cat >"$work/coffer.json" <<JSON
{ "accounts": [ { "appId": "1250000000", "uin": "100000000001", "secretId": "AKIDbench", "secretKey": "bench", "name": "bench" } ],
  "notifications": { "targets": [ { "id": "bench", "endpoint": "${endpoint%/}/events", "queueLimit": $((count * 2)) } ]
    ${BENCH_NOTIFY_SETTINGS:+, $BENCH_NOTIFY_SETTINGS} } }
JSON
metadata=()
if [[ -n ${COFFER_METADATA:-} ]]; then metadata=(--metadata "$COFFER_METADATA"); fi
dotnet "$coffer" serve --data "$work/data" "${metadata[@]}" --config "$work/coffer.json" --listen 127.0.0.1:0 --console off \
  >"$work/server.log" 2>&1 </dev/null &
server=$!
start_ticks="$(cpu_ticks "$server")"
wait "$webhook" || { tail -20 "$work/server.log" >&2; exit 1; }
webhook=""
ticks=$(( $(cpu_ticks "$server") - start_ticks ))
hz="$(getconf CLK_TCK)"
# The server's CPU includes its start-up (about a second of JIT), so it is an upper bound per event.
tail -1 "$work/webhook.out" | jq -c --argjson ticks "$ticks" --argjson hz "$hz" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
  '. + {serverCpuSeconds: ($ticks / $hz), serverCpuMicrosPerEvent: (($ticks / $hz) * 1e6 / .events | round), loadAfter: $load}'
