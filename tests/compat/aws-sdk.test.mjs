// The S3 dialect through the official @aws-sdk/client-s3 only, with its default checksum behaviour: buckets,
// objects, listing, versioning, tagging, multipart, flexible checksums, storage classes, copy, batch delete,
// virtual-host addressing, errors and presigned URLs.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  NoSuchKey,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Region, account, bucketName, endpoint, recordRequests, s3Client } from './lib/coffer.mjs';

const s3 = s3Client();
const md5 = (bytes) => createHash('md5').update(bytes).digest('hex');
// Reflected CRCs with all-ones initial value and final XOR, as S3's flexible checksums define them: base64 of the
// big-endian value. Written here, not taken from the SDK, so the SDK and the server are both checked against a third
// party. (zlib.crc32 needs Node 20.15+.)
const crc32With = (polynomial) => {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  return (bytes) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = table[(c ^ byte) & 0xff] ^ (c >>> 8);
    const digest = Buffer.alloc(4);
    digest.writeUInt32BE((c ^ 0xffffffff) >>> 0);
    return digest.toString('base64');
  };
};
const crc64With = (polynomial) => {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = BigInt(n);
    for (let k = 0; k < 8; k++) c = c & 1n ? polynomial ^ (c >> 1n) : c >> 1n;
    return c;
  });
  const ones = 0xffffffffffffffffn;
  return (bytes) => {
    let c = ones;
    for (const byte of bytes) c = table[Number((c ^ BigInt(byte)) & 0xffn)] ^ (c >> 8n);
    const digest = Buffer.alloc(8);
    digest.writeBigUInt64BE(c ^ ones);
    return digest.toString('base64');
  };
};
const crc32Base64 = crc32With(0xedb88320);
/** Each flexible checksum the SDK offers, by its ChecksumAlgorithm name. */
const checksumOf = {
  CRC32: crc32Base64,
  CRC32C: crc32With(0x82f63b78),
  CRC64NVME: crc64With(0x9a6c9329ac4bc9b5n),
  SHA1: (bytes) => createHash('sha1').update(bytes).digest('base64'),
  SHA256: (bytes) => createHash('sha256').update(bytes).digest('base64'),
};
const MiB = 1024 * 1024;
const multipartEtag = (parts) =>
  `"${createHash('md5').update(Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()))).digest('hex')}-${parts.length}"`;
const bytesOf = async (response) => Buffer.from(await response.Body.transformToByteArray());

async function newBucket(label, versioning) {
  const Bucket = bucketName(label);
  await s3.send(new CreateBucketCommand({ Bucket }));
  if (versioning) await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: versioning } }));
  return Bucket;
}

/** Asserts that a promise rejects with the given S3 error name and HTTP status. */
async function rejectsWith(promise, name, status) {
  await assert.rejects(
    promise,
    (err) => {
      assert.equal(err.name, name, `error name (got ${err.name}: ${err.message})`);
      assert.equal(err.$metadata?.httpStatusCode, status);
      return true;
    },
    `expected the request to fail with ${status} ${name}, but it succeeded`,
  );
}

