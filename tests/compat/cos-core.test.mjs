// Core object API through the official cos-nodejs-sdk-v5: buckets, objects, metadata, listing, errors.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import crc64 from 'crc64-ecma182.js';
import { Region, account, bucketName, call, cosClient } from './lib/coffer.mjs';

const cos = cosClient();
const md5 = (bytes) => createHash('md5').update(bytes).digest('hex');
const crc = (bytes) => crc64.crc64(bytes);
const crcFile = (path) => new Promise((resolve, reject) => crc64.crc64File(path, (err, value) => (err ? reject(err) : resolve(value))));

describe('buckets', () => {
  test('putBucket creates a bucket that headBucket and getService see', async () => {
    const Bucket = bucketName('core');
    const created = await call(cos, 'putBucket', { Bucket, Region });
    assert.equal(created.statusCode, 200);
    assert.ok(created.RequestId, 'x-cos-request-id is read into RequestId');

    const head = await call(cos, 'headBucket', { Bucket, Region });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['x-cos-bucket-region'], Region);

    const service = await call(cos, 'getService', { Region });
    assert.ok(service.Buckets.some((b) => b.Name === Bucket && b.Location === Region));

    const deleted = await call(cos, 'deleteBucket', { Bucket, Region });
    assert.equal(deleted.statusCode, 204);
    await assert.rejects(call(cos, 'headBucket', { Bucket, Region }), (err) => err.statusCode === 404);
  });

  test('deleteBucket refuses a bucket that still has objects', async () => {
    const Bucket = bucketName('full');
    await call(cos, 'putBucket', { Bucket, Region });
    await call(cos, 'putObject', { Bucket, Region, Key: 'k', Body: 'x' });
    await assert.rejects(call(cos, 'deleteBucket', { Bucket, Region }), (err) => {
      assert.equal(err.code, 'BucketNotEmpty');
      assert.equal(err.statusCode, 409);
      return true;
    });
  });
});

describe('objects', () => {
  const Bucket = bucketName('objects');
  before(() => call(cos, 'putBucket', { Bucket, Region }));

  test('an object with metadata reads back byte-identical with the ETag and CRC64 computed here', async () => {
    const body = randomBytes(200_003);
    const put = await call(cos, 'putObject', {
      Bucket, Region, Key: 'docs/report.bin', Body: body,
      ContentType: 'application/x-report',
      Headers: { 'x-cos-meta-author': 'ada', 'x-cos-meta-project': 'coffer' },
    });
    assert.equal(put.statusCode, 200);
    assert.equal(put.ETag, `"${md5(body)}"`);
    assert.equal(put.headers['x-cos-hash-crc64ecma'], crc(body));

    const head = await call(cos, 'headObject', { Bucket, Region, Key: 'docs/report.bin' });
    assert.equal(head.headers['content-length'], String(body.length));
    assert.equal(head.headers['content-type'], 'application/x-report');
    assert.equal(head.headers['x-cos-meta-author'], 'ada');
    assert.equal(head.headers['x-cos-meta-project'], 'coffer');
    assert.equal(head.headers['x-cos-hash-crc64ecma'], crc(body));
    assert.equal(head.ETag, `"${md5(body)}"`);

    const get = await call(cos, 'getObject', { Bucket, Region, Key: 'docs/report.bin' });
    assert.ok(Buffer.compare(get.Body, body) === 0, 'GET returns the uploaded bytes');
    assert.equal(get.ETag, `"${md5(body)}"`);
    assert.equal(get.headers['x-cos-hash-crc64ecma'], crc(body));
  });

  test('a byte range comes back as 206 with the right slice', async () => {
    const body = randomBytes(1000);
    await call(cos, 'putObject', { Bucket, Region, Key: 'range.bin', Body: body });
    const part = await call(cos, 'getObject', { Bucket, Region, Key: 'range.bin', Range: 'bytes=100-199' });
    assert.equal(part.statusCode, 206);
    assert.ok(Buffer.compare(part.Body, body.subarray(100, 200)) === 0);
  });

  for (const key of ['with space.txt', 'plus+sign.txt', 'percent%20literal%.txt', 'unicode/腾讯云/文件.txt', 'emoji/😀.txt', 'a&b=c?d#e.txt']) {
    test(`key ${JSON.stringify(key)} round-trips through put, list, get and delete`, async () => {
      const body = Buffer.from(`content of ${key}`);
      await call(cos, 'putObject', { Bucket, Region, Key: key, Body: body });
      const listed = await call(cos, 'getBucket', { Bucket, Region, Prefix: key });
      assert.deepEqual(listed.Contents.map((c) => c.Key), [key]);
      const get = await call(cos, 'getObject', { Bucket, Region, Key: key });
      assert.ok(Buffer.compare(get.Body, body) === 0);
      const deleted = await call(cos, 'deleteObject', { Bucket, Region, Key: key });
      assert.equal(deleted.statusCode, 204);
      await assert.rejects(call(cos, 'headObject', { Bucket, Region, Key: key }), (err) => err.statusCode === 404);
    });
  }

  test('getObject of a missing key fails with NoSuchKey and a request id', async () => {
    await assert.rejects(call(cos, 'getObject', { Bucket, Region, Key: 'no/such/key' }), (err) => {
      assert.equal(err.statusCode, 404);
      assert.equal(err.code, 'NoSuchKey');
      assert.ok(err.error.RequestId);
      assert.ok(err.error.TraceId);
      assert.ok(err.error.Resource.endsWith('/no/such/key'));
      return true;
    });
  });

  test('a wrong SecretKey fails with SignatureDoesNotMatch', async () => {
    const impostor = cosClient({ secretKey: 'wrong-wrong-wrong-wrong-wrong-wr' });
    await assert.rejects(call(impostor, 'getBucket', { Bucket, Region }), (err) => {
      assert.equal(err.statusCode, 403);
      assert.equal(err.code, 'SignatureDoesNotMatch');
      return true;
    });
  });

  test('a missing bucket fails with NoSuchBucket', async () => {
    await assert.rejects(call(cos, 'getObject', { Bucket: `missing-${account.appId}`, Region, Key: 'k' }), (err) => {
      assert.equal(err.statusCode, 404);
      assert.equal(err.code, 'NoSuchBucket');
      return true;
    });
  });
});

