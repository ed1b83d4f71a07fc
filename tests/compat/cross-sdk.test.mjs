// One store, two dialects: what @aws-sdk/client-s3 writes (with its default checksums, aws-chunked streams and
// multipart) cos-nodejs-sdk-v5 reads back byte-identical with the right CRC64, and the other way round.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import crc64 from 'crc64-ecma182.js';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Region, bucketName, call, cosClient, recordRequests, s3Client } from './lib/coffer.mjs';

const cos = cosClient();
const md5 = (bytes) => createHash('md5').update(bytes).digest('hex');
const crc = (bytes) => crc64.crc64(bytes);
const MiB = 1024 * 1024;
const multipartEtag = (parts) =>
  `"${createHash('md5').update(Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()))).digest('hex')}-${parts.length}"`;
const bytesOf = async (response) => Buffer.from(await response.Body.transformToByteArray());
/** A stream that hands its bytes over in uneven pieces, so chunk boundaries never line up with anything. */
const piecewise = (bytes, piece = 777_777) =>
  Readable.from(Array.from({ length: Math.ceil(bytes.length / piece) }, (_, i) => bytes.subarray(i * piece, (i + 1) * piece)));

describe('written with @aws-sdk/client-s3, read with cos-nodejs-sdk-v5', () => {
  let Bucket;
  let s3;
  let wire;
  before(async () => {
    s3 = s3Client();
    wire = recordRequests(s3);
    Bucket = bucketName('xaws');
    await call(cos, 'putBucket', { Bucket, Region });
  });
  const lastExchange = () => wire[wire.length - 1];

  test('a Buffer PutObject with its default CRC32 header reads back identical with matching ETag and CRC64', async () => {
    const body = randomBytes(1_000_003);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'aws/buffer.bin', Body: body, Metadata: { writer: 'aws' } }));
    assert.ok(lastExchange().headers['x-amz-checksum-crc32'], 'the SDK sent a CRC32');
    assert.equal(lastExchange().responseHeaders['x-cos-hash-crc64ecma'], crc(body));

    const get = await call(cos, 'getObject', { Bucket, Region, Key: 'aws/buffer.bin' });
    assert.ok(Buffer.compare(get.Body, body) === 0);
    assert.equal(get.ETag, put.ETag);
    assert.equal(get.headers['x-cos-hash-crc64ecma'], crc(body));
    assert.equal(get.headers['x-cos-meta-writer'], 'aws', 'x-amz-meta-* is read back as x-cos-meta-*');
  });

  test('a 6 MiB streamed PutObject sent aws-chunked with a CRC32 trailer reads back identical with matching CRC64', async () => {
    const body = randomBytes(6 * MiB + 123);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'aws/chunked.bin', Body: piecewise(body), ContentLength: body.length }));
    const sent = lastExchange().headers;
    assert.equal(sent['content-encoding'], 'aws-chunked');
    assert.equal(sent['x-amz-content-sha256'], 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    assert.equal(sent['x-amz-trailer'], 'x-amz-checksum-crc32');
    assert.equal(put.ETag, `"${md5(body)}"`);
    assert.equal(lastExchange().responseHeaders['x-cos-hash-crc64ecma'], crc(body));

    const head = await call(cos, 'headObject', { Bucket, Region, Key: 'aws/chunked.bin' });
    assert.equal(head.headers['content-length'], String(body.length));
    assert.equal(head.headers['content-encoding'], undefined);
    const get = await call(cos, 'getObject', { Bucket, Region, Key: 'aws/chunked.bin' });
    assert.equal(get.Body.length, body.length);
    assert.ok(Buffer.compare(get.Body, body) === 0);
    assert.equal(get.ETag, put.ETag);
    assert.equal(get.headers['x-cos-hash-crc64ecma'], crc(body));
  });

  test('a multipart upload (one Buffer part, one aws-chunked stream part) reads back identical with the combined CRC64', async () => {
    const Key = 'aws/multipart.bin';
    const parts = [randomBytes(5 * MiB), randomBytes(MiB + 5)];
    const whole = Buffer.concat(parts);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const first = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: parts[0] }));
    assert.equal(lastExchange().responseHeaders['x-cos-hash-crc64ecma'], crc(parts[0]), 'part 1 CRC64');
    const second = await s3.send(new UploadPartCommand({
      Bucket, Key, UploadId, PartNumber: 2, Body: piecewise(parts[1], 300_000), ContentLength: parts[1].length,
    }));
    assert.equal(lastExchange().headers['content-encoding'], 'aws-chunked', 'the stream part went aws-chunked');
    assert.equal(lastExchange().responseHeaders['x-cos-hash-crc64ecma'], crc(parts[1]), 'part 2 CRC64');
    assert.equal(second.ETag, `"${md5(parts[1])}"`);

    const complete = await s3.send(new CompleteMultipartUploadCommand({
      Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: first.ETag }, { PartNumber: 2, ETag: second.ETag }] },
    }));
    assert.equal(complete.ETag, multipartEtag(parts));
    assert.equal(lastExchange().responseHeaders['x-cos-hash-crc64ecma'], crc(whole));

    const get = await call(cos, 'getObject', { Bucket, Region, Key });
    assert.ok(Buffer.compare(get.Body, whole) === 0);
    assert.equal(get.ETag, complete.ETag);
    assert.equal(get.headers['x-cos-hash-crc64ecma'], crc(whole));
  });

  test('tags and versions written through S3 are what COS reports', async () => {
    const VBucket = bucketName('xaws-ver');
    await call(cos, 'putBucket', { Bucket: VBucket, Region });
    await call(cos, 'putBucketVersioning', { Bucket: VBucket, Region, VersioningConfiguration: { Status: 'Enabled' } });
    const v1 = await s3.send(new PutObjectCommand({ Bucket: VBucket, Key: 'k', Body: 'one', Tagging: 'via=s3' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: VBucket, Key: 'k', Body: 'two' }));
    const tags = await call(cos, 'getObjectTagging', { Bucket: VBucket, Region, Key: 'k', VersionId: v1.VersionId });
    assert.deepEqual(tags.Tags, [{ Key: 'via', Value: 's3' }]);
    const versions = await call(cos, 'listObjectVersions', { Bucket: VBucket, Region });
    assert.deepEqual(versions.Versions.map((v) => v.VersionId), [v2.VersionId, v1.VersionId]);
    const old = await call(cos, 'getObject', { Bucket: VBucket, Region, Key: 'k', VersionId: v1.VersionId });
    assert.equal(old.Body.toString(), 'one');
  });
});

