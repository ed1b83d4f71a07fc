// Encryption at rest (SSE-COS) through the official cos-nodejs-sdk-v5: what the SDK sends and reads back, and what
// reaches the disk of the server that run.mjs started (COFFER_DATA is its data folder).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Region, bucketName, call, cosClient } from './lib/coffer.mjs';

const cos = cosClient();
const md5 = (bytes) => createHash('md5').update(bytes).digest('hex');
const Segment = 64 * 1024;
const MiB = 1024 * 1024;
const marker = 'COFFER-COMPAT-PLAINTEXT';

/** Numbered lines that each carry the marker: any stretch of them in the clear shows up in a byte search. */
function plaintext(length) {
  let text = '';
  for (let line = 0; text.length < length; line++) text += `${marker} ${String(line).padStart(8, '0')}\n`;
  return Buffer.from(text.slice(0, length));
}

/** Every blob file of the server's data folder that holds the marker, read byte by byte. */
function blobFilesWithPlaintext() {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (readFileSync(path).includes(marker)) found.push(path);
    }
  };
  walk(join(process.env.COFFER_DATA, 'blobs'));
  return found;
}

async function newBucket(label) {
  const Bucket = bucketName(label);
  await call(cos, 'putBucket', { Bucket, Region });
  return Bucket;
}