describe('aws buckets', () => {
  test('CreateBucket, HeadBucket, ListBuckets, GetBucketLocation and DeleteBucket', async () => {
    const Bucket = bucketName('abucket');
    const created = await s3.send(new CreateBucketCommand({ Bucket }));
    assert.equal(created.$metadata.httpStatusCode, 200);
    assert.equal(created.Location, `/${Bucket}`);

    const head = await s3.send(new HeadBucketCommand({ Bucket }));
    assert.equal(head.$metadata.httpStatusCode, 200);
    assert.equal(head.BucketRegion, Region);

    const list = await s3.send(new ListBucketsCommand({}));
    const mine = list.Buckets.find((b) => b.Name === Bucket);
    assert.ok(mine, 'the new bucket is listed');
    assert.ok(mine.CreationDate instanceof Date && Math.abs(Date.now() - mine.CreationDate.getTime()) < 10 * 60_000);
    assert.ok(list.Owner?.ID, 'the owner is named');

    const location = await s3.send(new GetBucketLocationCommand({ Bucket }));
    assert.equal(location.LocationConstraint, Region);

    const deleted = await s3.send(new DeleteBucketCommand({ Bucket }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    await rejectsWith(s3.send(new HeadBucketCommand({ Bucket })), 'NotFound', 404);
  });

  test('creating a bucket that is already yours fails with BucketAlreadyOwnedByYou', async () => {
    const Bucket = await newBucket('aowned');
    await rejectsWith(s3.send(new CreateBucketCommand({ Bucket })), 'BucketAlreadyOwnedByYou', 409);
  });
});

describe('aws objects', () => {
  let Bucket;
  before(async () => {
    Bucket = await newBucket('aobjects');
  });

  test('PutObject with a Buffer sends a CRC32 the server checks and echoes; GetObject returns the bytes', async () => {
    const client = s3Client();
    const wire = recordRequests(client);
    const body = randomBytes(123_457);
    const put = await client.send(new PutObjectCommand({
      Bucket, Key: 'buffer.bin', Body: body, ContentType: 'application/x-buffer', Metadata: { author: 'ada', 'two-words': 'x y' },
    }));
    assert.equal(put.$metadata.httpStatusCode, 200);
    assert.equal(put.ETag, `"${md5(body)}"`);
    assert.equal(wire[0].headers['x-amz-checksum-crc32'], crc32Base64(body), 'the SDK sent its default CRC32 header');
    assert.equal(put.ChecksumCRC32, crc32Base64(body));

    const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'buffer.bin' }));
    assert.ok(Buffer.compare(await bytesOf(get), body) === 0);
    assert.equal(get.ETag, `"${md5(body)}"`);
    assert.equal(get.ContentLength, body.length);
    assert.equal(get.ContentType, 'application/x-buffer');
    assert.deepEqual(get.Metadata, { author: 'ada', 'two-words': 'x y' });

    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'buffer.bin' }));
    assert.equal(head.ContentLength, body.length);
    assert.equal(head.ETag, `"${md5(body)}"`);
    assert.ok(head.LastModified instanceof Date);
    assert.deepEqual(head.Metadata, { author: 'ada', 'two-words': 'x y' });
  });

  test('PutObject with a stream body goes aws-chunked with a CRC32 trailer and stores the decoded bytes', async () => {
    const client = s3Client();
    const wire = recordRequests(client);
    const body = randomBytes(300_000);
    const put = await client.send(new PutObjectCommand({
      Bucket, Key: 'stream.bin', Body: Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]), ContentLength: body.length,
    }));
    const sent = wire[0].headers;
    assert.equal(sent['content-encoding'], 'aws-chunked');
    assert.equal(sent['x-amz-trailer'], 'x-amz-checksum-crc32');
    assert.equal(sent['x-amz-decoded-content-length'], String(body.length));
    assert.equal(put.$metadata.attempts, 1, 'accepted on the first attempt, not after an SDK retry');
    assert.equal(put.ETag, `"${md5(body)}"`, 'the ETag is the MD5 of the decoded bytes, not of the chunk framing');
    assert.equal(put.ChecksumCRC32, crc32Base64(body));

    const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'stream.bin' }));
    assert.ok(Buffer.compare(await bytesOf(get), body) === 0);
    assert.equal(get.ContentEncoding, undefined, 'aws-chunked is not stored as Content-Encoding');
  });

  test('a CRC32 that does not match the body is refused with BadDigest and stores nothing', async () => {
    await rejectsWith(
      s3.send(new PutObjectCommand({ Bucket, Key: 'bad-crc.bin', Body: Buffer.from('real body'), ChecksumCRC32: crc32Base64(Buffer.from('other body')) })),
      'BadDigest', 400,
    );
    await rejectsWith(s3.send(new HeadObjectCommand({ Bucket, Key: 'bad-crc.bin' })), 'NotFound', 404);
  });

  test('a conditional PutObject (IfNoneMatch "*") on an existing key fails with PreconditionFailed and keeps the object', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'write-once', Body: 'first' }));
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket, Key: 'write-once', Body: 'second', IfNoneMatch: '*' })), 'PreconditionFailed', 412);
    const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'write-once' }));
    assert.equal((await bytesOf(get)).toString(), 'first');
    const created = await s3.send(new PutObjectCommand({ Bucket, Key: 'write-once-new', Body: 'x', IfNoneMatch: '*' }));
    assert.equal(created.$metadata.httpStatusCode, 200, 'a new key is written');
  });

  test('a byte range comes back as 206 with Content-Range', async () => {
    const body = randomBytes(4096);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'range.bin', Body: body }));
    const part = await s3.send(new GetObjectCommand({ Bucket, Key: 'range.bin', Range: 'bytes=1000-1999' }));
    assert.equal(part.$metadata.httpStatusCode, 206);
    assert.equal(part.ContentRange, 'bytes 1000-1999/4096');
    assert.ok(Buffer.compare(await bytesOf(part), body.subarray(1000, 2000)) === 0);
  });

  test('GetObject of a missing key throws NoSuchKey (404); HeadObject throws NotFound (404)', async () => {
    await assert.rejects(s3.send(new GetObjectCommand({ Bucket, Key: 'missing' })), (err) => {
      assert.ok(err instanceof NoSuchKey, `a NoSuchKey instance, got ${err.name}`);
      assert.equal(err.name, 'NoSuchKey');
      assert.equal(err.$metadata.httpStatusCode, 404);
      assert.ok(err.$metadata.requestId, 'x-amz-request-id is read');
      return true;
    });
    await rejectsWith(s3.send(new HeadObjectCommand({ Bucket, Key: 'missing' })), 'NotFound', 404);
  });

  test('a missing bucket throws NoSuchBucket (404)', async () => {
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: `missing-${account.appId}`, Key: 'k' })), 'NoSuchBucket', 404);
    await rejectsWith(s3.send(new ListObjectsV2Command({ Bucket: `missing-${account.appId}` })), 'NoSuchBucket', 404);
  });

  test('a wrong secret key throws SignatureDoesNotMatch (403)', async () => {
    const impostor = s3Client({ secretKey: 'wrong-wrong-wrong-wrong-wrong-wr' });
    await rejectsWith(impostor.send(new GetObjectCommand({ Bucket, Key: 'range.bin' })), 'SignatureDoesNotMatch', 403);
  });
});

