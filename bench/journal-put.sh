#!/usr/bin/env bash
# What the change journal costs a PUT: 1 KiB PUTs (bench/load/load.mjs, raw keep-alive SigV4, 32 in flight) against a
# Release build of this tree and one of BASE (by default the commit before the journal was merged: the same server
# without the journal, the outbox or their work in a PUT's transaction), both on the embedded SQLite engine, durable.
# After a warm-up, ROUNDS rounds alternate the two servers (BASE, then this tree, each on a fresh prefix) so that the
# other engineers' load on the machine falls on both alike; prints every round and the medians of objects/s and of the
# server's CPU time per PUT, with the ratio this tree / BASE.
#   bench/journal-put.sh [ROUNDS=5] [COUNT=5000] [BASE]
set -euo pipefail
export NODE_NO_WARNINGS=1
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-5}" count="${2:-5000}"
base="${3:-$(git -C "$repo" log --format=%H -1 --grep '^Merge issue 16' | xargs -I{} git -C "$repo" rev-parse '{}^1')}"
work="$(mktemp -d "${TMPDIR:-/tmp}/coffer-journal-put.XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
load_dir="$repo/bench/load"
(cd "$load_dir" && npm ci --no-audit --no-fund --silent)

echo "# building this tree ($(git -C "$repo" rev-parse --short HEAD)) and BASE ($(git -C "$repo" rev-parse --short "$base")), Release" >&2
mkdir -p "$work/base"
git -C "$repo" archive "$base" | tar -x -C "$work/base"
dotnet build "$repo/src/Coffer.Host" -c Release -v q -nologo >/dev/null
dotnet build "$work/base/src/Coffer.Host" -c Release -v q -nologo >/dev/null

source "$repo/bench/lib/ports.sh"
access=AKIDbench secret=bench bucket=bench-1250000000
declare -A endpoint pid
for side in base head; do
  dll="$repo/src/Coffer.Host/bin/Release/net10.0/coffer.dll"
  if [[ $side == base ]]; then dll="$work/base/src/Coffer.Host/bin/Release/net10.0/coffer.dll"; fi
  port="$(free_port)"
  COFFER_ROOT_APPID=1250000000 COFFER_ROOT_UIN=100000000001 COFFER_ROOT_SECRET_ID=$access COFFER_ROOT_SECRET_KEY=$secret \
    dotnet "$dll" serve --data "$work/$side" --listen "127.0.0.1:$port" --console off >"$work/$side.log" 2>&1 &
  pid[$side]=$!
  pids+=("$!")
  endpoint[$side]="http://127.0.0.1:$port"
  wait_for_port "$port"
  load() { node "$load_dir/load.mjs" --endpoints "${endpoint[$side]}" --bucket "$bucket" --access "$access" --secret "$secret" "$@"; }
  load --op bucket >/dev/null
  load --op put --size 1024 --count 3000 --concurrency 32 --prefix warm/ >/dev/null
done

echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the rounds" >&2
results="$work/results.jsonl"
for round in $(seq 1 "$rounds"); do
  for side in base head; do
    node "$load_dir/load.mjs" --endpoints "${endpoint[$side]}" --bucket "$bucket" --access "$access" --secret "$secret" \
      --op put --size 1024 --count "$count" --concurrency 32 --prefix "r$round/" --pids "${pid[$side]}" \
      | jq -c --arg side "$side" --argjson round "$round" '{side: $side, round: $round} + .' | tee -a "$results" >&2
  done
done
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) after the rounds" >&2
jq -s -c '
  def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  group_by(.side) | map({key: .[0].side, value: {objectsPerSecond: (map(.perSecond) | median),
    cpuMicrosPerPut: (map(.serverCpuMicrosPerRequest) | median), p50: (map(.p50Ms) | median), p99: (map(.p99Ms) | median)}}) | from_entries
  | . + {throughputRatio: (.head.objectsPerSecond / .base.objectsPerSecond), cpuRatio: (.head.cpuMicrosPerPut / .base.cpuMicrosPerPut)}' "$results"
