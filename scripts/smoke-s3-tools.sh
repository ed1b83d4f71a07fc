#!/usr/bin/env bash
# Smoke test: drives a real coffer server with three everyday S3 command-line tools from Debian
# (awscli v2 as /usr/bin/aws, s3cmd, rclone). For each tool: create a bucket, sync a tree of awkward
# files up (a 20 MB file forces multipart), list it, sync it down into a fresh folder, `diff -r` the two,
# check one object's ETag / metadata through the tool, delete everything and remove the bucket.
#
#   scripts/smoke-s3-tools.sh [PATH/TO/coffer.dll]      (or COFFER_DLL=...; default: the Debug build)
#
# Prints one PASS/FAIL line per tool and exits non-zero on any failure. On a failure the tool's own output
# and the end of the server's request log (it runs with --log-level Debug) are printed.
# Optional: SMOKE_TOOLS="aws s3cmd rclone" to run a subset, SMOKE_KEEP=1 to keep the temp folder,
# SMOKE_METADATA=postgres://... SMOKE_NODES=2 to drive a cluster of nodes on that database through a round-robin proxy.
# The test functions are called indirectly ("test_$tool"), which shellcheck cannot follow.
# shellcheck disable=SC2317
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dll="${1:-${COFFER_DLL:-$repo_root/src/Coffer.Host/bin/Debug/net10.0/coffer.dll}}"
tools="${SMOKE_TOOLS:-aws s3cmd rclone}"

AWS=/usr/bin/aws
S3CMD=/usr/bin/s3cmd
RCLONE=/usr/bin/rclone

log() { printf '%s\n' "$*" >&2; }
die() { log "smoke: $*"; exit 2; }

[[ -f "$dll" ]] || die "no coffer.dll at $dll (build first: dotnet build Coffer.slnx)"
command -v dotnet >/dev/null || die "dotnet is not on PATH"

# ---------------------------------------------------------------------------------------------------
# 1. Debian packages (idempotent: nothing happens when the three binaries are already there)
# ---------------------------------------------------------------------------------------------------
install_packages() {
    if [[ -x $AWS && -x $S3CMD && -x $RCLONE ]]; then return 0; fi
    local sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    local pkgs=(awscli s3cmd rclone) apt_log
    apt_log="$(mktemp)"
    export DEBIAN_FRONTEND=noninteractive
    log "smoke: installing ${pkgs[*]} from Debian ..."
    # Try without refreshing the package lists first; run `apt-get update` only when that fails
    # (fresh machine with empty or stale lists).
    if ! $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >"$apt_log" 2>&1; then
        if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}"; } \
            >"$apt_log" 2>&1; then
            cat "$apt_log" >&2
            rm -f "$apt_log"
            die "apt-get install ${pkgs[*]} failed"
        fi
    fi
    rm -f "$apt_log"
    [[ -x $AWS && -x $S3CMD && -x $RCLONE ]] || die "packages installed but $AWS / $S3CMD / $RCLONE missing"
}
install_packages