describe('aws ListObjectsV2', () => {
  let Bucket;
  const keys = ['a.txt', 'b/1.txt', 'b/2.txt', 'b/c/3.txt', 'd.txt', 'e.txt'];
  before(async () => {
    Bucket = await newBucket('alist');
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
  });

  test('MaxKeys 2 pages with ContinuationToken until every key is seen once', async () => {
    const seen = [];
    let ContinuationToken;
    let pages = 0;
    for (;;) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 2, ContinuationToken }));
      pages++;
      assert.equal(page.KeyCount, page.Contents.length);
      assert.equal(page.MaxKeys, 2);
      seen.push(...page.Contents.map((c) => c.Key));
      if (!page.IsTruncated) {
        assert.equal(page.NextContinuationToken, undefined);
        break;
      }
      assert.ok(page.NextContinuationToken);
      ContinuationToken = page.NextContinuationToken;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, keys);
  });

  test('StartAfter begins after the given key and later pages follow the ContinuationToken', async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket, StartAfter: 'b/2.txt' }));
    assert.deepEqual(page.Contents.map((c) => c.Key), ['b/c/3.txt', 'd.txt', 'e.txt']);
    assert.equal(page.StartAfter, 'b/2.txt');

    const first = await s3.send(new ListObjectsV2Command({ Bucket, StartAfter: 'a.txt', MaxKeys: 3 }));
    assert.deepEqual(first.Contents.map((c) => c.Key), ['b/1.txt', 'b/2.txt', 'b/c/3.txt']);
    assert.equal(first.IsTruncated, true);
    const second = await s3.send(new ListObjectsV2Command({ Bucket, StartAfter: 'a.txt', MaxKeys: 3, ContinuationToken: first.NextContinuationToken }));
    assert.deepEqual(second.Contents.map((c) => c.Key), ['d.txt', 'e.txt']);
    assert.equal(second.ContinuationToken, first.NextContinuationToken);
    assert.equal(second.IsTruncated, false);
  });

  test('Delimiter with MaxKeys pages count each CommonPrefix once and never repeat it', async () => {
    const pages = [];
    let ContinuationToken;
    for (let i = 0; i < 10; i++) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/', MaxKeys: 2, ContinuationToken }));
      pages.push([...(page.Contents ?? []).map((c) => c.Key), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix)].sort());
      assert.equal(page.KeyCount, pages.at(-1).length);
      if (!page.IsTruncated) break;
      ContinuationToken = page.NextContinuationToken;
    }
    assert.deepEqual(pages, [['a.txt', 'b/'], ['d.txt', 'e.txt']]);
  });

  test('Delimiter rolls up CommonPrefixes and entries carry Size and ETag', async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/', Prefix: 'b/' }));
    assert.deepEqual(page.Contents.map((c) => [c.Key, c.Size, c.ETag]), [
      ['b/1.txt', 7, `"${md5(Buffer.from('b/1.txt'))}"`],
      ['b/2.txt', 7, `"${md5(Buffer.from('b/2.txt'))}"`],
    ]);
    assert.deepEqual(page.CommonPrefixes.map((p) => p.Prefix), ['b/c/']);
    assert.equal(page.KeyCount, 3, 'KeyCount counts keys and common prefixes');
  });

  test('FetchOwner names each entry\'s Owner, the ID ListBuckets gives the account; without it no entry has one', async () => {
    const plain = await s3.send(new ListObjectsV2Command({ Bucket }));
    assert.deepEqual(plain.Contents.map((c) => [c.Key, c.Owner]), keys.map((k) => [k, undefined]));

    const { Owner } = await s3.send(new ListBucketsCommand({}));
    assert.equal(Owner.ID, account.uin);
    const owned = await s3.send(new ListObjectsV2Command({ Bucket, FetchOwner: true }));
    assert.deepEqual(owned.Contents.map((c) => [c.Key, c.Owner?.ID]), keys.map((k) => [k, Owner.ID]));

    const paged = await s3.send(new ListObjectsV2Command({ Bucket, FetchOwner: true, MaxKeys: 2, StartAfter: 'b/2.txt' }));
    assert.deepEqual(paged.Contents.map((c) => [c.Key, c.Owner?.ID]), [['b/c/3.txt', Owner.ID], ['d.txt', Owner.ID]]);
  });
});

describe('aws versioning', () => {
  test('versioned PutObject returns VersionIds and GetObject reads each version back', async () => {
    const Bucket = await newBucket('aver', 'Enabled');
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status, 'Enabled');
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'two' }));
    assert.ok(v1.VersionId && v2.VersionId && v1.VersionId !== v2.VersionId);

    const old = await s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: v1.VersionId }));
    assert.equal((await bytesOf(old)).toString(), 'one');
    assert.equal(old.VersionId, v1.VersionId);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'k', VersionId: v2.VersionId }));
    assert.equal(head.ETag, `"${md5(Buffer.from('two'))}"`);
    assert.equal(head.VersionId, v2.VersionId);
  });

  test('DeleteObject leaves a delete marker; GetObject then fails, the marker version fails with 405', async () => {
    const Bucket = await newBucket('aver-marker', 'Enabled');
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'kept' }));
    const marker = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    assert.equal(marker.$metadata.httpStatusCode, 204);
    assert.equal(marker.DeleteMarker, true);
    assert.ok(marker.VersionId && marker.VersionId !== v1.VersionId);

    await rejectsWith(s3.send(new GetObjectCommand({ Bucket, Key: 'k' })), 'NoSuchKey', 404);
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: marker.VersionId })), 'MethodNotAllowed', 405);
    assert.equal((await bytesOf(await s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: v1.VersionId })))).toString(), 'kept');

    const removed = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: marker.VersionId }));
    assert.equal(removed.DeleteMarker, true);
    assert.equal(removed.VersionId, marker.VersionId);
    const back = await s3.send(new GetObjectCommand({ Bucket, Key: 'k' }));
    assert.equal((await bytesOf(back)).toString(), 'kept');
  });

  test('ListObjectVersions lists versions and markers newest first per key and pages with Next markers', async () => {
    const Bucket = await newBucket('aver-list', 'Enabled');
    const put = async (Key, Body) => (await s3.send(new PutObjectCommand({ Bucket, Key, Body }))).VersionId;
    const del = async (Key) => (await s3.send(new DeleteObjectCommand({ Bucket, Key }))).VersionId;
    const y1 = await put('y', 'y1');
    const x1 = await put('x', 'x1');
    const xm = await del('x');
    const x2 = await put('x', 'x2');
    const y2 = await put('y', 'y2');
    const expected = [
      ['version', 'x', x2, true], ['marker', 'x', xm, false], ['version', 'x', x1, false],
      ['version', 'y', y2, true], ['version', 'y', y1, false],
    ];

    const all = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    assert.equal(all.IsTruncated, false);
    assert.deepEqual(all.Versions.map((v) => [v.Key, v.VersionId, v.IsLatest]), expected.filter((e) => e[0] === 'version').map((e) => e.slice(1)));
    assert.deepEqual(all.DeleteMarkers.map((m) => [m.Key, m.VersionId, m.IsLatest]), [['x', xm, false]]);
    assert.equal(all.Versions[0].Size, 2);
    assert.equal(all.Versions[0].ETag, `"${md5(Buffer.from('x2'))}"`);

    const seen = [];
    let KeyMarker;
    let VersionIdMarker;
    for (let pages = 0; pages < 20; pages++) {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket, MaxKeys: 1, KeyMarker, VersionIdMarker }));
      const entries = [
        ...(page.Versions ?? []).map((v) => ['version', v.Key, v.VersionId, v.IsLatest]),
        ...(page.DeleteMarkers ?? []).map((m) => ['marker', m.Key, m.VersionId, m.IsLatest]),
      ];
      assert.equal(entries.length, 1);
      seen.push(entries[0]);
      if (!page.IsTruncated) break;
      assert.equal(page.NextKeyMarker, entries[0][1]);
      assert.equal(page.NextVersionIdMarker, entries[0][2]);
      KeyMarker = page.NextKeyMarker;
      VersionIdMarker = page.NextVersionIdMarker;
    }
    assert.deepEqual(seen, expected);
  });

  test('Suspended versioning reports VersionId "null" for new writes', async () => {
    const Bucket = await newBucket('aver-susp', 'Enabled');
    const real = await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'real' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status, 'Suspended');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'null' }));
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    assert.deepEqual(listed.Versions.map((v) => [v.VersionId, v.IsLatest]), [['null', true], [real.VersionId, false]]);
    const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: 'null' }));
    assert.equal((await bytesOf(get)).toString(), 'null');
  });
});

