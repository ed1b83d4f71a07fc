// Bucket inventory through the official cos-nodejs-sdk-v5: PUT / GET / List / DELETE Bucket inventory with the
// SDK's own methods, POST Bucket inventory (which the Node SDK lacks) and exact request bodies through the SDK's generic
// signed `request` method, and every error a client can provoke (cos-wire.md §1).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import COS from 'cos-nodejs-sdk-v5';
import { Region, account, bucketName, call, cosClient, endpoint } from './lib/coffer.mjs';

const cos = cosClient();
const md5Base64 = (text) => createHash('md5').update(text).digest('base64');
const cosBucket = (bucket, region = Region) => `qcs::cos:${region}::${bucket}`;
const hostOf = (bucket, region = Region) => `${bucket}.cos.${region}.myqcloud.com`;
const ids = (configurations) => configurations.map((c) => c.Id);

async function newBucket(label, region = Region) {
  const Bucket = bucketName(label);
  await call(cos, 'putBucket', { Bucket, Region: region });
  return Bucket;
}

/** A configuration with only the elements PUT requires (cos-wire §1.8), reporting into `destination`. */
function minimal(Id, destination, extra = {}) {
  return {
    Id,
    IsEnabled: 'true',
    IncludedObjectVersions: 'Current',
    Schedule: { Frequency: 'Daily' },
    Destination: { COSBucketDestination: { Format: 'CSV', Bucket: cosBucket(destination) } },
    ...extra,
  };
}

const put = (Bucket, InventoryConfiguration, Id = InventoryConfiguration.Id, client = cos) =>
  call(client, 'putBucketInventory', { Bucket, Region, Id, InventoryConfiguration });
const get = async (Bucket, Id) => (await call(cos, 'getBucketInventory', { Bucket, Region, Id })).InventoryConfiguration;
const list = (Bucket, ContinuationToken) => call(cos, 'listBucketInventory', { Bucket, Region, ContinuationToken });
const remove = (Bucket, Id) => call(cos, 'deleteBucketInventory', { Bucket, Region, Id });

/** The SDK's generic signed request (base.js `request`) on `/?inventory[&id=]`: it signs every header we pass. */
function signed(Bucket, Method, id, { Body, Headers = {}, RawBody, Query = {} } = {}) {
  return call(cos, 'request', {
    Method, Bucket, Region, Action: 'inventory',
    Query: id === undefined ? { ...Query } : { ...Query, id },
    Headers: { ...Headers }, Body, RawBody,
  });
}

/** PUT or POST an XML body exactly as given, with the headers the SDKs send (Content-Type and Content-MD5). */
const sendXml = (Bucket, Method, id, xml, headers = {}) =>
  signed(Bucket, Method, id, { Body: xml, Headers: { 'Content-Type': 'application/xml', 'Content-MD5': md5Base64(xml), ...headers } });

/** Calls `fn` over `items`, `width` at a time. */
async function inBatches(items, width, fn) {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

/** A bare HTTP request (the SDK always signs; these prove what happens when the signature is absent or made by hand). */
function raw(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: endpoint.hostname, port: endpoint.port, method, path, headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString() }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** A signature made by the SDK's exported COS.getAuthorization (util.getAuth), for requests sent with `raw`. */
const authorization = (bucket, method, query, extra = {}) =>
  COS.getAuthorization({
    SecretId: account.secretId, SecretKey: account.secretKey, Method: method, Pathname: '/', Query: query,
    Headers: { host: hostOf(bucket) }, ...extra,
  });

const errorCode = (body) => /<Code>([^<]*)<\/Code>/.exec(body)?.[1];

async function rejectsWith(promise, code, statusCode) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    assert.equal(err.statusCode, statusCode);
    return true;
  });
}

/** A one-time job body (cos-wire §1.7): no IsEnabled, no Schedule. `extra` goes before the closing root tag. */
const oneTimeXml = (id, destination, extra = '') =>
  `<InventoryConfiguration><Id>${id}</Id><Destination><COSBucketDestination><Format>CSV</Format>` +
  `<AccountId>${account.uin}</AccountId><Bucket>${cosBucket(destination)}</Bucket><Prefix>once</Prefix>` +
  '</COSBucketDestination></Destination><Filter><And><Prefix>myPrefix</Prefix><Tag><Key>age</Key><Value>18</Value></Tag></And></Filter>' +
  '<IncludedObjectVersions>All</IncludedObjectVersions><OptionalFields><Field>Size</Field><Field>ETag</Field><Field>Tag</Field></OptionalFields>' +
  `${extra}</InventoryConfiguration>`;

