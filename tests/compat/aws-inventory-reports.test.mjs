// An S3-dialect inventory end to end with the official @aws-sdk/client-s3: the configuration put through the SDK,
// a run triggered by `coffer inventory run` (S3 has no one-time job), then the S3 layout read back through the SDK:
// data/ files, the dated manifest and its checksum, the Hive symlink, and the rows read by DuckDB compared with what
// the SDK lists; and an All-versions report of a versioned bucket against ListObjectVersions.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutBucketInventoryConfigurationCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { bucketName, s3Client } from './lib/coffer.mjs';
import { checkDelivery, readRows } from './lib/reports.mjs';

const s3 = s3Client();
const MiB = 1024 * 1024;
const s3Encode = (text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

async function listKeys(Bucket, Prefix) {
  const keys = [];
  let ContinuationToken;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix, ContinuationToken }));
    keys.push(...(page.Contents ?? []));
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  return keys;
}

const download = (Bucket) => async (Key) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body.transformToByteArray());

/** `coffer inventory run --wait` against the running server (COFFER_ENDPOINT and the key from the environment); the manifest's key. */
async function runNow(bucket, id) {
  const { stdout } = await promisify(execFile)('dotnet', [process.env.COFFER_DLL, 'inventory', 'run', '--bucket', bucket, '--id', id, '--wait', '--output', 'json']);
  const run = JSON.parse(stdout);
  assert.equal(run.State, 'Succeeded', stdout);
  return run.ManifestKey;
}

