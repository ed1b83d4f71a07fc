// Coffer's own additions seen through the official SDKs: the CofferReport element of an inventory configuration
// (incremental and diff reports) round-trips through cos-nodejs-sdk-v5, which writes whatever keys it is given, and is
// ignored by @aws-sdk/client-s3, which still reads the rest of the configuration; a configuration without it reads back
// untouched through both. And S3's bucket notification configuration through @aws-sdk/client-s3: empty by default, a
// destination the server does not have refused with InvalidArgument rather than accepted.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  GetBucketInventoryConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  ListBucketInventoryConfigurationsCommand,
  PutBucketInventoryConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
} from '@aws-sdk/client-s3';
import { Region, bucketName, call, cosClient, s3Client } from './lib/coffer.mjs';

const cos = cosClient();
const s3 = s3Client();

async function newBuckets(label) {
  const source = bucketName(label);
  const destination = bucketName(`${label}dst`);
  for (const Bucket of [source, destination]) await call(cos, 'putBucket', { Bucket, Region });
  return [source, destination];
}

const cosConfiguration = (Id, destination, extra = {}) => ({
  Id,
  IsEnabled: 'true',
  IncludedObjectVersions: 'Current',
  Schedule: { Frequency: 'Daily' },
  OptionalFields: ['Size', 'ETag'],
  Destination: { COSBucketDestination: { Format: 'CSV', Bucket: `qcs::cos:${Region}::${destination}`, Prefix: 'reports' } },
  ...extra,
});

describe('the CofferReport extension through the official SDKs', () => {
  test('cos-nodejs-sdk-v5 round-trips a configuration with CofferReport, and one without it comes back without it', async () => {
    const [source, destination] = await newBuckets('extcos');
    const live = cosConfiguration('live', destination, { CofferReport: { Type: 'Incremental' } });
    await call(cos, 'putBucketInventory', { Bucket: source, Region, Id: 'live', InventoryConfiguration: live });
    await call(cos, 'putBucketInventory', { Bucket: source, Region, Id: 'plain', InventoryConfiguration: cosConfiguration('plain', destination) });

    const gotLive = (await call(cos, 'getBucketInventory', { Bucket: source, Region, Id: 'live' })).InventoryConfiguration;
    assert.deepEqual(gotLive.CofferReport, { Type: 'Incremental' });
    const gotPlain = (await call(cos, 'getBucketInventory', { Bucket: source, Region, Id: 'plain' })).InventoryConfiguration;
    assert.equal(gotPlain.CofferReport, undefined);
    assert.equal(gotPlain.Id, 'plain');
    assert.deepEqual(gotPlain.OptionalFields, ['Size', 'ETag']);
    // The configuration the SDK read back is one it can PUT again unchanged.
    await call(cos, 'putBucketInventory', { Bucket: source, Region, Id: 'live', InventoryConfiguration: gotLive });
    const again = (await call(cos, 'getBucketInventory', { Bucket: source, Region, Id: 'live' })).InventoryConfiguration;
    assert.deepEqual(again, gotLive);
  });

  test('@aws-sdk/client-s3 reads a configuration with CofferReport (ignoring it) and round-trips a plain one untouched', async () => {
    const [source, destination] = await newBuckets('extaws');
    await call(cos, 'putBucketInventory', {
      Bucket: source, Region, Id: 'live',
      InventoryConfiguration: cosConfiguration('live', destination, { CofferReport: { Type: 'Diff' } }),
    });
    const plain = {
      Id: 'plain',
      IsEnabled: true,
      IncludedObjectVersions: 'All',
      OptionalFields: ['Size', 'ETag'],
      Schedule: { Frequency: 'Weekly' },
      Destination: { S3BucketDestination: { Bucket: `arn:aws:s3:::${destination}`, Format: 'Parquet', Prefix: 'inv' } },
    };
    await s3.send(new PutBucketInventoryConfigurationCommand({ Bucket: source, Id: 'plain', InventoryConfiguration: plain }));

    const live = (await s3.send(new GetBucketInventoryConfigurationCommand({ Bucket: source, Id: 'live' }))).InventoryConfiguration;
    assert.equal(live.Id, 'live');
    assert.equal(live.Destination.S3BucketDestination.Format, 'CSV');
    assert.deepEqual(live.OptionalFields, ['Size', 'ETag']);
    assert.equal(live.CofferReport, undefined);
    const got = (await s3.send(new GetBucketInventoryConfigurationCommand({ Bucket: source, Id: 'plain' }))).InventoryConfiguration;
    assert.deepEqual(got, plain);
    const listed = await s3.send(new ListBucketInventoryConfigurationsCommand({ Bucket: source }));
    assert.deepEqual(listed.InventoryConfigurationList.map((c) => c.Id).sort(), ['live', 'plain']);
    // The COS SDK still sees the extension on the configuration the AWS SDK listed.
    const viaCos = (await call(cos, 'getBucketInventory', { Bucket: source, Region, Id: 'live' })).InventoryConfiguration;
    assert.deepEqual(viaCos.CofferReport, { Type: 'Diff' });
  });
});

describe('bucket notification configuration through @aws-sdk/client-s3', () => {
  test('a bucket has none until one is set, and a destination the server does not have is refused', async () => {
    const [bucket] = await newBuckets('extnotify');
    const empty = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
    assert.equal(empty.$metadata.httpStatusCode, 200);
    assert.equal(empty.QueueConfigurations, undefined);

    await assert.rejects(
      s3.send(new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [{ Id: 'sqs', QueueArn: 'arn:aws:sqs:ap-guangzhou:123456789012:orders', Events: ['s3:ObjectCreated:*'] }],
        },
      })),
      (error) => error.name === 'InvalidArgument' && error.$metadata.httpStatusCode === 400 && /Unable to validate/.test(error.message),
    );
    const after = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
    assert.equal(after.QueueConfigurations, undefined);
  });
});