describe('aws tagging', () => {
  let Bucket;
  before(async () => {
    Bucket = await newBucket('atag');
  });
  const sorted = (tags) => [...tags].sort((a, b) => a.Key.localeCompare(b.Key));

  test('PutObjectTagging, GetObjectTagging and DeleteObjectTagging', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 't', Body: 'x' }));
    const TagSet = [{ Key: 'project', Value: 'coffer' }, { Key: 'stage', Value: 'compat test' }];
    const put = await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 't', Tagging: { TagSet } }));
    assert.equal(put.$metadata.httpStatusCode, 200);
    assert.deepEqual(sorted((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 't' }))).TagSet), sorted(TagSet));
    const get = await s3.send(new GetObjectCommand({ Bucket, Key: 't' }));
    assert.equal(get.TagCount, 2);
    assert.equal((await bytesOf(get)).toString(), 'x');

    const deleted = await s3.send(new DeleteObjectTaggingCommand({ Bucket, Key: 't' }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 't' }))).TagSet ?? [], []);
  });

  test('the Tagging parameter of PutObject (x-amz-tagging) sets tags', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'h', Body: 'x', Tagging: 'a=1&b=two%20words' }));
    const got = await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'h' }));
    assert.deepEqual(sorted(got.TagSet), [{ Key: 'a', Value: '1' }, { Key: 'b', Value: 'two words' }]);
  });

  test('11 tags or a 129-character key fail with InvalidTag', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'bad', Body: 'x' }));
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejectsWith(s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'bad', Tagging: { TagSet: eleven } })), 'InvalidTag', 400);
    await rejectsWith(
      s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'bad', Tagging: { TagSet: [{ Key: 'k'.repeat(129), Value: 'v' }] } })),
      'InvalidTag', 400,
    );
  });

  test('VersionId picks which version is tagged', async () => {
    const VBucket = await newBucket('atag-ver', 'Enabled');
    const v1 = await s3.send(new PutObjectCommand({ Bucket: VBucket, Key: 'k', Body: '1', Tagging: 'gen=1' }));
    await s3.send(new PutObjectCommand({ Bucket: VBucket, Key: 'k', Body: '2', Tagging: 'gen=2' }));
    await s3.send(new PutObjectTaggingCommand({ Bucket: VBucket, Key: 'k', VersionId: v1.VersionId, Tagging: { TagSet: [{ Key: 'gen', Value: 'old' }] } }));
    const old = await s3.send(new GetObjectTaggingCommand({ Bucket: VBucket, Key: 'k', VersionId: v1.VersionId }));
    assert.deepEqual(old.TagSet, [{ Key: 'gen', Value: 'old' }]);
    assert.equal(old.VersionId, v1.VersionId);
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: VBucket, Key: 'k' }))).TagSet, [{ Key: 'gen', Value: '2' }]);
  });
});

describe('aws multipart', () => {
  test('CreateMultipartUpload, UploadPart, ListParts, ListMultipartUploads, CompleteMultipartUpload', async () => {
    const Bucket = await newBucket('ampu');
    const Key = 'big/object.bin';
    const parts = [randomBytes(5 * MiB), randomBytes(777_777)];
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'application/x-mpu', Metadata: { origin: 'aws' } }));
    assert.equal(created.Bucket, Bucket);
    assert.equal(created.Key, Key);
    const { UploadId } = created;
    assert.ok(UploadId);

    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
    assert.deepEqual(uploads.Uploads.map((u) => [u.Key, u.UploadId]), [[Key, UploadId]]);

    const done = [];
    for (let i = 0; i < parts.length; i++) {
      const part = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body: parts[i] }));
      assert.equal(part.ETag, `"${md5(parts[i])}"`);
      assert.equal(part.ChecksumCRC32, crc32Base64(parts[i]), 'the part CRC32 the SDK sent is echoed');
      done.push({ PartNumber: i + 1, ETag: part.ETag });
    }

    const listed = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    assert.deepEqual(listed.Parts.map((p) => [p.PartNumber, p.ETag, p.Size]), parts.map((p, i) => [i + 1, `"${md5(p)}"`, p.length]));
    assert.equal(listed.IsTruncated, false);

    const complete = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: done } }));
    assert.equal(complete.$metadata.httpStatusCode, 200);
    assert.equal(complete.Key, Key);
    assert.equal(complete.Bucket, Bucket);
    assert.equal(complete.ETag, multipartEtag(parts));

    const get = await s3.send(new GetObjectCommand({ Bucket, Key }));
    assert.ok(Buffer.compare(await bytesOf(get), Buffer.concat(parts)) === 0);
    assert.equal(get.ETag, multipartEtag(parts));
    assert.equal(get.ContentType, 'application/x-mpu');
    assert.deepEqual(get.Metadata, { origin: 'aws' });
    assert.deepEqual((await s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads ?? [], []);
  });

  test('CompleteMultipartUpload takes back the part checksums UploadPart answered, on an upload created without an algorithm', async () => {
    const Bucket = await newBucket('ampu-crc');
    const Key = 'echoed.bin';
    const parts = [randomBytes(5 * MiB), Buffer.from('tail')];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const done = [];
    for (let i = 0; i < parts.length; i++) {
      const part = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body: parts[i] }));
      done.push({ PartNumber: i + 1, ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32 });
    }
    const complete = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: done } }));
    assert.equal(complete.ETag, multipartEtag(parts));
    assert.ok(Buffer.compare(await bytesOf(await s3.send(new GetObjectCommand({ Bucket, Key }))), Buffer.concat(parts)) === 0);
  });

  test('CompleteMultipartUpload answers a Location URL that names the bucket and the key', async () => {
    const Bucket = await newBucket('ampu-loc');
    const Key = 'dir/with space.bin';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const part = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'only part' }));
    const complete = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    // S3 documents Location as "the URI that identifies the newly created object": an absolute URL, in path
    // style (this request's style) http://host/bucket/key, or virtual-host style http://bucket.host/key.
    assert.match(complete.Location, /^https?:\/\//, `Location ${complete.Location} is an absolute URL`);
    const location = new URL(complete.Location);
    const path = decodeURIComponent(location.pathname);
    assert.ok(
      path === `/${Bucket}/${Key}` || (location.hostname.startsWith(`${Bucket}.`) && path === `/${Key}`),
      `Location ${complete.Location} names bucket ${Bucket} and key ${Key}`,
    );
  });

  test('AbortMultipartUpload discards the upload and later calls fail with NoSuchUpload', async () => {
    const Bucket = await newBucket('ampu-abort');
    const Key = 'aborted';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: randomBytes(1000) }));
    const aborted = await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    assert.equal(aborted.$metadata.httpStatusCode, 204);
    await rejectsWith(s3.send(new ListPartsCommand({ Bucket, Key, UploadId })), 'NoSuchUpload', 404);
    await rejectsWith(
      s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"x"' }] } })),
      'NoSuchUpload', 404,
    );
    assert.deepEqual((await s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads ?? [], []);
  });

  test('a wrong part ETag fails with InvalidPart, parts out of order with InvalidPartOrder', async () => {
    const Bucket = await newBucket('ampu-bad');
    const Key = 'bad';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: randomBytes(5 * MiB) }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: randomBytes(10) }));
    await rejectsWith(
      s3.send(new CompleteMultipartUploadCommand({
        Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: `"${md5(Buffer.from('no'))}"` }] },
      })),
      'InvalidPart', 400,
    );
    await rejectsWith(
      s3.send(new CompleteMultipartUploadCommand({
        Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: p2.ETag }, { PartNumber: 1, ETag: p1.ETag }] },
      })),
      'InvalidPartOrder', 400,
    );
  });

  test('S3 requires 5 MiB parts: a 1 MiB first part fails the complete with EntityTooSmall', async () => {
    const Bucket = await newBucket('ampu-small');
    const Key = 'small';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: randomBytes(MiB) }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: randomBytes(10) }));
    await rejectsWith(
      s3.send(new CompleteMultipartUploadCommand({
        Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] },
      })),
      'EntityTooSmall', 400,
    );
  });
});

