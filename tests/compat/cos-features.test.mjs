// Object features through the official cos-nodejs-sdk-v5 only: versioning, tagging, multipart with CRC64,
// copy, batch delete and storage classes.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import crc64 from 'crc64-ecma182.js';
import { Region, bucketName, call, cosClient } from './lib/coffer.mjs';

const cos = cosClient();
const md5 = (bytes) => createHash('md5').update(bytes).digest('hex');
const crc = (bytes) => crc64.crc64(bytes);
const crcFile = (path) => new Promise((resolve, reject) => crc64.crc64File(path, (err, value) => (err ? reject(err) : resolve(value))));
const MiB = 1024 * 1024;

/** The multipart ETag S3 and COS compute: MD5 of the concatenated binary part MD5s, then "-<part count>". */
const multipartEtag = (parts) =>
  `"${createHash('md5').update(Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()))).digest('hex')}-${parts.length}"`;

/** A fresh bucket; with `versioning` set, its versioning status. */
async function newBucket(label, versioning) {
  const Bucket = bucketName(label);
  await call(cos, 'putBucket', { Bucket, Region });
  if (versioning) {
    await call(cos, 'putBucketVersioning', { Bucket, Region, VersioningConfiguration: { Status: versioning } });
  }
  return Bucket;
}

/** Asserts that a promise rejects with the given COS error code and HTTP status. */
async function rejectsWith(promise, code, statusCode) {
  await assert.rejects(
    promise,
    (err) => {
      assert.equal(err.code, code, `error code (got ${JSON.stringify(err.error ?? err)})`);
      assert.equal(err.statusCode, statusCode);
      return true;
    },
    `expected the request to fail with ${statusCode} ${code}, but it succeeded`,
  );
}

/** Walks listObjectVersions one entry per page and returns every entry in the order the server lists them. */
async function versionsOneByOne(Bucket, Prefix) {
  const entries = [];
  let KeyMarker;
  let VersionIdMarker;
  for (let pages = 0; pages < 100; pages++) {
    const page = await call(cos, 'listObjectVersions', { Bucket, Region, Prefix, MaxKeys: 1, KeyMarker, VersionIdMarker });
    const here = [
      ...page.Versions.map((v) => ({ kind: 'version', key: v.Key, versionId: v.VersionId, latest: v.IsLatest })),
      ...page.DeleteMarkers.map((m) => ({ kind: 'marker', key: m.Key, versionId: m.VersionId, latest: m.IsLatest })),
    ];
    assert.equal(here.length, 1, `page ${pages} with MaxKeys 1 holds exactly one entry`);
    entries.push(...here);
    if (page.IsTruncated !== 'true') return entries;
    assert.equal(page.NextKeyMarker, here[0].key, 'NextKeyMarker is the last key of the page');
    assert.equal(page.NextVersionIdMarker, here[0].versionId, 'NextVersionIdMarker is the last version of the page');
    KeyMarker = page.NextKeyMarker;
    VersionIdMarker = page.NextVersionIdMarker;
  }
  assert.fail('listObjectVersions never stopped');
}

