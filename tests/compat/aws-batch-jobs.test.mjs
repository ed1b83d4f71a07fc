// S3 Batch Operations with the official @aws-sdk/client-s3-control: the job API (CreateJob, DescribeJob, ListJobs,
// UpdateJobPriority, UpdateJobStatus, job tagging) on the SDK's own virtual host <account>.s3-control.<region>.amazonaws.com,
// and jobs end to end from an S3 inventory report Coffer made: tagging, copying to another bucket under a prefix and
// deleting tags, each with its completion report read back (manifest, checksum, and the rows through DuckDB); an in-place
// copy that changes storage classes, seen in the next inventory report; and an object the bucket policy keeps from the
// job's creator, a failed task in the completion report.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketInventoryConfigurationCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import {
  CreateJobCommand,
  DeleteJobTaggingCommand,
  DescribeJobCommand,
  GetJobTaggingCommand,
  ListJobsCommand,
  PutJobTaggingCommand,
  S3ControlClient,
  UpdateJobPriorityCommand,
  UpdateJobStatusCommand,
} from '@aws-sdk/client-s3-control';
import { DuckDBInstance } from '@duckdb/node-api';
import { Region, account, bucketName, endpoint, s3Client } from './lib/coffer.mjs';
import { checkDelivery, md5Hex, readRows } from './lib/reports.mjs';

const s3 = s3Client();
const AccountId = account.uin;

// The SDK puts the account in front of the endpoint's host (<uin>.s3-control.<region>.amazonaws.com); every such
// name is resolved to the server's address, as a DNS entry would.
const toServer = (hostname, options, callback) => (options.all
  ? callback(null, [{ address: endpoint.hostname, family: 4 }])
  : callback(null, endpoint.hostname, 4));
const control = new S3ControlClient({
  endpoint: `http://s3-control.${Region}.amazonaws.com:${endpoint.port}`,
  region: Region,
  credentials: { accessKeyId: account.secretId, secretAccessKey: account.secretKey },
  requestHandler: { httpAgent: new Agent({ lookup: toServer }) },
});

const download = (Bucket) => async (Key) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body.transformToByteArray());

