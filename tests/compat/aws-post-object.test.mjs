// POST Object (browser form upload) with a form signed by the official @aws-sdk/s3-presigned-post: the form goes out
// through Node's own fetch and FormData, as a browser would send it, and the result is read back with
// @aws-sdk/client-s3.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { bucketName, s3Client } from './lib/coffer.mjs';

const s3 = s3Client();

/** The form fields the helper signed, then the file last (fields after the file are ignored). */
function postForm(url, fields, file, contentType) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    form.append(name, value);
  }
  form.append('file', new Blob([file], { type: contentType }), 'upload.bin');
  return fetch(url, { method: 'POST', body: form });
}

/** The error XML's Code and the status it came with. */
async function errorOf(response) {
  const body = await response.text();
  return { status: response.status, code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1], body };
}

async function stored(bucket, key) {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if (error.$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

describe('POST Object (@aws-sdk/s3-presigned-post)', () => {
  const bucket = bucketName('aws-post');
  const conditions = [
    ['content-length-range', 1, 1024],
    ['starts-with', '$key', 'uploads/'],
    ['eq', '$Content-Type', 'text/plain'],
  ];
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  test('createPresignedPost form uploads a file: 204, read back byte-exact with its Content-Type', async () => {
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: bucket, Key: 'uploads/first.txt', Conditions: conditions, Fields: { 'Content-Type': 'text/plain' }, Expires: 600,
    });
    const file = randomBytes(700);
    const response = await postForm(url, fields, file, 'text/plain');
    assert.equal(response.status, 204, await response.text());
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'uploads/first.txt' }));
    assert.equal(object.ContentType, 'text/plain');
    assert.deepEqual(Buffer.from(await object.Body.transformToByteArray()), file);
    assert.equal(response.headers.get('etag'), object.ETag);
  });

  test('a file over the content-length-range is EntityTooLarge and nothing is stored', async () => {
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: bucket, Key: 'uploads/too-large.txt', Conditions: conditions, Fields: { 'Content-Type': 'text/plain' }, Expires: 600,
    });
    const error = await errorOf(await postForm(url, fields, randomBytes(1025), 'text/plain'));
    assert.deepEqual([error.status, error.code], [400, 'EntityTooLarge'], error.body);
    assert.equal(await stored(bucket, 'uploads/too-large.txt'), false);
  });

  test('a form whose policy has expired is AccessDenied and nothing is stored', async () => {
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: bucket, Key: 'uploads/late.txt', Conditions: conditions, Fields: { 'Content-Type': 'text/plain' }, Expires: 1,
    });
    await delay(2_500);
    const error = await errorOf(await postForm(url, fields, Buffer.from('late'), 'text/plain'));
    assert.deepEqual([error.status, error.code], [403, 'AccessDenied'], error.body);
    assert.match(error.body, /Policy expired/);
    assert.equal(await stored(bucket, 'uploads/late.txt'), false);
  });

  test('a key outside the starts-with prefix or another Content-Type fails the policy: AccessDenied, nothing stored', async () => {
    const outside = await createPresignedPost(s3, {
      Bucket: bucket, Key: 'elsewhere/file.txt', Conditions: conditions, Fields: { 'Content-Type': 'text/plain' }, Expires: 600,
    });
    const wrongKey = await errorOf(await postForm(outside.url, outside.fields, Buffer.from('x'), 'text/plain'));
    assert.deepEqual([wrongKey.status, wrongKey.code], [403, 'AccessDenied'], wrongKey.body);
    assert.equal(await stored(bucket, 'elsewhere/file.txt'), false);

    const html = await createPresignedPost(s3, {
      Bucket: bucket, Key: 'uploads/page.html', Conditions: conditions, Fields: { 'Content-Type': 'text/html' }, Expires: 600,
    });
    const wrongType = await errorOf(await postForm(html.url, html.fields, Buffer.from('<p>'), 'text/html'));
    assert.deepEqual([wrongType.status, wrongType.code], [403, 'AccessDenied'], wrongType.body);
    assert.equal(await stored(bucket, 'uploads/page.html'), false);
  });

  test('success_action_status 201 answers the PostResponse document with Bucket, Key and ETag', async () => {
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: bucket,
      Key: 'uploads/answered.txt',
      Conditions: conditions,
      Fields: { 'Content-Type': 'text/plain', success_action_status: '201' },
      Expires: 600,
    });
    const response = await postForm(url, fields, Buffer.from('answered'), 'text/plain');
    const body = await response.text();
    assert.equal(response.status, 201, body);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'uploads/answered.txt' }));
    const element = (name) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
    assert.equal(element('Bucket'), bucket);
    assert.equal(element('Key'), 'uploads/answered.txt');
    assert.equal(element('ETag').replaceAll('&quot;', '"'), head.ETag);
    assert.match(body, /^<\?xml[^>]*\?>\s*<PostResponse>/);
  });
});