describe('cos versioning', () => {
  test('putBucketVersioning switches a bucket between Enabled and Suspended and getBucketVersioning reports it', async () => {
    const Bucket = await newBucket('cver-state');
    const fresh = await call(cos, 'getBucketVersioning', { Bucket, Region });
    assert.equal(fresh.statusCode, 200);
    assert.equal(fresh.VersioningConfiguration.Status, undefined, 'a never-versioned bucket has no Status');

    const enabled = await call(cos, 'putBucketVersioning', { Bucket, Region, VersioningConfiguration: { Status: 'Enabled' } });
    assert.equal(enabled.statusCode, 200);
    assert.equal((await call(cos, 'getBucketVersioning', { Bucket, Region })).VersioningConfiguration.Status, 'Enabled');

    await call(cos, 'putBucketVersioning', { Bucket, Region, VersioningConfiguration: { Status: 'Suspended' } });
    assert.equal((await call(cos, 'getBucketVersioning', { Bucket, Region })).VersioningConfiguration.Status, 'Suspended');
  });

  test('every upload to a versioned bucket gets its own VersionId and each version reads back by VersionId', async () => {
    const Bucket = await newBucket('cver-ids', 'Enabled');
    const bodies = [randomBytes(1000), randomBytes(2000), randomBytes(3000)];
    const ids = [];
    for (const Body of bodies) {
      const put = await call(cos, 'putObject', { Bucket, Region, Key: 'doc.bin', Body });
      assert.equal(put.statusCode, 200);
      const id = put.headers['x-cos-version-id'];
      assert.ok(id && id !== 'null', `a real version id, got ${id}`);
      ids.push(id);
    }
    assert.equal(new Set(ids).size, 3, 'version ids are distinct');

    for (let i = 0; i < bodies.length; i++) {
      const get = await call(cos, 'getObject', { Bucket, Region, Key: 'doc.bin', VersionId: ids[i] });
      assert.ok(Buffer.compare(get.Body, bodies[i]) === 0, `version ${i} reads back its own bytes`);
      assert.equal(get.headers['x-cos-version-id'], ids[i]);
      assert.equal(get.ETag, `"${md5(bodies[i])}"`);
      assert.equal(get.headers['x-cos-hash-crc64ecma'], crc(bodies[i]));

      const head = await call(cos, 'headObject', { Bucket, Region, Key: 'doc.bin', VersionId: ids[i] });
      assert.equal(head.headers['content-length'], String(bodies[i].length));
      assert.equal(head.headers['x-cos-version-id'], ids[i]);
    }

    const latest = await call(cos, 'getObject', { Bucket, Region, Key: 'doc.bin' });
    assert.ok(Buffer.compare(latest.Body, bodies[2]) === 0, 'without VersionId GET returns the newest version');
    assert.equal(latest.headers['x-cos-version-id'], ids[2]);
  });

  test('deleteObject without VersionId leaves a delete marker that hides the key until the marker is deleted', async () => {
    const Bucket = await newBucket('cver-marker', 'Enabled');
    const body = Buffer.from('still here underneath');
    const put = await call(cos, 'putObject', { Bucket, Region, Key: 'k.txt', Body: body });
    const versionId = put.headers['x-cos-version-id'];

    const deleted = await call(cos, 'deleteObject', { Bucket, Region, Key: 'k.txt' });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.headers['x-cos-delete-marker'], 'true');
    const markerId = deleted.headers['x-cos-version-id'];
    assert.ok(markerId && markerId !== versionId && markerId !== 'null', `the marker has its own version id, got ${markerId}`);

    await assert.rejects(call(cos, 'getObject', { Bucket, Region, Key: 'k.txt' }), (err) => {
      assert.equal(err.statusCode, 404);
      assert.equal(err.code, 'NoSuchKey');
      assert.equal(err.headers['x-cos-delete-marker'], 'true');
      return true;
    });
    await assert.rejects(call(cos, 'headObject', { Bucket, Region, Key: 'k.txt' }), (err) => err.statusCode === 404);
    await assert.rejects(call(cos, 'getObject', { Bucket, Region, Key: 'k.txt', VersionId: markerId }), (err) => {
      assert.equal(err.statusCode, 405);
      assert.equal(err.code, 'MethodNotAllowed');
      assert.equal(err.headers['x-cos-delete-marker'], 'true');
      return true;
    });

    const old = await call(cos, 'getObject', { Bucket, Region, Key: 'k.txt', VersionId: versionId });
    assert.ok(Buffer.compare(old.Body, body) === 0, 'the older version stays readable by id');

    const listed = await call(cos, 'getBucket', { Bucket, Region });
    assert.deepEqual(listed.Contents, [], 'a key behind a delete marker is not listed');

    const unmark = await call(cos, 'deleteObject', { Bucket, Region, Key: 'k.txt', VersionId: markerId });
    assert.equal(unmark.statusCode, 204);
    assert.equal(unmark.headers['x-cos-delete-marker'], 'true');
    assert.equal(unmark.headers['x-cos-version-id'], markerId);

    const back = await call(cos, 'getObject', { Bucket, Region, Key: 'k.txt' });
    assert.ok(Buffer.compare(back.Body, body) === 0, 'removing the marker brings the object back');
    assert.equal(back.headers['x-cos-version-id'], versionId);
  });

  test('deleteObject with a VersionId removes exactly that version', async () => {
    const Bucket = await newBucket('cver-perm', 'Enabled');
    const first = await call(cos, 'putObject', { Bucket, Region, Key: 'k', Body: 'first' });
    const second = await call(cos, 'putObject', { Bucket, Region, Key: 'k', Body: 'second' });
    const secondId = second.headers['x-cos-version-id'];

    const deleted = await call(cos, 'deleteObject', { Bucket, Region, Key: 'k', VersionId: secondId });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.headers['x-cos-version-id'], secondId);
    assert.equal(deleted.headers['x-cos-delete-marker'], undefined, 'deleting a version leaves no marker');

    const now = await call(cos, 'getObject', { Bucket, Region, Key: 'k' });
    assert.equal(now.Body.toString(), 'first', 'the previous version becomes current');
    assert.equal(now.headers['x-cos-version-id'], first.headers['x-cos-version-id']);

    await rejectsWith(call(cos, 'getObject', { Bucket, Region, Key: 'k', VersionId: secondId }), 'NoSuchVersion', 404);
    const versions = await call(cos, 'listObjectVersions', { Bucket, Region });
    assert.deepEqual(versions.Versions.map((v) => v.VersionId), [first.headers['x-cos-version-id']]);
    assert.deepEqual(versions.DeleteMarkers, []);
  });

  describe('listObjectVersions', () => {
    let Bucket;
    const expected = []; // every entry in listing order: key ascending, newest first within a key
    before(async () => {
      Bucket = await newBucket('cver-list', 'Enabled');
      const put = async (Key, Body) => (await call(cos, 'putObject', { Bucket, Region, Key, Body })).headers['x-cos-version-id'];
      const del = async (Key) => (await call(cos, 'deleteObject', { Bucket, Region, Key })).headers['x-cos-version-id'];
      // Upload in an order unrelated to key order so the server has to sort.
      const b1 = await put('b.txt', 'b1');
      const a1 = await put('a.txt', 'a1');
      const a2 = await put('a.txt', 'a2');
      const aMarker = await del('a.txt');
      const c1 = await put('c/d.txt', 'c1');
      const b2 = await put('b.txt', 'b2');
      const a3 = await put('a.txt', 'a3');
      const bMarker = await del('b.txt');
      expected.push(
        { kind: 'version', key: 'a.txt', versionId: a3, latest: 'true' },
        { kind: 'marker', key: 'a.txt', versionId: aMarker, latest: 'false' },
        { kind: 'version', key: 'a.txt', versionId: a2, latest: 'false' },
        { kind: 'version', key: 'a.txt', versionId: a1, latest: 'false' },
        { kind: 'marker', key: 'b.txt', versionId: bMarker, latest: 'true' },
        { kind: 'version', key: 'b.txt', versionId: b2, latest: 'false' },
        { kind: 'version', key: 'b.txt', versionId: b1, latest: 'false' },
        { kind: 'version', key: 'c/d.txt', versionId: c1, latest: 'true' },
      );
    });

    test('one page lists Versions and DeleteMarkers, each newest first within its key', async () => {
      const page = await call(cos, 'listObjectVersions', { Bucket, Region });
      assert.equal(page.statusCode, 200);
      assert.equal(page.IsTruncated, 'false');
      const pick = (kind) => expected.filter((e) => e.kind === kind).map(({ key, versionId, latest }) => ({ key, versionId, latest }));
      assert.deepEqual(page.Versions.map((v) => ({ key: v.Key, versionId: v.VersionId, latest: v.IsLatest })), pick('version'));
      assert.deepEqual(page.DeleteMarkers.map((m) => ({ key: m.Key, versionId: m.VersionId, latest: m.IsLatest })), pick('marker'));
      const a3 = page.Versions[0];
      assert.equal(a3.ETag, `"${md5(Buffer.from('a3'))}"`);
      assert.equal(a3.Size, '2');
      assert.equal(a3.StorageClass, 'STANDARD');
    });

    test('MaxKeys 1 pages through every version and marker in exact order via NextKeyMarker / NextVersionIdMarker', async () => {
      assert.deepEqual(await versionsOneByOne(Bucket), expected);
    });

    test('pages of 3 resume after KeyMarker + VersionIdMarker without gaps or repeats', async () => {
      const seen = [];
      let KeyMarker;
      let VersionIdMarker;
      let pages = 0;
      for (;;) {
        const page = await call(cos, 'listObjectVersions', { Bucket, Region, MaxKeys: 3, KeyMarker, VersionIdMarker });
        pages++;
        const ids = [...page.Versions, ...page.DeleteMarkers].map((e) => e.VersionId);
        assert.ok(ids.length <= 3);
        seen.push(...ids);
        if (page.IsTruncated !== 'true') break;
        KeyMarker = page.NextKeyMarker;
        VersionIdMarker = page.NextVersionIdMarker;
      }
      assert.equal(pages, 3);
      assert.deepEqual([...seen].sort(), expected.map((e) => e.versionId).sort());
    });

    test('KeyMarker alone starts after every version of that key', async () => {
      const page = await call(cos, 'listObjectVersions', { Bucket, Region, KeyMarker: 'a.txt' });
      const keys = [...page.Versions, ...page.DeleteMarkers].map((e) => e.Key).sort();
      assert.deepEqual(keys, ['b.txt', 'b.txt', 'b.txt', 'c/d.txt']);
    });

    test('Prefix and Delimiter roll versions up into CommonPrefixes', async () => {
      const page = await call(cos, 'listObjectVersions', { Bucket, Region, Delimiter: '/' });
      const prefixes = [page.CommonPrefixes].flat().filter(Boolean).map((p) => p.Prefix);
      assert.deepEqual(prefixes, ['c/']);
      assert.ok(page.Versions.every((v) => !v.Key.startsWith('c/')));
      const only = await call(cos, 'listObjectVersions', { Bucket, Region, Prefix: 'c/' });
      assert.deepEqual(only.Versions.map((v) => v.Key), ['c/d.txt']);
      assert.deepEqual(only.DeleteMarkers, []);
    });
  });

  test('a Suspended bucket writes the "null" version in place and keeps older real versions', async () => {
    const Bucket = await newBucket('cver-susp', 'Enabled');
    const real = (await call(cos, 'putObject', { Bucket, Region, Key: 'k', Body: 'versioned' })).headers['x-cos-version-id'];
    await call(cos, 'putBucketVersioning', { Bucket, Region, VersioningConfiguration: { Status: 'Suspended' } });

    const firstNull = await call(cos, 'putObject', { Bucket, Region, Key: 'k', Body: 'null one' });
    assert.equal(firstNull.statusCode, 200);
    assert.ok([undefined, 'null'].includes(firstNull.headers['x-cos-version-id']), 'a suspended PUT gets no new version id');
    await call(cos, 'putObject', { Bucket, Region, Key: 'k', Body: 'null two' });

    const listed = await call(cos, 'listObjectVersions', { Bucket, Region });
    assert.deepEqual(
      listed.Versions.map((v) => [v.VersionId, v.IsLatest, v.Size]),
      [['null', 'true', String('null two'.length)], [real, 'false', String('versioned'.length)]],
      'the second suspended PUT replaced the null version instead of adding one',
    );

    const byNull = await call(cos, 'getObject', { Bucket, Region, Key: 'k', VersionId: 'null' });
    assert.equal(byNull.Body.toString(), 'null two');
    assert.equal((await call(cos, 'getObject', { Bucket, Region, Key: 'k', VersionId: real })).Body.toString(), 'versioned');

    const marker = await call(cos, 'deleteObject', { Bucket, Region, Key: 'k' });
    assert.equal(marker.statusCode, 204);
    assert.equal(marker.headers['x-cos-delete-marker'], 'true');
    const after = await call(cos, 'listObjectVersions', { Bucket, Region });
    assert.deepEqual(after.DeleteMarkers.map((m) => [m.VersionId, m.IsLatest]), [['null', 'true']]);
    assert.deepEqual(after.Versions.map((v) => v.VersionId), [real], 'the null delete marker replaced the null version');
  });

  test('an object written before versioning is the "null" version, kept below later versions until deleted by id', async () => {
    const Bucket = await newBucket('cver-plain');
    await call(cos, 'putObject', { Bucket, Region, Key: 'k', Body: 'plain' });
    const listed = await call(cos, 'listObjectVersions', { Bucket, Region });
    assert.deepEqual(listed.Versions.map((v) => [v.Key, v.VersionId, v.IsLatest]), [['k', 'null', 'true']]);
    const get = await call(cos, 'getObject', { Bucket, Region, Key: 'k', VersionId: 'null' });
    assert.equal(get.Body.toString(), 'plain');

    await call(cos, 'putBucketVersioning', { Bucket, Region, VersioningConfiguration: { Status: 'Enabled' } });
    const v1 = (await call(cos, 'putObject', { Bucket, Region, Key: 'k', Body: 'versioned' })).headers['x-cos-version-id'];
    assert.deepEqual(await versionsOneByOne(Bucket), [
      { kind: 'version', key: 'k', versionId: v1, latest: 'true' },
      { kind: 'version', key: 'k', versionId: 'null', latest: 'false' },
    ]);
    assert.equal((await call(cos, 'getObject', { Bucket, Region, Key: 'k', VersionId: 'null' })).Body.toString(), 'plain');

    const deleted = await call(cos, 'deleteObject', { Bucket, Region, Key: 'k', VersionId: 'null' });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.headers['x-cos-version-id'], 'null');
    const after = await call(cos, 'listObjectVersions', { Bucket, Region });
    assert.deepEqual(after.Versions.map((v) => v.VersionId), [v1]);
  });
});

