// A 100,000-object bucket, seeded straight into a fresh data folder by the benchmark tool and served by a coffer of
// its own that cuts runs into partitions of at most 30,000 rows: its Parquet and CSV reports, made through
// cos-nodejs-sdk-v5, are one file per partition, and read by DuckDB in manifest order they hold exactly the bucket.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import COS from 'cos-nodejs-sdk-v5';
import { call } from './lib/coffer.mjs';
import { checkDelivery, readRows, waitForEnd } from './lib/reports.mjs';

const Objects = 100_000;
const PartitionRows = 30_000;
const Partitions = Math.ceil(Objects / PartitionRows);
const Region = 'ap-guangzhou';
// The benchmark tool's account and buckets (bench/Coffer.Benchmarks/InventoryBenchmark.cs).
const Source = 'bench-1250000000';
const Destination = 'bench-reports-1250000000';
const key = { appId: '1250000000', secretId: 'AKIDlargeReportsSecretId0000000000', secretKey: 'largeReportsSecretKey00000000000' };
const benchDll = process.env.COFFER_BENCH_DLL
  ?? process.env.COFFER_DLL.replace(/src\/Coffer\.Host\/bin\/(\w+)\/net10\.0\/coffer\.dll$/, 'bench/Coffer.Benchmarks/bin/$1/net10.0/Coffer.Benchmarks.dll');

describe(`reports of a ${Objects.toLocaleString('en')}-object bucket`, () => {
  const data = mkdtempSync(join(tmpdir(), 'coffer-large-'));
  let server;
  let cos;

  before(async () => {
    assert.ok(existsSync(benchDll), `the benchmark tool is built (${benchDll})`);
    await promisify(execFile)('dotnet', [benchDll, 'inventory-seed', data, String(Objects)]);
    const config = join(data, 'partitions.json');
    writeFileSync(config, JSON.stringify({ inventory: { partitionRows: PartitionRows } }));
    server = spawn('dotnet', [process.env.COFFER_DLL, 'serve', '--data', data, '--listen', '127.0.0.1:0', '--config', config], {
      env: { ...process.env, COFFER_ROOT_APPID: key.appId, COFFER_ROOT_SECRET_ID: key.secretId, COFFER_ROOT_SECRET_KEY: key.secretKey },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const address = await new Promise((resolve, reject) => {
      let output = '';
      server.stdout.on('data', (chunk) => {
        output += chunk;
        const match = /listening on http:\/\/(\S+)/.exec(output);
        if (match) resolve(match[1]);
      });
      server.on('exit', (code) => reject(new Error(`coffer exited with ${code}: ${output}`)));
    });
    cos = new COS({ SecretId: key.secretId, SecretKey: key.secretKey, Protocol: 'http:', Ip: address });
  });

  after(async () => {
    if (server) {
      server.removeAllListeners('exit');
      server.kill('SIGTERM');
      await new Promise((resolve) => server.on('exit', resolve));
    }
    rmSync(data, { recursive: true, force: true });
  });

  async function report(id, format) {
    const xml = `<InventoryConfiguration><Id>${id}</Id><Destination><COSBucketDestination><Format>${format}</Format>` +
      `<Bucket>qcs::cos:${Region}::${Destination}</Bucket></COSBucketDestination></Destination>` +
      '<IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields><Field>Size</Field><Field>LastModifiedDate</Field>' +
      '<Field>ETag</Field><Field>StorageClass</Field><Field>IsMultipartUploaded</Field></OptionalFields></InventoryConfiguration>';
    const posted = await call(cos, 'request', {
      Method: 'POST', Bucket: Source, Region, Action: 'inventory', Query: { id }, Body: xml,
      Headers: { 'Content-Type': 'application/xml', 'Content-MD5': createHash('md5').update(xml).digest('base64') },
    });
    const jobId = posted.PostInventoryResult.JobId;
    const run = await waitForEnd(async () =>
      (await call(cos, 'request', { Method: 'GET', Bucket: Source, Region, Action: 'inventory-run', Query: { 'job-id': jobId } })).InventoryRun,
    { timeoutMs: 120_000 });
    assert.equal(run.State, 'Succeeded', JSON.stringify(run));
    assert.equal(run.ObjectsMatched, String(Objects));
    const download = async (Key) => (await call(cos, 'getObject', { Bucket: Destination, Region, Key })).Body;
    const delivery = await checkDelivery(download, run.ManifestKey, { md5Field: 'md5Checksum', sizeIsString: true });
    assert.equal(delivery.files.length, Partitions, 'one file per partition');
    return delivery;
  }

  /** Every object as the SDK lists it, in the report's column order. */
  async function listBucket() {
    const rows = [];
    let Marker = '';
    for (;;) {
      const page = await call(cos, 'getBucket', { Bucket: Source, Region, Marker, MaxKeys: 1000 });
      for (const o of page.Contents) {
        // A listing has no multipart flag; a multipart upload's ETag ends in -<parts>.
        const eTag = o.ETag.replaceAll('"', '');
        rows.push([key.appId, 'bench', o.Key, o.Size, o.LastModified, eTag, o.StorageClass, String(eTag.includes('-'))]);
      }
      if (page.IsTruncated !== 'true') return rows;
      Marker = page.NextMarker;
    }
  }

  test('the partitioned Parquet report has the bucket\'s rows with their types, in key order, and so has the CSV report of the same snapshot', async () => {
    const parquet = await report('large-parquet', 'Parquet');
    const csv = await report('large-csv', 'CSV');
    const bucket = await listBucket();
    assert.equal(bucket.length, Objects);

    const parquetRows = await readRows(parquet.files, {
      format: 'Parquet',
      columns: [
        ['appid', 'VARCHAR'], ['bucket', 'VARCHAR'], ['key', 'VARCHAR'], ['size', 'BIGINT'], ['last_modified_date', 'TIMESTAMP WITH TIME ZONE'],
        ['e_tag', 'VARCHAR'], ['storage_class', 'VARCHAR'], ['is_multipart_uploaded', 'BOOLEAN'],
      ],
    });
    assert.equal(parquetRows.length, Objects);
    assert.deepEqual(parquetRows, bucket);

    const csvRows = await readRows(csv.files, { format: 'CSV', columns: csv.manifest.fileSchema.split(', ') });
    assert.deepEqual(csvRows.map((row) => row.map((value, i) => (i === 2 ? decodeURIComponent(value) : value))), bucket);
  });
});
