#!/usr/bin/env bash
# Coffer beside s3rver (Node.js, plain files) and fauxqs (Node.js, in memory), one server at a time, the same load
# clients (bench/load/load.mjs) against each, in one run (figures in docs/performance.md):
#   PUT 1 KiB (raw client: Node's http, keep-alive SigV4; then @aws-sdk/client-s3), PUT 64 KiB, GET 1 KiB, HEAD,
#   LIST walks of the 1 KiB objects; PUT 1 KiB, PUT 64 KiB, GET 1 KiB and HEAD again with the wire client (node:net,
#   the signing key cached: about a third of the raw client's CPU a request, which on two shared cores otherwise
#   bounds the rate of every fast server), and PUT 1 KiB, PUT 64 KiB and GET 1 KiB again with wrk replaying the wire
#   client's requests, signed before the run (a native client: a fraction of the wire client's CPU again, its signing
#   not counted; its latencies wrk's, corrected for coordinated omission; installed from Debian's packages when
#   missing); PUT and GET of one large object (BENCH_LARGE_MIB, default 1024) with
#   Node's client, and again with curl as the client (the PUT uploads a file of random 1 MiB blocks written to the
#   work folder before the runs and read once, so it is in the page cache: a GiB of memory more; curl receives a
#   GiB for a fraction of the CPU Node's client spends, but sends one for more); beside `dd ... conv=fdatasync` (the
#   disk), `dd ... iflag=direct` reading it back (the disk a GET reads from) and a server that drops what it gets and
#   sends from memory (null-server.mjs: the loopback and client limit; its GETs twice, one block repeated, which stays
#   in the CPU's caches, and, as the `loopback-ram` rows, a GiB of distinct bytes, as a store's come from memory);
# each with objects/s, MB/s, p50/p99, the server's and the client's CPU time per request, and a table of the ratios
# to s3rver. About 6-8 minutes on the 2-core machine (7 at 08:56 and 09:02 UTC, 2026-12-06, the Release build
# included), most of it the warm-ups, s3rver's runs and the large objects.
# Coffer runs from a Release build with the embedded (SQLite) engine, durable (synchronous=FULL, fsync per commit).
#   bench/compare.sh            (BENCH_COUNT=10000 requests per run, BENCH_CONCURRENCY=32 in flight, BENCH_WARMUP=5000)
# Only the large object, A/B: BENCH_PHASES=large runs just the large PUT and GET (no fauxqs, no warm-up), each
# BENCH_LARGE_RUNS times (default 1), with `dd` and the loopback limit measured between the servers' runs rather than
# once at the end; BENCH_COFFER="main=/tmp/main/coffer.dll branch=src/.../coffer.dll" measures prebuilt builds of
# Coffer one after another in the same run instead of building this checkout.
# The large object is also uploaded as clients upload it, in parts (a row beside the single-part PUTs, not a
# replacement: the issue's "PUT 1 GiB" is both): CreateMultipartUpload, UploadPart with parts in parallel, Complete.
# BENCH_MULTIPART lists the shapes, PART_MIBxIN_FLIGHT (default "8x10", awscli's defaults; e.g. "8x10 16x10 64x10 8x4";
# empty for none). They run after every run of the single-part rows, so those run exactly as they did before the
# multipart rows were added, BENCH_LARGE_RUNS times over, and the shapes' order rotates from one run to the next.
# BENCH_AWSCLI=1 adds `aws s3 cp` of the curl file (/usr/bin/aws, its defaults, path style) against every server but
# the loopback, as a real client's cross-check. BENCH_PHASES=large BENCH_LARGE_RUNS=3 with those four shapes and
# awscli took 11 minutes with the build (2026-12-06, 20:53-21:04 UTC).
set -euo pipefail
# The AWS SDK warns on every start that it will need a newer Node.js one day.
export NODE_NO_WARNINGS=1
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${BENCH_COUNT:-10000}"
concurrency="${BENCH_CONCURRENCY:-32}"
large_mib="${BENCH_LARGE_MIB:-1024}"
large=$((large_mib << 20))
phases="${BENCH_PHASES:-all}"
bucket=bench-1250000000
large_runs="${BENCH_LARGE_RUNS:-1}"
multipart="${BENCH_MULTIPART-8x10}"
for shape in $multipart; do
  [[ "$shape" =~ ^[0-9]+x[0-9]+$ ]] || { echo "BENCH_MULTIPART: '$shape' is not PART_MIBxIN_FLIGHT" >&2; exit 2; }
done
source "$repo/bench/lib/work.sh"
start_work compare
need_wrk
results="$work/results.jsonl"
load_dir="$repo/bench/load"

if [[ -z "${BENCH_COFFER:-}" ]]; then
  echo "# building (Release)"
  dotnet build "$repo/src/Coffer.Host" -c Release -v q -nologo >/dev/null
  coffers="coffer=$repo/src/Coffer.Host/bin/Release/net10.0/coffer.dll"