describe('cos tagging', () => {
  let Bucket;
  before(async () => {
    Bucket = await newBucket('ctag');
  });

  const sorted = (tags) => [...tags].sort((a, b) => a.Key.localeCompare(b.Key));

  test('putObjectTagging, getObjectTagging and deleteObjectTagging round-trip a tag set', async () => {
    await call(cos, 'putObject', { Bucket, Region, Key: 'tagged', Body: 'x' });
    const tags = [{ Key: 'project', Value: 'coffer' }, { Key: 'env', Value: 'test value' }];
    const put = await call(cos, 'putObjectTagging', { Bucket, Region, Key: 'tagged', Tags: tags });
    assert.equal(put.statusCode, 200);

    const got = await call(cos, 'getObjectTagging', { Bucket, Region, Key: 'tagged' });
    assert.equal(got.statusCode, 200);
    assert.deepEqual(sorted(got.Tags), sorted(tags));

    const replaced = [{ Key: 'only', Value: 'one' }];
    await call(cos, 'putObjectTagging', { Bucket, Region, Key: 'tagged', Tags: replaced });
    assert.deepEqual((await call(cos, 'getObjectTagging', { Bucket, Region, Key: 'tagged' })).Tags, replaced, 'PUT replaces the whole set');

    const deleted = await call(cos, 'deleteObjectTagging', { Bucket, Region, Key: 'tagged' });
    assert.equal(deleted.statusCode, 204);
    assert.deepEqual((await call(cos, 'getObjectTagging', { Bucket, Region, Key: 'tagged' })).Tags, []);
  });

  test('the x-cos-tagging header on putObject sets the tags', async () => {
    await call(cos, 'putObject', {
      Bucket, Region, Key: 'by-header', Body: 'x', Headers: { 'x-cos-tagging': 'team=storage&note=two%20words' },
    });
    const got = await call(cos, 'getObjectTagging', { Bucket, Region, Key: 'by-header' });
    assert.deepEqual(sorted(got.Tags), [{ Key: 'note', Value: 'two words' }, { Key: 'team', Value: 'storage' }]);
    const head = await call(cos, 'headObject', { Bucket, Region, Key: 'by-header' });
    assert.equal(head.headers['x-cos-tagging-count'], '2');
  });

  test('10 tags with a 128-character key and 256-character value are accepted', async () => {
    await call(cos, 'putObject', { Bucket, Region, Key: 'limits', Body: 'x' });
    const tags = Array.from({ length: 9 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
    tags.push({ Key: 'K'.repeat(128), Value: 'V'.repeat(256) });
    await call(cos, 'putObjectTagging', { Bucket, Region, Key: 'limits', Tags: tags });
    assert.deepEqual(sorted((await call(cos, 'getObjectTagging', { Bucket, Region, Key: 'limits' })).Tags), sorted(tags));
  });

  test('11 tags fail with InvalidTag', async () => {
    await call(cos, 'putObject', { Bucket, Region, Key: 'too-many', Body: 'x' });
    const tags = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
    await rejectsWith(call(cos, 'putObjectTagging', { Bucket, Region, Key: 'too-many', Tags: tags }), 'InvalidTag', 400);
    assert.deepEqual((await call(cos, 'getObjectTagging', { Bucket, Region, Key: 'too-many' })).Tags, [], 'nothing was stored');
  });

  test('a 129-character tag key or a 257-character value fails with InvalidTag', async () => {
    await call(cos, 'putObject', { Bucket, Region, Key: 'too-long', Body: 'x' });
    await rejectsWith(
      call(cos, 'putObjectTagging', { Bucket, Region, Key: 'too-long', Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] }),
      'InvalidTag', 400,
    );
    await rejectsWith(
      call(cos, 'putObjectTagging', { Bucket, Region, Key: 'too-long', Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] }),
      'InvalidTag', 400,
    );
  });

  test('tags belong to a version: VersionId selects whose tags are read, written and deleted', async () => {
    const VBucket = await newBucket('ctag-ver', 'Enabled');
    const v1 = (await call(cos, 'putObject', { Bucket: VBucket, Region, Key: 'k', Body: '1', Headers: { 'x-cos-tagging': 'gen=one' } }))
      .headers['x-cos-version-id'];
    const v2 = (await call(cos, 'putObject', { Bucket: VBucket, Region, Key: 'k', Body: '2', Headers: { 'x-cos-tagging': 'gen=two' } }))
      .headers['x-cos-version-id'];

    assert.deepEqual((await call(cos, 'getObjectTagging', { Bucket: VBucket, Region, Key: 'k' })).Tags, [{ Key: 'gen', Value: 'two' }]);
    assert.deepEqual((await call(cos, 'getObjectTagging', { Bucket: VBucket, Region, Key: 'k', VersionId: v1 })).Tags, [{ Key: 'gen', Value: 'one' }]);

    await call(cos, 'putObjectTagging', { Bucket: VBucket, Region, Key: 'k', VersionId: v1, Tags: [{ Key: 'gen', Value: 'retagged' }] });
    assert.deepEqual((await call(cos, 'getObjectTagging', { Bucket: VBucket, Region, Key: 'k', VersionId: v1 })).Tags, [{ Key: 'gen', Value: 'retagged' }]);
    assert.deepEqual((await call(cos, 'getObjectTagging', { Bucket: VBucket, Region, Key: 'k', VersionId: v2 })).Tags, [{ Key: 'gen', Value: 'two' }]);

    await call(cos, 'deleteObjectTagging', { Bucket: VBucket, Region, Key: 'k', VersionId: v1 });
    assert.deepEqual((await call(cos, 'getObjectTagging', { Bucket: VBucket, Region, Key: 'k', VersionId: v1 })).Tags, []);
    assert.deepEqual((await call(cos, 'getObjectTagging', { Bucket: VBucket, Region, Key: 'k' })).Tags, [{ Key: 'gen', Value: 'two' }]);
  });
});