describe('aws flexible checksums', () => {
  let Bucket;
  before(async () => {
    Bucket = await newBucket('asum');
  });

  test('the reference CRCs reproduce their catalogue check values', () => {
    const hex = (algorithm) => Buffer.from(checksumOf[algorithm](Buffer.from('123456789')), 'base64').toString('hex');
    assert.deepEqual(['CRC32', 'CRC32C', 'CRC64NVME'].map(hex), ['cbf43926', 'e3069283', 'ae8b14860a799888']);
  });

  /** HEAD and GET send the stored checksum only with ChecksumMode ENABLED; GET also lets the SDK validate the body. */
  async function assertStored(Key, algorithm, body) {
    const field = `Checksum${algorithm}`;
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key })))[field], undefined, 'not sent unless asked for');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' })))[field], checksumOf[algorithm](body));
    const get = await s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    assert.equal(get[field], checksumOf[algorithm](body));
    assert.ok(Buffer.compare(await bytesOf(get), body) === 0);
  }

  /** Rewrites the checksum trailer of the aws-chunked body the SDK signed and framed, keeping its length. */
  function corruptTrailer(client, header, value) {
    client.middlewareStack.add(
      (next) => async (args) => {
        const chunks = [];
        for await (const chunk of args.request.body) chunks.push(Buffer.from(chunk));
        const wire = Buffer.concat(chunks).toString('latin1');
        const at = wire.lastIndexOf(`${header}:`) + header.length + 1;
        assert.ok(at > header.length, `the body ends with a ${header} trailer`);
        args.request.body = Buffer.from(wire.slice(0, at) + value + wire.slice(at + value.length), 'latin1');
        return next(args);
      },
      { step: 'deserialize', name: 'cofferCorruptTrailer' },
    );
  }

  for (const algorithm of ['CRC32C', 'SHA1', 'SHA256', 'CRC64NVME']) {
    const header = `x-amz-checksum-${algorithm.toLowerCase()}`;
    const field = `Checksum${algorithm}`;

    test(`${algorithm}: a Buffer body carries it in ${header}; PutObject, HeadObject and GetObject return it`, async () => {
      const client = s3Client();
      const wire = recordRequests(client);
      const body = randomBytes(100_001);
      const put = await client.send(new PutObjectCommand({ Bucket, Key: `header/${algorithm}`, Body: body, ChecksumAlgorithm: algorithm }));
      assert.equal(wire[0].headers[header], checksumOf[algorithm](body), `the SDK sent ${header}`);
      assert.equal(wire[0].headers['x-amz-trailer'], undefined);
      assert.equal(put[field], checksumOf[algorithm](body));
      await assertStored(`header/${algorithm}`, algorithm, body);
    });

    test(`${algorithm}: a stream body goes aws-chunked with an ${header} trailer; PutObject, HeadObject and GetObject return it`, async () => {
      const client = s3Client();
      const wire = recordRequests(client);
      const body = randomBytes(200_003);
      const put = await client.send(new PutObjectCommand({
        Bucket, Key: `trailer/${algorithm}`, Body: Readable.from([body.subarray(0, 70_000), body.subarray(70_000)]),
        ContentLength: body.length, ChecksumAlgorithm: algorithm,
      }));
      assert.equal(wire[0].headers['content-encoding'], 'aws-chunked');
      assert.equal(wire[0].headers['x-amz-trailer'], header);
      assert.equal(wire[0].headers[header], undefined, 'the checksum travels in the trailer, not a header');
      assert.equal(put.$metadata.attempts, 1);
      assert.equal(put[field], checksumOf[algorithm](body));
      await assertStored(`trailer/${algorithm}`, algorithm, body);
    });

    test(`${algorithm}: a header that does not match the body is BadDigest and stores nothing`, async () => {
      const Key = `bad-header/${algorithm}`;
      await rejectsWith(
        s3.send(new PutObjectCommand({ Bucket, Key, Body: Buffer.from('real body'), [field]: checksumOf[algorithm](Buffer.from('other body')) })),
        'BadDigest', 400,
      );
      await rejectsWith(s3.send(new HeadObjectCommand({ Bucket, Key })), 'NotFound', 404);
    });

    test(`${algorithm}: a trailer that does not match the body is BadDigest and stores nothing`, async () => {
      const client = s3Client();
      const wire = recordRequests(client);
      corruptTrailer(client, header, checksumOf[algorithm](Buffer.from('other body')));
      const Key = `bad-trailer/${algorithm}`;
      await rejectsWith(
        client.send(new PutObjectCommand({ Bucket, Key, Body: Readable.from([randomBytes(10_000)]), ContentLength: 10_000, ChecksumAlgorithm: algorithm })),
        'BadDigest', 400,
      );
      assert.equal(wire[0].headers['x-amz-trailer'], header);
      await rejectsWith(s3.send(new HeadObjectCommand({ Bucket, Key })), 'NotFound', 404);
    });
  }
});

