#!/usr/bin/env bash
# Server-side copies of a large object by the two tools that copy in parts: awscli (`aws s3 cp s3://... s3://...`, which
# switches to UploadPartCopy above its 8 MB multipart threshold) and rclone (`rclone copyto` within one remote, which
# copies in parts above its 4.656 GiB copy cutoff). The source is a generated, incompressible stream (AES-CTR of zeros
# under a fixed key, so no byte repeats at any offset a wrong range could land on) uploaded from a pipe; nothing of its
# size is ever kept on the client's disk. Each copy is read back through the tools and its MD5 compared with the
# stream's, and the server's request log must show the UploadPartCopy requests.
#
#   scripts/check-large-copy.sh [PATH/TO/coffer.dll]     (or COFFER_DLL=...; default: the Debug build)
#
# LARGE_COPY_BYTES (default 6 GiB) sets the size; rclone copies in parts only above its cutoff, so below it the rclone
# copy is a single CopyObject and its UploadPartCopy check is skipped.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dll="${1:-${COFFER_DLL:-$repo_root/src/Coffer.Host/bin/Debug/net10.0/coffer.dll}}"
size="${LARGE_COPY_BYTES:-6442450944}"
rclone_cutoff=4999341932 # rclone's default --s3-copy-cutoff, 4.656 GiB
AWS=/usr/bin/aws
RCLONE=/usr/bin/rclone

log() { printf 'large-copy: %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }
[[ -f "$dll" ]] || die "no coffer.dll at $dll (build first: dotnet build Coffer.slnx)"
[[ -x $AWS && -x $RCLONE ]] || die "awscli and rclone are needed (scripts/smoke-s3-tools.sh installs them from Debian)"
command -v openssl >/dev/null || die "openssl is needed to generate the stream"

work="$(mktemp -d "${TMPDIR:-/tmp}/coffer-large-copy.XXXXXX")"
server=""
cleanup() {
    local rc=$?
    if [[ -n $server ]] && kill -0 "$server" 2>/dev/null; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

appid=1250000000
secret_id="AKIDlarge$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
secret_key="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
region=ap-guangzhou
bucket="large-copy-$appid"

COFFER_ROOT_APPID=$appid COFFER_ROOT_SECRET_ID=$secret_id COFFER_ROOT_SECRET_KEY=$secret_key \
    dotnet "$dll" serve --data "$work/data" --listen 127.0.0.1:0 --console off --region "$region" --log-level Debug \
    >"$work/server.log" 2>&1 </dev/null &
server=$!
endpoint=""
for _ in $(seq 1 600); do
    if endpoint="$(grep -m1 -o 'listening on http://[^ ]*' "$work/server.log" 2>/dev/null)"; then break; fi
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; die "coffer exited during start-up"; }
    sleep 0.1
done
endpoint="${endpoint#listening on }"
[[ -n $endpoint ]] || die "coffer did not start"

# The source: the same bytes every time it is generated (openssl ends on SIGPIPE once head has its bytes).
generate() {
    { openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 </dev/zero 2>/dev/null || true; } |
        head -c "$size"
}
expected="$(generate | md5sum | cut -d' ' -f1)"
log "source: $size bytes, MD5 $expected"

mkdir -p "$work/aws"
cat >"$work/aws/config" <<EOF
[default]
region = $region
s3 =
    addressing_style = path
EOF
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$secret_id" "$secret_key" >"$work/aws/credentials"
export AWS_CONFIG_FILE="$work/aws/config" AWS_SHARED_CREDENTIALS_FILE="$work/aws/credentials" AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_DEFAULT_REGION AWS_REGION AWS_CA_BUNDLE
aws() { "$AWS" --endpoint-url "$endpoint" --cli-read-timeout 60 "$@"; }
cat >"$work/rclone.conf" <<EOF
[coffer]
type = s3
provider = Other
env_auth = false
access_key_id = $secret_id
secret_access_key = $secret_key
endpoint = $endpoint
region = $region
force_path_style = true
EOF
rc() { "$RCLONE" --config "$work/rclone.conf" --retries 1 "$@"; }
copies() { grep -c "UploadPartCopy -> 200" "$work/server.log" || true; }
seconds() { date +%s.%N; }
took() { printf '%.1f s' "$(echo "$(seconds) - $1" | bc)"; }

aws s3 mb "s3://$bucket" >/dev/null
begin=$(seconds)
start=$(seconds)
generate | aws s3 cp - "s3://$bucket/source.bin" --expected-size "$size" --only-show-errors
log "uploaded by awscli from a pipe in $(took "$start")"
[[ "$(aws s3api head-object --bucket "$bucket" --key source.bin --query ContentLength --output text)" == "$size" ]] || die "the source has the wrong size"

failed=0
check() { # check NAME KEY: the copy's size and MD5, read back through the tool
    local name=$1 key=$2 actual
    [[ "$(aws s3api head-object --bucket "$bucket" --key "$key" --query ContentLength --output text)" == "$size" ]] || { log "FAIL $name: size"; failed=1; return; }
    actual="$(aws s3 cp "s3://$bucket/$key" - | md5sum | cut -d' ' -f1)"
    if [[ $actual == "$expected" ]]; then log "PASS $name: $size bytes, MD5 $actual"; else log "FAIL $name: MD5 $actual, expected $expected"; failed=1; fi
}

before=$(copies)
start=$(seconds)
aws s3 cp "s3://$bucket/source.bin" "s3://$bucket/aws-copy.bin" --only-show-errors
parts=$(( $(copies) - before ))
log "awscli copied on the server in $(took "$start") with $parts UploadPartCopy requests"
[[ $parts -gt 1 ]] || { log "FAIL awscli: no UploadPartCopy in the server log"; failed=1; }
check awscli aws-copy.bin

before=$(copies)
start=$(seconds)
rc copyto "coffer:$bucket/source.bin" "coffer:$bucket/rclone-copy.bin"
parts=$(( $(copies) - before ))
log "rclone copied on the server in $(took "$start") with $parts UploadPartCopy requests"
if [[ $size -gt $rclone_cutoff && $parts -lt 2 ]]; then log "FAIL rclone: no UploadPartCopy in the server log"; failed=1; fi
actual="$(rc cat "coffer:$bucket/rclone-copy.bin" | md5sum | cut -d' ' -f1)"
if [[ $actual == "$expected" ]]; then log "PASS rclone (read by rclone): MD5 $actual"; else log "FAIL rclone: MD5 $actual"; failed=1; fi
check "rclone (read by awscli)" rclone-copy.bin

if [[ $failed -ne 0 ]]; then
    grep -E "UploadPartCopy|Error|error" "$work/server.log" | tail -20 >&2
    exit 1
fi
log "all copies byte-exact, in $(took "$begin") from the upload to the last read"