describe('cos multipart', () => {
  const folder = mkdtempSync(join(tmpdir(), 'coffer-cos-mpu-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  test('init, upload, list, complete: every part and the whole object carry the CRC64 computed here', async () => {
    const Bucket = await newBucket('cmpu');
    const Key = 'multi/part.bin';
    const parts = [randomBytes(MiB), randomBytes(MiB + 17), randomBytes(300_001)];
    const whole = Buffer.concat(parts);

    const init = await call(cos, 'multipartInit', { Bucket, Region, Key, Headers: { 'x-cos-meta-origin': 'mpu' }, ContentType: 'application/x-mpu' });
    assert.equal(init.statusCode, 200);
    assert.equal(init.Key, Key);
    assert.equal(init.Bucket, Bucket);
    const { UploadId } = init;
    assert.ok(UploadId);

    const uploaded = [];
    for (let i = 0; i < parts.length; i++) {
      const result = await call(cos, 'multipartUpload', { Bucket, Region, Key, UploadId, PartNumber: i + 1, Body: parts[i] });
      assert.equal(result.statusCode, 200);
      assert.equal(result.ETag, `"${md5(parts[i])}"`);
      assert.equal(result.headers['x-cos-hash-crc64ecma'], crc(parts[i]), `part ${i + 1} CRC64`);
      uploaded.push({ PartNumber: i + 1, ETag: result.ETag });
    }

    const listedParts = await call(cos, 'multipartListPart', { Bucket, Region, Key, UploadId });
    assert.equal(listedParts.UploadId, UploadId);
    assert.deepEqual(
      listedParts.Part.map((p) => [p.PartNumber, p.ETag, p.Size]),
      parts.map((p, i) => [String(i + 1), `"${md5(p)}"`, String(p.length)]),
    );

    const uploads = await call(cos, 'multipartList', { Bucket, Region, Prefix: 'multi/' });
    assert.deepEqual(uploads.Upload.map((u) => [u.Key, u.UploadId]), [[Key, UploadId]]);

    const complete = await call(cos, 'multipartComplete', { Bucket, Region, Key, UploadId, Parts: uploaded });
    assert.equal(complete.statusCode, 200);
    assert.equal(complete.Key, Key);
    assert.equal(complete.ETag, multipartEtag(parts));
    assert.equal(complete.headers['x-cos-hash-crc64ecma'], crc(whole), 'combined CRC64 of the whole object');

    const get = await call(cos, 'getObject', { Bucket, Region, Key });
    assert.ok(Buffer.compare(get.Body, whole) === 0, 'the object is the parts in order');
    assert.equal(get.ETag, multipartEtag(parts));
    assert.equal(get.headers['x-cos-hash-crc64ecma'], crc(whole));
    assert.equal(get.headers['x-cos-meta-origin'], 'mpu', 'metadata given at init is kept');
    assert.equal(get.headers['content-type'], 'application/x-mpu');

    assert.deepEqual((await call(cos, 'multipartList', { Bucket, Region, Prefix: 'multi/' })).Upload, []);
    await rejectsWith(call(cos, 'multipartListPart', { Bucket, Region, Key, UploadId }), 'NoSuchUpload', 404);
  });

  test('part numbers may have gaps; the object is the listed parts in order and ranges cross part boundaries', async () => {
    const Bucket = await newBucket('cmpu-gaps');
    const Key = 'gaps.bin';
    const numbers = [3, 10, 42];
    const parts = [randomBytes(MiB + 3), randomBytes(MiB), randomBytes(12_345)];
    const { UploadId } = await call(cos, 'multipartInit', { Bucket, Region, Key });
    // Upload out of order: 10 before 3 before 42, so "10" < "3" string order would show up.
    const etags = {};
    for (const i of [1, 0, 2]) {
      etags[numbers[i]] = (await call(cos, 'multipartUpload', { Bucket, Region, Key, UploadId, PartNumber: numbers[i], Body: parts[i] })).ETag;
    }
    const listed = await call(cos, 'multipartListPart', { Bucket, Region, Key, UploadId });
    assert.deepEqual(listed.Part.map((p) => p.PartNumber), ['3', '10', '42']);
    const paged = await call(cos, 'multipartListPart', { Bucket, Region, Key, UploadId, MaxParts: 1, PartNumberMarker: 3 });
    assert.deepEqual(paged.Part.map((p) => p.PartNumber), ['10']);
    assert.equal(paged.IsTruncated, 'true');
    assert.equal(paged.NextPartNumberMarker, '10');

    const whole = Buffer.concat(parts);
    const done = await call(cos, 'multipartComplete', {
      Bucket, Region, Key, UploadId, Parts: numbers.map((n) => ({ PartNumber: n, ETag: etags[n] })),
    });
    assert.equal(done.ETag, multipartEtag(parts));
    assert.equal(done.headers['x-cos-hash-crc64ecma'], crc(whole));

    const start = MiB - 5;
    const range = await call(cos, 'getObject', { Bucket, Region, Key, Range: `bytes=${start}-${2 * MiB + 10}` });
    assert.equal(range.statusCode, 206);
    assert.equal(range.headers['content-range'], `bytes ${start}-${2 * MiB + 10}/${whole.length}`);
    assert.ok(Buffer.compare(range.Body, whole.subarray(start, 2 * MiB + 11)) === 0, 'the range spans three parts');
  });

  test('a re-uploaded part number replaces the earlier part', async () => {
    const Bucket = await newBucket('cmpu-redo');
    const Key = 'redo.bin';
    const { UploadId } = await call(cos, 'multipartInit', { Bucket, Region, Key });
    await call(cos, 'multipartUpload', { Bucket, Region, Key, UploadId, PartNumber: 1, Body: randomBytes(MiB) });
    const first = randomBytes(MiB);
    const last = randomBytes(10);
    const p1 = await call(cos, 'multipartUpload', { Bucket, Region, Key, UploadId, PartNumber: 1, Body: first });
    const p2 = await call(cos, 'multipartUpload', { Bucket, Region, Key, UploadId, PartNumber: 2, Body: last });
    const listed = await call(cos, 'multipartListPart', { Bucket, Region, Key, UploadId });
    assert.deepEqual(listed.Part.map((p) => p.ETag), [p1.ETag, p2.ETag]);
    const done = await call(cos, 'multipartComplete', {
      Bucket, Region, Key, UploadId, Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }],
    });
    assert.equal(done.headers['x-cos-hash-crc64ecma'], crc(Buffer.concat([first, last])));
    const get = await call(cos, 'getObject', { Bucket, Region, Key });
    assert.ok(Buffer.compare(get.Body, Buffer.concat([first, last])) === 0);
  });

  test('multipartAbort discards the upload', async () => {
    const Bucket = await newBucket('cmpu-abort');
    const Key = 'aborted.bin';
    const { UploadId } = await call(cos, 'multipartInit', { Bucket, Region, Key });
    await call(cos, 'multipartUpload', { Bucket, Region, Key, UploadId, PartNumber: 1, Body: randomBytes(1000) });
    const other = await call(cos, 'multipartInit', { Bucket, Region, Key: 'other.bin' });

    const listed = await call(cos, 'multipartList', { Bucket, Region });
    assert.deepEqual(listed.Upload.map((u) => [u.Key, u.UploadId]), [[Key, UploadId], ['other.bin', other.UploadId]]);

    const aborted = await call(cos, 'multipartAbort', { Bucket, Region, Key, UploadId });
    assert.equal(aborted.statusCode, 204);
    await rejectsWith(call(cos, 'multipartListPart', { Bucket, Region, Key, UploadId }), 'NoSuchUpload', 404);
    await rejectsWith(
      call(cos, 'multipartUpload', { Bucket, Region, Key, UploadId, PartNumber: 2, Body: 'late' }),
      'NoSuchUpload', 404,
    );
    assert.deepEqual((await call(cos, 'multipartList', { Bucket, Region })).Upload.map((u) => u.UploadId), [other.UploadId]);
    await assert.rejects(call(cos, 'headObject', { Bucket, Region, Key }), (err) => err.statusCode === 404);
  });

  test('completing with a part ETag that was never uploaded fails with InvalidPart', async () => {
    const Bucket = await newBucket('cmpu-badpart');
    const Key = 'bad.bin';
    const { UploadId } = await call(cos, 'multipartInit', { Bucket, Region, Key });
    const part = await call(cos, 'multipartUpload', { Bucket, Region, Key, UploadId, PartNumber: 1, Body: randomBytes(1000) });
    await rejectsWith(
      call(cos, 'multipartComplete', { Bucket, Region, Key, UploadId, Parts: [{ PartNumber: 1, ETag: `"${md5(Buffer.from('other'))}"` }] }),
      'InvalidPart', 400,
    );
    await rejectsWith(
      call(cos, 'multipartComplete', { Bucket, Region, Key, UploadId, Parts: [{ PartNumber: 1, ETag: part.ETag }, { PartNumber: 2, ETag: part.ETag }] }),
      'InvalidPart', 400,
    );
    // The upload is still usable after the failed completes.
    const done = await call(cos, 'multipartComplete', { Bucket, Region, Key, UploadId, Parts: [{ PartNumber: 1, ETag: part.ETag }] });
    assert.equal(done.statusCode, 200);
  });

  test('completing with parts out of order fails with InvalidPartOrder', async () => {
    const Bucket = await newBucket('cmpu-order');
    const Key = 'order.bin';
    const { UploadId } = await call(cos, 'multipartInit', { Bucket, Region, Key });
    const p1 = await call(cos, 'multipartUpload', { Bucket, Region, Key, UploadId, PartNumber: 1, Body: randomBytes(MiB) });
    const p2 = await call(cos, 'multipartUpload', { Bucket, Region, Key, UploadId, PartNumber: 2, Body: randomBytes(100) });
    await rejectsWith(
      call(cos, 'multipartComplete', {
        Bucket, Region, Key, UploadId, Parts: [{ PartNumber: 2, ETag: p2.ETag }, { PartNumber: 1, ETag: p1.ETag }],
      }),
      'InvalidPartOrder', 400,
    );
  });

  test('a part under 1 MiB that is not the last fails the complete with EntityTooSmall', async () => {
    const Bucket = await newBucket('cmpu-small');
    const Key = 'small.bin';
    const { UploadId } = await call(cos, 'multipartInit', { Bucket, Region, Key });
    const p1 = await call(cos, 'multipartUpload', { Bucket, Region, Key, UploadId, PartNumber: 1, Body: randomBytes(MiB - 1) });
    const p2 = await call(cos, 'multipartUpload', { Bucket, Region, Key, UploadId, PartNumber: 2, Body: randomBytes(100) });
    await rejectsWith(
      call(cos, 'multipartComplete', {
        Bucket, Region, Key, UploadId, Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }],
      }),
      'EntityTooSmall', 400,
    );
  });

  test('sliceUploadFile uploads a 5 MB file in 1 MB slices that reads back byte-identical with its CRC64', async () => {
    const Bucket = await newBucket('cslice');
    const Key = 'sliced/file.bin';
    const size = 5 * MiB + 4321;
    const body = randomBytes(size);
    const FilePath = join(folder, 'slice.bin');
    writeFileSync(FilePath, body);
    const expectedCrc = await crcFile(FilePath);
    assert.equal(expectedCrc, crc(body));

    const done = await call(cos, 'sliceUploadFile', { Bucket, Region, Key, FilePath, ChunkSize: MiB, AsyncLimit: 2 });
    assert.equal(done.statusCode, 200);
    const slices = Array.from({ length: Math.ceil(size / MiB) }, (_, i) => body.subarray(i * MiB, (i + 1) * MiB));
    assert.equal(slices.length, 6);
    assert.equal(done.ETag, multipartEtag(slices));
    assert.equal(done.headers['x-cos-hash-crc64ecma'], expectedCrc);

    const get = await call(cos, 'getObject', { Bucket, Region, Key });
    assert.equal(get.Body.length, size);
    assert.ok(Buffer.compare(get.Body, body) === 0, 'bytes read back identical');
    assert.equal(get.headers['x-cos-hash-crc64ecma'], expectedCrc);
    assert.equal(crc(get.Body), expectedCrc);
  });
});