describe('aws storage classes', () => {
  let Bucket;
  before(async () => {
    Bucket = await newBucket('aclass', 'Enabled');
  });
  const classOf = async (Key) => (await s3.send(new HeadObjectCommand({ Bucket, Key }))).StorageClass;

  test('S3-only classes (GLACIER, ONEZONE_IA in lower case) are stored; HeadObject, ListObjectsV2 and ListObjectVersions show them', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'put/glacier', Body: 'cold', StorageClass: 'GLACIER' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'put/onezone', Body: 'one zone', StorageClass: 'onezone_ia' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'put/standard', Body: 'warm' }));

    assert.deepEqual(await Promise.all(['put/glacier', 'put/onezone', 'put/standard'].map(classOf)), ['GLACIER', 'ONEZONE_IA', undefined],
      'HEAD names every class but STANDARD, as S3 does');
    const expected = [['put/glacier', 'GLACIER'], ['put/onezone', 'ONEZONE_IA'], ['put/standard', 'STANDARD']];
    const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'put/' }));
    assert.deepEqual(listed.Contents.map((c) => [c.Key, c.StorageClass]), expected);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: 'put/' }));
    assert.deepEqual(versions.Versions.map((v) => [v.Key, v.StorageClass]), expected);
  });

  test('CopyObject and CreateMultipartUpload take a StorageClass, which ListMultipartUploads and ListParts show', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'source', Body: 'x' }));
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'copied', CopySource: `${Bucket}/source`, StorageClass: 'GLACIER_IR' }));
    assert.equal(await classOf('copied'), 'GLACIER_IR');

    const Key = 'multipart';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, StorageClass: 'REDUCED_REDUNDANCY' }));
    assert.deepEqual((await s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads.map((u) => [u.Key, u.StorageClass]),
      [[Key, 'REDUCED_REDUNDANCY']]);
    const part = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'only part' }));
    assert.equal((await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }))).StorageClass, 'REDUCED_REDUNDANCY');
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    assert.equal(await classOf(Key), 'REDUCED_REDUNDANCY');
  });

  test('an unknown StorageClass is InvalidStorageClass (400) on PutObject, CopyObject and CreateMultipartUpload, and creates nothing', async () => {
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket, Key: 'bad/put', Body: 'x', StorageClass: 'GLACIER_PLUS' })), 'InvalidStorageClass', 400);
    await rejectsWith(s3.send(new HeadObjectCommand({ Bucket, Key: 'bad/put' })), 'NotFound', 404);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'bad/source', Body: 'x' }));
    await rejectsWith(
      s3.send(new CopyObjectCommand({ Bucket, Key: 'bad/copy', CopySource: `${Bucket}/bad/source`, StorageClass: 'COLD' })),
      'InvalidStorageClass', 400,
    );
    await rejectsWith(s3.send(new HeadObjectCommand({ Bucket, Key: 'bad/copy' })), 'NotFound', 404);
    await rejectsWith(s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'bad/mpu', StorageClass: 'COLD' })), 'InvalidStorageClass', 400);
    assert.deepEqual((await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'bad/' }))).Uploads ?? [], []);
  });
});