describe('written with cos-nodejs-sdk-v5, read with @aws-sdk/client-s3', () => {
  let Bucket;
  const s3 = s3Client();
  const folder = mkdtempSync(join(tmpdir(), 'coffer-cross-'));
  before(async () => {
    Bucket = bucketName('xcos');
    await call(cos, 'putBucket', { Bucket, Region });
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  test('a putObject reads back identical through GetObject with the same ETag and metadata', async () => {
    const body = randomBytes(654_321);
    const put = await call(cos, 'putObject', {
      Bucket, Region, Key: 'cos/put.bin', Body: body, ContentType: 'application/x-cos', Headers: { 'x-cos-meta-writer': 'cos' },
    });
    const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'cos/put.bin' }));
    assert.ok(Buffer.compare(await bytesOf(get), body) === 0);
    assert.equal(get.ETag, put.ETag);
    assert.equal(get.ContentType, 'application/x-cos');
    assert.deepEqual(get.Metadata, { writer: 'cos' });
  });

  test('a sliceUploadFile object (1 MiB slices) reads back identical with the multipart ETag', async () => {
    const body = randomBytes(3 * MiB + 999);
    const FilePath = join(folder, 'slices.bin');
    writeFileSync(FilePath, body);
    const done = await call(cos, 'sliceUploadFile', { Bucket, Region, Key: 'cos/sliced.bin', FilePath, ChunkSize: MiB });
    const slices = [0, 1, 2, 3].map((i) => body.subarray(i * MiB, (i + 1) * MiB));
    assert.equal(done.ETag, multipartEtag(slices));

    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'cos/sliced.bin' }));
    assert.equal(head.ETag, done.ETag);
    assert.equal(head.ContentLength, body.length);
    const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'cos/sliced.bin' }));
    assert.ok(Buffer.compare(await bytesOf(get), body) === 0);

    const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'cos/sliced' }));
    assert.deepEqual(listed.Contents.map((c) => [c.Key, c.ETag, c.Size]), [['cos/sliced.bin', done.ETag, body.length]]);
  });

  test('tags and delete markers written through COS are what S3 reports', async () => {
    const VBucket = bucketName('xcos-ver');
    await call(cos, 'putBucket', { Bucket: VBucket, Region });
    await call(cos, 'putBucketVersioning', { Bucket: VBucket, Region, VersioningConfiguration: { Status: 'Enabled' } });
    const put = await call(cos, 'putObject', { Bucket: VBucket, Region, Key: 'k', Body: 'kept', Headers: { 'x-cos-tagging': 'via=cos' } });
    const versionId = put.headers['x-cos-version-id'];
    const marker = await call(cos, 'deleteObject', { Bucket: VBucket, Region, Key: 'k' });
    const markerId = marker.headers['x-cos-version-id'];

    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: VBucket, Key: 'k', VersionId: versionId }));
    assert.deepEqual(tags.TagSet, [{ Key: 'via', Value: 'cos' }]);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: VBucket }));
    assert.deepEqual(versions.Versions.map((v) => [v.VersionId, v.IsLatest]), [[versionId, false]]);
    assert.deepEqual(versions.DeleteMarkers.map((m) => [m.VersionId, m.IsLatest]), [[markerId, true]]);
    await assert.rejects(s3.send(new GetObjectCommand({ Bucket: VBucket, Key: 'k' })), (err) => {
      assert.equal(err.name, 'NoSuchKey');
      assert.equal(err.$metadata.httpStatusCode, 404);
      return true;
    });
    const old = await s3.send(new GetObjectCommand({ Bucket: VBucket, Key: 'k', VersionId: versionId }));
    assert.equal((await bytesOf(old)).toString(), 'kept');
  });
});
