// Inventory reports end to end through the official cos-nodejs-sdk-v5 only: objects with tags, metadata, versions,
// delete markers and a multipart upload; a one-time inventory (POST through the SDK's signed `request`, as the Node
// SDK has no postBucketInventory); the run status polled; the manifest, its checksum and every part checked; and
// the rows read by DuckDB with the manifest's fileSchema as column names, compared with what the SDK lists.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Region, account, bucketName, call, cosClient } from './lib/coffer.mjs';
import { checkDelivery, readRows, waitForEnd } from './lib/reports.mjs';

const cos = cosClient();
const MiB = 1024 * 1024;

/** The percent-encoding COS and Coffer use in reports: everything but A-Z a-z 0-9 - _ . ~ is escaped. */
const cosEncode = (text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const shortName = (bucket) => bucket.slice(0, bucket.lastIndexOf('-'));

async function newBucket(label, versioning) {
  const Bucket = bucketName(label);
  await call(cos, 'putBucket', { Bucket, Region });
  if (versioning) await call(cos, 'putBucketVersioning', { Bucket, Region, VersioningConfiguration: { Status: 'Enabled' } });
  return Bucket;
}

/** Every version and delete marker under `Prefix` in the order the server lists them (one per page, so order is kept). */
async function listEntries(Bucket, Prefix) {
  const entries = [];
  let KeyMarker;
  let VersionIdMarker;
  for (;;) {
    const page = await call(cos, 'listObjectVersions', { Bucket, Region, Prefix, MaxKeys: 1, KeyMarker, VersionIdMarker });
    entries.push(...page.Versions.map((v) => ({ ...v, marker: false })), ...page.DeleteMarkers.map((m) => ({ ...m, marker: true })));
    if (page.IsTruncated !== 'true') return entries;
    ({ NextKeyMarker: KeyMarker, NextVersionIdMarker: VersionIdMarker } = page);
  }
}

async function postInventory(Bucket, id, xml) {
  const response = await call(cos, 'request', {
    Method: 'POST', Bucket, Region, Action: 'inventory', Query: { id }, Body: xml,
    Headers: { 'Content-Type': 'application/xml', 'Content-MD5': createHash('md5').update(xml).digest('base64') },
  });
  assert.equal(response.statusCode, 200);
  return response.PostInventoryResult.JobId;
}

const runStatus = async (Bucket, jobId) =>
  (await call(cos, 'request', { Method: 'GET', Bucket, Region, Action: 'inventory-run', Query: { 'job-id': jobId } })).InventoryRun;

const download = (Bucket) => async (Key) => (await call(cos, 'getObject', { Bucket, Region, Key })).Body;

describe('COS inventory reports through cos-nodejs-sdk-v5', () => {
  let Source;
  let Destination;
  const multipartKey = 'data/multi.bin';

  before(async () => {
    Source = await newBucket('inv-rep-src', true);
    Destination = await newBucket('inv-rep-dst');
    const put = (Key, Body, Headers = {}, extra = {}) => call(cos, 'putObject', { Bucket: Source, Region, Key, Body, Headers, ...extra });
    await put('data/a b+c%.txt', 'hello', { 'x-cos-tagging': 'team=data&stage=raw%20zone', 'x-cos-meta-color': 'deep red' }, { StorageClass: 'STANDARD_IA' });
    await put('data/腾讯云/报告.csv', 'a,b\n1,2\n');
    await put('data/versioned.txt', 'one', { 'x-cos-tagging': 'team=data' });
    await put('data/versioned.txt', 'two, longer', { 'x-cos-tagging': 'team=ops', 'x-cos-meta-color': 'blue' });
    await put('data/deleted.txt', 'gone soon');
    await call(cos, 'deleteObject', { Bucket: Source, Region, Key: 'data/deleted.txt' });
    await put('other/outside.txt', 'not under the prefix', { 'x-cos-tagging': 'team=data' });

    const { UploadId } = await call(cos, 'multipartInit', { Bucket: Source, Region, Key: multipartKey, Headers: { 'x-cos-meta-color': 'green' } });
    const parts = [randomBytes(MiB), randomBytes(10)];
    const Parts = [];
    for (const [index, Body] of parts.entries()) {
      const { ETag } = await call(cos, 'multipartUpload', { Bucket: Source, Region, Key: multipartKey, UploadId, PartNumber: index + 1, Body });
      Parts.push({ PartNumber: index + 1, ETag });
    }
    await call(cos, 'multipartComplete', { Bucket: Source, Region, Key: multipartKey, UploadId, Parts });
    await call(cos, 'putObjectTagging', { Bucket: Source, Region, Key: multipartKey, Tags: [{ Key: 'team', Value: 'data' }] });
  });

  /** What each entry's row should say, from the SDK's own listing, HEAD and GET tagging of that version. */
  async function expectedRows(entries, columns) {
    const rows = [];
    for (const entry of entries) {
      const values = { Appid: account.appId, Bucket: shortName(Source), Key: cosEncode(entry.Key), VersionId: entry.VersionId };
      values.IsLatest = entry.IsLatest;
      values.IsDeleteMarker = String(entry.marker);
      values.LastModifiedDate = entry.LastModified;
      if (!entry.marker) {
        const head = await call(cos, 'headObject', { Bucket: Source, Region, Key: entry.Key, VersionId: entry.VersionId });
        const tagging = await call(cos, 'getObjectTagging', { Bucket: Source, Region, Key: entry.Key, VersionId: entry.VersionId });
        Object.assign(values, {
          Size: entry.Size,
          ETag: entry.ETag.replaceAll('"', ''),
          StorageClass: entry.StorageClass,
          IsMultipartUploaded: String(entry.Key === multipartKey),
          Tag: tagging.Tags.map((t) => `${cosEncode(t.Key)}=${cosEncode(t.Value)}`).join('&'),
          Crc64: head.headers['x-cos-hash-crc64ecma'],
          'x-cos-meta-color': head.headers['x-cos-meta-color'] ? cosEncode(head.headers['x-cos-meta-color']) : '',
        });
      }
      rows.push(columns.map((column) => values[column] ?? ''));
    }
    return rows;
  }

  test('a one-time job over every version delivers a report whose rows are the bucket', async () => {
    const fields = ['Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'IsMultipartUploaded', 'ReplicationStatus', 'Tag', 'Crc64', 'x-cos-meta-color'];
    const xml = '<InventoryConfiguration><Id>everything</Id><Destination><COSBucketDestination><Format>CSV</Format>' +
      `<AccountId>${account.uin}</AccountId><Bucket>qcs::cos:${Region}::${Destination}</Bucket><Prefix>cos_bucket_inventory</Prefix>` +
      '</COSBucketDestination></Destination><Filter><Prefix>data/</Prefix></Filter><IncludedObjectVersions>All</IncludedObjectVersions>' +
      `<OptionalFields>${fields.map((f) => `<Field>${f}</Field>`).join('')}</OptionalFields></InventoryConfiguration>`;
    const jobId = await postInventory(Source, 'everything', xml);

    const run = await waitForEnd(() => runStatus(Source, jobId));
    assert.equal(run.State, 'Succeeded', JSON.stringify(run));
    assert.equal(run.JobId, jobId);
    const manifestKey = run.ManifestKey;
    assert.match(manifestKey, new RegExp(`^cos_bucket_inventory/${account.appId}/${shortName(Source)}/everything/\\d{8}/manifest\\.json$`));

    const { manifest, files } = await checkDelivery(download(Destination), manifestKey, { md5Field: 'md5Checksum', sizeIsString: true });
    assert.equal(manifest.sourceAppid, account.appId);
    assert.equal(manifest.sourceBucket, shortName(Source));
    assert.equal(manifest.destinationBucket, shortName(Destination));
    assert.equal(manifest.fileFormat, 'CSV');
    assert.equal(manifest.files.length, 1, 'the report of a small bucket is one file');
    for (const file of manifest.files) {
      assert.match(file.key, new RegExp(`^cos_bucket_inventory/${account.appId}/${shortName(Source)}/everything/[0-9a-f]{32}\\.csv\\.gz$`));
    }

    const entries = await listEntries(Source, 'data/');
    assert.equal(entries.length, 7, 'five keys: one with two versions, one with a version and a delete marker');
    assert.equal(manifest.filterObjectCount, String(entries.length));
    assert.equal(manifest.listObjectCount, String(entries.length), 'the prefix is the scan range');
    assert.equal(run.ObjectsMatched, String(entries.length));

    const columns = manifest.fileSchema.split(', ');
    assert.deepEqual(columns, ['Appid', 'Bucket', 'Key', 'VersionId', 'IsLatest', 'IsDeleteMarker', ...fields]);
    const rows = await readRows(files, { format: 'CSV', columns });
    assert.deepEqual(rows, await expectedRows(entries, columns));
  });

  test('a Parquet report of the same snapshot has the same rows as the CSV one, typed, as DuckDB reads them', async () => {
    const fields = ['Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'IsMultipartUploaded', 'ReplicationStatus', 'Tag', 'Crc64', 'x-cos-meta-color'];
    const configuration = (id, format) => `<InventoryConfiguration><Id>${id}</Id><Destination><COSBucketDestination><Format>${format}</Format>` +
      `<Bucket>qcs::cos:${Region}::${Destination}</Bucket><Prefix>formats</Prefix></COSBucketDestination></Destination>` +
      '<Filter><Prefix>data/</Prefix></Filter><IncludedObjectVersions>All</IncludedObjectVersions>' +
      `<OptionalFields>${fields.map((f) => `<Field>${f}</Field>`).join('')}</OptionalFields></InventoryConfiguration>`;
    const csvJob = await postInventory(Source, 'same-csv', configuration('same-csv', 'CSV'));
    const parquetJob = await postInventory(Source, 'same-parquet', configuration('same-parquet', 'Parquet'));
    const csvRun = await waitForEnd(() => runStatus(Source, csvJob));
    const parquetRun = await waitForEnd(() => runStatus(Source, parquetJob));
    assert.equal(parquetRun.State, 'Succeeded', JSON.stringify(parquetRun));
    assert.equal(parquetRun.Format, 'Parquet');

    const csv = await checkDelivery(download(Destination), csvRun.ManifestKey, { md5Field: 'md5Checksum', sizeIsString: true });
    const parquet = await checkDelivery(download(Destination), parquetRun.ManifestKey, { md5Field: 'md5Checksum', sizeIsString: true });
    assert.equal(parquet.manifest.fileFormat, 'Parquet');
    for (const file of parquet.manifest.files) assert.match(file.key, /\/[0-9a-f]{32}\.parquet$/);
    assert.match(parquet.manifest.fileSchema, /^message cos\.inventory \{ required binary appid \(UTF8\); required binary bucket \(UTF8\); required binary key \(UTF8\);/);

    const varchar = (name) => [name, 'VARCHAR'];
    const parquetColumns = [
      varchar('appid'), varchar('bucket'), varchar('key'), varchar('version_id'), ['is_latest', 'BOOLEAN'], ['is_delete_marker', 'BOOLEAN'],
      ['size', 'BIGINT'], ['last_modified_date', 'TIMESTAMP WITH TIME ZONE'], varchar('e_tag'), varchar('storage_class'),
      ['is_multipart_uploaded', 'BOOLEAN'], varchar('replication_status'), varchar('tag'), varchar('crc64'), varchar('x_cos_meta_color'),
    ];
    const parquetRows = await readRows(parquet.files, { format: 'Parquet', columns: parquetColumns });
    const csvRows = await readRows(csv.files, { format: 'CSV', columns: csv.manifest.fileSchema.split(', ') });
    assert.equal(parquetRows.length, 7);
    // CSV URL-encodes keys and metadata values; Parquet stores them as they are.
    const encoded = parquetRows.map((row) => row.map((value, i) => (i === 2 || i === 14 ? cosEncode(value) : value)));
    assert.deepEqual(encoded, csvRows);
  });

  test('a one-time job with a tag filter over current versions reports only what matches', async () => {
    const xml = '<InventoryConfiguration><Id>tagged</Id><Destination><COSBucketDestination><Format>CSV</Format>' +
      `<Bucket>qcs::cos:${Region}::${Destination}</Bucket></COSBucketDestination></Destination>` +
      '<Filter><And><Prefix>data/</Prefix><Tag><Key>team</Key><Value>data</Value></Tag></And></Filter>' +
      '<IncludedObjectVersions>Current</IncludedObjectVersions>' +
      '<OptionalFields><Field>Size</Field><Field>ETag</Field><Field>Tag</Field></OptionalFields></InventoryConfiguration>';
    const jobId = await postInventory(Source, 'tagged', xml);
    const run = await waitForEnd(() => runStatus(Source, jobId));
    assert.equal(run.State, 'Succeeded', JSON.stringify(run));
    assert.match(run.ManifestKey, new RegExp(`^${account.appId}/${shortName(Source)}/tagged/\\d{8}/manifest\\.json$`), 'no prefix: paths start at the APPID');

    const { manifest, files } = await checkDelivery(download(Destination), run.ManifestKey, { md5Field: 'md5Checksum', sizeIsString: true });
    const columns = manifest.fileSchema.split(', ');
    assert.deepEqual(columns, ['Appid', 'Bucket', 'Key', 'Size', 'ETag', 'Tag']);
    const current = (await listEntries(Source, 'data/')).filter((e) => e.IsLatest === 'true' && !e.marker);
    const matching = [];
    for (const entry of current) {
      const { Tags } = await call(cos, 'getObjectTagging', { Bucket: Source, Region, Key: entry.Key });
      if (Tags.some((t) => t.Key === 'team' && t.Value === 'data')) matching.push(entry);
    }
    assert.deepEqual(matching.map((e) => e.Key), ['data/a b+c%.txt', multipartKey], 'versioned.txt is now team=ops; the delete marker hides deleted.txt');
    assert.equal(manifest.filterObjectCount, '2');
    const rows = await readRows(files, { format: 'CSV', columns });
    assert.deepEqual(rows, await expectedRows(matching, columns));
  });
});