describe('aws CopyObject', () => {
  let Bucket;
  const body = randomBytes(50_000);
  before(async () => {
    Bucket = await newBucket('acopy');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'dir/source file+1.bin', Body: body, ContentType: 'application/x-src', Metadata: { colour: 'blue', shape: 'round' } }));
  });
  const copySource = () => `${Bucket}/${encodeURIComponent('dir/source file+1.bin')}`;

  test('MetadataDirective COPY (the default) keeps metadata and bytes', async () => {
    const copy = await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy-default', CopySource: copySource() }));
    assert.equal(copy.CopyObjectResult.ETag, `"${md5(body)}"`);
    assert.ok(copy.CopyObjectResult.LastModified instanceof Date);
    const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'copy-default' }));
    assert.ok(Buffer.compare(await bytesOf(get), body) === 0);
    assert.deepEqual(get.Metadata, { colour: 'blue', shape: 'round' });
    assert.equal(get.ContentType, 'application/x-src');
  });

  test('MetadataDirective REPLACE takes the request metadata', async () => {
    await s3.send(new CopyObjectCommand({
      Bucket, Key: 'copy-replace', CopySource: copySource(), MetadataDirective: 'REPLACE', Metadata: { colour: 'red' }, ContentType: 'text/x-new',
    }));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'copy-replace' }));
    assert.deepEqual(head.Metadata, { colour: 'red' });
    assert.equal(head.ContentType, 'text/x-new');
    assert.equal(head.ETag, `"${md5(body)}"`);
  });

  test('CopySourceIfMatch / CopySourceIfNoneMatch gate the copy: a failed condition is PreconditionFailed (412)', async () => {
    const etag = `"${md5(body)}"`;
    const allowed = await s3.send(new CopyObjectCommand({ Bucket, Key: 'cond/ok', CopySource: copySource(), CopySourceIfMatch: etag }));
    assert.equal(allowed.CopyObjectResult.ETag, etag);
    await rejectsWith(
      s3.send(new CopyObjectCommand({ Bucket, Key: 'cond/bad-match', CopySource: copySource(), CopySourceIfMatch: `"${md5(Buffer.from('other'))}"` })),
      'PreconditionFailed', 412,
    );
    await rejectsWith(
      s3.send(new CopyObjectCommand({ Bucket, Key: 'cond/none-match', CopySource: copySource(), CopySourceIfNoneMatch: etag })),
      'PreconditionFailed', 412,
    );
    const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'cond/' }));
    assert.deepEqual(listed.Contents.map((c) => c.Key), ['cond/ok'], 'the refused copies created nothing');
  });

  test('IfNoneMatch "*" / IfMatch gate the copy on its destination: a failed condition is PreconditionFailed and the destination is kept', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'dest/kept', Body: 'first' }));
    const kept = `"${md5(Buffer.from('first'))}"`;
    await rejectsWith(s3.send(new CopyObjectCommand({ Bucket, Key: 'dest/kept', CopySource: copySource(), IfNoneMatch: '*' })), 'PreconditionFailed', 412);
    await rejectsWith(
      s3.send(new CopyObjectCommand({ Bucket, Key: 'dest/kept', CopySource: copySource(), IfMatch: `"${md5(Buffer.from('other'))}"` })),
      'PreconditionFailed', 412,
    );
    await rejectsWith(s3.send(new CopyObjectCommand({ Bucket, Key: 'dest/missing', CopySource: copySource(), IfMatch: kept })), 'NoSuchKey', 404);
    assert.equal((await bytesOf(await s3.send(new GetObjectCommand({ Bucket, Key: 'dest/kept' })))).toString(), 'first');

    const swapped = await s3.send(new CopyObjectCommand({ Bucket, Key: 'dest/kept', CopySource: copySource(), IfMatch: kept }));
    assert.equal(swapped.CopyObjectResult.ETag, `"${md5(body)}"`, 'a matching If-Match replaces the destination');
    const created = await s3.send(new CopyObjectCommand({ Bucket, Key: 'dest/new', CopySource: copySource(), IfNoneMatch: '*' }));
    assert.equal(created.CopyObjectResult.ETag, `"${md5(body)}"`, 'If-None-Match "*" writes a new key');
  });

  test('ChecksumAlgorithm on CopyObject computes that checksum of the copy: in CopyObjectResult and on HeadObject', async () => {
    for (const ChecksumAlgorithm of ['CRC32', 'SHA256', 'CRC64NVME']) {
      const Key = `checksum/${ChecksumAlgorithm}`;
      const copy = await s3.send(new CopyObjectCommand({ Bucket, Key, CopySource: copySource(), ChecksumAlgorithm }));
      assert.equal(copy.CopyObjectResult[`Checksum${ChecksumAlgorithm}`], checksumOf[ChecksumAlgorithm](body), ChecksumAlgorithm);
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
      assert.equal(head[`Checksum${ChecksumAlgorithm}`], checksumOf[ChecksumAlgorithm](body), ChecksumAlgorithm);
    }
  });

  test('copying from a missing source fails with NoSuchKey', async () => {
    await rejectsWith(s3.send(new CopyObjectCommand({ Bucket, Key: 'x', CopySource: `${Bucket}/nope` })), 'NoSuchKey', 404);
  });
});

describe('aws DeleteObjects', () => {
  test('non-quiet reports each key; Quiet reports none; both delete', async () => {
    const Bucket = await newBucket('adel');
    for (const Key of ['a', 'b', 'c', 'd', 'keep']) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    const loud = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'a' }, { Key: 'b' }, { Key: 'ghost' }] } }));
    assert.deepEqual(loud.Deleted.map((d) => d.Key).sort(), ['a', 'b', 'ghost']);
    assert.equal(loud.Errors, undefined);

    const quiet = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Quiet: true, Objects: [{ Key: 'c' }, { Key: 'd' }] } }));
    assert.equal(quiet.$metadata.httpStatusCode, 200);
    assert.equal(quiet.Deleted, undefined);
    assert.equal(quiet.Errors, undefined);

    const left = await s3.send(new ListObjectsV2Command({ Bucket }));
    assert.deepEqual(left.Contents.map((c) => c.Key), ['keep']);
  });

  test('in a versioned bucket a bare key gets a delete marker, a VersionId removes that version', async () => {
    const Bucket = await newBucket('adel-ver', 'Enabled');
    const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'v', Body: '1' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket, Key: 'v', Body: '2' }));
    const result = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'v', VersionId: v2.VersionId }] } }));
    assert.deepEqual(result.Deleted, [{ Key: 'v', VersionId: v2.VersionId }]);
    const marked = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'v' }] } }));
    assert.equal(marked.Deleted[0].DeleteMarker, true);
    assert.ok(marked.Deleted[0].DeleteMarkerVersionId);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    assert.deepEqual(versions.Versions.map((v) => [v.VersionId, v.IsLatest]), [[v1.VersionId, false]]);
    assert.deepEqual(versions.DeleteMarkers.map((m) => [m.VersionId, m.IsLatest]), [[marked.Deleted[0].DeleteMarkerVersionId, true]]);
  });

  test('a conditional DeleteObject (IfMatch, IfMatchSize) deletes only the object it names: PreconditionFailed (412) otherwise, NoSuchKey (404) without one', async () => {
    const Bucket = await newBucket('adel-cond');
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'guarded', Body: 'abc' }));
    await rejectsWith(s3.send(new DeleteObjectCommand({ Bucket, Key: 'guarded', IfMatch: '"0123456789abcdef0123456789abcdef"' })), 'PreconditionFailed', 412);
    await rejectsWith(s3.send(new DeleteObjectCommand({ Bucket, Key: 'guarded', IfMatchSize: 4 })), 'PreconditionFailed', 412);
    await s3.send(new HeadObjectCommand({ Bucket, Key: 'guarded' }));
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'guarded', IfMatch: put.ETag, IfMatchSize: 3 }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    await rejectsWith(s3.send(new DeleteObjectCommand({ Bucket, Key: 'guarded', IfMatch: '*' })), 'NoSuchKey', 404);
  });

  test('DeleteObjects with an ETag per object reports PreconditionFailed for a stale one and deletes the others', async () => {
    const Bucket = await newBucket('adel-etag');
    const fresh = await s3.send(new PutObjectCommand({ Bucket, Key: 'fresh', Body: '1' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'stale', Body: '2' }));
    const result = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [
      { Key: 'fresh', ETag: fresh.ETag },
      { Key: 'stale', ETag: fresh.ETag },
    ] } }));
    assert.deepEqual(result.Deleted.map((d) => d.Key), ['fresh']);
    assert.deepEqual(result.Errors.map((e) => [e.Key, e.Code]), [['stale', 'PreconditionFailed']]);
    const left = await s3.send(new ListObjectsV2Command({ Bucket }));
    assert.deepEqual(left.Contents.map((c) => c.Key), ['stale']);
  });
});

