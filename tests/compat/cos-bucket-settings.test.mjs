// Bucket and object settings through the official cos-nodejs-sdk-v5: lifecycle (with a transition), CORS, bucket
// tagging and object ACLs, each put, read back as the SDK parses it, enforced where it has an effect, and deleted.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { Region, bucketName, call, cosClient, partner } from './lib/coffer.mjs';

const owner = cosClient();
const stranger = cosClient({ secretId: partner.secretId, secretKey: partner.secretKey });

async function rejectsWith(promise, code, statusCode) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${JSON.stringify(err.error ?? err.message)}`);
    assert.equal(err.statusCode, statusCode);
    return true;
  });
}

describe('bucket and object settings (cos-nodejs-sdk-v5)', () => {
  const Bucket = bucketName('cos-settings');
  before(async () => {
    await call(owner, 'putBucket', { Bucket, Region });
  });

  test('putBucketLifecycle with an expiration and a transition reads back as put, and deleteBucketLifecycle removes it', async () => {
    const Rules = [
      { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: '30' } },
      { ID: 'cold', Status: 'Enabled', Filter: { Prefix: 'data/' }, Transition: { Days: '10', StorageClass: 'ARCHIVE' } },
    ];
    await call(owner, 'putBucketLifecycle', { Bucket, Region, Rules });
    const read = await call(owner, 'getBucketLifecycle', { Bucket, Region });
    assert.deepEqual(read.Rules, Rules);
    await call(owner, 'deleteBucketLifecycle', { Bucket, Region });
    // The SDK answers an empty list for exactly this error code (NoSuchLifecycleConfiguration) and keeps its 404.
    const gone = await call(owner, 'getBucketLifecycle', { Bucket, Region });
    assert.deepEqual([gone.Rules, gone.statusCode], [[], 404]);
  });

  test('putBucketCors reads back as put, and deleteBucketCors removes it', async () => {
    const CORSRules = [{
      ID: 'page',
      AllowedOrigin: ['https://app.example'],
      AllowedMethod: ['GET', 'PUT'],
      AllowedHeader: ['x-cos-meta-*'],
      ExposeHeader: ['ETag'],
      MaxAgeSeconds: '600',
    }];
    await call(owner, 'putBucketCors', { Bucket, Region, CORSRules });
    // The SDK reads the rules back under plural names.
    const read = await call(owner, 'getBucketCors', { Bucket, Region });
    assert.deepEqual(read.CORSRules, [{
      ID: 'page',
      AllowedOrigins: ['https://app.example'],
      AllowedMethods: ['GET', 'PUT'],
      AllowedHeaders: ['x-cos-meta-*'],
      ExposeHeaders: ['ETag'],
      MaxAgeSeconds: '600',
    }]);
    await call(owner, 'deleteBucketCors', { Bucket, Region });
    // An empty list for exactly NoSuchCORSConfiguration, with its 404.
    const gone = await call(owner, 'getBucketCors', { Bucket, Region });
    assert.deepEqual([gone.CORSRules, gone.statusCode], [[], 404]);
  });

  test('putBucketTagging reads back as put, and deleteBucketTagging leaves no tags', async () => {
    const Tags = [{ Key: 'team', Value: 'storage' }];
    await call(owner, 'putBucketTagging', { Bucket, Region, Tags });
    assert.deepEqual((await call(owner, 'getBucketTagging', { Bucket, Region })).Tags, Tags);
    await call(owner, 'deleteBucketTagging', { Bucket, Region });
    // An empty list for exactly NoSuchTagSet, with its 404.
    const gone = await call(owner, 'getBucketTagging', { Bucket, Region });
    assert.deepEqual([gone.Tags, gone.statusCode], [[], 404]);
  });

  test('putObjectAcl granting READ to another account lets it read the object, and getObjectAcl names the grant', async () => {
    await call(owner, 'putObject', { Bucket, Region, Key: 'granted.txt', Body: 'granted' });
    await rejectsWith(call(stranger, 'getObject', { Bucket, Region, Key: 'granted.txt' }), 'AccessDenied', 403);

    await call(owner, 'putObjectAcl', { Bucket, Region, Key: 'granted.txt', GrantRead: `id="${partner.uin}"` });
    const acl = await call(owner, 'getObjectAcl', { Bucket, Region, Key: 'granted.txt' });
    assert.ok(acl.Grants.some((g) => g.Permission === 'READ' && g.Grantee.ID?.includes(partner.uin)), JSON.stringify(acl.Grants));
    const read = await call(stranger, 'getObject', { Bucket, Region, Key: 'granted.txt' });
    assert.equal(read.Body.toString(), 'granted');

    await call(owner, 'putObjectAcl', { Bucket, Region, Key: 'granted.txt', ACL: 'private' });
    await rejectsWith(call(stranger, 'getObject', { Bucket, Region, Key: 'granted.txt' }), 'AccessDenied', 403);
  });

  test('putBucketLogging reads back as put, delivers a record of a putObject into the target, and an empty status turns it off', async () => {
    const Target = bucketName('cos-logs');
    await call(owner, 'putBucket', { Bucket: Target, Region });
    const LoggingEnabled = { TargetBucket: Target, TargetPrefix: 'access/' };
    await call(owner, 'putBucketLogging', { Bucket, Region, BucketLoggingStatus: { LoggingEnabled } });
    assert.deepEqual((await call(owner, 'getBucketLogging', { Bucket, Region })).BucketLoggingStatus, { LoggingEnabled });

    await call(owner, 'putObject', { Bucket, Region, Key: 'logged.txt', Body: 'logged' });
    let records = '';
    for (let attempt = 0; attempt < 100 && !records.includes(' REST.PUT.OBJECT logged.txt '); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const listed = await call(owner, 'getBucket', { Bucket: Target, Region, Prefix: 'access/' });
      const bodies = await Promise.all(listed.Contents.map((c) => call(owner, 'getObject', { Bucket: Target, Region, Key: c.Key })));
      records = bodies.map((b) => b.Body.toString()).join('');
    }
    assert.match(records, new RegExp(`^\\S+ ${Bucket} \\[[^\\]]+\\] \\S+ \\S+ \\S+ REST\\.PUT\\.OBJECT logged\\.txt "PUT /logged\\.txt HTTP/1\\.1" 200 `, 'm'));

    await rejectsWith(call(owner, 'putBucketLogging', {
      Bucket, Region, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: bucketName('cos-no-such'), TargetPrefix: 'x/' } },
    }), 'InvalidTargetBucketForLogging', 400);
    await call(owner, 'putBucketLogging', { Bucket, Region, BucketLoggingStatus: '' });
    assert.equal((await call(owner, 'getBucketLogging', { Bucket, Region })).BucketLoggingStatus, '');
  });
});