describe('S3 inventory reports through @aws-sdk/client-s3', () => {
  let Source;
  let Destination;

  before(async () => {
    Source = bucketName('s3-inv-src');
    Destination = bucketName('s3-inv-dst');
    await s3.send(new CreateBucketCommand({ Bucket: Source }));
    await s3.send(new CreateBucketCommand({ Bucket: Destination }));
    await s3.send(new PutObjectCommand({ Bucket: Source, Key: 'logs/a b+c.txt', Body: 'hello', StorageClass: 'STANDARD_IA' }));
    await s3.send(new PutObjectCommand({ Bucket: Source, Key: 'logs/encrypted.txt', Body: 'secret', ServerSideEncryption: 'AES256' }));
    await s3.send(new PutObjectCommand({ Bucket: Source, Key: 'logs/日本/データ.json', Body: '{}' }));
    await s3.send(new PutObjectCommand({ Bucket: Source, Key: 'elsewhere.txt', Body: 'outside the prefix' }));
    const Key = 'logs/multi.bin';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: Source, Key }));
    const Parts = [];
    for (const [index, Body] of [randomBytes(5 * MiB), randomBytes(100)].entries()) {
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: Source, Key, UploadId, PartNumber: index + 1, Body }));
      Parts.push({ PartNumber: index + 1, ETag });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: Source, Key, UploadId, MultipartUpload: { Parts } }));
  });

  /** Puts a periodic configuration of the logs/ prefix through the SDK, runs it now, returns its manifest key. */
  async function putAndRun(Id, Format, Frequency, OptionalFields, { Bucket = Source, IncludedObjectVersions = 'Current' } = {}) {
    await s3.send(new PutBucketInventoryConfigurationCommand({
      Bucket,
      Id,
      InventoryConfiguration: {
        Id,
        IsEnabled: true,
        IncludedObjectVersions,
        Filter: { Prefix: 'logs/' },
        OptionalFields,
        Schedule: { Frequency },
        Destination: { S3BucketDestination: { Bucket: `arn:aws:s3:::${Destination}`, Format, Prefix: 'inventory' } },
      },
    }));
    return runNow(Bucket, Id);
  }

  test('a run delivers data files, a dated manifest, its checksum and the Hive symlink, and the rows are the bucket', async () => {
    const fields = ['Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'IsMultipartUploaded', 'EncryptionStatus'];
    const manifestKey = await putAndRun('weekly-logs', 'CSV', 'Weekly', fields);
    const folder = /^inventory\/[^/]+\/weekly-logs\/(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})Z\/manifest\.json$/.exec(manifestKey);
    assert.ok(folder, `the S3 layout: ${manifestKey}`);

    const { manifest, files } = await checkDelivery(download(Destination), manifestKey, { md5Field: 'MD5checksum', sizeIsString: false });
    assert.equal(manifest.sourceBucket, Source);
    assert.equal(manifest.destinationBucket, `arn:aws:s3:::${Destination}`);
    assert.equal(manifest.version, '2016-11-30');
    assert.equal(manifest.fileFormat, 'CSV');
    for (const file of manifest.files) {
      assert.match(file.key, new RegExp(`^inventory/${Source}/weekly-logs/data/[0-9a-f-]{36}\\.csv\\.gz$`));
    }

    const [, year, month, day, hour, minute] = folder;
    const symlinkKey = `inventory/${Source}/weekly-logs/hive/dt=${year}-${month}-${day}-${hour}-${minute}/symlink.txt`;
    const symlink = (await download(Destination)(symlinkKey)).toString('utf8');
    assert.deepEqual(symlink.trimEnd().split('\n'), manifest.files.map((f) => `s3://${Destination}/${f.key}`));
    const delivered = (await listKeys(Destination, `inventory/${Source}/weekly-logs/`)).map((o) => o.Key).sort();
    assert.deepEqual(delivered, [...manifest.files.map((f) => f.key), manifestKey, manifestKey.replace('.json', '.checksum'), symlinkKey].sort());

    const columns = manifest.fileSchema.split(', ');
    assert.deepEqual(columns, ['Bucket', 'Key', ...fields]);
    const objects = await listKeys(Source, 'logs/');
    assert.equal(objects.length, 4);
    const expected = [];
    for (const object of objects) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: Source, Key: object.Key }));
      const values = {
        Bucket: Source,
        Key: s3Encode(object.Key),
        Size: String(object.Size),
        LastModifiedDate: object.LastModified.toISOString(),
        ETag: object.ETag.replaceAll('"', ''),
        StorageClass: object.StorageClass,
        IsMultipartUploaded: String(object.Key === 'logs/multi.bin'),
        EncryptionStatus: { AES256: 'SSE-S3', 'aws:kms': 'SSE-KMS' }[head.ServerSideEncryption] ?? 'NOT-SSE',
      };
      expected.push(columns.map((c) => values[c]));
    }
    const csvRows = await readRows(files, { format: 'CSV', columns });
    assert.deepEqual(csvRows, expected);
    assert.deepEqual(csvRows.map((row) => row[columns.indexOf('EncryptionStatus')]).sort(), ['NOT-SSE', 'NOT-SSE', 'NOT-SSE', 'SSE-S3']);

    // The same snapshot (nothing changed since) as Parquet: the same rows, typed, with the key as it is.
    const parquetManifest = await putAndRun('parquet-logs', 'Parquet', 'Daily', fields);
    const parquet = await checkDelivery(download(Destination), parquetManifest, { md5Field: 'MD5checksum', sizeIsString: false });
    assert.equal(parquet.manifest.fileFormat, 'Parquet');
    assert.match(parquet.manifest.fileSchema, /^message s3\.inventory \{ required binary bucket \(UTF8\); required binary key \(UTF8\);/);
    for (const file of parquet.manifest.files) assert.match(file.key, /\/data\/[0-9a-f-]{36}\.parquet$/);
    const parquetColumns = [
      ['bucket', 'VARCHAR'], ['key', 'VARCHAR'], ['size', 'BIGINT'], ['last_modified_date', 'TIMESTAMP WITH TIME ZONE'], ['e_tag', 'VARCHAR'],
      ['storage_class', 'VARCHAR'], ['is_multipart_uploaded', 'BOOLEAN'], ['encryption_status', 'VARCHAR'],
    ];
    const parquetRows = await readRows(parquet.files, { format: 'Parquet', columns: parquetColumns });
    assert.deepEqual(parquetRows.map((row) => row.map((value, i) => (i === 1 ? s3Encode(value) : value))), csvRows);
  });

  test('an All-versions report of a versioned bucket has every version and delete marker, as ListObjectVersions shows them', async () => {
    const Versioned = bucketName('s3-inv-ver');
    await s3.send(new CreateBucketCommand({ Bucket: Versioned }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: Versioned, VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'logs/kept.txt', Body: 'first', Tagging: 'team=a', Metadata: { owner: 'x' } }));
    await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'logs/kept.txt', Body: 'second, longer', StorageClass: 'STANDARD_IA' }));
    await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'logs/gone.txt', Body: 'deleted later' }));
    await s3.send(new DeleteObjectCommand({ Bucket: Versioned, Key: 'logs/gone.txt' }));
    await s3.send(new PutObjectCommand({ Bucket: Versioned, Key: 'other/outside.txt', Body: 'not under the prefix' }));

    const fields = ['Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'IsMultipartUploaded', 'ObjectOwner'];
    const manifestKey = await putAndRun('all-versions', 'CSV', 'Daily', fields, { Bucket: Versioned, IncludedObjectVersions: 'All' });
    const { manifest, files } = await checkDelivery(download(Destination), manifestKey, { md5Field: 'MD5checksum', sizeIsString: false });
    const columns = manifest.fileSchema.split(', ');
    assert.deepEqual(columns, ['Bucket', 'Key', 'VersionId', 'IsLatest', 'IsDeleteMarker', ...fields]);

    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: Versioned, Prefix: 'logs/' }));
    assert.equal(listed.Versions.length, 3);
    assert.equal(listed.DeleteMarkers.length, 1);
    const ownerId = listed.Versions[0].Owner.ID;
    const row = (v, deleteMarker) => [
      Versioned, s3Encode(v.Key), v.VersionId, String(v.IsLatest), String(deleteMarker),
      deleteMarker ? '' : String(v.Size), v.LastModified.toISOString(), deleteMarker ? '' : v.ETag.replaceAll('"', ''),
      deleteMarker ? '' : v.StorageClass, deleteMarker ? '' : 'false', ownerId,
    ];
    const expected = [...listed.Versions.map((v) => row(v, false)), ...listed.DeleteMarkers.map((m) => row(m, true))];
    const rows = await readRows(files, { format: 'CSV', columns });
    const byKeyThenVersion = (a, b) => (a[1] + a[2]).localeCompare(b[1] + b[2]);
    assert.deepEqual([...rows].sort(byKeyThenVersion), expected.sort(byKeyThenVersion));
    assert.deepEqual(rows.map((r) => r[1]), ['logs%2Fgone.txt', 'logs%2Fgone.txt', 'logs%2Fkept.txt', 'logs%2Fkept.txt'], 'key order');
    assert.deepEqual(rows.map((r) => r[3]), ['true', 'false', 'true', 'false'], 'within a key, the latest version first');
    assert.equal(rows[0][4], 'true', 'the delete marker is the latest version of logs/gone.txt');
  });
});