describe('round trip through the SDK', () => {
  test('a configuration with every element reads back exactly as the SDK put it, from GET and from List', async () => {
    const Bucket = await newBucket('inv-full');
    const Destination = await newBucket('inv-dest');
    const configuration = {
      Id: 'every-element',
      IsEnabled: 'true',
      IncludedObjectVersions: 'All',
      Filter: {
        And: { Prefix: 'logs/2024/', Tag: [{ Key: 'team', Value: 'storage' }, { Key: 'tier', Value: 'hot' }] },
        Period: { StartTime: '1568688761', EndTime: '1568688762' },
      },
      OptionalFields: [ // every field COS names, and x-cos-meta-<name> twice
        'Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'IsMultipartUploaded', 'ReplicationStatus', 'Tag', 'Crc64',
        'x-cos-meta-owner', 'x-cos-meta-project',
      ],
      Schedule: { Frequency: 'Weekly' },
      Destination: {
        COSBucketDestination: {
          Format: 'CSV', AccountId: account.uin, Bucket: cosBucket(Destination), Prefix: 'reports', Encryption: { SSECOS: '' },
        },
      },
    };
    const stored = await put(Bucket, configuration);
    assert.equal(stored.statusCode, 200);

    const got = await get(Bucket, 'every-element');
    assert.deepEqual(Object.keys(got).sort(), Object.keys(configuration).sort(), 'the same top-level elements');
    for (const [name, value] of Object.entries(configuration)) assert.deepEqual(got[name], value, `element ${name}`);

    const listed = await list(Bucket);
    assert.equal(listed.IsTruncated, 'false');
    assert.equal(listed.InventoryConfigurations.length, 1);
    assert.deepEqual(listed.InventoryConfigurations[0], configuration);
  });

  test('the old filter shape Filter/Prefix comes back as Filter/Prefix, and IsEnabled True as True', async () => {
    const Bucket = await newBucket('inv-old');
    const old = minimal('old-shape', Bucket, { IsEnabled: 'True', Filter: { Prefix: 'filter_prefix' }, OptionalFields: ['Size'] });
    await put(Bucket, old);
    const got = await get(Bucket, 'old-shape');
    assert.deepEqual(got.Filter, { Prefix: 'filter_prefix' }, 'no And wrapper added');
    assert.equal(got.IsEnabled, 'True');
    assert.deepEqual(got, old);

    // And the new shape with only a prefix stays the new shape (Go reads And/Prefix, Java reads Filter/Prefix: cos-wire §1.10).
    const shaped = minimal('and-shape', Bucket, { IsEnabled: 'false', Filter: { And: { Prefix: 'p/' } }, OptionalFields: ['ETag'] });
    await put(Bucket, shaped);
    assert.deepEqual(await get(Bucket, 'and-shape'), shaped);
  });

  test('Monthly with MonthlyDate, ORC and Parquet, an empty Filter and a bare destination bucket name round-trip', async () => {
    const Bucket = await newBucket('inv-monthly');
    // Filter '' is how the SDK writes <Filter></Filter> (what Go and Terraform send when nothing is filtered), and how it reads it back.
    const monthly = minimal('monthly', Bucket, {
      Schedule: { Frequency: 'Monthly', MonthlyDate: '15' },
      Filter: '',
      Destination: { COSBucketDestination: { Format: 'ORC', Bucket } },
      OptionalFields: ['Size'],
    });
    await put(Bucket, monthly);
    assert.deepEqual(await get(Bucket, 'monthly'), monthly);
    assert.match((await signed(Bucket, 'GET', 'monthly', { RawBody: true })).Body.toString(), /<Filter><\/Filter>/, 'the empty Filter is kept');

    const parquet = minimal('parquet', Bucket, {
      Filter: { And: { Prefix: 'a/', StorageClass: 'STANDARD' } },
      Destination: { COSBucketDestination: { Format: 'Parquet', Bucket: cosBucket(Bucket), Prefix: 'pq' } },
      OptionalFields: ['StorageClass'],
    });
    await put(Bucket, parquet);
    assert.deepEqual(await get(Bucket, 'parquet'), parquet);

    // No OptionalFields sent: GET still has the element (Python indexes it: cos-wire §1.10 rule 4).
    await put(Bucket, minimal('no-fields', Bucket));
    const raw = await signed(Bucket, 'GET', 'no-fields', { RawBody: true });
    assert.match(raw.Body.toString(), /<OptionalFields\s*(\/>|><\/OptionalFields>)/);
  });
});

