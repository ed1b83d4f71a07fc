#!/usr/bin/env bash
# Coffer's CofferReport inventory extension against Debian's awscli (v2) and a real coffer server:
#   1. a plain configuration put with `aws s3api put-bucket-inventory-configuration` reads back with
#      `get-bucket-inventory-configuration` exactly as it went in, and a raw GET of it has no Coffer element;
#   2. a configuration with <CofferReport> put with a raw SigV4 request (curl --aws-sigv4: awscli has no field for it)
#      reads back through awscli without an error (awscli ignores the element) and through a raw GET with the element;
#   3. list-bucket-inventory-configurations reads both.
#
#   scripts/check-inventory-extension-aws.sh [PATH/TO/coffer.dll]      (or COFFER_DLL=...; default: the Debug build)
#
# awscli comes from scripts/smoke-s3-tools.sh's install (the test command runs that first) or apt-get here.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dll="${1:-${COFFER_DLL:-$repo_root/src/Coffer.Host/bin/Debug/net10.0/coffer.dll}}"
source "$repo_root/scripts/lib/awscli-coffer.sh"

die() { printf 'extension check: %s\n' "$*" >&2; exit 2; }
[[ -f "$dll" ]] || die "no coffer.dll at $dll (build first)"
ensure_awscli
command -v jq >/dev/null || die "jq is needed"

new_work_folder extension

region=ap-guangzhou appid=1250000000 uin=100000000001
secret_id=AKIDextensionCheck00000000000000000 secret_key=extensionkeyextensionkeyextension1
source="ext-src-$appid" destination="ext-dst-$appid"

cat >"$work/coffer.json" <<JSON
{ "accounts": [ { "appId": "$appid", "uin": "$uin", "secretId": "$secret_id", "secretKey": "$secret_key", "name": "owner" } ] }
JSON
start_coffer "$dll" --config "$work/coffer.json"
endpoint="${endpoint%/}"

use_awscli "$region"
export AWS_ACCESS_KEY_ID=$secret_id AWS_SECRET_ACCESS_KEY=$secret_key
aws_s3api() { "$AWS" --endpoint-url "$endpoint" --cli-read-timeout 15 --output json s3api "$@"; }
# raw METHOD QUERY [BODY_FILE]: a path-style request to the source bucket, signed with SigV4 by curl; prints the body.
# curl 7.88 signs the query as written, so it is written in canonical form: sorted, every name with an "=".
raw() {
    local body="${3:-/dev/null}" data=()
    if [[ $# -ge 3 ]]; then data=(--data-binary "@$body" -H "content-type: application/xml"); fi
    curl -sS --fail-with-body -X "$1" --aws-sigv4 "aws:amz:$region:s3" --user "$secret_id:$secret_key" \
        -H "x-amz-content-sha256: $(sha256sum "$body" | cut -d' ' -f1)" "${data[@]}" "$endpoint/$source?$2"
}
fail() { printf 'FAIL %s\n' "$*"; tail -20 "$work/server.log"; exit 1; }

aws_s3api create-bucket --bucket "$source" >/dev/null
aws_s3api create-bucket --bucket "$destination" >/dev/null

# 1. A plain configuration, every kind of element S3 has: awscli's JSON back equals what went in.
cat >"$work/plain.json" <<JSON
{"Destination":{"S3BucketDestination":{"AccountId":"$uin","Bucket":"arn:aws:s3:::$destination","Format":"Parquet","Prefix":"inv",
  "Encryption":{"SSES3":{}}}},
 "IsEnabled":true,"Filter":{"Prefix":"logs/"},"Id":"plain","IncludedObjectVersions":"All",
 "OptionalFields":["Size","ETag","LastModifiedDate","StorageClass"],"Schedule":{"Frequency":"Weekly"}}
JSON
aws_s3api put-bucket-inventory-configuration --bucket "$source" --id plain --inventory-configuration "file://$work/plain.json"
aws_s3api get-bucket-inventory-configuration --bucket "$source" --id plain >"$work/plain-got.json"
diff <(jq -S . "$work/plain.json") <(jq -S .InventoryConfiguration "$work/plain-got.json") \
    || fail "awscli read back a plain configuration different from the one it put (diff above)"
raw GET "id=plain&inventory=" >"$work/plain-raw.xml" || { cat "$work/plain-raw.xml"; fail "raw GET of the plain configuration failed"; }
! grep -q Coffer "$work/plain-raw.xml" || { cat "$work/plain-raw.xml"; fail "a plain configuration reads back with a Coffer element"; }
printf 'PASS plain: awscli put and got the same configuration; the raw GET has no Coffer element\n'

# 2. With the extension, through a raw request; awscli reads the rest of it.
cat >"$work/live.xml" <<XML
<InventoryConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Destination><S3BucketDestination><Bucket>arn:aws:s3:::$destination</Bucket><Format>CSV</Format><Prefix>live</Prefix></S3BucketDestination></Destination>
  <IsEnabled>true</IsEnabled><Id>live</Id><IncludedObjectVersions>Current</IncludedObjectVersions>
  <OptionalFields><Field>Size</Field></OptionalFields><Schedule><Frequency>Daily</Frequency></Schedule>
  <CofferReport><Type>Incremental</Type></CofferReport>
</InventoryConfiguration>
XML
raw PUT "id=live&inventory=" "$work/live.xml" >/dev/null || fail "the raw PUT of a configuration with CofferReport was refused"
raw GET "id=live&inventory=" >"$work/live-raw.xml" || fail "raw GET of the extended configuration failed"
grep -q '<CofferReport><Type>Incremental</Type></CofferReport>' "$work/live-raw.xml" \
    || { cat "$work/live-raw.xml"; fail "the raw GET lost the CofferReport element"; }
aws_s3api get-bucket-inventory-configuration --bucket "$source" --id live >"$work/live-got.json" \
    || fail "awscli could not read a configuration carrying CofferReport"
expected='{"Destination":{"S3BucketDestination":{"Bucket":"arn:aws:s3:::'"$destination"'","Format":"CSV","Prefix":"live"}},
  "IsEnabled":true,"Id":"live","IncludedObjectVersions":"Current","OptionalFields":["Size"],"Schedule":{"Frequency":"Daily"}}'
diff <(jq -S . <<<"$expected") <(jq -S .InventoryConfiguration "$work/live-got.json") \
    || fail "awscli read a configuration with CofferReport wrongly (diff above)"
printf 'PASS extended: the raw PUT and GET keep CofferReport; awscli reads the rest and ignores it\n'

# 3. Listing both.
ids="$(aws_s3api list-bucket-inventory-configurations --bucket "$source" | jq -r '[.InventoryConfigurationList[].Id] | sort | join(",")')"
[[ $ids == "live,plain" ]] || fail "awscli listed '$ids', not live,plain"
printf 'PASS listed: awscli lists both configurations\n'
