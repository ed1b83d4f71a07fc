// Access control through the official cos-nodejs-sdk-v5: a sub-account's keys and a temporary key, both made with
// `coffer admin` beside the running server; bucket policies put with the SDK (allows, explicit denies, conditions on the
// source address and the listing prefix); canned ACLs and anonymous requests; presigned URLs of a temporary key; and an
// inventory delivered into the partner account's bucket only once that bucket's policy allows it.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import http from 'node:http';
import COS from 'cos-nodejs-sdk-v5';
import { Region, account, bucketName, call, cosClient, endpoint, partner } from './lib/coffer.mjs';
import { waitForEnd } from './lib/reports.mjs';

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

/** A plain HTTP request to our address for `host` and `path`, no signature added; resolves to its status, body and error code. */
const plainRequest = (method, host, path, body) => new Promise((resolve, reject) => {
  const request = http.request({
    host: endpoint.hostname, port: endpoint.port, method, path,
    headers: { host, ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }) },
  }, (response) => {
    const chunks = [];
    response.on('data', (chunk) => chunks.push(chunk));
    response.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      resolve({ status: response.statusCode, body: text, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] });
    });
  });
  request.on('error', reject);
  request.end(body);
});

const anonymous = (method, bucket, key, body) => plainRequest(method, `${bucket}.cos.${Region}.myqcloud.com`, `/${key}`, body);
const anonymousGet = (bucket, key) => anonymous('GET', bucket, key);

/** A URL the SDK made (virtual-host name and all), fetched from our address with a plain GET. */
const fetchUrl = (url) => plainRequest('GET', url.host, url.pathname + url.search);

/** A one-time inventory into `Destination` (a bucket of `AccountId`'s account), posted with the SDK's signed `request`. */
function postInventory(client, Bucket, id, Destination, { AccountId, Prefix } = {}) {
  const body = `<InventoryConfiguration><Id>${id}</Id><Destination><COSBucketDestination><Format>CSV</Format>` +
    (AccountId ? `<AccountId>${AccountId}</AccountId>` : '') + `<Bucket>qcs::cos:${Region}::${Destination}</Bucket>` +
    (Prefix ? `<Prefix>${Prefix}</Prefix>` : '') +
    '</COSBucketDestination></Destination><IncludedObjectVersions>Current</IncludedObjectVersions></InventoryConfiguration>';
  return call(client, 'request', {
    Method: 'POST', Bucket, Region, Action: 'inventory', Query: { id }, Body: body,
    Headers: { 'Content-Type': 'application/xml', 'Content-MD5': createHash('md5').update(body).digest('base64') },
  });
}