describe('cos putObjectCopy', () => {
  let Bucket;
  const body = randomBytes(70_000);
  before(async () => {
    Bucket = await newBucket('ccopy');
    await call(cos, 'putObject', {
      Bucket, Region, Key: 'src/original.bin', Body: body, ContentType: 'application/x-original',
      Headers: { 'x-cos-meta-colour': 'blue', 'x-cos-meta-size': 'large' },
    });
  });
  const source = (key) => `${Bucket}.cos.${Region}.myqcloud.com/${key}`;

  test('the default directive (Copy) copies bytes, ETag, CRC64 and metadata', async () => {
    const copy = await call(cos, 'putObjectCopy', { Bucket, Region, Key: 'dst/copied.bin', CopySource: source('src/original.bin') });
    assert.equal(copy.statusCode, 200);
    assert.equal(copy.ETag, `"${md5(body)}"`);
    assert.match(copy.LastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(copy.headers['x-cos-hash-crc64ecma'], crc(body));

    const get = await call(cos, 'getObject', { Bucket, Region, Key: 'dst/copied.bin' });
    assert.ok(Buffer.compare(get.Body, body) === 0);
    assert.equal(get.headers['x-cos-hash-crc64ecma'], crc(body));
    assert.equal(get.headers['content-type'], 'application/x-original');
    assert.equal(get.headers['x-cos-meta-colour'], 'blue');
    assert.equal(get.headers['x-cos-meta-size'], 'large');
  });

  test('MetadataDirective Replaced takes metadata and Content-Type from the request, bytes from the source', async () => {
    const copy = await call(cos, 'putObjectCopy', {
      Bucket, Region, Key: 'dst/replaced.bin', CopySource: source('src/original.bin'),
      Headers: { 'x-cos-metadata-directive': 'Replaced', 'x-cos-meta-colour': 'red', 'Content-Type': 'text/x-replaced' },
    });
    assert.equal(copy.ETag, `"${md5(body)}"`);

    const head = await call(cos, 'headObject', { Bucket, Region, Key: 'dst/replaced.bin' });
    assert.equal(head.headers['x-cos-meta-colour'], 'red');
    assert.equal(head.headers['x-cos-meta-size'], undefined, 'metadata not given is dropped');
    assert.equal(head.headers['content-type'], 'text/x-replaced');
    assert.equal(head.headers['x-cos-hash-crc64ecma'], crc(body));
    const get = await call(cos, 'getObject', { Bucket, Region, Key: 'dst/replaced.bin' });
    assert.ok(Buffer.compare(get.Body, body) === 0);
  });

  test('objects written without a Content-Type get their extension\'s type, through putObject, sliceUploadFile and sliceCopyFile', async () => {
    await call(cos, 'putObject', { Bucket, Region, Key: 'types/1.zip', Body: 'zip' });
    await call(cos, 'putObject', { Bucket, Region, Key: 'types/plain', Body: 'no extension' });
    const dir = mkdtempSync(join(tmpdir(), 'coffer-types-'));
    try {
      const FilePath = join(dir, 'upload.bin');
      writeFileSync(FilePath, randomBytes(1000));
      await call(cos, 'sliceUploadFile', { Bucket, Region, Key: 'types/sliced.txt', FilePath });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // sliceCopyFile initiates the copy with an empty Content-Type, which COS takes as none.
    await call(cos, 'sliceCopyFile', { Bucket, Region, Key: 'types/copied.json', CopySource: source('types/plain'), Headers: { 'x-cos-metadata-directive': 'Replaced' } });

    const typeOf = async (Key) => (await call(cos, 'headObject', { Bucket, Region, Key })).headers['content-type'];
    assert.equal(await typeOf('types/1.zip'), 'application/zip');
    assert.equal(await typeOf('types/plain'), 'application/octet-stream');
    assert.equal(await typeOf('types/sliced.txt'), 'text/plain');
    assert.equal(await typeOf('types/copied.json'), 'application/json');
  });

  test('copying an object onto itself with Replaced updates only its metadata', async () => {
    await call(cos, 'putObject', { Bucket, Region, Key: 'self.txt', Body: 'self', Headers: { 'x-cos-meta-rev': '1' } });
    await call(cos, 'putObjectCopy', {
      Bucket, Region, Key: 'self.txt', CopySource: source('self.txt'),
      Headers: { 'x-cos-metadata-directive': 'Replaced', 'x-cos-meta-rev': '2' },
    });
    const get = await call(cos, 'getObject', { Bucket, Region, Key: 'self.txt' });
    assert.equal(get.Body.toString(), 'self');
    assert.equal(get.headers['x-cos-meta-rev'], '2');
  });

  test('a multipart object copies with its bytes and CRC64 intact', async () => {
    const Key = 'src/multipart.bin';
    const parts = [randomBytes(MiB), randomBytes(5000)];
    const { UploadId } = await call(cos, 'multipartInit', { Bucket, Region, Key });
    const uploaded = [];
    for (let i = 0; i < parts.length; i++) {
      const r = await call(cos, 'multipartUpload', { Bucket, Region, Key, UploadId, PartNumber: i + 1, Body: parts[i] });
      uploaded.push({ PartNumber: i + 1, ETag: r.ETag });
    }
    await call(cos, 'multipartComplete', { Bucket, Region, Key, UploadId, Parts: uploaded });

    const copy = await call(cos, 'putObjectCopy', { Bucket, Region, Key: 'dst/multipart.bin', CopySource: source(Key) });
    const whole = Buffer.concat(parts);
    assert.equal(copy.headers['x-cos-hash-crc64ecma'], crc(whole));
    const get = await call(cos, 'getObject', { Bucket, Region, Key: 'dst/multipart.bin' });
    assert.ok(Buffer.compare(get.Body, whole) === 0);
    assert.equal(get.headers['x-cos-hash-crc64ecma'], crc(whole));
  });

  test('a specific source version is copied with ?versionId=', async () => {
    const VBucket = await newBucket('ccopy-ver', 'Enabled');
    const v1 = (await call(cos, 'putObject', { Bucket: VBucket, Region, Key: 'k', Body: 'version one' })).headers['x-cos-version-id'];
    await call(cos, 'putObject', { Bucket: VBucket, Region, Key: 'k', Body: 'version two' });
    await call(cos, 'putObjectCopy', {
      Bucket: VBucket, Region, Key: 'restored', CopySource: `${VBucket}.cos.${Region}.myqcloud.com/k?versionId=${v1}`,
    });
    assert.equal((await call(cos, 'getObject', { Bucket: VBucket, Region, Key: 'restored' })).Body.toString(), 'version one');
  });

  test('x-cos-copy-source-If-Match / If-None-Match gate the copy: a failed condition is 412 and writes nothing', async () => {
    const etag = `"${md5(body)}"`;
    const allowed = await call(cos, 'putObjectCopy', {
      Bucket, Region, Key: 'dst/if-match-ok', CopySource: source('src/original.bin'), Headers: { 'x-cos-copy-source-If-Match': etag },
    });
    assert.equal(allowed.ETag, etag, 'a matching If-Match copies');

    await rejectsWith(
      call(cos, 'putObjectCopy', {
        Bucket, Region, Key: 'dst/if-match-bad', CopySource: source('src/original.bin'),
        Headers: { 'x-cos-copy-source-If-Match': `"${md5(Buffer.from('something else'))}"` },
      }),
      'PreconditionFailed', 412,
    );
    await rejectsWith(
      call(cos, 'putObjectCopy', {
        Bucket, Region, Key: 'dst/if-none-match', CopySource: source('src/original.bin'), Headers: { 'x-cos-copy-source-If-None-Match': etag },
      }),
      'PreconditionFailed', 412,
    );
    const listed = await call(cos, 'getBucket', { Bucket, Region, Prefix: 'dst/if-' });
    assert.deepEqual(listed.Contents.map((c) => c.Key), ['dst/if-match-ok'], 'the refused copies created nothing');
  });

  test('copying a missing source fails with NoSuchKey', async () => {
    await rejectsWith(
      call(cos, 'putObjectCopy', { Bucket, Region, Key: 'dst/none', CopySource: source('src/missing.bin') }),
      'NoSuchKey', 404,
    );
  });
});

describe('cos deleteMultipleObject', () => {
  test('without Quiet every requested key is reported Deleted, including a missing one', async () => {
    const Bucket = await newBucket('cdel');
    for (const Key of ['a', 'b', 'c', 'keep']) await call(cos, 'putObject', { Bucket, Region, Key, Body: Key });
    const result = await call(cos, 'deleteMultipleObject', {
      Bucket, Region, Objects: [{ Key: 'a' }, { Key: 'b' }, { Key: 'c' }, { Key: 'never-existed' }],
    });
    assert.equal(result.statusCode, 200);
    assert.deepEqual(result.Deleted.map((d) => d.Key).sort(), ['a', 'b', 'c', 'never-existed']);
    assert.deepEqual(result.Error, []);
    const left = await call(cos, 'getBucket', { Bucket, Region });
    assert.deepEqual(left.Contents.map((c) => c.Key), ['keep']);
  });

  test('Quiet reports nothing on success but still deletes', async () => {
    const Bucket = await newBucket('cdel-quiet');
    for (const Key of ['x/1', 'x/2', 'y']) await call(cos, 'putObject', { Bucket, Region, Key, Body: Key });
    const result = await call(cos, 'deleteMultipleObject', { Bucket, Region, Quiet: true, Objects: [{ Key: 'x/1' }, { Key: 'x/2' }] });
    assert.equal(result.statusCode, 200);
    assert.deepEqual(result.Deleted, []);
    assert.deepEqual(result.Error, []);
    const left = await call(cos, 'getBucket', { Bucket, Region });
    assert.deepEqual(left.Contents.map((c) => c.Key), ['y']);
  });

  test('in a versioned bucket a key adds a delete marker and a key with VersionId removes that version', async () => {
    const Bucket = await newBucket('cdel-ver', 'Enabled');
    const a1 = (await call(cos, 'putObject', { Bucket, Region, Key: 'a', Body: 'a1' })).headers['x-cos-version-id'];
    const a2 = (await call(cos, 'putObject', { Bucket, Region, Key: 'a', Body: 'a2' })).headers['x-cos-version-id'];
    const b1 = (await call(cos, 'putObject', { Bucket, Region, Key: 'b', Body: 'b1' })).headers['x-cos-version-id'];

    const result = await call(cos, 'deleteMultipleObject', {
      Bucket, Region, Objects: [{ Key: 'a', VersionId: a2 }, { Key: 'b' }],
    });
    assert.deepEqual(result.Error, []);
    const byKey = Object.fromEntries(result.Deleted.map((d) => [d.Key, d]));
    assert.equal(byKey.a.VersionId, a2);
    assert.notEqual(byKey.a.DeleteMarker, 'true');
    assert.equal(byKey.b.DeleteMarker, 'true');
    assert.ok(byKey.b.DeleteMarkerVersionId && byKey.b.DeleteMarkerVersionId !== b1);

    const versions = await call(cos, 'listObjectVersions', { Bucket, Region });
    assert.deepEqual(versions.Versions.map((v) => [v.Key, v.VersionId, v.IsLatest]), [['a', a1, 'true'], ['b', b1, 'false']]);
    assert.deepEqual(versions.DeleteMarkers.map((m) => [m.Key, m.VersionId, m.IsLatest]), [['b', byKey.b.DeleteMarkerVersionId, 'true']]);
    assert.equal((await call(cos, 'getObject', { Bucket, Region, Key: 'a' })).Body.toString(), 'a1');
    await rejectsWith(call(cos, 'getObject', { Bucket, Region, Key: 'b' }), 'NoSuchKey', 404);

    const removeMarker = await call(cos, 'deleteMultipleObject', {
      Bucket, Region, Quiet: true, Objects: [{ Key: 'b', VersionId: byKey.b.DeleteMarkerVersionId }],
    });
    assert.deepEqual(removeMarker.Error, []);
    assert.equal((await call(cos, 'getObject', { Bucket, Region, Key: 'b' })).Body.toString(), 'b1');
  });
});

describe('cos storage classes', () => {
  // Every class COS documents for x-cos-storage-class.
  const classes = [
    'STANDARD', 'STANDARD_IA', 'ARCHIVE', 'DEEP_ARCHIVE', 'INTELLIGENT_TIERING',
    'MAZ_STANDARD', 'MAZ_STANDARD_IA', 'MAZ_INTELLIGENT_TIERING', 'MAZ_ARCHIVE',
  ];
  /** COS names the class on HEAD only when it is not STANDARD. */
  const headerFor = (storageClass) => (storageClass === 'STANDARD' ? undefined : storageClass);

  test('putObject with each class: headObject, getBucket and listObjectVersions report it', async () => {
    const Bucket = await newBucket('cclass');
    for (const StorageClass of classes) {
      const put = await call(cos, 'putObject', { Bucket, Region, Key: `class/${StorageClass}`, Body: StorageClass, StorageClass });
      assert.equal(put.statusCode, 200, StorageClass);
    }

    for (const StorageClass of classes) {
      const head = await call(cos, 'headObject', { Bucket, Region, Key: `class/${StorageClass}` });
      assert.equal(head.headers['x-cos-storage-class'], headerFor(StorageClass), `HEAD of ${StorageClass}`);
    }
    const listed = await call(cos, 'getBucket', { Bucket, Region, Prefix: 'class/' });
    assert.deepEqual(
      Object.fromEntries(listed.Contents.map((c) => [c.Key, c.StorageClass])),
      Object.fromEntries(classes.map((c) => [`class/${c}`, c])),
    );
    const versions = await call(cos, 'listObjectVersions', { Bucket, Region, Prefix: 'class/' });
    assert.deepEqual(
      Object.fromEntries(versions.Versions.map((v) => [v.Key, v.StorageClass])),
      Object.fromEntries(classes.map((c) => [`class/${c}`, c])),
    );
  });

  test('multipartInit with a class keeps it through multipartComplete', async () => {
    const Bucket = await newBucket('cclass-mpu');
    for (const StorageClass of ['STANDARD_IA', 'INTELLIGENT_TIERING', 'MAZ_ARCHIVE']) {
      const Key = `mpu/${StorageClass}`;
      const { UploadId } = await call(cos, 'multipartInit', { Bucket, Region, Key, StorageClass });
      const listed = await call(cos, 'multipartList', { Bucket, Region, Prefix: Key });
      assert.equal(listed.Upload[0].StorageClass, StorageClass, 'the open upload shows its class');
      const part = await call(cos, 'multipartUpload', { Bucket, Region, Key, UploadId, PartNumber: 1, Body: randomBytes(1000) });
      await call(cos, 'multipartComplete', { Bucket, Region, Key, UploadId, Parts: [{ PartNumber: 1, ETag: part.ETag }] });

      const head = await call(cos, 'headObject', { Bucket, Region, Key });
      assert.equal(head.headers['x-cos-storage-class'], StorageClass);
    }
  });

  test('putObjectCopy with x-cos-storage-class changes the class, in place or into a new key', async () => {
    const Bucket = await newBucket('cclass-copy');
    const body = randomBytes(5000);
    await call(cos, 'putObject', { Bucket, Region, Key: 'doc', Body: body });
    const source = `${Bucket}.cos.${Region}.myqcloud.com/doc`;

    const archived = await call(cos, 'putObjectCopy', { Bucket, Region, Key: 'doc', CopySource: source, StorageClass: 'ARCHIVE' });
    assert.equal(archived.statusCode, 200);
    assert.equal((await call(cos, 'headObject', { Bucket, Region, Key: 'doc' })).headers['x-cos-storage-class'], 'ARCHIVE');

    await call(cos, 'putObjectCopy', { Bucket, Region, Key: 'doc-ia', CopySource: source, StorageClass: 'MAZ_STANDARD_IA' });
    const copy = await call(cos, 'headObject', { Bucket, Region, Key: 'doc-ia' });
    assert.equal(copy.headers['x-cos-storage-class'], 'MAZ_STANDARD_IA');
    assert.equal(copy.ETag, `"${md5(body)}"`, 'the bytes are the source\'s');

    const listed = await call(cos, 'getBucket', { Bucket, Region });
    assert.deepEqual(listed.Contents.map((c) => [c.Key, c.StorageClass]), [['doc', 'ARCHIVE'], ['doc-ia', 'MAZ_STANDARD_IA']]);
  });

  test('an unknown class fails with InvalidArgument and stores nothing, on putObject, multipartInit and putObjectCopy', async () => {
    const Bucket = await newBucket('cclass-bad');
    await rejectsWith(call(cos, 'putObject', { Bucket, Region, Key: 'gold', Body: 'x', StorageClass: 'GOLD' }), 'InvalidArgument', 400);
    await assert.rejects(call(cos, 'headObject', { Bucket, Region, Key: 'gold' }), (err) => err.statusCode === 404);
    await rejectsWith(call(cos, 'multipartInit', { Bucket, Region, Key: 'gold', StorageClass: 'GLACIER' }), 'InvalidArgument', 400);

    await call(cos, 'putObject', { Bucket, Region, Key: 'plain', Body: 'x' });
    await rejectsWith(
      call(cos, 'putObjectCopy', { Bucket, Region, Key: 'plain', CopySource: `${Bucket}.cos.${Region}.myqcloud.com/plain`, StorageClass: 'COLD' }),
      'InvalidArgument',
      400,
    );
    assert.equal((await call(cos, 'headObject', { Bucket, Region, Key: 'plain' })).headers['x-cos-storage-class'], undefined);
  });
});
