// Bucket and object settings through the official @aws-sdk/client-s3: lifecycle (expirations and transitions), CORS,
// bucket tagging, object ACLs (canned and granted, read by the grantee), ownership controls, the public access block,
// the bucket policy status and GetObjectAttributes. Each is put, read back as the SDK parses it, enforced where it has
// an effect, and deleted.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBucketCommand,
  DeleteBucketCorsCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketTaggingCommand,
  DeletePublicAccessBlockCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetObjectAclCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { bucketName, partner, s3Client } from './lib/coffer.mjs';

const s3 = s3Client();
const stranger = s3Client({ secretId: partner.secretId, secretKey: partner.secretKey });

const rejectsWith = (promise, name, status) =>
  assert.rejects(promise, (error) => {
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    assert.equal(error.$metadata.httpStatusCode, status);
    return true;
  });

describe('bucket and object settings (@aws-sdk/client-s3)', () => {
  const bucket = bucketName('aws-settings');
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  test('PutBucketLifecycleConfiguration with expirations and transitions reads back as put, and DeleteBucketLifecycle removes it', async () => {
    const Rules = [
      { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } },
      {
        ID: 'cold',
        Status: 'Enabled',
        Filter: { And: { Prefix: 'data/', Tags: [{ Key: 'tier', Value: 'cold' }] } },
        Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }, { Days: 90, StorageClass: 'GLACIER' }],
        NoncurrentVersionExpiration: { NoncurrentDays: 10 },
      },
      { ID: 'uploads', Status: 'Disabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
    ];
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules } }));
    const read = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    assert.deepEqual(read.Rules, Rules);

    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'logs/today.txt', Body: 'log' }));
    assert.match(put.Expiration, /^expiry-date="[^"]+ GMT", rule-id="logs"$/);

    await s3.send(new DeleteBucketLifecycleCommand({ Bucket: bucket }));
    await rejectsWith(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })), 'NoSuchLifecycleConfiguration', 404);
  });

  test('a lifecycle transition to STANDARD_IA before 30 days is refused with InvalidArgument', async () => {
    await rejectsWith(s3.send(new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: { Rules: [{ ID: 'soon', Status: 'Enabled', Filter: { Prefix: '' }, Transitions: [{ Days: 5, StorageClass: 'STANDARD_IA' }] }] },
    })), 'InvalidArgument', 400);
  });

  test('PutBucketCors reads back as put, and DeleteBucketCors removes it', async () => {
    const CORSRules = [{
      ID: 'page',
      AllowedOrigins: ['https://app.example'],
      AllowedMethods: ['GET', 'PUT'],
      AllowedHeaders: ['x-amz-meta-*'],
      ExposeHeaders: ['ETag'],
      MaxAgeSeconds: 600,
    }];
    await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules } }));
    assert.deepEqual((await s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules, CORSRules);
    await s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
    await rejectsWith(s3.send(new GetBucketCorsCommand({ Bucket: bucket })), 'NoSuchCORSConfiguration', 404);
  });

  test('PutBucketTagging reads back as put, and DeleteBucketTagging leaves NoSuchTagSet', async () => {
    const TagSet = [{ Key: 'team', Value: 'storage' }, { Key: 'cost-centre', Value: '42' }];
    await s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet } }));
    const read = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    assert.deepEqual([...read.TagSet].sort((a, b) => a.Key.localeCompare(b.Key)), [...TagSet].sort((a, b) => a.Key.localeCompare(b.Key)));
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: bucket }));
    await rejectsWith(s3.send(new GetBucketTaggingCommand({ Bucket: bucket })), 'NoSuchTagSet', 404);
  });

  test('PutObjectAcl public-read lets another account read the object, and private takes it back', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'shared.txt', Body: 'shared' }));
    await rejectsWith(stranger.send(new GetObjectCommand({ Bucket: bucket, Key: 'shared.txt' })), 'AccessDenied', 403);

    await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'shared.txt', ACL: 'public-read' }));
    const acl = await s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'shared.txt' }));
    assert.ok(acl.Owner?.ID, 'the ACL names its owner');
    assert.ok(acl.Grants.some((g) => g.Grantee.Type === 'Group' && g.Grantee.URI === 'http://acs.amazonaws.com/groups/global/AllUsers' && g.Permission === 'READ'),
      JSON.stringify(acl.Grants));
    const read = await stranger.send(new GetObjectCommand({ Bucket: bucket, Key: 'shared.txt' }));
    assert.equal(await read.Body.transformToString(), 'shared');

    await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'shared.txt', ACL: 'private' }));
    await rejectsWith(stranger.send(new GetObjectCommand({ Bucket: bucket, Key: 'shared.txt' })), 'AccessDenied', 403);
  });

  test('an object ACL granting READ to another account lets exactly that account read it', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'granted.txt', Body: 'granted' }));
    await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'granted.txt', GrantRead: `id="${partner.uin}"` }));
    const acl = await s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'granted.txt' }));
    assert.ok(acl.Grants.some((g) => g.Grantee.Type === 'CanonicalUser' && g.Grantee.ID?.includes(partner.uin) && g.Permission === 'READ'),
      JSON.stringify(acl.Grants));
    const read = await stranger.send(new GetObjectCommand({ Bucket: bucket, Key: 'granted.txt' }));
    assert.equal(await read.Body.transformToString(), 'granted');
  });

  test('PutBucketOwnershipControls BucketOwnerEnforced turns ACLs off: an ACL other than the owner\'s is refused', async () => {
    const enforced = bucketName('aws-owner');
    await s3.send(new CreateBucketCommand({ Bucket: enforced }));
    await rejectsWith(s3.send(new GetBucketOwnershipControlsCommand({ Bucket: enforced })), 'OwnershipControlsNotFoundError', 404);
    await s3.send(new PutBucketOwnershipControlsCommand({
      Bucket: enforced, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    }));
    const controls = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: enforced }));
    assert.deepEqual(controls.OwnershipControls.Rules, [{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: enforced, Key: 'open.txt', Body: 'x', ACL: 'public-read' })),
      'AccessControlListNotSupported', 400);
    await s3.send(new PutObjectCommand({ Bucket: enforced, Key: 'plain.txt', Body: 'x' }));
  });

  test('PutPublicAccessBlock refuses public ACLs while it is on, and DeletePublicAccessBlock lifts it', async () => {
    const blocked = bucketName('aws-block');
    await s3.send(new CreateBucketCommand({ Bucket: blocked }));
    const PublicAccessBlockConfiguration = { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false };
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: blocked, PublicAccessBlockConfiguration }));
    assert.deepEqual((await s3.send(new GetPublicAccessBlockCommand({ Bucket: blocked }))).PublicAccessBlockConfiguration, PublicAccessBlockConfiguration);
    await rejectsWith(s3.send(new PutBucketAclCommand({ Bucket: blocked, ACL: 'public-read' })), 'AccessDenied', 403);

    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: blocked }));
    await rejectsWith(s3.send(new GetPublicAccessBlockCommand({ Bucket: blocked })), 'NoSuchPublicAccessBlockConfiguration', 404);
    await s3.send(new PutBucketAclCommand({ Bucket: blocked, ACL: 'public-read' }));
  });

  test('GetBucketPolicyStatus is NoSuchBucketPolicy without a policy, public for an Allow to everyone, and not once a source address pins it', async () => {
    const judged = bucketName('aws-status');
    await s3.send(new CreateBucketCommand({ Bucket: judged }));
    await rejectsWith(s3.send(new GetBucketPolicyStatusCommand({ Bucket: judged })), 'NoSuchBucketPolicy', 404);
    const policy = (condition) => JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${judged}/*`, ...condition }],
    });
    await s3.send(new PutBucketPolicyCommand({ Bucket: judged, Policy: policy({}) }));
    assert.equal((await s3.send(new GetBucketPolicyStatusCommand({ Bucket: judged }))).PolicyStatus.IsPublic, true);
    await s3.send(new PutBucketPolicyCommand({ Bucket: judged, Policy: policy({ Condition: { IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } }) }));
    assert.equal((await s3.send(new GetBucketPolicyStatusCommand({ Bucket: judged }))).PolicyStatus.IsPublic, false);
  });

  test('GetObjectAttributes answers the ETag, size, storage class and checksum asked for', async () => {
    const put = await s3.send(new PutObjectCommand({
      Bucket: bucket, Key: 'attributes.txt', Body: 'attributes', StorageClass: 'STANDARD_IA', ChecksumAlgorithm: 'CRC32C',
    }));
    const attributes = await s3.send(new GetObjectAttributesCommand({
      Bucket: bucket, Key: 'attributes.txt', ObjectAttributes: ['ETag', 'ObjectSize', 'StorageClass', 'Checksum'],
    }));
    assert.equal(`"${attributes.ETag}"`, put.ETag);
    assert.equal(attributes.ObjectSize, 10);
    assert.equal(attributes.StorageClass, 'STANDARD_IA');
    assert.equal(attributes.Checksum.ChecksumCRC32C, put.ChecksumCRC32C);
  });

  test('PutBucketLogging with a partitioned prefix reads back as put, an empty status turns it off, and a missing target is refused', async () => {
    const target = bucketName('aws-logs');
    await s3.send(new CreateBucketCommand({ Bucket: target }));
    const LoggingEnabled = {
      TargetBucket: target,
      TargetPrefix: 'access/',
      TargetObjectKeyFormat: { PartitionedPrefix: { PartitionDateSource: 'EventTime' } },
    };
    await s3.send(new PutBucketLoggingCommand({ Bucket: bucket, BucketLoggingStatus: { LoggingEnabled } }));
    assert.deepEqual((await s3.send(new GetBucketLoggingCommand({ Bucket: bucket }))).LoggingEnabled, LoggingEnabled);

    await rejectsWith(s3.send(new PutBucketLoggingCommand({
      Bucket: bucket, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: bucketName('aws-no-such'), TargetPrefix: 'x/' } },
    })), 'InvalidTargetBucketForLogging', 400);
    await rejectsWith(stranger.send(new GetBucketLoggingCommand({ Bucket: bucket })), 'AccessDenied', 403);

    await s3.send(new PutBucketLoggingCommand({ Bucket: bucket, BucketLoggingStatus: {} }));
    assert.equal((await s3.send(new GetBucketLoggingCommand({ Bucket: bucket }))).LoggingEnabled, undefined);
  });
});