describe('aws virtual-host addressing', () => {
  test('with forcePathStyle false the bucket goes in the host, <bucket>.s3.<region>.amazonaws.com: create, put, get, list, delete', async () => {
    // Every name resolves to our loopback address, as DNS resolves the AWS domain to S3.
    const lookup = (hostname, options, callback) =>
      options.all ? callback(null, [{ address: endpoint.hostname, family: 4 }]) : callback(null, endpoint.hostname, 4);
    const client = s3Client({
      config: {
        endpoint: `http://s3.${Region}.amazonaws.com:${endpoint.port}`,
        forcePathStyle: false,
        requestHandler: { httpAgent: new http.Agent({ lookup }) },
      },
    });
    const wire = recordRequests(client);
    const Bucket = bucketName('avhost');
    const body = randomBytes(5000);

    await client.send(new CreateBucketCommand({ Bucket }));
    await client.send(new PutObjectCommand({ Bucket, Key: 'dir/a b+c.bin', Body: body }));
    const get = await client.send(new GetObjectCommand({ Bucket, Key: 'dir/a b+c.bin' }));
    assert.ok(Buffer.compare(await bytesOf(get), body) === 0);
    const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix: 'dir/' }));
    assert.deepEqual(listed.Contents.map((c) => [c.Key, c.Size]), [['dir/a b+c.bin', body.length]]);
    const pathStyle = await s3.send(new GetObjectCommand({ Bucket, Key: 'dir/a b+c.bin' }));
    assert.ok(Buffer.compare(await bytesOf(pathStyle), body) === 0, 'path style reaches the same object');
    await client.send(new DeleteObjectCommand({ Bucket, Key: 'dir/a b+c.bin' }));
    assert.equal((await client.send(new ListObjectsV2Command({ Bucket }))).KeyCount, 0);
    await client.send(new DeleteBucketCommand({ Bucket }));
    await rejectsWith(s3.send(new HeadBucketCommand({ Bucket })), 'NotFound', 404);

    assert.equal(wire.length, 7);
    for (const exchange of wire) {
      assert.equal(exchange.headers.host, `${Bucket}.s3.${Region}.amazonaws.com:${endpoint.port}`, `${exchange.method} ${exchange.path}`);
      assert.ok(!exchange.path.includes(Bucket), `${exchange.method} ${exchange.path} leaves the bucket out of the path`);
    }
  });
});

describe('aws presigned URLs', () => {
  let Bucket;
  const body = randomBytes(20_000);
  before(async () => {
    Bucket = await newBucket('apresign');
    await s3.send(new PutObjectCommand({ Bucket, Key: 'shared/file name.bin', Body: body }));
  });

  test('a presigned GET fetched without credentials returns the object', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'shared/file name.bin' }), { expiresIn: 300 });
    assert.match(url, /X-Amz-Signature=[0-9a-f]{64}/);
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('etag'), `"${md5(body)}"`);
    assert.ok(Buffer.compare(Buffer.from(await response.arrayBuffer()), body) === 0);
  });

  test('a presigned GET with response overrides sets Content-Disposition', async () => {
    const url = await getSignedUrl(
      s3,
      new GetObjectCommand({ Bucket, Key: 'shared/file name.bin', ResponseContentDisposition: 'attachment; filename="x.bin"' }),
      { expiresIn: 300 },
    );
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-disposition'), 'attachment; filename="x.bin"');
    await response.arrayBuffer();
  });

  test('a presigned PUT applies the metadata, tags, ACL and storage class the presigner moved into its query', async () => {
    // The presigner hoists every x-amz-* header into the query, with the CRC-32 of the empty body it signed.
    const url = await getSignedUrl(s3, new PutObjectCommand({
      Bucket, Key: 'hoisted.txt', Metadata: { color: 'blue' }, Tagging: 'k=v', ACL: 'public-read', StorageClass: 'STANDARD_IA',
    }), { expiresIn: 300 });
    assert.match(url, /x-amz-meta-color=blue/);
    assert.match(url, /x-amz-checksum-crc32=AAAAAA/);
    const put = await fetch(url, { method: 'PUT', body: 'hello' });
    assert.equal(put.status, 200, await put.text());

    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'hoisted.txt' }));
    assert.deepEqual(head.Metadata, { color: 'blue' });
    assert.equal(head.StorageClass, 'STANDARD_IA');
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'hoisted.txt' }))).TagSet, [{ Key: 'k', Value: 'v' }]);
    const anonymous = await fetch(new URL(`/${Bucket}/hoisted.txt`, endpoint));
    assert.equal(anonymous.status, 200);
    assert.equal(await anonymous.text(), 'hello');
  });

  test('a tampered presigned URL fails with SignatureDoesNotMatch and an expired one with AccessDenied', async () => {
    const url = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'shared/file name.bin' }), { expiresIn: 300 }));
    url.pathname = url.pathname.replace('file', 'other');
    const tampered = await fetch(url);
    assert.equal(tampered.status, 403);
    assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);

    const expiredUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'shared/file name.bin' }), {
      expiresIn: 60, signingDate: new Date(Date.now() - 3600_000),
    });
    const expired = await fetch(expiredUrl);
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /<Code>AccessDenied<\/Code>/);
  });
});