describe('exact SDK bodies', () => {
  test('the Node SDK body of cos-wire §5.1 is stored, and GET returns it canonically', async () => {
    const Bucket = await newBucket('inv-node');
    const xml =
      '<InventoryConfiguration><Id>list1</Id><IsEnabled>true</IsEnabled><Destination><COSBucketDestination><Format>CSV</Format>' +
      `<AccountId>100000000001</AccountId><Bucket>qcs::cos:ap-guangzhou::${Bucket}</Bucket><Prefix>list1</Prefix>` +
      '<Encryption><SSE-COS></SSE-COS></Encryption></COSBucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule>' +
      '<Filter><Prefix>myPrefix</Prefix></Filter><IncludedObjectVersions>All</IncludedObjectVersions><OptionalFields><Field>Size</Field>' +
      '<Field>LastModifiedDate</Field><Field>ETag</Field><Field>StorageClass</Field></OptionalFields></InventoryConfiguration>';
    const response = await sendXml(Bucket, 'PUT', 'list1', xml);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-length'], '0', 'PUT answers an empty body');

    const body = (await signed(Bucket, 'GET', 'list1', { RawBody: true })).Body.toString();
    assert.doesNotMatch(body, /xmlns/, 'no namespace on the root');
    assert.match(body, /<Encryption><SSE-COS><\/SSE-COS><\/Encryption>/);
    assert.match(body, /<Filter><Prefix>myPrefix<\/Prefix><\/Filter>/);
    assert.deepEqual(await get(Bucket, 'list1'), {
      Id: 'list1',
      IsEnabled: 'true',
      Destination: {
        COSBucketDestination: {
          Format: 'CSV', AccountId: '100000000001', Bucket: `qcs::cos:ap-guangzhou::${Bucket}`, Prefix: 'list1', Encryption: { SSECOS: '' },
        },
      },
      Schedule: { Frequency: 'Daily' },
      Filter: { Prefix: 'myPrefix' },
      IncludedObjectVersions: 'All',
      OptionalFields: ['Size', 'LastModifiedDate', 'ETag', 'StorageClass'],
    });
  });

  test('the Python SDK body of cos-wire §5.2 (declaration, SSECOS, Id last) is stored, and GET returns it canonically', async () => {
    const Bucket = await newBucket('inv-python');
    const xml =
      '<?xml version="1.0" encoding="utf-8"?>\n<InventoryConfiguration><Destination><COSBucketDestination>' +
      `<AccountId>100000000001</AccountId><Bucket>qcs::cos:ap-guangzhou::${Bucket}</Bucket><Format>CSV</Format><Prefix>list1</Prefix>` +
      '<Encryption><SSECOS></SSECOS></Encryption></COSBucketDestination></Destination><IsEnabled>true</IsEnabled>' +
      '<Filter><Prefix>filterPrefix</Prefix></Filter><IncludedObjectVersions>All</IncludedObjectVersions><OptionalFields>' +
      '<Field>Size</Field><Field>LastModifiedDate</Field><Field>ETag</Field></OptionalFields><Schedule><Frequency>Daily</Frequency>' +
      '</Schedule><Id>list1</Id></InventoryConfiguration>';
    assert.equal((await sendXml(Bucket, 'PUT', 'list1', xml)).statusCode, 200);

    const body = (await signed(Bucket, 'GET', 'list1', { RawBody: true })).Body.toString();
    assert.doesNotMatch(body, /xmlns/);
    assert.doesNotMatch(body, /SSECOS/, 'the alias is written as SSE-COS');
    assert.match(body, /<Encryption><SSE-COS><\/SSE-COS><\/Encryption>/);
    assert.match(body, /<Id>list1<\/Id>/);
    assert.deepEqual(await get(Bucket, 'list1'), {
      Id: 'list1',
      IsEnabled: 'true',
      Destination: {
        COSBucketDestination: {
          Format: 'CSV', AccountId: '100000000001', Bucket: `qcs::cos:ap-guangzhou::${Bucket}`, Prefix: 'list1', Encryption: { SSECOS: '' },
        },
      },
      Schedule: { Frequency: 'Daily' },
      Filter: { Prefix: 'filterPrefix' },
      IncludedObjectVersions: 'All',
      OptionalFields: ['Size', 'LastModifiedDate', 'ETag'],
    });
  });

  test('a documentation-style body (declaration, namespace, indentation, any order, <SSE-COS/>) is read tolerantly', async () => {
    const Bucket = await newBucket('inv-doc');
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<InventoryConfiguration xmlns="http://www.qcloud.com/document/product/436/7751">
    <OptionalFields>
        <Field>Size</Field>
        <Field>Tag</Field>
    </OptionalFields>
    <Schedule>
        <Frequency>Weekly</Frequency>
    </Schedule>
    <Destination>
        <COSBucketDestination>
            <Bucket>qcs::cos:${Region}::${Bucket}</Bucket>
            <Encryption><SSE-COS/></Encryption>
            <Format>CSV</Format>
        </COSBucketDestination>
    </Destination>
    <Filter>
        <Period><StartTime>1568688761</StartTime></Period>
        <And>
            <Tag><Key>age</Key><Value>18</Value></Tag>
            <Prefix>myPrefix</Prefix>
        </And>
    </Filter>
    <IncludedObjectVersions>Current</IncludedObjectVersions>
    <Id>doc</Id>
    <IsEnabled>false</IsEnabled>
</InventoryConfiguration>`;
    assert.equal((await sendXml(Bucket, 'PUT', 'doc', xml)).statusCode, 200);
    assert.deepEqual(await get(Bucket, 'doc'), {
      Id: 'doc',
      IsEnabled: 'false',
      Destination: { COSBucketDestination: { Format: 'CSV', Bucket: cosBucket(Bucket), Encryption: { SSECOS: '' } } },
      Schedule: { Frequency: 'Weekly' },
      Filter: { And: { Prefix: 'myPrefix', Tag: { Key: 'age', Value: '18' } }, Period: { StartTime: '1568688761' } },
      IncludedObjectVersions: 'Current',
      OptionalFields: ['Size', 'Tag'],
    });
  });

  test('both query spellings, ?inventory&id= and ?inventory=&id=, address the same configuration', async () => {
    const Bucket = await newBucket('inv-spell');
    await put(Bucket, minimal('spelled', Bucket, { OptionalFields: ['Size'] }));
    const query = { inventory: '', id: 'spelled' };
    const bare = await raw('GET', '/?inventory&id=spelled', { host: hostOf(Bucket), authorization: authorization(Bucket, 'get', query) });
    const withEquals = await raw('GET', '/?inventory=&id=spelled', { host: hostOf(Bucket), authorization: authorization(Bucket, 'get', query) });
    assert.equal(bare.status, 200, bare.body);
    assert.equal(withEquals.status, 200, withEquals.body);
    assert.match(bare.body, /<InventoryConfiguration><Id>spelled<\/Id>/);
    assert.equal(bare.body, withEquals.body);
  });
});

describe('replace', () => {
  test('PUT of an existing id replaces its content and keeps its place in the list', async () => {
    const Bucket = await newBucket('inv-replace');
    for (const id of ['first', 'second', 'third']) await put(Bucket, minimal(id, Bucket, { OptionalFields: ['Size'] }));

    const replacement = minimal('first', Bucket, {
      IsEnabled: 'false',
      IncludedObjectVersions: 'All',
      Filter: { Prefix: 'new/' },
      Schedule: { Frequency: 'Weekly' },
      OptionalFields: ['ETag', 'Crc64'],
      Destination: { COSBucketDestination: { Format: 'CSV', Bucket: cosBucket(Bucket), Prefix: 'replaced' } },
    });
    assert.equal((await put(Bucket, replacement)).statusCode, 200);
    assert.deepEqual(await get(Bucket, 'first'), replacement);

    const listed = await list(Bucket);
    assert.deepEqual(ids(listed.InventoryConfigurations), ['first', 'second', 'third']);
    assert.deepEqual(listed.InventoryConfigurations[0], replacement);
  });
});

describe('list pagination and the 1,000 limit', () => {
  test('150 configurations list in creation order over pages of 100 and 50; the 1,001st is TooManyConfigurations', async () => {
    const Bucket = await newBucket('inv-pages');
    const created = Array.from({ length: 150 }, (_, i) => `ID-${i}`);
    for (const id of created) await put(Bucket, minimal(id, Bucket));

    const first = await list(Bucket);
    assert.equal(first.IsTruncated, 'true');
    assert.ok(first.NextContinuationToken, 'a truncated page names the next one');
    assert.equal(first.ContinuationToken, undefined, 'no token was sent, none is echoed');
    assert.deepEqual(ids(first.InventoryConfigurations), created.slice(0, 100), 'creation order, not ID-0, ID-1, ID-10, ...');

    const second = await list(Bucket, first.NextContinuationToken);
    assert.equal(second.IsTruncated, 'false');
    assert.equal(second.NextContinuationToken, undefined);
    assert.equal(second.ContinuationToken, first.NextContinuationToken, 'the token sent is echoed');
    assert.deepEqual(ids(second.InventoryConfigurations), created.slice(100));

    // Python's documented loop starts with continuation_token = '' and so sends `continuation-token=`.
    const python = cosClient();
    const sent = [];
    python.on('before-send', (options) => sent.push(options.qs));
    const pythonFirst = await call(python, 'listBucketInventory', { Bucket, Region, ContinuationToken: '' });
    assert.deepEqual(sent, [{ 'continuation-token': '' }], 'the empty token really went on the wire');
    assert.equal(pythonFirst.IsTruncated, 'true');
    assert.deepEqual(ids(pythonFirst.InventoryConfigurations), created.slice(0, 100));
    const pythonSecond = await list(Bucket, pythonFirst.NextContinuationToken);
    assert.deepEqual(ids(pythonSecond.InventoryConfigurations), created.slice(100));

    // Up to 995, ten PUTs at a time; then ten new ids at once race for the last five places.
    const more = Array.from({ length: 845 }, (_, i) => `ID-${150 + i}`);
    await inBatches(more, 10, (id) => put(Bucket, minimal(id, Bucket)));
    const racing = Array.from({ length: 10 }, (_, i) => `ID-${995 + i}`);
    const outcomes = await Promise.allSettled(racing.map((id) => put(Bucket, minimal(id, Bucket))));
    const won = racing.filter((_, i) => outcomes[i].status === 'fulfilled');
    assert.equal(won.length, 5, 'exactly five of ten concurrent PUTs fit under the limit');
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      assert.equal(outcome.reason.code, 'TooManyConfigurations');
      assert.equal(outcome.reason.statusCode, 400);
    }
    await rejectsWith(put(Bucket, minimal('ID-1001st', Bucket)), 'TooManyConfigurations', 400);
    await rejectsWith(get(Bucket, 'ID-1001st'), 'InventoryConfigurationNotFoundError', 404);

    // Replacing one of the 1,000 is not a new one.
    const replaced = minimal('ID-7', Bucket, { IsEnabled: 'false', OptionalFields: ['Size'] });
    assert.equal((await put(Bucket, replaced)).statusCode, 200);
    assert.deepEqual(await get(Bucket, 'ID-7'), replaced);

    // Ten full pages hold exactly the 1,000 ids, each once; the limit counts configurations, so a deletion makes room.
    const seen = [];
    let token;
    for (let page = 1; ; page++) {
      const result = await list(Bucket, token);
      assert.ok(result.InventoryConfigurations.length <= 100);
      seen.push(...ids(result.InventoryConfigurations));
      if (result.IsTruncated !== 'true') {
        assert.equal(page, 10);
        break;
      }
      token = result.NextContinuationToken;
    }
    assert.equal(seen.length, 1000);
    assert.equal(new Set(seen).size, 1000);
    assert.deepEqual(seen.slice(0, 150), created);
    assert.deepEqual(new Set(seen), new Set([...created, ...more, ...won]));

    assert.equal((await remove(Bucket, 'ID-0')).statusCode, 204);
    assert.equal((await put(Bucket, minimal('ID-1001st', Bucket))).statusCode, 200);
    await rejectsWith(put(Bucket, minimal('ID-1002nd', Bucket)), 'TooManyConfigurations', 400);
  });

  test('a continuation token survives deletions, replacements and additions between pages', async () => {
    const Bucket = await newBucket('inv-token');
    const created = Array.from({ length: 120 }, (_, i) => `C-${i}`);
    for (const id of created) await put(Bucket, minimal(id, Bucket));

    const first = await list(Bucket);
    assert.deepEqual(ids(first.InventoryConfigurations), created.slice(0, 100));
    assert.equal(first.IsTruncated, 'true');

    await remove(Bucket, 'C-10'); // on page 1
    await remove(Bucket, 'C-99'); // the last of page 1, where the token points
    await remove(Bucket, 'C-110'); // on page 2
    await put(Bucket, minimal('C-50', Bucket, { IsEnabled: 'false' })); // replaced: keeps its place on page 1
    await put(Bucket, minimal('C-new', Bucket));

    const second = await list(Bucket, first.NextContinuationToken);
    assert.equal(second.IsTruncated, 'false');
    const expected = [...created.slice(100).filter((id) => id !== 'C-110'), 'C-new'];
    assert.deepEqual(ids(second.InventoryConfigurations), expected);

    const firstIds = new Set(ids(first.InventoryConfigurations));
    assert.ok(ids(second.InventoryConfigurations).every((id) => !firstIds.has(id)), 'nothing repeated');
    const survivors = [...created.filter((id) => !['C-10', 'C-99', 'C-110'].includes(id)), 'C-new'];
    const seen = new Set([...firstIds, ...ids(second.InventoryConfigurations)]);
    assert.ok(survivors.every((id) => seen.has(id)), 'no survivor skipped');
  });

  test('an empty bucket lists IsTruncated false and no configurations', async () => {
    const Bucket = await newBucket('inv-empty');
    const listed = await list(Bucket);
    assert.equal(listed.statusCode, 200);
    assert.equal(listed.IsTruncated, 'false');
    assert.deepEqual(listed.InventoryConfigurations, []);
  });
});

describe('delete', () => {
  test('DELETE answers 204, after which GET is InventoryConfigurationNotFoundError with a full error body', async () => {
    const Bucket = await newBucket('inv-delete');
    await put(Bucket, minimal('doomed', Bucket));
    await put(Bucket, minimal('kept', Bucket));

    const deleted = await remove(Bucket, 'doomed');
    assert.equal(deleted.statusCode, 204);
    await assert.rejects(get(Bucket, 'doomed'), (err) => {
      assert.equal(err.code, 'InventoryConfigurationNotFoundError');
      assert.equal(err.statusCode, 404);
      for (const field of ['Code', 'Message', 'Resource', 'RequestId', 'TraceId']) {
        assert.ok(typeof err.error[field] === 'string' && err.error[field].length > 0, `error body has ${field}`);
      }
      assert.equal(err.error.Code, 'InventoryConfigurationNotFoundError');
      assert.ok(err.error.Resource.startsWith(hostOf(Bucket)), err.error.Resource);
      assert.equal(err.headers['x-cos-request-id'], err.error.RequestId);
      return true;
    });
    assert.deepEqual(ids((await list(Bucket)).InventoryConfigurations), ['kept']);
    assert.equal((await get(Bucket, 'kept')).Id, 'kept');

    // Deleting an id that does not exist is 204 as well (cos-wire §1.6).
    assert.equal((await remove(Bucket, 'doomed')).statusCode, 204);
    assert.equal((await remove(Bucket, 'never-was')).statusCode, 204);
  });

  test('GET of an id never created is InventoryConfigurationNotFoundError', async () => {
    const Bucket = await newBucket('inv-missing');
    await rejectsWith(get(Bucket, 'nothing-here'), 'InventoryConfigurationNotFoundError', 404);
  });
});

describe('POST Bucket inventory (one-time job)', () => {
  test('a one-time job answers 200 with PostInventoryResult/JobId; the same id again is DuplicateInventoryId', async () => {
    const Bucket = await newBucket('inv-post');
    const response = await sendXml(Bucket, 'POST', 'once', oneTimeXml('once', Bucket));
    assert.equal(response.statusCode, 200);
    assert.equal(typeof response.PostInventoryResult?.JobId, 'string', JSON.stringify(response));
    assert.ok(response.PostInventoryResult.JobId.length > 0);

    const another = await sendXml(Bucket, 'POST', 'twice', oneTimeXml('twice', Bucket));
    assert.notEqual(another.PostInventoryResult.JobId, response.PostInventoryResult.JobId, 'each job has its own id');

    await rejectsWith(sendXml(Bucket, 'POST', 'once', oneTimeXml('once', Bucket)), 'DuplicateInventoryId', 409);
  });

  test('a one-time job cannot take the id of a periodic configuration', async () => {
    const Bucket = await newBucket('inv-post-dup');
    await put(Bucket, minimal('periodic', Bucket));
    await rejectsWith(sendXml(Bucket, 'POST', 'periodic', oneTimeXml('periodic', Bucket)), 'DuplicateInventoryId', 409);
  });

  test('a one-time job with IsEnabled or with Schedule is InvalidArgument', async () => {
    const Bucket = await newBucket('inv-post-bad');
    await rejectsWith(sendXml(Bucket, 'POST', 'enabled', oneTimeXml('enabled', Bucket, '<IsEnabled>true</IsEnabled>')), 'InvalidArgument', 400);
    await rejectsWith(
      sendXml(Bucket, 'POST', 'scheduled', oneTimeXml('scheduled', Bucket, '<Schedule><Frequency>Daily</Frequency></Schedule>')),
      'InvalidArgument', 400);
    // Neither refusal used up the id.
    assert.equal((await sendXml(Bucket, 'POST', 'enabled', oneTimeXml('enabled', Bucket))).statusCode, 200);
  });
});

describe('errors (cos-wire §1.9)', () => {
  const setup = (label) => newBucket(label);

  for (const [what, change] of [
    ['IncludedObjectVersions Some', (c) => { c.IncludedObjectVersions = 'Some'; }],
    ['Frequency Hourly', (c) => { c.Schedule.Frequency = 'Hourly'; }],
    ['Format JSON', (c) => { c.Destination.COSBucketDestination.Format = 'JSON'; }],
    ['IsEnabled yes', (c) => { c.IsEnabled = 'yes'; }],
    ['MonthlyDate 32', (c) => { c.Schedule = { Frequency: 'Monthly', MonthlyDate: '32' }; }],
    ['MonthlyDate 0', (c) => { c.Schedule = { Frequency: 'Monthly', MonthlyDate: '0' }; }],
    ['a malformed destination bucket', (c) => { c.Destination.COSBucketDestination.Bucket = 'qcs::cos:ap-guangzhou:'; }],
  ]) {
    test(`an invalid value (${what}) is InvalidArgument`, async () => {
      const Bucket = await setup('inv-enum');
      const configuration = minimal('bad', Bucket);
      change(configuration);
      await rejectsWith(put(Bucket, configuration), 'InvalidArgument', 400);
      await rejectsWith(get(Bucket, 'bad'), 'InventoryConfigurationNotFoundError', 404);
    });
  }

  for (const id of ['bad*id', 'with space', 'slash/id', 'ünicode', 'x'.repeat(65)]) {
    test(`the id ${JSON.stringify(id.length > 20 ? `${id.length} characters` : id)} is InvalidArgument`, async () => {
      const Bucket = await setup('inv-id');
      await rejectsWith(put(Bucket, minimal(id, Bucket)), 'InvalidArgument', 400);
    });
  }

  test('an id of 64 characters of every allowed kind is accepted (the limit is not below 64)', async () => {
    const Bucket = await setup('inv-id64');
    const id = `aZ09-_.${'q'.repeat(57)}`;
    assert.equal(id.length, 64);
    assert.equal((await put(Bucket, minimal(id, Bucket))).statusCode, 200);
    assert.equal((await get(Bucket, id)).Id, id);
  });

  test('a body Id that differs from the query id is InvalidArgument', async () => {
    const Bucket = await setup('inv-idmismatch');
    await rejectsWith(put(Bucket, minimal('in-body', Bucket), 'in-query'), 'InvalidArgument', 400);
    await rejectsWith(get(Bucket, 'in-query'), 'InventoryConfigurationNotFoundError', 404);
  });

  for (const [what, drop] of [
    ['Id', (c) => delete c.Id],
    ['IsEnabled', (c) => delete c.IsEnabled],
    ['IncludedObjectVersions', (c) => delete c.IncludedObjectVersions],
    ['Schedule', (c) => delete c.Schedule],
    ['Schedule/Frequency', (c) => { c.Schedule = { MonthlyDate: '1' }; }],
    ['Destination', (c) => delete c.Destination],
    ['Destination/COSBucketDestination/Format', (c) => delete c.Destination.COSBucketDestination.Format],
    ['Destination/COSBucketDestination/Bucket', (c) => delete c.Destination.COSBucketDestination.Bucket],
  ]) {
    test(`a configuration without ${what} is InvalidArgument`, async () => {
      const Bucket = await setup('inv-required');
      const configuration = minimal('incomplete', Bucket);
      drop(configuration);
      await rejectsWith(put(Bucket, configuration, 'incomplete'), 'InvalidArgument', 400);
    });
  }

  test('a Tag filter without Tag among the optional fields is InvalidArgument; with it, it is stored', async () => {
    const Bucket = await setup('inv-tag');
    const filter = { And: { Prefix: 'p', Tag: { Key: 'age', Value: '18' } } };
    await rejectsWith(put(Bucket, minimal('tagged', Bucket, { Filter: filter, OptionalFields: ['Size'] })), 'InvalidArgument', 400);
    assert.equal((await put(Bucket, minimal('tagged', Bucket, { Filter: filter, OptionalFields: ['Size', 'Tag'] }))).statusCode, 200);
  });

  test('an unknown optional field is InvalidArgument', async () => {
    const Bucket = await setup('inv-field');
    await rejectsWith(put(Bucket, minimal('field', Bucket, { OptionalFields: ['Size', 'Owner'] })), 'InvalidArgument', 400);
  });

  test('a destination bucket that does not exist is InvalidArgument', async () => {
    const Bucket = await setup('inv-nodest');
    const missing = bucketName('inv-absent');
    await rejectsWith(put(Bucket, minimal('nodest', missing)), 'InvalidArgument', 400);
    await rejectsWith(sendXml(Bucket, 'POST', 'nodest', oneTimeXml('nodest', missing)), 'InvalidArgument', 400);
  });

  test('a destination bucket in another region is InvalidArgument', async () => {
    const Bucket = await setup('inv-region');
    const Beijing = await newBucket('inv-beijing', 'ap-beijing');
    const elsewhere = minimal('region', Bucket);
    elsewhere.Destination.COSBucketDestination.Bucket = cosBucket(Beijing, 'ap-beijing');
    await rejectsWith(put(Bucket, elsewhere), 'InvalidArgument', 400);
    // Naming the other bucket as if it were in this region does not get around it.
    elsewhere.Destination.COSBucketDestination.Bucket = cosBucket(Beijing, Region);
    await rejectsWith(put(Bucket, elsewhere), 'InvalidArgument', 400);
  });

  test('XML that is not well-formed is MalformedXML', async () => {
    const Bucket = await setup('inv-malformed');
    await rejectsWith(sendXml(Bucket, 'PUT', 'broken', '<InventoryConfiguration><Id>broken</Id><IsEnabled>true'), 'MalformedXML', 400);
    await rejectsWith(sendXml(Bucket, 'PUT', 'broken', 'not xml at all'), 'MalformedXML', 400);
  });

  test('an empty body is MissingRequestBodyError, on PUT and on POST', async () => {
    const Bucket = await setup('inv-empty-body');
    await rejectsWith(signed(Bucket, 'PUT', 'empty', { Headers: { 'Content-Type': 'application/xml' } }), 'MissingRequestBodyError', 400);
    await rejectsWith(signed(Bucket, 'POST', 'empty', { Headers: { 'Content-Type': 'application/xml' } }), 'MissingRequestBodyError', 400);
  });

  test('a body over 64 KiB is XMLSizeLimit; just under it is accepted', async () => {
    const Bucket = await setup('inv-size');
    const padded = (id, size) => {
      const xml = COS.util.json2xml({ InventoryConfiguration: minimal(id, Bucket) });
      const open = '<InventoryConfiguration>';
      const filler = `<!--${'x'.repeat(size - xml.length - 7)}-->`;
      return xml.replace(open, open + filler);
    };
    const under = padded('under', 64 * 1024);
    assert.equal(Buffer.byteLength(under), 64 * 1024);
    assert.equal((await sendXml(Bucket, 'PUT', 'under', under)).statusCode, 200);
    const over = padded('over', 64 * 1024 + 1);
    assert.equal(Buffer.byteLength(over), 64 * 1024 + 1);
    await rejectsWith(sendXml(Bucket, 'PUT', 'over', over), 'XMLSizeLimit', 400);
  });

  test('a Content-MD5 that does not match the body is BadDigest', async () => {
    const Bucket = await setup('inv-baddigest');
    const xml = COS.util.json2xml({ InventoryConfiguration: minimal('digest', Bucket) });
    await rejectsWith(sendXml(Bucket, 'PUT', 'digest', xml, { 'Content-MD5': md5Base64(`${xml} `) }), 'BadDigest', 400);
    await rejectsWith(get(Bucket, 'digest'), 'InventoryConfigurationNotFoundError', 404);
    // The right digest, and none at all (the Java SDK sends none: cos-wire §1.1), are both accepted.
    assert.equal((await sendXml(Bucket, 'PUT', 'digest', xml)).statusCode, 200);
    assert.equal((await signed(Bucket, 'PUT', 'digest', { Body: xml, Headers: { 'Content-Type': 'application/xml' } })).statusCode, 200);
  });

  test('a Content-MD5 that is not a base64 MD5 is InvalidDigest', async () => {
    const Bucket = await setup('inv-invdigest');
    const xml = COS.util.json2xml({ InventoryConfiguration: minimal('digest', Bucket) });
    await rejectsWith(sendXml(Bucket, 'PUT', 'digest', xml, { 'Content-MD5': 'not!base64' }), 'InvalidDigest', 400);
    await rejectsWith(sendXml(Bucket, 'PUT', 'digest', xml, { 'Content-MD5': Buffer.from('short').toString('base64') }), 'InvalidDigest', 400);
    await rejectsWith(sendXml(Bucket, 'POST', 'digest', oneTimeXml('digest', Bucket), { 'Content-MD5': 'zz' }), 'InvalidDigest', 400);
  });

  test('every inventory operation on a bucket that does not exist is NoSuchBucket', async () => {
    const Bucket = bucketName('inv-nobucket');
    const Destination = await setup('inv-realdest');
    await rejectsWith(put(Bucket, minimal('x', Destination)), 'NoSuchBucket', 404);
    await rejectsWith(get(Bucket, 'x'), 'NoSuchBucket', 404);
    await rejectsWith(list(Bucket), 'NoSuchBucket', 404);
    await rejectsWith(remove(Bucket, 'x'), 'NoSuchBucket', 404);
    await rejectsWith(sendXml(Bucket, 'POST', 'x', oneTimeXml('x', Destination)), 'NoSuchBucket', 404);
  });

  test('an unsigned request is AccessDenied', async () => {
    const Bucket = await setup('inv-anon');
    await put(Bucket, minimal('secret', Bucket));
    const response = await raw('GET', '/?inventory&id=secret', { host: hostOf(Bucket) });
    assert.equal(response.status, 403);
    assert.equal(errorCode(response.body), 'AccessDenied');
    assert.doesNotMatch(response.body, /InventoryConfiguration/);
    const listed = await raw('GET', '/?inventory', { host: hostOf(Bucket) });
    assert.equal(listed.status, 403);
    assert.equal(errorCode(listed.body), 'AccessDenied');
  });

  test('an expired signature is AccessDenied "Request has expired", which the SDK corrects with the Date header', async () => {
    const Bucket = await setup('inv-expired');
    await put(Bucket, minimal('timed', Bucket));
    // A client clock an hour slow signs a window that has already closed.
    const slow = new COS({
      SecretId: account.secretId, SecretKey: account.secretKey, Protocol: 'http:', Ip: endpoint.host,
      SystemClockOffset: -3600_000, CorrectClockSkew: false,
    });
    await assert.rejects(call(slow, 'getBucketInventory', { Bucket, Region, Id: 'timed' }), (err) => {
      assert.equal(err.code, 'AccessDenied');
      assert.equal(err.statusCode, 403);
      assert.equal(err.error.Message, 'Request has expired');
      assert.ok(err.headers.date, 'a Date header to correct the clock with');
      return true;
    });
    // With CorrectClockSkew (the default) the SDK reads the server's Date, re-signs and succeeds (cos-wire §4.2).
    const corrected = new COS({
      SecretId: account.secretId, SecretKey: account.secretKey, Protocol: 'http:', Ip: endpoint.host, SystemClockOffset: -3600_000,
    });
    const errorLog = console.error;
    console.error = () => {}; // the SDK reports the skew it corrects
    try {
      const got = await call(corrected, 'getBucketInventory', { Bucket, Region, Id: 'timed' });
      assert.equal(got.InventoryConfiguration.Id, 'timed');
    } finally {
      console.error = errorLog;
    }
    assert.ok(Math.abs(corrected.options.SystemClockOffset) < 120_000, 'the SDK took the server clock');
  });

  test('a signature made for an hour ahead is RequestTimeTooSkewed', async () => {
    const Bucket = await setup('inv-skew');
    const fast = new COS({
      SecretId: account.secretId, SecretKey: account.secretKey, Protocol: 'http:', Ip: endpoint.host,
      SystemClockOffset: 3600_000, CorrectClockSkew: false,
    });
    await rejectsWith(call(fast, 'listBucketInventory', { Bucket, Region }), 'RequestTimeTooSkewed', 403);
  });

  test('a hand-made expired signature (COS.getAuthorization with a past KeyTime) is AccessDenied', async () => {
    const Bucket = await setup('inv-keytime');
    const now = Math.floor(Date.now() / 1000);
    const auth = authorization(Bucket, 'get', { inventory: '' }, { KeyTime: `${now - 3600};${now - 1800}` });
    const response = await raw('GET', '/?inventory', { host: hostOf(Bucket), authorization: auth });
    assert.equal(response.status, 403);
    assert.equal(errorCode(response.body), 'AccessDenied');
    assert.match(response.body, /<Message>Request has expired<\/Message>/);
    // The same signature with a current window succeeds, so it was the window that failed.
    const fresh = await raw('GET', '/?inventory', { host: hostOf(Bucket), authorization: authorization(Bucket, 'get', { inventory: '' }) });
    assert.equal(fresh.status, 200, fresh.body);
  });

  test('a wrong SecretKey is SignatureDoesNotMatch, an unknown SecretId InvalidAccessKeyId', async () => {
    const Bucket = await setup('inv-sig');
    const impostor = cosClient({ secretKey: 'wrong-wrong-wrong-wrong-wrong-wr' });
    await rejectsWith(put(Bucket, minimal('sig', Bucket), 'sig', impostor), 'SignatureDoesNotMatch', 403);
    await rejectsWith(call(impostor, 'listBucketInventory', { Bucket, Region }), 'SignatureDoesNotMatch', 403);
    await rejectsWith(get(Bucket, 'sig'), 'InventoryConfigurationNotFoundError', 404);
    const stranger = cosClient({ secretId: 'AKIDnobodyHasThisSecretId0000000000' });
    await rejectsWith(call(stranger, 'getBucketInventory', { Bucket, Region, Id: 'sig' }), 'InvalidAccessKeyId', 403);
  });

  test('a body changed after signing is SignatureDoesNotMatch', async () => {
    const Bucket = await setup('inv-tamper');
    const xml = COS.util.json2xml({ InventoryConfiguration: minimal('tamper', Bucket) });
    const query = { inventory: '', id: 'tamper' };
    const headers = { host: hostOf(Bucket), 'content-type': 'application/xml', 'content-md5': md5Base64(xml) };
    const auth = authorization(Bucket, 'put', query, { Headers: headers });
    const tampered = xml.replace('<IsEnabled>true</IsEnabled>', '<IsEnabled>false</IsEnabled>');
    // The Content-MD5 header is signed; swapping it for the tampered body's digest breaks the signature.
    const response = await raw('PUT', '/?inventory&id=tamper', { ...headers, 'content-md5': md5Base64(tampered), authorization: auth }, tampered);
    assert.equal(response.status, 403, response.body);
    assert.equal(errorCode(response.body), 'SignatureDoesNotMatch');
    // Unchanged, the same signature is accepted.
    const honest = await raw('PUT', '/?inventory&id=tamper', { ...headers, authorization: auth }, xml);
    assert.equal(honest.status, 200, honest.body);
  });

  test('a method the inventory sub-resource does not have is MethodNotAllowed', async () => {
    const Bucket = await setup('inv-method');
    await rejectsWith(signed(Bucket, 'PATCH', 'x'), 'MethodNotAllowed', 405);
  });
});
