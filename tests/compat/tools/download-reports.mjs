// For scripts/check-orc-tools.sh: POSTs a one-time ORC and a CSV inventory of the benchmark bucket through
// cos-nodejs-sdk-v5, waits for both runs, and saves each report's manifest and files into a folder.
// Usage: node download-reports.mjs HOST:PORT FOLDER
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import COS from 'cos-nodejs-sdk-v5';

const [address, folder] = process.argv.slice(2);
// The benchmark tool's account and buckets (bench/Coffer.Benchmarks/InventoryBenchmark.cs).
const cos = new COS({ SecretId: 'AKIDbench', SecretKey: 'bench', Protocol: 'http:', Ip: address });
const Region = 'ap-guangzhou';
const Source = 'bench-1250000000';
const Destination = 'bench-reports-1250000000';
const call = (method, params) => new Promise((ok, fail) => cos[method](params, (err, data) => (err ? fail(err) : ok(data))));
const fields = ['Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'IsMultipartUploaded', 'Crc64'];

for (const format of ['ORC', 'CSV']) {
  const id = `check-${format.toLowerCase()}`;
  const xml = `<InventoryConfiguration><Id>${id}</Id><Destination><COSBucketDestination><Format>${format}</Format>` +
    `<Bucket>qcs::cos:${Region}::${Destination}</Bucket></COSBucketDestination></Destination>` +
    `<IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields>${fields.map((f) => `<Field>${f}</Field>`).join('')}` +
    '</OptionalFields></InventoryConfiguration>';
  const posted = await call('request', {
    Method: 'POST', Bucket: Source, Region, Action: 'inventory', Query: { id }, Body: xml,
    Headers: { 'Content-Type': 'application/xml', 'Content-MD5': createHash('md5').update(xml).digest('base64') },
  });
  let run;
  do {
    await new Promise((wake) => setTimeout(wake, 200));
    run = (await call('request', { Method: 'GET', Bucket: Source, Region, Action: 'inventory-run', Query: { 'job-id': posted.PostInventoryResult.JobId } })).InventoryRun;
  } while (run.State === 'Queued' || run.State === 'Running');
  if (run.State !== 'Succeeded') throw new Error(`the ${format} run ended ${run.State}: ${run.ErrorCode} ${run.ErrorMessage}`);

  const manifest = JSON.parse((await call('getObject', { Bucket: Destination, Region, Key: run.ManifestKey })).Body.toString());
  writeFileSync(join(folder, `${format}.manifest.json`), JSON.stringify(manifest, null, 2));
  for (const [index, file] of manifest.files.entries()) {
    writeFileSync(join(folder, `${format}.${index}`), (await call('getObject', { Bucket: Destination, Region, Key: file.key })).Body);
  }
  console.log(`${format}: ${run.ObjectsMatched} rows in ${manifest.files.length} file(s)`);
}