describe('cos server-side encryption (SSE-COS)', () => {
  test('putObject with ServerSideEncryption AES256 stores no plaintext; headObject and getObject say AES256 and return the bytes', async () => {
    const Bucket = await newBucket('csse');
    const body = plaintext(5 * Segment / 2);
    const put = await call(cos, 'putObject', { Bucket, Region, Key: 'secret.txt', Body: body, ServerSideEncryption: 'AES256' });
    assert.equal(put.statusCode, 200);
    assert.equal(put.ETag, `"${md5(body)}"`, 'the ETag is the MD5 of the plaintext');
    assert.equal(put.headers['x-cos-server-side-encryption'], 'AES256');
    assert.deepEqual(blobFilesWithPlaintext(), [], 'no blob file holds the plaintext');

    const head = await call(cos, 'headObject', { Bucket, Region, Key: 'secret.txt' });
    assert.equal(head.headers['x-cos-server-side-encryption'], 'AES256');
    assert.equal(head.headers['content-length'], String(body.length));

    const get = await call(cos, 'getObject', { Bucket, Region, Key: 'secret.txt' });
    assert.equal(get.headers['x-cos-server-side-encryption'], 'AES256');
    assert.ok(Buffer.compare(get.Body, body) === 0, 'getObject returns the plaintext');

    const range = await call(cos, 'getObject', { Bucket, Region, Key: 'secret.txt', Range: `bytes=${Segment - 10}-${2 * Segment + 9}` });
    assert.equal(range.statusCode, 206);
    assert.ok(Buffer.compare(range.Body, body.subarray(Segment - 10, 2 * Segment + 10)) === 0, 'a range across segments');
  });

  test('multipartInit with ServerSideEncryption encrypts every part, and multipartUpload and multipartComplete say so', async () => {
    const Bucket = await newBucket('csse-mpu');
    const Key = 'big.bin';
    const parts = [plaintext(MiB), plaintext(MiB / 2 + 3)];
    const init = await call(cos, 'multipartInit', { Bucket, Region, Key, ServerSideEncryption: 'AES256' });
    assert.equal(init.headers['x-cos-server-side-encryption'], 'AES256');
    const uploaded = [];
    for (let i = 0; i < parts.length; i++) {
      const part = await call(cos, 'multipartUpload', { Bucket, Region, Key, UploadId: init.UploadId, PartNumber: i + 1, Body: parts[i] });
      assert.equal(part.headers['x-cos-server-side-encryption'], 'AES256');
      uploaded.push({ PartNumber: i + 1, ETag: part.ETag });
    }

    const complete = await call(cos, 'multipartComplete', { Bucket, Region, Key, UploadId: init.UploadId, Parts: uploaded });
    assert.equal(complete.statusCode, 200);
    assert.equal(complete.headers['x-cos-server-side-encryption'], 'AES256');
    assert.deepEqual(blobFilesWithPlaintext(), []);
    const get = await call(cos, 'getObject', { Bucket, Region, Key });
    assert.ok(Buffer.compare(get.Body, Buffer.concat(parts)) === 0);
  });

  test('putObjectCopy decrypts into a plain copy, and encrypts when asked', async () => {
    const Bucket = await newBucket('csse-copy');
    const body = plaintext(3 * Segment);
    await call(cos, 'putObject', { Bucket, Region, Key: 'source', Body: body, ServerSideEncryption: 'AES256' });
    const source = (key) => `${Bucket}.cos.${Region}.myqcloud.com/${key}`;

    const plain = await call(cos, 'putObjectCopy', { Bucket, Region, Key: 'plain-copy', CopySource: source('source') });
    assert.equal(plain.headers['x-cos-server-side-encryption'], undefined);
    assert.equal(blobFilesWithPlaintext().length, 1, 'the plain copy is the one file in the clear');

    const encrypted = await call(cos, 'putObjectCopy', { Bucket, Region, Key: 'encrypted-copy', CopySource: source('plain-copy'), ServerSideEncryption: 'AES256' });
    assert.equal(encrypted.headers['x-cos-server-side-encryption'], 'AES256');
    assert.equal(encrypted.ETag, `"${md5(body)}"`);
    const get = await call(cos, 'getObject', { Bucket, Region, Key: 'encrypted-copy' });
    assert.ok(Buffer.compare(get.Body, body) === 0);
    await call(cos, 'deleteObject', { Bucket, Region, Key: 'plain-copy' });
  });

  test('putBucketEncryption / getBucketEncryption / deleteBucketEncryption, and objects put without a header take the default', async () => {
    const Bucket = await newBucket('csse-default');
    const none = await call(cos, 'getBucketEncryption', { Bucket, Region });
    assert.equal(none.statusCode, 404, 'the SDK turns NoSuchEncryptionConfiguration into an empty result');
    assert.deepEqual(none.EncryptionConfiguration.Rules, []);

    const put = await call(cos, 'putBucketEncryption', {
      Bucket, Region,
      ServerSideEncryptionConfiguration: { Rule: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    assert.equal(put.statusCode, 200);
    const got = await call(cos, 'getBucketEncryption', { Bucket, Region });
    assert.equal(got.statusCode, 200);
    assert.equal(got.ServerSideEncryptionConfiguration.Rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm, 'AES256');

    const body = plaintext(1000);
    const object = await call(cos, 'putObject', { Bucket, Region, Key: 'by-default', Body: body });
    assert.equal(object.headers['x-cos-server-side-encryption'], 'AES256');
    assert.deepEqual(blobFilesWithPlaintext(), []);

    const deleted = await call(cos, 'deleteBucketEncryption', { Bucket, Region });
    assert.equal(deleted.statusCode, 204);
    assert.deepEqual((await call(cos, 'getBucketEncryption', { Bucket, Region })).EncryptionConfiguration.Rules, []);
    const after = await call(cos, 'putObject', { Bucket, Region, Key: 'after', Body: Buffer.from('no default now') });
    assert.equal(after.headers['x-cos-server-side-encryption'], undefined);
  });

  test('an unknown algorithm is InvalidArgument and stores nothing', async () => {
    const Bucket = await newBucket('csse-refused');
    await assert.rejects(call(cos, 'putObject', { Bucket, Region, Key: 'k', Body: Buffer.from('x'), ServerSideEncryption: 'AES128' }), (err) => {
      assert.equal(err.code, 'InvalidArgument');
      assert.equal(err.statusCode, 400);
      return true;
    });
    await assert.rejects(call(cos, 'headObject', { Bucket, Region, Key: 'k' }), (err) => err.statusCode === 404);
  });

  test('SSE-C: putObject with SSECustomerKey stores no plaintext; getObject and headObject need the key (400 without, 403 with another)', async () => {
    const Bucket = await newBucket('csse-c');
    const sseC = (key) => ({
      SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64'), SSECustomerKeyMD5: createHash('md5').update(key).digest('base64'),
    });
    const key = Buffer.alloc(32, 7);
    const body = plaintext(3 * Segment);
    const put = await call(cos, 'putObject', { Bucket, Region, Key: 'secret', Body: body, ...sseC(key) });
    assert.equal(put.statusCode, 200);
    assert.equal(put.headers['x-cos-server-side-encryption-customer-algorithm'], 'AES256');
    assert.equal(put.headers['x-cos-server-side-encryption-customer-key-md5'], sseC(key).SSECustomerKeyMD5);
    assert.notEqual(put.ETag, `"${md5(body)}"`, 'the ETag of an SSE-C object is not the MD5 of its plaintext');
    assert.deepEqual(blobFilesWithPlaintext(), [], 'no blob file holds the plaintext');

    const get = await call(cos, 'getObject', { Bucket, Region, Key: 'secret', ...sseC(key) });
    assert.ok(Buffer.compare(get.Body, body) === 0, 'getObject with the key returns the plaintext');
    const range = await call(cos, 'getObject', { Bucket, Region, Key: 'secret', Range: 'bytes=65530-65545', ...sseC(key) });
    assert.ok(Buffer.compare(range.Body, body.subarray(65530, 65546)) === 0);
    const head = await call(cos, 'headObject', { Bucket, Region, Key: 'secret', ...sseC(key) });
    assert.equal(head.headers['content-length'], String(body.length));
    assert.equal(head.headers['x-cos-server-side-encryption-customer-algorithm'], 'AES256');

    await assert.rejects(call(cos, 'getObject', { Bucket, Region, Key: 'secret' }), (err) => {
      assert.equal(err.statusCode, 400);
      assert.equal(err.code, 'InvalidRequest');
      return true;
    });
    await assert.rejects(call(cos, 'getObject', { Bucket, Region, Key: 'secret', ...sseC(Buffer.alloc(32, 8)) }), (err) => {
      assert.equal(err.statusCode, 403);
      assert.equal(err.code, 'AccessDenied');
      return true;
    });

    const other = Buffer.alloc(32, 9);
    await call(cos, 'putObjectCopy', {
      Bucket, Region, Key: 'copy', CopySource: `${Bucket}.cos.${Region}.myqcloud.com/secret`, ...sseC(other),
      Headers: {
        'x-cos-copy-source-server-side-encryption-customer-algorithm': 'AES256',
        'x-cos-copy-source-server-side-encryption-customer-key': key.toString('base64'),
        'x-cos-copy-source-server-side-encryption-customer-key-MD5': sseC(key).SSECustomerKeyMD5,
      },
    });
    const copied = await call(cos, 'getObject', { Bucket, Region, Key: 'copy', ...sseC(other) });
    assert.ok(Buffer.compare(copied.Body, body) === 0, 'the copy under another key reads back with that key');
  });
});
