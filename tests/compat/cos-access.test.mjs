// Access control through the official cos-nodejs-sdk-v5: a sub-account's keys and a temporary key, both made with
// `coffer admin` beside the running server; bucket policies put with the SDK; canned ACLs and anonymous reads.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import http from 'node:http';
import COS from 'cos-nodejs-sdk-v5';
import { Region, account, bucketName, call, cosClient, endpoint } from './lib/coffer.mjs';

const owner = cosClient();

/** `coffer admin ...` against the running server's data folder, as its root account; returns the parsed JSON output. */
async function admin(...args) {
  const { stdout } = await promisify(execFile)('dotnet', [process.env.COFFER_DLL, 'admin', ...args, '--data', process.env.COFFER_DATA], {
    env: {
      ...process.env,
      COFFER_ROOT_APPID: account.appId,
      COFFER_ROOT_UIN: account.uin,
      COFFER_ROOT_SECRET_ID: account.secretId,
      COFFER_ROOT_SECRET_KEY: account.secretKey,
    },
  });
  return JSON.parse(stdout);
}

const clientFor = (SecretId, SecretKey, SecurityToken) =>
  new COS({ SecretId, SecretKey, SecurityToken, Protocol: 'http:', Ip: endpoint.host });

async function rejectsWith(promise, code, statusCode) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${JSON.stringify(err.error ?? err.message)}`);
    assert.equal(err.statusCode, statusCode);
    return true;
  });
}

/** A plain HTTP GET with no signature at all. */
const anonymousGet = (bucket, key) => new Promise((resolve, reject) => {
  const request = http.request({
    host: endpoint.hostname, port: endpoint.port, method: 'GET', path: `/${key}`,
    headers: { host: `${bucket}.cos.${Region}.myqcloud.com` },
  }, (response) => {
    const chunks = [];
    response.on('data', (chunk) => chunks.push(chunk));
    response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString() }));
  });
  request.on('error', reject);
  request.end();
});

const inventory = (Bucket, Id) => ({
  Id,
  IsEnabled: 'true',
  IncludedObjectVersions: 'Current',
  Schedule: { Frequency: 'Daily' },
  Destination: { COSBucketDestination: { Format: 'CSV', Bucket: `qcs::cos:${Region}::${Bucket}` } },
});

describe('access control through cos-nodejs-sdk-v5', () => {
  let Bucket;
  let sub;
  let subClient;

  before(async () => {
    Bucket = bucketName('access');
    await call(owner, 'putBucket', { Bucket, Region });
    await call(owner, 'putBucketInventory', { Bucket, Region, Id: 'nightly', InventoryConfiguration: inventory(Bucket, 'nightly') });
    sub = await admin('subaccount', 'create', '--name', 'compat');
    subClient = clientFor(sub.SecretId, sub.SecretKey);
  });

  test('a sub-account without a grant gets AccessDenied on every inventory API', async () => {
    await rejectsWith(call(subClient, 'putBucketInventory', { Bucket, Region, Id: 'x', InventoryConfiguration: inventory(Bucket, 'x') }), 'AccessDenied', 403);
    await rejectsWith(call(subClient, 'getBucketInventory', { Bucket, Region, Id: 'nightly' }), 'AccessDenied', 403);
    await rejectsWith(call(subClient, 'listBucketInventory', { Bucket, Region }), 'AccessDenied', 403);
    await rejectsWith(call(subClient, 'deleteBucketInventory', { Bucket, Region, Id: 'nightly' }), 'AccessDenied', 403);
    const body = `<InventoryConfiguration><Id>once</Id><Destination><COSBucketDestination><Format>CSV</Format><Bucket>qcs::cos:${Region}::${Bucket}</Bucket>` +
      '</COSBucketDestination></Destination><IncludedObjectVersions>Current</IncludedObjectVersions></InventoryConfiguration>';
    await rejectsWith(call(subClient, 'request', {
      Method: 'POST', Bucket, Region, Action: 'inventory', Query: { id: 'once' }, Body: body,
      Headers: { 'Content-Type': 'application/xml', 'Content-MD5': createHash('md5').update(body).digest('base64') },
    }), 'AccessDenied', 403);
  });

  test('with a bucket policy granting only GetBucketInventory, the sub-account can GET but not PUT', async () => {
    const Policy = {
      version: '2.0',
      statement: [{
        principal: { qcs: [`qcs::cam::uin/${account.uin}:uin/${sub.Uin}`] },
        effect: 'allow',
        action: ['name/cos:GetBucketInventory'],
        resource: [`qcs::cos:${Region}:uid/${account.appId}:${Bucket}/*`],
      }],
    };
    await call(owner, 'putBucketPolicy', { Bucket, Region, Policy });
    const stored = await call(owner, 'getBucketPolicy', { Bucket, Region });
    assert.deepEqual(stored.Policy, Policy);

    const got = await call(subClient, 'getBucketInventory', { Bucket, Region, Id: 'nightly' });
    assert.equal(got.InventoryConfiguration.Id, 'nightly');
    await rejectsWith(call(subClient, 'putBucketInventory', { Bucket, Region, Id: 'x', InventoryConfiguration: inventory(Bucket, 'x') }), 'AccessDenied', 403);
    await rejectsWith(call(subClient, 'deleteBucketInventory', { Bucket, Region, Id: 'nightly' }), 'AccessDenied', 403);

    await call(owner, 'deleteBucketPolicy', { Bucket, Region });
    await rejectsWith(call(subClient, 'getBucketInventory', { Bucket, Region, Id: 'nightly' }), 'AccessDenied', 403);
    await assert.rejects(call(owner, 'getBucketPolicy', { Bucket, Region }), (err) => err.statusCode === 404);
  });

  test('a sub-account with its own policy may write under its prefix only', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'coffer-policy-'));
    const policyFile = join(folder, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({
      version: '2.0',
      statement: [{ effect: 'allow', action: ['name/cos:PutObject', 'name/cos:GetObject'], resource: [`qcs::cos:*:uid/${account.appId}:${Bucket}/uploads/*`] }],
    }));
    const writer = await admin('subaccount', 'create', '--name', 'uploader', '--policy', policyFile);
    const client = clientFor(writer.SecretId, writer.SecretKey);

    await call(client, 'putObject', { Bucket, Region, Key: 'uploads/a.txt', Body: 'mine' });
    assert.equal((await call(client, 'getObject', { Bucket, Region, Key: 'uploads/a.txt' })).Body.toString(), 'mine');
    await rejectsWith(call(client, 'putObject', { Bucket, Region, Key: 'elsewhere.txt', Body: 'no' }), 'AccessDenied', 403);
    await rejectsWith(call(client, 'getBucket', { Bucket, Region }), 'AccessDenied', 403);
  });

  test('a temporary key works with its session token, and not with a wrong one', async () => {
    const issued = await admin('tempkey', 'create', '--duration', '600');
    const { TmpSecretId, TmpSecretKey, Token } = issued.Credentials;
    assert.ok(issued.ExpiredTime > Date.now() / 1000);

    const temporary = clientFor(TmpSecretId, TmpSecretKey, Token);
    await call(temporary, 'putObject', { Bucket, Region, Key: 'temp.txt', Body: 'from a temporary key' });
    assert.equal((await call(temporary, 'getObject', { Bucket, Region, Key: 'temp.txt' })).Body.toString(), 'from a temporary key');

    await rejectsWith(call(clientFor(TmpSecretId, TmpSecretKey, 'wrong-token'), 'getBucket', { Bucket, Region }), 'InvalidToken', 400);
    await rejectsWith(call(clientFor(TmpSecretId, TmpSecretKey), 'getBucket', { Bucket, Region }), 'InvalidToken', 400);
  });

  test('putBucketAcl public-read lets anyone read objects, and getBucketAcl says so', async () => {
    const Public = bucketName('public');
    await call(owner, 'putBucket', { Bucket: Public, Region });
    await call(owner, 'putObject', { Bucket: Public, Region, Key: 'hello.txt', Body: 'hello world' });
    assert.equal((await anonymousGet(Public, 'hello.txt')).status, 403);

    await call(owner, 'putBucketAcl', { Bucket: Public, Region, ACL: 'public-read' });
    const acl = await call(owner, 'getBucketAcl', { Bucket: Public, Region });
    assert.equal(acl.ACL, 'public-read');
    const read = await anonymousGet(Public, 'hello.txt');
    assert.equal(read.status, 200);
    assert.equal(read.body, 'hello world');
    await rejectsWith(call(subClient, 'putObject', { Bucket: Public, Region, Key: 'x', Body: 'x' }), 'AccessDenied', 403);

    await call(owner, 'putBucketAcl', { Bucket: Public, Region, ACL: 'private' });
    assert.equal((await call(owner, 'getBucketAcl', { Bucket: Public, Region })).ACL, 'private');
    assert.equal((await anonymousGet(Public, 'hello.txt')).status, 403);
  });
});