async function waitForStatus(JobId, wanted) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { Job } = await control.send(new DescribeJobCommand({ AccountId, JobId }));
    if (wanted.includes(Job.Status)) return Job;
    if (Date.now() > deadline) assert.fail(`job ${JobId} did not reach ${wanted}: ${JSON.stringify(Job)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The completion report as its consumers read it: the manifest, its checksum, each result file's MD5, the rows. */
async function readReport(bucket, manifestKey) {
  const get = download(bucket);
  const manifestBytes = await get(manifestKey);
  assert.equal((await get(manifestKey.replace(/manifest\.json$/, 'manifest.checksum'))).toString('ascii'), md5Hex(manifestBytes));
  const manifest = JSON.parse(manifestBytes.toString('utf8'));
  assert.equal(manifest.Format, 'Report_CSV_20180820');
  assert.equal(manifest.ReportSchema, 'Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage');
  const columns = manifest.ReportSchema.split(', ');
  const folder = mkdtempSync(join(tmpdir(), 'coffer-completion-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const rows = [];
    for (const [index, result] of manifest.Results.entries()) {
      const bytes = await get(result.Key);
      assert.equal(result.MD5Checksum, md5Hex(bytes), `the MD5 of ${result.Key}`);
      const path = join(folder, `${index}.csv`);
      writeFileSync(path, bytes);
      const reader = await connection.runAndReadAll(`SELECT * FROM read_csv('${path}', header = false, delim = ',', quote = '"', escape = '"', ` +
        `auto_detect = false, columns = {${columns.map((c) => `'${c}': 'VARCHAR'`).join(', ')}})`);
      rows.push(...reader.getRows().map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i] ?? '']))));
    }
    return { manifest, rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** `coffer inventory run --wait` (S3 has no one-time inventory job); the run's manifest key. */
async function runInventory(bucket, id) {
  const { stdout } = await promisify(execFile)('dotnet', [process.env.COFFER_DLL, 'inventory', 'run', '--bucket', bucket, '--id', id, '--wait', '--output', 'json']);
  const run = JSON.parse(stdout);
  assert.equal(run.State, 'Succeeded', stdout);
  return run.ManifestKey;
}

/** Puts an inventory configuration of `Filter` (a prefix, or the whole bucket) into `destination` and runs it now. */
async function inventoryNow(Bucket, Id, destination, { Prefix, OptionalFields } = {}) {
  await s3.send(new PutBucketInventoryConfigurationCommand({
    Bucket,
    Id,
    InventoryConfiguration: {
      Id,
      IsEnabled: true,
      IncludedObjectVersions: 'Current',
      Schedule: { Frequency: 'Daily' },
      ...(Prefix ? { Filter: { Prefix } } : {}),
      OptionalFields,
      Destination: { S3BucketDestination: { Bucket: `arn:aws:s3:::${destination}`, Format: 'CSV', Prefix: 'inventory' } },
    },
  }));
  return runInventory(Bucket, Id);
}

/** The inventory report at `manifestKey` as a list of rows (objects by column name), read through DuckDB. */
async function inventoryRows(bucket, manifestKey) {
  const { manifest, files } = await checkDelivery(download(bucket), manifestKey, { md5Field: 'MD5checksum', sizeIsString: false });
  const columns = manifest.fileSchema.split(', ');
  return (await readRows(files, { format: 'CSV', columns })).map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
}

/** A job's manifest naming the inventory report at `Key` in `bucket`, with its ETag. */
async function inventoryManifest(bucket, Key) {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key }));
  return { Spec: { Format: 'S3InventoryReport_CSV_20161130' }, Location: { ObjectArn: `arn:aws:s3:::${bucket}/${Key}`, ETag: head.ETag } };
}

const reportSpec = (Bucket, Prefix) => ({ Bucket: `arn:aws:s3:::${Bucket}`, Enabled: true, Format: 'Report_CSV_20180820', Prefix, ReportScope: 'AllTasks' });

describe('S3 Control job API through @aws-sdk/client-s3-control', () => {
  const source = bucketName('jobs-src');
  let manifest;

  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: source }));
    for (const Key of ['one.txt', 'two.txt']) {
      await s3.send(new PutObjectCommand({ Bucket: source, Key, Body: Key }));
    }
    const put = await s3.send(new PutObjectCommand({ Bucket: source, Key: 'list.csv', Body: `${source},one.txt\n${source},two.txt\n` }));
    manifest = {
      Spec: { Format: 'S3BatchOperations_CSV_20180820', Fields: ['Bucket', 'Key'] },
      Location: { ObjectArn: `arn:aws:s3:::${source}/list.csv`, ETag: put.ETag },
    };
  });

  test('a confirmed job runs; priority, status, listing and job tags go through the SDK', async () => {
    const { JobId } = await control.send(new CreateJobCommand({
      AccountId,
      ConfirmationRequired: true,
      ClientRequestToken: `sdk-${Date.now()}`,
      Priority: 5,
      RoleArn: `arn:aws:iam::${AccountId}:role/batch`,
      Manifest: manifest,
      Operation: { S3PutObjectTagging: { TagSet: [{ Key: 'batch', Value: 'yes' }] } },
      Report: { Enabled: false },
      Tags: [{ Key: 'owner', Value: 'compat' }],
    }));
    assert.match(JobId, /^[0-9a-f-]{36}$/);

    const suspended = await waitForStatus(JobId, ['Suspended']);
    assert.equal(suspended.ProgressSummary.TotalNumberOfTasks, 2);
    assert.equal(suspended.Priority, 5);
    assert.equal(suspended.Manifest.Location.ObjectArn, `arn:aws:s3:::${source}/list.csv`);
    assert.deepEqual(suspended.Operation.S3PutObjectTagging.TagSet, [{ Key: 'batch', Value: 'yes' }]);

    const priority = await control.send(new UpdateJobPriorityCommand({ AccountId, JobId, Priority: 7 }));
    assert.equal(priority.Priority, 7);
    const listed = await control.send(new ListJobsCommand({ AccountId, JobStatuses: ['Suspended'] }));
    const entry = listed.Jobs.find((job) => job.JobId === JobId);
    assert.equal(entry.Operation, 'S3PutObjectTagging');
    assert.equal(entry.Priority, 7);

    assert.deepEqual((await control.send(new GetJobTaggingCommand({ AccountId, JobId }))).Tags, [{ Key: 'owner', Value: 'compat' }]);
    await control.send(new PutJobTaggingCommand({ AccountId, JobId, Tags: [{ Key: 'owner', Value: 'ops' }] }));
    assert.deepEqual((await control.send(new GetJobTaggingCommand({ AccountId, JobId }))).Tags, [{ Key: 'owner', Value: 'ops' }]);
    await control.send(new DeleteJobTaggingCommand({ AccountId, JobId }));
    assert.deepEqual((await control.send(new GetJobTaggingCommand({ AccountId, JobId }))).Tags ?? [], []);

    const confirmed = await control.send(new UpdateJobStatusCommand({ AccountId, JobId, RequestedJobStatus: 'Ready' }));
    assert.equal(confirmed.Status, 'Ready');
    const done = await waitForStatus(JobId, ['Complete', 'Failed']);
    assert.equal(done.Status, 'Complete');
    assert.equal(done.ProgressSummary.NumberOfTasksSucceeded, 2);
    for (const Key of ['one.txt', 'two.txt']) {
      const { TagSet } = await s3.send(new GetObjectTaggingCommand({ Bucket: source, Key }));
      assert.deepEqual(TagSet, [{ Key: 'batch', Value: 'yes' }]);
    }

    await assert.rejects(control.send(new UpdateJobStatusCommand({ AccountId, JobId, RequestedJobStatus: 'Cancelled' })),
      (error) => error.name === 'JobStatusException' && error.$metadata.httpStatusCode === 409);
  });

  test('an unknown job is the modeled NotFoundException', async () => {
    await assert.rejects(control.send(new DescribeJobCommand({ AccountId, JobId: '00000000-0000-4000-8000-000000000000' })),
      (error) => error.name === 'NotFoundException' && error.$metadata.httpStatusCode === 404);
  });
});

describe('S3 Batch Operations from an inventory report Coffer made', () => {
  const source = bucketName('batch-inv');
  const reports = bucketName('batch-rep');
  const copies = bucketName('batch-copy');
  const keys = Array.from({ length: 25 }, (_, i) => `data/file ${String(i).padStart(2, '0')}.txt`);
  let manifest;

  before(async () => {
    for (const Bucket of [source, reports, copies]) {
      await s3.send(new CreateBucketCommand({ Bucket }));
    }
    for (const Key of keys) {
      await s3.send(new PutObjectCommand({ Bucket: source, Key, Body: `body of ${Key}`, ContentType: 'text/plain' }));
    }
    await s3.send(new PutBucketInventoryConfigurationCommand({
      Bucket: source,
      Id: 'batch',
      InventoryConfiguration: {
        Id: 'batch',
        IsEnabled: true,
        IncludedObjectVersions: 'Current',
        Schedule: { Frequency: 'Daily' },
        Filter: { Prefix: 'data/' },
        Destination: { S3BucketDestination: { Bucket: `arn:aws:s3:::${reports}`, Format: 'CSV', Prefix: 'inventory' } },
      },
    }));
    const Key = await runInventory(source, 'batch');
    const head = await s3.send(new HeadObjectCommand({ Bucket: reports, Key }));
    manifest = { Spec: { Format: 'S3InventoryReport_CSV_20161130' }, Location: { ObjectArn: `arn:aws:s3:::${reports}/${Key}`, ETag: head.ETag } };
  });

  const create = async (Operation, prefix) => (await control.send(new CreateJobCommand({
    AccountId,
    ConfirmationRequired: false,
    ClientRequestToken: `${prefix}-${Date.now()}`,
    Priority: 10,
    RoleArn: `arn:aws:iam::${AccountId}:role/batch`,
    Manifest: manifest,
    Operation,
    Report: reportSpec(reports, `completion/${prefix}`),
  }))).JobId;

  const expectReport = async (JobId, prefix) => {
    const job = await waitForStatus(JobId, ['Complete', 'Failed', 'Cancelled']);
    assert.equal(job.Status, 'Complete', JSON.stringify(job));
    assert.equal(job.ProgressSummary.TotalNumberOfTasks, keys.length);
    assert.equal(job.ProgressSummary.NumberOfTasksSucceeded, keys.length);
    const { manifest: report, rows } = await readReport(reports, `completion/${prefix}/job-${JobId}/manifest.json`);
    assert.deepEqual(report.Results.map((r) => r.TaskExecutionStatus), ['succeeded']);
    assert.deepEqual(rows.map((r) => decodeURIComponent(r.Key)).sort(), keys);
    assert.ok(rows.every((r) => r.Bucket === source && r.TaskStatus === 'succeeded' && r.HTTPStatusCode === '200'), JSON.stringify(rows[0]));
  };

  test('S3PutObjectTagging tags every object the report lists', async () => {
    const JobId = await create({ S3PutObjectTagging: { TagSet: [{ Key: 'class', Value: 'archive' }] } }, 'tagging');
    await expectReport(JobId, 'tagging');
    for (const Key of keys) {
      assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: source, Key }))).TagSet, [{ Key: 'class', Value: 'archive' }]);
    }
  });

  test('S3PutObjectCopy copies every object to another bucket under a prefix, with its metadata', async () => {
    const JobId = await create({
      S3PutObjectCopy: { TargetResource: `arn:aws:s3:::${copies}`, TargetKeyPrefix: 'copied/', MetadataDirective: 'COPY', StorageClass: 'STANDARD_IA' },
    }, 'copy');
    await expectReport(JobId, 'copy');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: copies }));
    assert.deepEqual(listed.Contents.map((o) => o.Key).sort(), keys.map((k) => `copied/${k}`));
    const copy = await s3.send(new GetObjectCommand({ Bucket: copies, Key: `copied/${keys[3]}` }));
    assert.equal(await copy.Body.transformToString(), `body of ${keys[3]}`);
    assert.equal(copy.ContentType, 'text/plain');
    assert.equal(copy.StorageClass, 'STANDARD_IA');
  });

  test('S3DeleteObjectTagging removes the tags of every object the report lists', async () => {
    await s3.send(new PutObjectTaggingCommand({ Bucket: source, Key: keys[0], Tagging: { TagSet: [{ Key: 'x', Value: 'y' }] } }));
    const JobId = await create({ S3DeleteObjectTagging: {} }, 'untag');
    await expectReport(JobId, 'untag');
    for (const Key of keys) {
      assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: source, Key }))).TagSet ?? [], []);
    }
  });
});

describe('S3 Batch Operations: storage classes and denied objects', () => {
  const source = bucketName('batch-class');
  const reports = bucketName('batch-crep');
  const cold = ['cold/a.txt', 'cold/b c.txt', 'cold/d+e.txt', 'cold/日本.txt'];
  const warm = ['warm/a.txt', 'warm/b.txt', 'coldish.txt'];

  before(async () => {
    for (const Bucket of [source, reports]) {
      await s3.send(new CreateBucketCommand({ Bucket }));
    }
    for (const Key of [...cold, ...warm]) {
      await s3.send(new PutObjectCommand({ Bucket: source, Key, Body: `body of ${Key}`, ContentType: 'text/plain', Metadata: { origin: 'compat' } }));
    }
  });

  const runJob = async (Manifest, Operation, prefix) => {
    const { JobId } = await control.send(new CreateJobCommand({
      AccountId,
      ConfirmationRequired: false,
      ClientRequestToken: `${prefix}-${Date.now()}`,
      Priority: 10,
      RoleArn: `arn:aws:iam::${AccountId}:role/batch`,
      Manifest,
      Operation,
      Report: reportSpec(reports, `completion/${prefix}`),
    }));
    return { JobId, job: await waitForStatus(JobId, ['Complete', 'Failed', 'Cancelled']) };
  };

  test('an in-place S3PutObjectCopy changes the storage class of exactly the objects of the report, as the next report shows', async () => {
    const before = await inventoryRows(reports, await inventoryNow(source, 'everything-before', reports, { OptionalFields: ['StorageClass'] }));
    assert.deepEqual(new Set(before.map((r) => r.StorageClass)), new Set(['STANDARD']));

    const coldReport = await inventoryNow(source, 'cold', reports, { Prefix: 'cold/' });
    const { job } = await runJob(await inventoryManifest(reports, coldReport),
      { S3PutObjectCopy: { MetadataDirective: 'COPY', StorageClass: 'STANDARD_IA' } }, 'reclass');
    assert.equal(job.Status, 'Complete', JSON.stringify(job));
    assert.equal(job.ProgressSummary.NumberOfTasksSucceeded, cold.length);
    assert.equal(job.ProgressSummary.NumberOfTasksFailed, 0);

    const after = await inventoryRows(reports, await inventoryNow(source, 'everything-after', reports, { OptionalFields: ['StorageClass'] }));
    const classes = Object.fromEntries(after.map((r) => [decodeURIComponent(r.Key), r.StorageClass]));
    assert.deepEqual(classes, Object.fromEntries([...cold.map((k) => [k, 'STANDARD_IA']), ...warm.map((k) => [k, 'STANDARD'])]));
    // The copy kept what it was told to keep: the body, the content type, the metadata.
    const copy = await s3.send(new GetObjectCommand({ Bucket: source, Key: cold[1] }));
    assert.equal(await copy.Body.transformToString(), `body of ${cold[1]}`);
    assert.equal(copy.ContentType, 'text/plain');
    assert.deepEqual(copy.Metadata, { origin: 'compat' });
    assert.equal(copy.StorageClass, 'STANDARD_IA');
  });

  test('an object the bucket policy denies to the job creator is a failed task (AccessDenied) in the completion report', async () => {
    const denied = 'warm/b.txt';
    await s3.send(new PutBucketPolicyCommand({
      Bucket: source,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'NoTaggingOfOneKey',
          Effect: 'Deny',
          Principal: { AWS: `arn:aws:iam::${AccountId}:root` },
          Action: 's3:PutObjectTagging',
          Resource: `arn:aws:s3:::${source}/${denied}`,
        }],
      }),
    }));
    const warmReport = await inventoryNow(source, 'warm', reports, { Prefix: 'warm/' });
    const { JobId, job } = await runJob(await inventoryManifest(reports, warmReport),
      { S3PutObjectTagging: { TagSet: [{ Key: 'tier', Value: 'warm' }] } }, 'denied');
    assert.equal(job.Status, 'Complete', JSON.stringify(job));
    assert.equal(job.ProgressSummary.TotalNumberOfTasks, 2);
    assert.equal(job.ProgressSummary.NumberOfTasksSucceeded, 1);
    assert.equal(job.ProgressSummary.NumberOfTasksFailed, 1);

    const { manifest, rows } = await readReport(reports, `completion/denied/job-${JobId}/manifest.json`);
    assert.deepEqual(manifest.Results.map((r) => r.TaskExecutionStatus).sort(), ['failed', 'succeeded']);
    const byKey = Object.fromEntries(rows.map((r) => [decodeURIComponent(r.Key), r]));
    assert.deepEqual(Object.keys(byKey).sort(), ['warm/a.txt', denied]);
    assert.deepEqual({ ...byKey[denied], ResultMessage: undefined }, {
      Bucket: source, Key: byKey[denied].Key, VersionId: '', TaskStatus: 'failed', ErrorCode: 'AccessDenied', HTTPStatusCode: '403', ResultMessage: undefined,
    });
    assert.match(byKey[denied].ResultMessage, /Access Denied/);
    assert.equal(byKey['warm/a.txt'].TaskStatus, 'succeeded');
    assert.equal(byKey['warm/a.txt'].HTTPStatusCode, '200');

    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: source, Key: 'warm/a.txt' }))).TagSet, [{ Key: 'tier', Value: 'warm' }]);
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: source, Key: denied }))).TagSet ?? [], []);
  });
});
