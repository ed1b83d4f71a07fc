// Encryption at rest in the S3 dialect through the official @aws-sdk/client-s3: SSE-S3 and SSE-KMS objects, a copy,
// and default bucket encryption with the S3 error for a bucket that has none.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { bucketName, s3Client } from './lib/coffer.mjs';

const s3 = s3Client();

async function newBucket(label) {
  const Bucket = bucketName(label);
  await s3.send(new CreateBucketCommand({ Bucket }));
  return Bucket;
}

describe('s3 server-side encryption', () => {
  test('PutObject with SSE-S3 and SSE-KMS: the responses, HeadObject and GetObject say so, and the bytes come back', async () => {
    const Bucket = await newBucket('asse');
    const body = Buffer.from('encrypted through the AWS SDK '.repeat(5000));
    const sse = await s3.send(new PutObjectCommand({ Bucket, Key: 'sse-s3', Body: body, ServerSideEncryption: 'AES256' }));
    assert.equal(sse.ServerSideEncryption, 'AES256');
    const kms = await s3.send(new PutObjectCommand({
      Bucket, Key: 'sse-kms', Body: body, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'arn:aws:kms:ap-guangzhou:1:key/compat',
    }));
    assert.equal(kms.ServerSideEncryption, 'aws:kms');
    assert.equal(kms.SSEKMSKeyId, 'arn:aws:kms:ap-guangzhou:1:key/compat');

    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'sse-kms' }));
    assert.equal(head.ServerSideEncryption, 'aws:kms');
    assert.equal(head.SSEKMSKeyId, 'arn:aws:kms:ap-guangzhou:1:key/compat');
    const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'sse-s3' }));
    assert.equal(get.ServerSideEncryption, 'AES256');
    assert.ok(Buffer.compare(Buffer.from(await get.Body.transformToByteArray()), body) === 0);

    const copy = await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy', CopySource: `${Bucket}/sse-s3`, ServerSideEncryption: 'AES256' }));
    assert.equal(copy.ServerSideEncryption, 'AES256');
  });

  test('PutBucketEncryption / GetBucketEncryption / DeleteBucketEncryption, with ServerSideEncryptionConfigurationNotFoundError when there is none', async () => {
    const Bucket = await newBucket('asse-default');
    await assert.rejects(s3.send(new GetBucketEncryptionCommand({ Bucket })), (err) => {
      assert.equal(err.name, 'ServerSideEncryptionConfigurationNotFoundError');
      assert.equal(err.$metadata.httpStatusCode, 404);
      return true;
    });

    await s3.send(new PutBucketEncryptionCommand({
      Bucket,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    }));
    const got = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
    assert.equal(got.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm, 'AES256');
    assert.equal(got.ServerSideEncryptionConfiguration.Rules[0].BucketKeyEnabled, false);

    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'by-default', Body: 'no header' }));
    assert.equal(put.ServerSideEncryption, 'AES256');

    await s3.send(new DeleteBucketEncryptionCommand({ Bucket }));
    await assert.rejects(s3.send(new GetBucketEncryptionCommand({ Bucket })), { name: 'ServerSideEncryptionConfigurationNotFoundError' });
  });

  test('an algorithm S3 does not have is InvalidArgument, and SSE-C is NotImplemented', async () => {
    const Bucket = await newBucket('asse-refused');
    await assert.rejects(s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x', ServerSideEncryption: 'AES128' })), { name: 'InvalidArgument' });
    await assert.rejects(s3.send(new PutObjectCommand({
      Bucket, Key: 'k', Body: 'x', SSECustomerAlgorithm: 'AES256', SSECustomerKey: Buffer.alloc(32, 1).toString('base64'),
    })), (err) => {
      assert.equal(err.$metadata.httpStatusCode, 501);
      return true;
    });
  });
});