# ---------------------------------------------------------------------------------------------------
# 2. Start coffer on a free port with a temp data folder and a root account of our own
# ---------------------------------------------------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/coffer-smoke.XXXXXX")"
pids=()
cleanup() {
    local rc=$? pid
    for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    if [[ ${SMOKE_KEEP:-0} == 1 ]]; then log "smoke: kept $work"; else rm -rf "$work"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

appid=1250000000
secret_id="AKIDsmoke$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
secret_key="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
region=ap-guangzhou
nodes="${SMOKE_NODES:-1}"
metadata="${SMOKE_METADATA:-}"
# Every node logs every request (--log-level Debug); the checks below read them all.
server_logs() { cat "$work"/server-*.log; }

mkdir -p "$work/data"
# wait_for_line FILE PID WHAT: prints the address from FILE's "listening on http://..." line
wait_for_line() {
    local line
    for _ in $(seq 1 600); do
        if line="$(grep -m1 -o 'listening on http://[^ ]*' "$1" 2>/dev/null)"; then
            echo "${line#listening on }"
            return 0
        fi
        kill -0 "$2" 2>/dev/null || { cat "$1" >&2; die "$3 exited during start-up"; }
        sleep 0.1
    done
    cat "$1" >&2
    die "$3 did not print its listening line within 60 s"
}
endpoints=()
for node in $(seq 1 "$nodes"); do
    COFFER_ROOT_APPID=$appid COFFER_ROOT_SECRET_ID=$secret_id COFFER_ROOT_SECRET_KEY=$secret_key \
        dotnet "$dll" serve --data "$work/data" ${metadata:+--metadata "$metadata"} --listen 127.0.0.1:0 --console off --region "$region" \
        --log-level Debug >"$work/server-$node.log" 2>&1 </dev/null &
    pids+=($!)
    # The first node creates the schema before the others start.
    endpoints+=("$(wait_for_line "$work/server-$node.log" "${pids[-1]}" "coffer node $node")")
done
if [[ $nodes -gt 1 ]]; then
    node "$repo_root/tests/compat/tools/round-robin-proxy.mjs" "${endpoints[@]}" >"$work/proxy.log" 2>&1 </dev/null &
    pids+=($!)
    endpoint="$(wait_for_line "$work/proxy.log" "${pids[-1]}" "the round-robin proxy")"
else
    endpoint="${endpoints[0]}"
fi
hostport="${endpoint#http://}"

# ---------------------------------------------------------------------------------------------------
# 3. The tree of test files
# ---------------------------------------------------------------------------------------------------
tree="$work/tree"
mkdir -p "$tree/nested/a/b/c" "$tree/dir with spaces/sub dir" "$tree/ünïcödé/日本語" "$tree/special chars" "$tree/big"
printf 'hello coffer\n' >"$tree/hello.txt"
: >"$tree/empty.txt"
printf 'deep\n' >"$tree/nested/a/b/c/deep.txt"
printf 'one\n' >"$tree/nested/a/one.txt"
printf 'spaces\n' >"$tree/dir with spaces/sub dir/file with  two spaces.txt"
printf 'unicode\n' >"$tree/ünïcödé/日本語/ファイル名 ✓.txt"
printf 'emoji\n' >"$tree/ünïcödé/café-😀.txt"
printf 'plus\n' >"$tree/special chars/a+b.txt"
printf 'amp\n' >"$tree/special chars/a&b.txt"
printf 'eq\n' >"$tree/special chars/a=b.txt"
printf 'pct\n' >"$tree/special chars/100%.txt"
printf 'pct-enc\n' >"$tree/special chars/%20not-a-space%2F.txt"
printf 'mix\n' >"$tree/special chars/x+y&z=1%2 b.txt"
head -c $((20 * 1024 * 1024)) /dev/urandom >"$tree/big/20mb.bin"
big_md5="$(md5sum "$tree/big/20mb.bin" | cut -d' ' -f1)"
hello_md5="$(md5sum "$tree/hello.txt" | cut -d' ' -f1)"
file_count="$(find "$tree" -type f | wc -l)"

# check_listing FILE: the tool's listing must mention every file of the tree (by its base name)
check_listing() {
    local listing="$1" f missing=0
    while IFS= read -r -d '' f; do
        if ! grep -qF -- "$(basename "$f")" "$listing"; then
            echo "listing lacks $f"
            missing=1
        fi
    done < <(find "$tree" -type f -print0)
    return "$missing"
}
# expect_multipart BUCKET PARTS: the server's request log shows big/20mb.bin going up in PARTS parts
expect_multipart() {
    local parts
    parts="$(grep -oE " PUT /$1/big/20mb\.bin\?[^ ]*partNumber=[0-9]+[^ ]* UploadPart -> 200 " <(server_logs) |
        grep -oE "partNumber=[0-9]+" | sort -u | wc -l)"
    expect "number of parts of big/20mb.bin" "$parts" "$2" || return 1
    grep -qE " POST /$1/big/20mb\.bin\?uploadId=[^ ]* CompleteMultipartUpload -> 200 " <(server_logs) ||
        { echo "no successful CompleteMultipartUpload for big/20mb.bin"; return 1; }
}
expect() { # expect DESCRIPTION ACTUAL WANTED
    if [[ $2 != "$3" ]]; then
        echo "unexpected $1: got '$2', want '$3'"
        return 1
    fi
}