describe('listing', () => {
  const Bucket = bucketName('listing');
  const keys = ['a.txt', 'dir/1.txt', 'dir/2.txt', 'dir/sub/3.txt', 'z.txt'];
  before(async () => {
    await call(cos, 'putBucket', { Bucket, Region });
    for (const Key of keys) await call(cos, 'putObject', { Bucket, Region, Key, Body: Key });
  });

  test('getBucket rolls keys up at the delimiter', async () => {
    const page = await call(cos, 'getBucket', { Bucket, Region, Delimiter: '/' });
    assert.deepEqual(page.Contents.map((c) => c.Key), ['a.txt', 'z.txt']);
    assert.deepEqual(page.CommonPrefixes.map((p) => p.Prefix), ['dir/']);
    assert.equal(page.IsTruncated, 'false');
  });

  test('getBucket pages with MaxKeys and NextMarker until every key is seen once', async () => {
    const seen = [];
    let Marker;
    for (;;) {
      const page = await call(cos, 'getBucket', { Bucket, Region, MaxKeys: 2, Marker });
      seen.push(...page.Contents.map((c) => c.Key));
      if (page.IsTruncated !== 'true') break;
      Marker = page.NextMarker;
    }
    assert.deepEqual(seen, keys);
  });

  test('getBucket with EncodingType url returns keys the SDK decodes', async () => {
    await call(cos, 'putObject', { Bucket, Region, Key: 'enc/a b+c.txt', Body: 'x' });
    const page = await call(cos, 'getBucket', { Bucket, Region, Prefix: 'enc/', EncodingType: 'url' });
    assert.deepEqual(page.Contents.map((c) => decodeURIComponent(c.Key)), ['enc/a b+c.txt']);
  });

  test('each listed object carries size, ETag and storage class', async () => {
    const page = await call(cos, 'getBucket', { Bucket, Region, Prefix: 'a.txt' });
    const [entry] = page.Contents;
    assert.equal(entry.Size, '5');
    assert.equal(entry.ETag, `"${md5(Buffer.from('a.txt'))}"`);
    assert.equal(entry.StorageClass, 'STANDARD');
    assert.match(entry.LastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('large objects', () => {
  const Bucket = bucketName('large');
  const folder = mkdtempSync(join(tmpdir(), 'coffer-large-'));
  before(() => call(cos, 'putBucket', { Bucket, Region }));
  after(() => rmSync(folder, { recursive: true, force: true }));

  test('a 64 MiB object streams up and down intact', async () => {
    const size = 64 * 1024 * 1024;
    const source = join(folder, 'source.bin');
    const chunk = randomBytes(1024 * 1024);
    const hash = createHash('md5');
    const parts = [];
    for (let i = 0; i < 64; i++) {
      chunk[0] = i;
      parts.push(Buffer.from(chunk));
      hash.update(chunk);
    }
    writeFileSync(source, Buffer.concat(parts));
    const expectedMd5 = hash.digest('hex');
    const expectedCrc = await crcFile(source);

    const put = await call(cos, 'putObject', {
      Bucket, Region, Key: 'big/64MiB.bin', Body: createReadStream(source), ContentLength: size,
    });
    assert.equal(put.ETag, `"${expectedMd5}"`);
    assert.equal(put.headers['x-cos-hash-crc64ecma'], expectedCrc);

    const target = join(folder, 'target.bin');
    const output = createWriteStream(target);
    const get = await call(cos, 'getObject', { Bucket, Region, Key: 'big/64MiB.bin', Output: output });
    assert.equal(get.statusCode, 200);
    await new Promise((resolve) => (output.writableFinished ? resolve() : output.on('finish', resolve)));
    const downloaded = readFileSync(target);
    assert.equal(downloaded.length, size);
    assert.equal(md5(downloaded), expectedMd5);
    assert.equal(await crcFile(target), expectedCrc);
  });
});
