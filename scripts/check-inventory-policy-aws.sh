#!/usr/bin/env bash
# The inventory destination policy that AWS documents, with Debian's awscli against a real coffer server holding two
# accounts: the destination account puts the policy (Principal {"Service": "s3.amazonaws.com"}, ArnLike aws:SourceArn,
# StringEquals aws:SourceAccount and s3:x-amz-acl) with `aws s3api put-bucket-policy`; the source account puts an
# inventory configuration with `aws s3api put-bucket-inventory-configuration` and runs it now with `coffer inventory
# run --wait`. Allowed: the report lands in the other account's bucket. Denied (the policy names another source
# bucket): the run fails with AccessDenied and nothing is written.
#
#   scripts/check-inventory-policy-aws.sh [PATH/TO/coffer.dll]      (or COFFER_DLL=...; default: the Debug build)
#
# awscli comes from scripts/smoke-s3-tools.sh's install (the test command runs that first) or apt-get here.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dll="${1:-${COFFER_DLL:-$repo_root/src/Coffer.Host/bin/Debug/net10.0/coffer.dll}}"
source "$repo_root/scripts/lib/awscli-coffer.sh"

die() { printf 'policy check: %s\n' "$*" >&2; exit 2; }
[[ -f "$dll" ]] || die "no coffer.dll at $dll (build first)"
ensure_awscli

new_work_folder policy

region=ap-guangzhou
src_appid=1250000000 src_uin=100000000001 src_id=AKIDpolicySource000000000000000000 src_key=sourcekeysourcekeysourcekey12345
dst_appid=1250000001 dst_uin=100000000002 dst_id=AKIDpolicyDestination0000000000000 dst_key=destkeydestkeydestkeydestkey1234
source="policy-src-$src_appid" destination="policy-dst-$dst_appid"

cat >"$work/coffer.json" <<JSON
{ "accounts": [
  { "appId": "$src_appid", "uin": "$src_uin", "secretId": "$src_id", "secretKey": "$src_key", "name": "source" },
  { "appId": "$dst_appid", "uin": "$dst_uin", "secretId": "$dst_id", "secretKey": "$dst_key", "name": "destination" } ] }
JSON
start_coffer "$dll" --config "$work/coffer.json"

use_awscli "$region"
as_source() { AWS_ACCESS_KEY_ID=$src_id AWS_SECRET_ACCESS_KEY=$src_key "$AWS" --endpoint-url "$endpoint" --cli-read-timeout 15 "$@"; }
as_destination() { AWS_ACCESS_KEY_ID=$dst_id AWS_SECRET_ACCESS_KEY=$dst_key "$AWS" --endpoint-url "$endpoint" --cli-read-timeout 15 "$@"; }
coffer_run() { COFFER_ENDPOINT=$endpoint COFFER_SECRET_ID=$src_id COFFER_SECRET_KEY=$src_key dotnet "$dll" inventory run --bucket "$source" "$@"; }
fail() { printf 'FAIL %s\n' "$*"; tail -20 "$work/server.log"; exit 1; }

as_source s3api create-bucket --bucket "$source" >/dev/null
as_destination s3api create-bucket --bucket "$destination" >/dev/null
printf 'hello' | as_source s3 cp - "s3://$source/a.txt" --only-show-errors

# The policy exactly as AWS documents it for an inventory destination, with this server's names.
policy() {
    cat <<JSON
{"Version":"2012-10-17","Statement":[{"Sid":"InventoryExamplePolicy","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},
  "Action":"s3:PutObject","Resource":["arn:aws:s3:::$destination/*"],
  "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::$1"},
               "StringEquals":{"aws:SourceAccount":"$src_uin","s3:x-amz-acl":"bucket-owner-full-control"}}}]}
JSON
}
configuration() {
    cat <<JSON
{"Destination":{"S3BucketDestination":{"AccountId":"$dst_uin","Bucket":"arn:aws:s3:::$destination","Format":"CSV","Prefix":"$1"}},
 "IsEnabled":true,"Id":"$1","IncludedObjectVersions":"Current","OptionalFields":["Size"],"Schedule":{"Frequency":"Daily"}}
JSON
}

# Allowed: the policy names this source bucket.
as_destination s3api put-bucket-policy --bucket "$destination" --policy "$(policy "$source")" || fail "the documented policy was refused"
as_source s3api put-bucket-inventory-configuration --bucket "$source" --id allowed --inventory-configuration "$(configuration allowed)"
coffer_run --id allowed --wait --output json >"$work/allowed.json" 2>"$work/allowed.err" || { cat "$work/allowed.json" "$work/allowed.err"; fail "the allowed run did not succeed"; }
manifest="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ManifestKey"])' "$work/allowed.json")"
as_destination s3api head-object --bucket "$destination" --key "$manifest" >/dev/null || fail "no manifest at $manifest"
printf 'PASS allowed: the report was delivered to %s/%s\n' "$destination" "$manifest"

# Denied: the policy names another source bucket.
as_destination s3api put-bucket-policy --bucket "$destination" --policy "$(policy "other-$src_appid")"
as_source s3api put-bucket-inventory-configuration --bucket "$source" --id denied --inventory-configuration "$(configuration denied)"
set +e
coffer_run --id denied --wait --output json >"$work/denied.json" 2>"$work/denied.err"
code=$?
set -e
[[ $code -eq 1 ]] || { cat "$work/denied.json" "$work/denied.err"; fail "the denied run exited $code, not 1"; }
grep -q '"ErrorCode": "AccessDenied"' "$work/denied.json" || { cat "$work/denied.json"; fail "the denied run did not fail with AccessDenied"; }
left="$(as_destination s3api list-objects-v2 --bucket "$destination" --prefix denied/ --query 'length(not_null(Contents, `[]`))' --output text)"
[[ $left == 0 ]] || fail "the denied run left $left objects under denied/"
printf 'PASS denied: AccessDenied, nothing written under %s/denied/\n' "$destination"