else
  coffers="$BENCH_COFFER"
fi
echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run; node $(node --version)"

stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

# run SERVER NAME ARGS...: one load.mjs run against the current server, kept in results.jsonl with its server and name.
run() {
  local server=$1 name=$2; shift 2
  local line
  line="$(node "$load_dir/load.mjs" --endpoints "$endpoint" --bucket "$bucket" --access "$access" --secret "$secret" --region "$region" \
    --pids "$pid" --concurrency "$concurrency" "$@")"
  jq -c --arg server "$server" --arg name "$name" '{server: $server, name: $name} + .' <<<"$line" | tee -a "$results"
}

# large SERVER: the large PUT and GET against the server now listening, BENCH_LARGE_RUNS times each. curl's PUT comes
# after the GETs (it replaces the object), so the GETs read what Node's PUT wrote, as before curl's PUT was measured.
# The multipart uploads (one row per shape of BENCH_MULTIPART) come after all of those runs, to a key of their own,
# so the rows before them run as they did before those were measured; the shapes' order rotates with each run, so no
# shape always follows the same upload; awscli's upload (BENCH_AWSCLI=1) after each round, to a third key.
large() {
  local server=$1 shape round first
  local -a shapes
  read -ra shapes <<<"$multipart"
  for _ in $(seq 1 "$large_runs"); do
    run "$server" "PUT ${large_mib} MiB" --op put --size "$large" --count 1 --concurrency 1 --prefix large/
    run "$server" "GET ${large_mib} MiB" --op get --size "$large" --count 1 --concurrency 1 --prefix large/
    run "$server" "GET ${large_mib} MiB (curl)" --op get --size "$large" --count 1 --concurrency 1 --prefix large/ --client curl
    run "$server" "PUT ${large_mib} MiB (curl)" --op put --size "$large" --count 1 --concurrency 1 --prefix large/ --client curl --file "$large_file"
  done
  for round in $(seq 1 "$large_runs"); do
    first=$(( (round - 1) % (${#shapes[@]} > 0 ? ${#shapes[@]} : 1) ))
    for shape in "${shapes[@]:first}" "${shapes[@]:0:first}"; do
      run "$server" "PUT ${large_mib} MiB (${shape%x*} MiB parts, ${shape#*x} in flight)" --op multipart --size "$large" --count 1 --concurrency 1 \
        --prefix multipart/ --part-size $((${shape%x*} << 20)) --parts-in-flight "${shape#*x}"
    done
    if [[ "${BENCH_AWSCLI:-0}" == 1 && "$server" != loopback ]]; then
      run "$server" "PUT ${large_mib} MiB (aws s3 cp)" --op put --size "$large" --count 1 --concurrency 1 --prefix awscli/ --client awscli --file "$large_file"
    fi
  done
}

# The body curl uploads: one random MiB repeated, read once so that the PUT reads it from the page cache, not the disk.
large_file="$work/large.bin"
head -c $((1 << 20)) /dev/urandom >"$work/block"
for _ in $(seq 1 "$large_mib"); do cat "$work/block"; done >"$large_file"
rm "$work/block"
# Flushed before the runs, so that its write-back does not land in the first server's fsyncs.
sync "$large_file"
cat "$large_file" >/dev/null

# null_server [ram]: starts null-server.mjs on a free port as the current server (its keys are never checked).
null_server() {
  port="$(free_port)"; endpoint="http://127.0.0.1:$port"; access=null; secret=null; region=us-east-1
  node "$load_dir/null-server.mjs" "$port" "$large" "$@" >/dev/null &
  pid=$!
  wait_for_port "$port"
}

# limits: `dd` to the disk with fdatasync, and the same client against null-server.mjs (the loopback limit).
limits() {
  echo "dd to disk, fdatasync: $(dd if=/dev/zero of="$work/dd" bs=1M count="$large_mib" conv=fdatasync 2>&1 | tail -1)"
  # The disk read back around the page cache: a large object's GET reads its blob from the disk, as large bodies are
  # written with O_DIRECT and leave nothing cached, so the GET's limit is the lower of this and the loopback.
  echo "dd from disk, O_DIRECT: $(dd if="$work/dd" of=/dev/null bs=1M iflag=direct 2>&1 | tail -1)"
  rm -f "$work/dd"
  null_server
  large loopback
  stop
  # The GETs again from BENCH_LARGE_MIB distinct bytes in memory (null-server.mjs ram, at most a GiB of them), not one
  # block the CPU's caches keep: the limit of a GET whose bytes, like a store's, come from memory, where the disk put them.
  null_server ram
  for _ in $(seq 1 "$large_runs"); do
    run loopback-ram "GET ${large_mib} MiB" --op get --size "$large" --count 1 --concurrency 1 --prefix large/
    run loopback-ram "GET ${large_mib} MiB (curl)" --op get --size "$large" --count 1 --concurrency 1 --prefix large/ --client curl
  done
  stop
}

# suite SERVER [small]: every run against the server now listening (small: without the large object).
suite() {
  local server=$1 only=${2:-}
  if [[ "$phases" == large ]]; then
    node "$load_dir/load.mjs" --endpoints "$endpoint" --bucket "$bucket" --access "$access" --secret "$secret" --region "$region" --op bucket >/dev/null
    if [[ "$only" != small ]]; then large "$server"; fi
    return
  fi
  node "$load_dir/load.mjs" --endpoints "$endpoint" --bucket "$bucket" --access "$access" --secret "$secret" --region "$region" --op bucket >/dev/null
  # Warm-up, not recorded: Coffer's JIT compiles its request path on the first few hundred requests and recompiles the
  # hot part (tier 1) over the next thousands; after 2,000 the first measured PUT run
  # looked as if it still paid for that.
  for op in put get; do
    node "$load_dir/load.mjs" --endpoints "$endpoint" --bucket "$bucket" --access "$access" --secret "$secret" --region "$region" \
      --op "$op" --count "${BENCH_WARMUP:-5000}" --concurrency "$concurrency" --prefix warm/ >/dev/null
  done
  run "$server" "PUT 1 KiB" --op put --size 1024 --count "$count" --prefix small/
  run "$server" "PUT 1 KiB (aws-sdk)" --op put --size 1024 --count "$count" --prefix sdk/ --client sdk
  run "$server" "PUT 64 KiB" --op put --size 65536 --count "$count" --prefix medium/
  run "$server" "GET 1 KiB" --op get --size 1024 --count "$count" --prefix small/
  run "$server" "HEAD" --op head --count "$count" --prefix small/
  run "$server" "LIST walk" --op list --count 20 --concurrency 4 --prefix small/
  run "$server" "PUT 1 KiB (wire)" --op put --size 1024 --count "$count" --prefix wire/ --client wire
  run "$server" "PUT 64 KiB (wire)" --op put --size 65536 --count "$count" --prefix wire-medium/ --client wire
  run "$server" "GET 1 KiB (wire)" --op get --size 1024 --count "$count" --prefix wire/ --client wire
  run "$server" "HEAD (wire)" --op head --count "$count" --prefix wire/ --client wire
  run "$server" "PUT 1 KiB (wrk)" --op put --size 1024 --count "$count" --prefix wrk/ --client wrk
  run "$server" "PUT 64 KiB (wrk)" --op put --size 65536 --count "$count" --prefix wrk-medium/ --client wrk
  run "$server" "GET 1 KiB (wrk)" --op get --size 1024 --count "$count" --prefix wrk/ --client wrk
  if [[ "$only" != small ]]; then large "$server"; fi
}

if [[ "$phases" == large ]]; then limits; fi
for build in $coffers; do
  name="${build%%=*}"; coffer="${build#*=}"
  # Returns once the inventory of each format the server compiles and runs in the background at start (InventoryWarmUp)
  # has ended: measuring while it runs would count its CPU against the requests.
  start_coffer "$coffer"
  endpoint="http://127.0.0.1:$port"; bucket=bench-1250000000; access=AKIDbench; secret=bench; region=ap-guangzhou
  # A prebuilt build (BENCH_COFFER) is named by its path only: this checkout's commit need not be the one it was built from.
  if [[ -n "${BENCH_COFFER:-}" ]]; then echo "## $name ($coffer), pid $pid"; else echo "## $name ($coffer, $(git -C "$repo" rev-parse --short HEAD)), pid $pid"; fi
  suite "$name"
  stop
  echo "$name data folder after the runs: $(du -sh "$work/data" | cut -f1)"
  if [[ "$phases" == large ]]; then limits; fi
done

port="$(free_port)"; endpoint="http://127.0.0.1:$port"; access=S3RVER; secret=S3RVER; region=us-east-1
node "$load_dir/node_modules/s3rver/bin/s3rver.js" -d "$work/s3rver" -a 127.0.0.1 -p "$port" --silent >"$work/s3rver.log" 2>&1 &
pid=$!
wait_for_port "$port"
echo "## s3rver $(node -p "require('$load_dir/node_modules/s3rver/package.json').version"), pid $pid"
suite s3rver
stop

if [[ "$phases" == large ]]; then limits; fi

if [[ "$phases" != large ]]; then
port="$(free_port)"; endpoint="http://127.0.0.1:$port"; access=test; secret=test; region=us-east-1
FAUXQS_PORT=$port node "$load_dir/node_modules/fauxqs/dist/cli.js" >"$work/fauxqs.log" 2>&1 &
pid=$!
wait_for_port "$port"
echo "## fauxqs $(node -p "require('$load_dir/node_modules/fauxqs/package.json').version") (in memory; it refuses bodies of many MiB, so no large object), pid $pid"
suite fauxqs small
stop

echo "## limits of this machine for ${large_mib} MiB"
limits
fi
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) after the run"
echo
node "$load_dir/report.mjs" "$results"
