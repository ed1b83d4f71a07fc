// Encryption at rest in the S3 dialect through the official @aws-sdk/client-s3: SSE-S3 and SSE-KMS objects, a copy,
// default bucket encryption with the S3 error for a bucket that has none, and SSE-C (customer keys) on objects,
// copies and multipart uploads.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  UploadPartCommand,
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

  test('an algorithm S3 does not have is InvalidArgument', async () => {
    const Bucket = await newBucket('asse-refused');
    await assert.rejects(s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x', ServerSideEncryption: 'AES128' })), { name: 'InvalidArgument' });
  });

  test('SSE-C: PutObject, GetObject, HeadObject and CopyObject with SSECustomerKey; without the key 400, with another 403', async () => {
    const Bucket = await newBucket('asse-c');
    // 32 ASCII characters: the SDK takes them as the key's 32 bytes and computes the MD5 header itself.
    const key = 'customer-key-of-32-bytes-exactly';
    const other = 'another-key-of-32-bytes-exactly!';
    const body = Buffer.from('encrypted with a customer key '.repeat(5000));
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'secret', Body: body, SSECustomerAlgorithm: 'AES256', SSECustomerKey: key }));
    assert.equal(put.SSECustomerAlgorithm, 'AES256');
    assert.equal(put.SSECustomerKeyMD5, createHash('md5').update(key).digest('base64'));
    assert.equal(put.ServerSideEncryption, undefined);

    const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'secret', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key }));
    assert.equal(get.SSECustomerAlgorithm, 'AES256');
    assert.ok(Buffer.compare(Buffer.from(await get.Body.transformToByteArray()), body) === 0);
    const ranged = await s3.send(new GetObjectCommand({ Bucket, Key: 'secret', Range: 'bytes=100-199', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key }));
    assert.ok(Buffer.compare(Buffer.from(await ranged.Body.transformToByteArray()), body.subarray(100, 200)) === 0);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'secret', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key }));
    assert.equal(head.ContentLength, body.length);

    await assert.rejects(s3.send(new GetObjectCommand({ Bucket, Key: 'secret' })), (err) => {
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.equal(err.name, 'InvalidRequest');
      return true;
    });
    await assert.rejects(s3.send(new GetObjectCommand({ Bucket, Key: 'secret', SSECustomerAlgorithm: 'AES256', SSECustomerKey: other })), (err) => {
      assert.equal(err.$metadata.httpStatusCode, 403);
      return true;
    });

    await s3.send(new CopyObjectCommand({
      Bucket, Key: 'copy', CopySource: `${Bucket}/secret`, SSECustomerAlgorithm: 'AES256', SSECustomerKey: other,
      CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: key,
    }));
    const copied = await s3.send(new GetObjectCommand({ Bucket, Key: 'copy', SSECustomerAlgorithm: 'AES256', SSECustomerKey: other }));
    assert.ok(Buffer.compare(Buffer.from(await copied.Body.transformToByteArray()), body) === 0);
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'clear', CopySource: `${Bucket}/copy`, CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: other }));
    const clear = await s3.send(new GetObjectCommand({ Bucket, Key: 'clear' }));
    assert.ok(Buffer.compare(Buffer.from(await clear.Body.transformToByteArray()), body) === 0);
  });

  test('SSE-C multipart: ListParts shows the parts\' checksums only with the upload\'s key (another key 400); GetObjectAttributes needs the object\'s key (400 without, 403 with another)', async () => {
    const Bucket = await newBucket('asse-c-mpu');
    const sseC = (key) => ({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: key });
    const key = 'customer-key-of-32-bytes-exactly';
    const other = 'another-key-of-32-bytes-exactly!';
    const Key = 'sealed/parts.bin';
    const part = Buffer.from('a part sealed with a customer key '.repeat(3000));
    const checksum = createHash('sha256').update(part).digest('base64');
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'SHA256', ...sseC(key) }));
    const uploaded = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: part, ChecksumSHA256: checksum, ...sseC(key) }));
    assert.equal(uploaded.SSECustomerKeyMD5, createHash('md5').update(key).digest('base64'));

    const bare = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    assert.deepEqual(bare.Parts.map((p) => [p.PartNumber, p.Size, p.ChecksumSHA256]), [[1, part.length, undefined]],
      'without the key, the plaintext\'s checksum is left out');
    const keyed = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId, ...sseC(key) }));
    assert.deepEqual(keyed.Parts.map((p) => [p.PartNumber, p.Size, p.ChecksumSHA256]), [[1, part.length, checksum]]);
    await assert.rejects(s3.send(new ListPartsCommand({ Bucket, Key, UploadId, ...sseC(other) })), (err) => {
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.equal(err.name, 'InvalidRequest');
      return true;
    });

    await s3.send(new CompleteMultipartUploadCommand({
      Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: uploaded.ETag, ChecksumSHA256: checksum }] }, ...sseC(key),
    }));
    const ObjectAttributes = ['ETag', 'ObjectSize', 'ObjectParts'];
    await assert.rejects(s3.send(new GetObjectAttributesCommand({ Bucket, Key, ObjectAttributes })), (err) => {
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.equal(err.name, 'InvalidRequest');
      return true;
    });
    await assert.rejects(s3.send(new GetObjectAttributesCommand({ Bucket, Key, ObjectAttributes, ...sseC(other) })), (err) => {
      assert.equal(err.$metadata.httpStatusCode, 403);
      assert.equal(err.name, 'AccessDenied');
      return true;
    });
    const attributes = await s3.send(new GetObjectAttributesCommand({ Bucket, Key, ObjectAttributes, ...sseC(key) }));
    assert.equal(attributes.ObjectSize, part.length);
    assert.equal(attributes.ObjectParts.TotalPartsCount, 1);
    const get = await s3.send(new GetObjectCommand({ Bucket, Key, ...sseC(key) }));
    assert.ok(Buffer.compare(Buffer.from(await get.Body.transformToByteArray()), part) === 0);
  });
});