# ---------------------------------------------------------------------------------------------------
# awscli (Debian's v2, not whatever `aws` is first on PATH)
# ---------------------------------------------------------------------------------------------------
test_aws() {
    local bucket="smoke-aws-$appid" down="$work/down-aws"
    mkdir -p "$work/aws"
    # Private config files so nothing from ~/.aws leaks in. Path-style addressing is what a user sets
    # for a non-AWS endpoint without wildcard DNS. The 8 MB multipart threshold is awscli's default.
    cat >"$work/aws/config" <<EOF
[default]
region = $region
s3 =
    addressing_style = path
    multipart_threshold = 8MB
    multipart_chunksize = 8MB
EOF
    cat >"$work/aws/credentials" <<EOF
[default]
aws_access_key_id = $secret_id
aws_secret_access_key = $secret_key
EOF
    export AWS_CONFIG_FILE="$work/aws/config" AWS_SHARED_CREDENTIALS_FILE="$work/aws/credentials"
    export AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true
    unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_DEFAULT_REGION AWS_REGION
    # --cli-read-timeout only bounds a known awscli/botocore bug (boto/botocore#3755, boto/boto3#1341):
    # a zero-length PUT sent with "Expect: 100-continue" that gets its final answer without an interim
    # "100 Continue" (allowed by RFC 9110 §10.1.1, and what Kestrel does) leaves a stale status line on the
    # pooled connection; the next PUT on it is misparsed, hangs until the read timeout (60 s by default)
    # and is silently sent again. The retry is reported below as a note, not hidden.
    aws() { "$AWS" --endpoint-url "$endpoint" --cli-read-timeout 15 "$@"; }

    aws s3 mb "s3://$bucket" >/dev/null
    aws s3 sync "$tree" "s3://$bucket" --only-show-errors
    aws s3 ls --recursive "s3://$bucket" >"$work/aws/listing"
    check_listing "$work/aws/listing"
    expect "object count" "$(wc -l <"$work/aws/listing")" "$file_count"
    aws s3 sync "s3://$bucket" "$down" --only-show-errors
    diff -r "$tree" "$down"

    # ETag of a single-part object is its MD5; the 20 MB one was uploaded in 3 parts of 8 MB.
    expect "ETag of hello.txt" "$(aws s3api head-object --bucket "$bucket" --key hello.txt --query ETag --output text)" "\"$hello_md5\""
    local etag
    etag="$(aws s3api head-object --bucket "$bucket" --key big/20mb.bin --query ETag --output text)"
    [[ $etag =~ ^\"[0-9a-f]{32}-3\"$ ]] || { echo "big/20mb.bin ETag $etag is not a 3-part multipart ETag"; return 1; }
    expect_multipart "$bucket" 3
    expect "size of big/20mb.bin" "$(aws s3api head-object --bucket "$bucket" --key big/20mb.bin --query ContentLength --output text)" $((20 * 1024 * 1024))
    # User metadata and content type round-trip, on a key with awkward characters.
    aws s3 cp "$tree/hello.txt" "s3://$bucket/meta/a+b&c=d 100%.txt" --metadata "colour=blue,owner=smoke" \
        --content-type "text/x-smoke" --only-show-errors
    expect "metadata" "$(aws s3api head-object --bucket "$bucket" --key "meta/a+b&c=d 100%.txt" \
        --query '[Metadata.colour, Metadata.owner, ContentType]' --output text)" "$(printf 'blue\tsmoke\ttext/x-smoke')"
    # Round-trip of the big object's bytes through a ranged download (GetObject with Range).
    aws s3api get-object --bucket "$bucket" --key big/20mb.bin --range bytes=1048576-2097151 "$work/aws/range" >/dev/null
    cmp "$work/aws/range" <(tail -c +1048577 "$tree/big/20mb.bin" | head -c 1048576)

    aws s3 rm --recursive "s3://$bucket" --only-show-errors
    expect "objects left" "$(aws s3 ls --recursive "s3://$bucket" | wc -l)" 0
    aws s3 rb "s3://$bucket" >/dev/null
    if aws s3api head-bucket --bucket "$bucket" 2>/dev/null; then echo "bucket still exists"; return 1; fi
}

# ---------------------------------------------------------------------------------------------------
# s3cmd
# ---------------------------------------------------------------------------------------------------
test_s3cmd() {
    local bucket="smoke-s3cmd-$appid" down="$work/down-s3cmd" cfg="$work/s3cmd.cfg"
    # host_bucket without %(bucket)s means path-style requests. SigV4 only (coffer has no SigV2).
    # The default multipart chunk of 15 MB turns the 20 MB file into 2 parts.
    cat >"$cfg" <<EOF
[default]
access_key = $secret_id
secret_key = $secret_key
host_base = $hostport
host_bucket = $hostport
bucket_location = $region
use_https = False
signature_v2 = False
check_ssl_certificate = False
multipart_chunk_size_mb = 15
progress_meter = False
EOF
    s3c() { "$S3CMD" -c "$cfg" --no-progress "$@"; }

    s3c -q mb "s3://$bucket"
    s3c -q sync "$tree/" "s3://$bucket/"
    s3c ls -r "s3://$bucket" >"$work/s3cmd.listing"
    check_listing "$work/s3cmd.listing"
    expect "object count" "$(wc -l <"$work/s3cmd.listing")" "$file_count"
    mkdir -p "$down"
    s3c -q sync "s3://$bucket/" "$down/"
    diff -r "$tree" "$down"

    # ETag (MD5) from the listing, and the object's info: size, MD5 (s3cmd keeps it in its metadata for
    # multipart uploads) and its own x-amz-meta-s3cmd-attrs metadata.
    s3c ls --list-md5 "s3://$bucket/hello.txt" >"$work/s3cmd.md5"
    grep -q "$hello_md5" "$work/s3cmd.md5" || { echo "hello.txt MD5 not in listing:"; cat "$work/s3cmd.md5"; return 1; }
    s3c info "s3://$bucket/big/20mb.bin" >"$work/s3cmd.info"
    grep -Eq "File size: *$((20 * 1024 * 1024))" "$work/s3cmd.info" || { cat "$work/s3cmd.info"; return 1; }
    grep -Eq "MD5 sum: *$big_md5" "$work/s3cmd.info" || { cat "$work/s3cmd.info"; return 1; }
    grep -q "s3cmd-attrs" "$work/s3cmd.info" || { echo "no s3cmd-attrs metadata:"; cat "$work/s3cmd.info"; return 1; }
    # For a multipart ETag s3cmd's listing shows the MD5 it saved in s3cmd-attrs (it HEADs the object).
    s3c ls --list-md5 "s3://$bucket/big/20mb.bin" >"$work/s3cmd.md5"
    grep -q " $big_md5 " "$work/s3cmd.md5" || { echo "big/20mb.bin MD5 not in listing:"; cat "$work/s3cmd.md5"; return 1; }
    expect_multipart "$bucket" 2

    s3c -q del --recursive --force "s3://$bucket"
    expect "objects left" "$(s3c ls -r "s3://$bucket" | wc -l)" 0
    s3c -q rb "s3://$bucket"
    if grep -q "s3://$bucket\$" <<<"$(s3c ls)"; then echo "bucket still listed"; return 1; fi
}

# ---------------------------------------------------------------------------------------------------
# rclone
# ---------------------------------------------------------------------------------------------------
test_rclone() {
    local bucket="smoke-rclone-$appid" down="$work/down-rclone" cfg="$work/rclone.conf"
    # provider = Other + endpoint + force_path_style is rclone's recipe for a generic S3 server.
    # upload_cutoff / chunk_size are lowered from rclone's 200 MB / 5 MB defaults only so that the
    # 20 MB file goes up as a multipart upload (4 parts of 5 MB).
    cat >"$cfg" <<EOF
[coffer]
type = s3
provider = Other
env_auth = false
access_key_id = $secret_id
secret_access_key = $secret_key
endpoint = $endpoint
region = $region
force_path_style = true
upload_cutoff = 5M
chunk_size = 5M
EOF
    # This machine exports AWS_CA_BUNDLE; rclone 1.60 then refuses to start for any S3 remote
    # ("LoadCustomCABundleError ... unsupported transport, *fshttp.Transport"), even over plain http.
    unset AWS_CA_BUNDLE
    rc() { "$RCLONE" --config "$cfg" --retries 1 --low-level-retries 1 "$@"; }

    rc -q mkdir "coffer:$bucket"
    rc -q sync "$tree" "coffer:$bucket"
    rc lsl "coffer:$bucket" >"$work/rclone.listing"
    check_listing "$work/rclone.listing"
    expect "object count" "$(wc -l <"$work/rclone.listing")" "$file_count"
    rc -q sync "coffer:$bucket" "$down"
    diff -r "$tree" "$down"
    # rclone check compares sizes and MD5s (the multipart object's MD5 comes from rclone's own metadata).
    rc -q check "$tree" "coffer:$bucket"

    expect "MD5 of hello.txt" "$(rc md5sum "coffer:$bucket/hello.txt" | cut -d' ' -f1)" "$hello_md5"
    expect "MD5 of big/20mb.bin" "$(rc md5sum "coffer:$bucket/big/20mb.bin" | cut -d' ' -f1)" "$big_md5"
    expect_multipart "$bucket" 4
    # Object metadata as rclone sees it (-M): its mtime metadata and the size.
    rc lsjson -M --stat "coffer:$bucket/big/20mb.bin" >"$work/rclone.meta"
    grep -q '"mtime"' "$work/rclone.meta" || { echo "no mtime metadata:"; cat "$work/rclone.meta"; return 1; }
    grep -q '"Size": *20971520' "$work/rclone.meta" || { cat "$work/rclone.meta"; return 1; }

    rc -q delete "coffer:$bucket"
    expect "objects left" "$(rc ls "coffer:$bucket" | wc -l)" 0
    rc -q rmdir "coffer:$bucket"
    if grep -q " $bucket\$" <<<"$(rc lsd coffer:)"; then echo "bucket still listed"; return 1; fi
}

# ---------------------------------------------------------------------------------------------------
# Run each tool, one PASS/FAIL line each
# ---------------------------------------------------------------------------------------------------
echo "coffer smoke test: $endpoint (${nodes} node(s)${metadata:+ on PostgreSQL}), $file_count files incl. a 20 MB one"
echo "  $("$AWS" --version 2>&1)"
echo "  $("$S3CMD" --version 2>&1)"
echo "  $("$RCLONE" version 2>&1 | head -1)"

failed=0
for tool in $tools; do
    started=$SECONDS
    set +e
    (
        set -euo pipefail
        "test_$tool"
    ) >"$work/$tool.out" 2>&1
    status=$?
    set -e
    # A write request (PUT/POST with the same path and query) that reached the server twice was re-sent
    # by the client after an error or a timeout: worth knowing even when the tool got there in the end.
    resent="$(awk -v b="/smoke-$tool-$appid" '($4 == "PUT" || $4 == "POST") && index($5, b) == 1 { print $4, $5 }' \
        <(server_logs) | sort | uniq -d)"
    if [[ $status -eq 0 ]]; then
        printf 'PASS  %-7s (%ds)\n' "$tool" $((SECONDS - started))
    else
        failed=1
        printf 'FAIL  %-7s (%ds, exit %d)\n' "$tool" $((SECONDS - started)) "$status"
        sed 's/^/    | /' "$work/$tool.out" | tail -40
        echo "    server logs (last 25 lines of each):"
        for log in "$work"/server-*.log; do tail -25 "$log" | sed 's/^/    | /'; done
    fi
    if [[ -n $resent ]]; then
        echo "      note: the client sent these requests twice (a retry after an error or a timeout):"
        while IFS= read -r line; do echo "        $line"; done <<<"$resent"
        if [[ $tool == aws ]]; then
            echo "      (expected with awscli 2.9: the zero-length PUT poisons its pooled connection, boto/botocore#3755)"
        fi
    fi
done

exit $failed
