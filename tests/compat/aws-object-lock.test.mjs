// Object lock through the official @aws-sdk/client-s3: a bucket created with lock, its default retention, a version's
// retention and legal hold, and deletes of a locked version refused (bypassing GOVERNANCE only when asked).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
} from '@aws-sdk/client-s3';
import { bucketName, s3Client } from './lib/coffer.mjs';

const s3 = s3Client();
const inDays = (days) => new Date(Math.floor(Date.now() / 1000) * 1000 + days * 86_400_000);

describe('object lock (@aws-sdk/client-s3)', () => {
  const bucket = bucketName('aws-lock');
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  });

  test('PutObjectLockConfiguration sets the default retention that new versions get', async () => {
    await s3.send(new PutObjectLockConfigurationCommand({
      Bucket: bucket,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } },
    }));
    const configuration = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
    assert.deepEqual(configuration.ObjectLockConfiguration, {
      ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
    });
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'defaulted', Body: 'd' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'defaulted' }));
    assert.equal(head.ObjectLockMode, 'GOVERNANCE');
    assert.ok(Math.abs(head.ObjectLockRetainUntilDate.getTime() - (Date.now() + 86_400_000)) < 120_000);
    await assert.rejects(s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'defaulted', VersionId: put.VersionId })),
      (error) => error.name === 'AccessDenied' && error.$metadata.httpStatusCode === 403);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'defaulted', VersionId: put.VersionId, BypassGovernanceRetention: true }));
  });

  test('PutObjectRetention in COMPLIANCE refuses every delete of the version, even with a bypass', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'kept', Body: 'k' }));
    const until = inDays(3);
    // The bucket's default put the version under GOVERNANCE: turning that into COMPLIANCE alters its lock, so it needs the bypass.
    await assert.rejects(s3.send(new PutObjectRetentionCommand({
      Bucket: bucket, Key: 'kept', VersionId: put.VersionId, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: until },
    })), (error) => error.name === 'AccessDenied' && error.$metadata.httpStatusCode === 403);
    await s3.send(new PutObjectRetentionCommand({
      Bucket: bucket, Key: 'kept', VersionId: put.VersionId, BypassGovernanceRetention: true,
      Retention: { Mode: 'COMPLIANCE', RetainUntilDate: until },
    }));
    const retention = await s3.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: 'kept', VersionId: put.VersionId }));
    assert.deepEqual(retention.Retention, { Mode: 'COMPLIANCE', RetainUntilDate: until });
    await assert.rejects(s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'kept', VersionId: put.VersionId, BypassGovernanceRetention: true })),
      (error) => error.name === 'AccessDenied');
    await assert.rejects(s3.send(new PutObjectRetentionCommand({
      Bucket: bucket, Key: 'kept', VersionId: put.VersionId, BypassGovernanceRetention: true, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: inDays(2) },
    })), (error) => error.name === 'AccessDenied');
    const batch = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'kept', VersionId: put.VersionId }] } }));
    assert.deepEqual(batch.Errors.map((e) => [e.Key, e.Code]), [['kept', 'AccessDenied']]);
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'kept' }));
    assert.equal(marker.DeleteMarker, true, 'a delete without a version id only adds a marker');
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'kept', VersionId: put.VersionId }));
    assert.equal(head.ObjectLockMode, 'COMPLIANCE');
  });

  test('a legal hold set with the object keeps it until lifted', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'held', Body: 'h', ObjectLockLegalHoldStatus: 'ON' }));
    assert.equal((await s3.send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: 'held' }))).LegalHold.Status, 'ON');
    await assert.rejects(s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'held', VersionId: put.VersionId, BypassGovernanceRetention: true })),
      (error) => error.name === 'AccessDenied');
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: 'held', VersionId: put.VersionId, LegalHold: { Status: 'OFF' } }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'held', VersionId: put.VersionId, BypassGovernanceRetention: true }));
  });

  test('versioning of a bucket with lock cannot be suspended', async () => {
    await assert.rejects(s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } })),
      (error) => error.name === 'InvalidBucketState' && error.$metadata.httpStatusCode === 409);
  });
});