const runStatus = async (Bucket, jobId) =>
  (await call(owner, 'request', { Method: 'GET', Bucket, Region, Action: 'inventory-run', Query: { 'job-id': jobId } })).InventoryRun;

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
    await rejectsWith(postInventory(subClient, Bucket, 'once', Bucket), 'AccessDenied', 403);
  });

  test('with a bucket policy granting only GetBucketInventory, the sub-account can GET and List but not PUT, DELETE or POST', async () => {
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
    // COS's List page names GetBucketInventory as List's permission (docs/compatibility.md, "Choices").
    const listed = await call(subClient, 'listBucketInventory', { Bucket, Region });
    assert.equal(listed.statusCode, 200);
    assert.deepEqual(listed.InventoryConfigurations.map((c) => c.Id), ['nightly']);
    await rejectsWith(call(subClient, 'putBucketInventory', { Bucket, Region, Id: 'x', InventoryConfiguration: inventory(Bucket, 'x') }), 'AccessDenied', 403);
    await rejectsWith(call(subClient, 'deleteBucketInventory', { Bucket, Region, Id: 'nightly' }), 'AccessDenied', 403);
    await rejectsWith(postInventory(subClient, Bucket, 'once', Bucket), 'AccessDenied', 403);

    await call(owner, 'deleteBucketPolicy', { Bucket, Region });
    await rejectsWith(call(subClient, 'getBucketInventory', { Bucket, Region, Id: 'nightly' }), 'AccessDenied', 403);
    await assert.rejects(call(owner, 'getBucketPolicy', { Bucket, Region }), (err) => err.statusCode === 404);
  });

  test('a sub-account with its own policy may write under its prefix only', async () => {
    const folder = mkdtempSync(join(process.env.COFFER_DATA, 'policy-'));
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

  test('putBucketAcl and putObjectAcl take a canned ACL with grant headers together, to uins of no account here', async () => {
    const Mixed = bucketName('mixed');
    await call(owner, 'putBucket', { Bucket: Mixed, Region });
    await call(owner, 'putObject', { Bucket: Mixed, Region, Key: 'k', Body: 'k' });
    const GrantFullControl = 'id="qcs::cam::uin/1001:uin/1001", id="qcs::cam::uin/1002:uin/1002"';
    await call(owner, 'putBucketAcl', { Bucket: Mixed, Region, ACL: 'public-read', GrantFullControl });
    await call(owner, 'putObjectAcl', { Bucket: Mixed, Region, Key: 'k', ACL: 'private', GrantRead: 'id="qcs::cam::uin/10002:uin/10002"' });

    const bucketAcl = await call(owner, 'getBucketAcl', { Bucket: Mixed, Region });
    assert.equal(bucketAcl.ACL, 'public-read');
    assert.equal(bucketAcl.GrantFullControl, GrantFullControl.replace(', ', ','));
    const objectAcl = await call(owner, 'getObjectAcl', { Bucket: Mixed, Region, Key: 'k' });
    assert.equal(objectAcl.ACL, 'private');
    assert.equal(objectAcl.GrantRead, 'id="qcs::cam::uin/10002:uin/10002"');
    assert.equal((await anonymousGet(Mixed, 'k')).status, 403, "the object's own private ACL, not the bucket's public-read");
  });

  test('putBucketAcl public-read-write lets anyone write and read, and private takes both back', async () => {
    const Open = bucketName('open');
    await call(owner, 'putBucket', { Bucket: Open, Region });
    const refused = await anonymous('PUT', Open, 'drop.txt', 'too early');
    assert.deepEqual([refused.status, refused.code], [403, 'AccessDenied']);

    await call(owner, 'putBucketAcl', { Bucket: Open, Region, ACL: 'public-read-write' });
    assert.equal((await call(owner, 'getBucketAcl', { Bucket: Open, Region })).ACL, 'public-read-write');
    const written = await anonymous('PUT', Open, 'drop.txt', 'dropped anonymously');
    assert.equal(written.status, 200, written.body);
    assert.equal((await call(owner, 'getObject', { Bucket: Open, Region, Key: 'drop.txt' })).Body.toString(), 'dropped anonymously');
    const read = await anonymousGet(Open, 'drop.txt');
    assert.deepEqual([read.status, read.body], [200, 'dropped anonymously']);

    await call(owner, 'putBucketAcl', { Bucket: Open, Region, ACL: 'private' });
    const late = await anonymous('PUT', Open, 'drop.txt', 'too late');
    assert.deepEqual([late.status, late.code], [403, 'AccessDenied']);
    const unread = await anonymousGet(Open, 'drop.txt');
    assert.deepEqual([unread.status, unread.code], [403, 'AccessDenied']);
    assert.equal((await call(owner, 'getObject', { Bucket: Open, Region, Key: 'drop.txt' })).Body.toString(), 'dropped anonymously');
  });

  /** A new bucket of the owner's whose policy has `statements`, each about the sub-account; returns its name. */
  async function bucketWithPolicy(label, statements) {
    const Name = bucketName(label);
    await call(owner, 'putBucket', { Bucket: Name, Region });
    await putSubAccountPolicy(Name, statements);
    return Name;
  }

  /** Puts a bucket policy whose statements (resources relative to the bucket) are all about the sub-account. */
  async function putSubAccountPolicy(Name, statements) {
    const statement = statements.map(({ resource, ...rest }) => ({
      principal: { qcs: [`qcs::cam::uin/${account.uin}:uin/${sub.Uin}`] },
      resource: [`qcs::cos:${Region}:uid/${account.appId}:${Name}/${resource}`],
      ...rest,
    }));
    await call(owner, 'putBucketPolicy', { Bucket: Name, Region, Policy: { version: '2.0', statement } });
  }

  test('an explicit deny in the bucket policy wins over its allow of name/cos:*', async () => {
    const Denying = await bucketWithPolicy('deny', [
      { effect: 'allow', action: ['name/cos:*'], resource: '*' },
      { effect: 'deny', action: ['name/cos:DeleteObject'], resource: '*' },
      { effect: 'deny', action: ['name/cos:GetObject'], resource: 'secret/*' },
    ]);

    await call(subClient, 'putObject', { Bucket: Denying, Region, Key: 'open/a.txt', Body: 'open' });
    await call(subClient, 'putObject', { Bucket: Denying, Region, Key: 'secret/b.txt', Body: 'secret' });
    assert.equal((await call(subClient, 'getObject', { Bucket: Denying, Region, Key: 'open/a.txt' })).Body.toString(), 'open');
    const listing = await call(subClient, 'getBucket', { Bucket: Denying, Region });
    assert.deepEqual(listing.Contents.map((c) => c.Key), ['open/a.txt', 'secret/b.txt']);

    await rejectsWith(call(subClient, 'getObject', { Bucket: Denying, Region, Key: 'secret/b.txt' }), 'AccessDenied', 403);
    await rejectsWith(call(subClient, 'deleteObject', { Bucket: Denying, Region, Key: 'open/a.txt' }), 'AccessDenied', 403);
    assert.equal((await call(owner, 'headObject', { Bucket: Denying, Region, Key: 'open/a.txt' })).statusCode, 200);
  });

  test('a GetObject allow on condition ip_equal qcs:ip holds from loopback for 127.0.0.1/32, not for 10.0.0.0/8', async () => {
    const allowFrom = (network) => [{ effect: 'allow', action: ['name/cos:GetObject'], resource: '*', condition: { ip_equal: { 'qcs:ip': [network] } } }];
    const Guarded = await bucketWithPolicy('ip', allowFrom('127.0.0.1/32'));
    await call(owner, 'putObject', { Bucket: Guarded, Region, Key: 'a.txt', Body: 'near' });
    assert.equal((await call(subClient, 'getObject', { Bucket: Guarded, Region, Key: 'a.txt' })).Body.toString(), 'near');

    await putSubAccountPolicy(Guarded, allowFrom('10.0.0.0/8'));
    await rejectsWith(call(subClient, 'getObject', { Bucket: Guarded, Region, Key: 'a.txt' }), 'AccessDenied', 403);
  });

  test('a GET Bucket allow on condition string_like cos:prefix docs/* lists under docs/ only', async () => {
    const Listed = await bucketWithPolicy('prefix', [
      { effect: 'allow', action: ['name/cos:GetBucket'], resource: '*', condition: { string_like: { 'cos:prefix': ['docs/*'] } } },
    ]);
    for (const Key of ['docs/a.txt', 'docs/2024/b.txt', 'other/c.txt']) await call(owner, 'putObject', { Bucket: Listed, Region, Key, Body: Key });

    const docs = await call(subClient, 'getBucket', { Bucket: Listed, Region, Prefix: 'docs/' });
    assert.deepEqual(docs.Contents.map((c) => c.Key), ['docs/2024/b.txt', 'docs/a.txt']);
    const deeper = await call(subClient, 'getBucket', { Bucket: Listed, Region, Prefix: 'docs/2024/' });
    assert.deepEqual(deeper.Contents.map((c) => c.Key), ['docs/2024/b.txt']);
    await rejectsWith(call(subClient, 'getBucket', { Bucket: Listed, Region }), 'AccessDenied', 403);
    await rejectsWith(call(subClient, 'getBucket', { Bucket: Listed, Region, Prefix: 'other/' }), 'AccessDenied', 403);
    await rejectsWith(call(subClient, 'getBucket', { Bucket: Listed, Region, Prefix: 'docs' }), 'AccessDenied', 403);
  });

  test('a presigned URL of a temporary key (getObjectUrl) carries its token in the query, and fails without it', async () => {
    const issued = await admin('tempkey', 'create', '--duration', '600');
    const { TmpSecretId, TmpSecretKey, Token } = issued.Credentials;
    await call(owner, 'putObject', { Bucket, Region, Key: 'presigned.txt', Body: 'through a presigned URL' });

    const { Url } = await call(clientFor(TmpSecretId, TmpSecretKey, Token), 'getObjectUrl', { Bucket, Region, Key: 'presigned.txt', Sign: true, Expires: 300 });
    const url = new URL(Url);
    assert.equal(url.searchParams.get('x-cos-security-token'), Token, 'the SDK puts the token in the query');
    assert.equal(url.searchParams.get('q-ak'), TmpSecretId);
    const fetched = await fetchUrl(url);
    assert.deepEqual([fetched.status, fetched.body], [200, 'through a presigned URL']);

    const withoutToken = new URL(url);
    withoutToken.searchParams.delete('x-cos-security-token');
    const refused = await fetchUrl(withoutToken);
    assert.deepEqual([refused.status, refused.code], [400, 'InvalidToken']);
  });

  test('a getAuth signature sent whole in a sign query parameter reads the object, as the SDK suite sends it', async () => {
    await call(owner, 'putObject', { Bucket, Region, Key: 'sign-param.txt', Body: 'through ?sign=' });
    const host = `${Bucket}.cos.${Region}.myqcloud.com`;
    const authorization = owner.getAuth({ Method: 'GET', Key: 'sign-param.txt', Headers: { Host: host } });
    const fetched = await plainRequest('GET', host, `/sign-param.txt?sign=${encodeURIComponent(authorization)}`);
    assert.deepEqual([fetched.status, fetched.body], [200, 'through ?sign=']);
    assert.equal((await plainRequest('GET', host, '/sign-param.txt?sign=not-a-signature')).status, 403);
  });

  test("an inventory into the partner account's bucket fails with AccessDenied and writes nothing until that bucket's policy allows PutObject on the report prefix", async () => {
    const partnerClient = clientFor(partner.secretId, partner.secretKey);
    const Source = bucketName('xacct-src');
    const Foreign = bucketName('xacct-dst', partner.appId);
    await call(owner, 'putBucket', { Bucket: Source, Region });
    await call(owner, 'putObject', { Bucket: Source, Region, Key: 'a.txt', Body: 'a' });
    await call(partnerClient, 'putBucket', { Bucket: Foreign, Region });

    const run = async (id) => {
      const posted = await postInventory(owner, Source, id, Foreign, { AccountId: partner.uin, Prefix: 'reports' });
      assert.equal(posted.statusCode, 200);
      return waitForEnd(() => runStatus(Source, posted.PostInventoryResult.JobId));
    };
    const partnerKeys = async () => (await call(partnerClient, 'getBucket', { Bucket: Foreign, Region })).Contents.map((c) => c.Key);
    const allowOwnerToPut = (prefix) => call(partnerClient, 'putBucketPolicy', {
      Bucket: Foreign, Region, Policy: {
        version: '2.0',
        statement: [{
          principal: { qcs: [`qcs::cam::uin/${account.uin}:uin/${account.uin}`] },
          effect: 'allow',
          action: ['name/cos:PutObject'],
          resource: [`qcs::cos:${Region}:uid/${partner.appId}:${Foreign}/${prefix}*`],
        }],
      },
    });

    const denied = await run('denied');
    assert.deepEqual([denied.State, denied.Error?.Code], ['Failed', 'AccessDenied'], JSON.stringify(denied));
    assert.deepEqual(await partnerKeys(), []);

    await allowOwnerToPut('elsewhere/');
    const elsewhere = await run('elsewhere');
    assert.deepEqual([elsewhere.State, elsewhere.Error?.Code], ['Failed', 'AccessDenied'], JSON.stringify(elsewhere));
    assert.deepEqual(await partnerKeys(), []);

    await allowOwnerToPut('reports/');
    const delivered = await run('allowed');
    assert.equal(delivered.State, 'Succeeded', JSON.stringify(delivered));
    const shortName = Source.slice(0, Source.lastIndexOf('-'));
    assert.match(delivered.ManifestKey, new RegExp(`^reports/${account.appId}/${shortName}/allowed/\\d{8}/manifest\\.json$`));
    const keys = await partnerKeys();
    assert.ok(keys.includes(delivered.ManifestKey), JSON.stringify(keys));
    assert.ok(keys.includes(delivered.ManifestKey.replace(/manifest\.json$/, 'manifest.checksum')), JSON.stringify(keys));
    assert.ok(keys.every((key) => key.startsWith('reports/')), JSON.stringify(keys));
    await rejectsWith(call(owner, 'getObject', { Bucket: Foreign, Region, Key: delivered.ManifestKey }), 'AccessDenied', 403);
  });
});
