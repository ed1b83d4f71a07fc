// The load client of Coffer's HTTP benchmarks. Sends COUNT requests of one kind with CONCURRENCY in flight to one or
// several S3 endpoints (each request to the next endpoint in turn), and prints one JSON line: requests/s, MB/s, latency
// percentiles, and, for each server process id given, the CPU time it spent per request (from /proc/PID/stat).
//
//   node load.mjs --endpoints http://127.0.0.1:9000[,http://...] --bucket B --access AK --secret SK
//                 [--op put|get|head|list|bucket] [--count 10000] [--concurrency 32] [--size 1024] [--client raw|sdk|curl]
//                 [--region ap-guangzhou] [--prefix load/] [--pids 123,456]
//
// raw: Node's http with keep-alive and SigV4-signed requests (UNSIGNED-PAYLOAD), the least a client can spend per
// request; sdk: @aws-sdk/client-s3, what applications use; curl (GET only): one curl process a request, the same signed
// headers, the body to /dev/null, for large GETs: Node's client spends 1.5-4.5 s of its own CPU receiving a GiB (a fresh
// buffer every read), so it, not the server or the loopback, bounded a large GET, where curl takes about 0.35 s. Keys are PREFIX + a zero-padded index, so a get or head run
// reads what a put run with the same prefix and count wrote. list (raw only): COUNT walks of PREFIX with
// ListObjects, 1,000 keys a page, CONCURRENCY walks at a time; its rates count objects listed, its CPU per request
// is per page. A body over 16 MiB is sent as a stream of one 1 MiB random block repeated (a 1 GiB object needs no
// 1 GiB buffer); a GET's bytes are counted, not kept.
import http from 'node:http';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { S3Client, PutObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, word, i, all) => {
  if (word.startsWith('--')) pairs.push([word.slice(2), all[i + 1]]);
  return pairs;
}, []));
const endpoints = (args.endpoints ?? 'http://127.0.0.1:9000').split(',').map((e) => new URL(e));
const op = args.op ?? 'put';
const count = Number(args.count ?? 10_000);
const concurrency = Number(args.concurrency ?? 32);
const size = Number(args.size ?? 1024);
const client = args.client ?? 'raw';
const region = args.region ?? 'ap-guangzhou';
const prefix = args.prefix ?? 'load/';
const bucket = args.bucket;
const pids = (args.pids ?? '').split(',').filter(Boolean).map(Number);
const streamed = size > 16 << 20;
const body = randomBytes(streamed ? 1 << 20 : size);
const keyOf = (i) => `${prefix}${String(i).padStart(9, '0')}`;

const hmac = (key, text) => createHmac('sha256', key).update(text).digest();
const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const encodeKey = (key) => key.split('/').map((part) => encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');

const encodeQuery = (text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

// SigV4 in the Authorization header, path-style, with an unsigned payload.
function signedHeaders(method, url, contentLength) {
  const now = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = now.slice(0, 8);
  const headers = { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-date': now };
  const names = Object.keys(headers).sort();
  const query = [...url.searchParams].map(([k, v]) => `${encodeQuery(k)}=${encodeQuery(v)}`).sort().join('&');
  const canonical = [method, url.pathname, query, ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', now, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${args.secret}`, day), region), 's3'), 'aws4_request');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${args.access}/${scope}, SignedHeaders=${names.join(';')}, Signature=${hmac(key, toSign).toString('hex')}`;
  if (contentLength !== undefined) headers['content-length'] = contentLength;
  return headers;
}

if (args.op === 'bucket') {
  // Creates the bucket (path style, through the first endpoint) and exits.
  const url = new URL(`/${bucket}`, endpoints[0]);
  const status = await new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'PUT', headers: signedHeaders('PUT', url, 0) }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    request.on('error', reject);
    request.end();
  });
  console.log(JSON.stringify({ op: 'bucket', bucket, status }));
  process.exit(status === 200 ? 0 : 1);
}

const agents = endpoints.map(() => new http.Agent({ keepAlive: true, maxSockets: concurrency }));
function rawRequest(index, i) {
  const endpoint = endpoints[index];
  const url = new URL(`/${bucket}/${encodeKey(keyOf(i))}`, endpoint);
  const method = { put: 'PUT', get: 'GET', head: 'HEAD' }[op];
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent: agents[index], headers: signedHeaders(method, url, op === 'put' ? size : undefined) }, (response) => {
      let received = 0;
      response.on('data', (chunk) => { received += chunk.length; });
      response.on('end', () => (response.statusCode === 200 ? resolve(received) : reject(new Error(`${method} ${url.pathname}: ${response.statusCode}`))));
    });
    request.on('error', reject);
    if (op !== 'put' || !streamed) {
      request.end(op === 'put' ? body : undefined);
      return;
    }
    let left = size;
    const write = () => {
      while (left > 0) {
        const block = left >= body.length ? body : body.subarray(0, left);
        left -= block.length;
        if (!request.write(block)) {
          request.once('drain', write);
          return;
        }
      }
      request.end();
    };
    write();
  });
}

// One ListObjects page (version 1, which every server here pages right: s3rver answers a V2 continuation with 500);
// the number of keys on it and the marker of the next one.
function listPage(index, marker) {
  const url = new URL(`/${bucket}`, endpoints[index]);
  url.searchParams.set('prefix', prefix);
  url.searchParams.set('max-keys', '1000');
  if (marker) url.searchParams.set('marker', marker);
  url.search = [...url.searchParams].map(([k, v]) => `${encodeQuery(k)}=${encodeQuery(v)}`).join('&');
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'GET', agent: agents[index], headers: signedHeaders('GET', url) }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const xml = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode !== 200) {
          reject(new Error(`LIST ${url.pathname}: ${response.statusCode} ${xml.slice(0, 200)}`));
          return;
        }
        const keys = [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => match[1]);
        const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml) && keys.length > 0;
        resolve({ keys: keys.length, next: truncated ? unescapeXml(keys[keys.length - 1]) : null });
      });
    });
    request.on('error', reject);
    request.end();
  });
}
const unescapeXml = (text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

const sdks = endpoints.map((endpoint) => new S3Client({
  endpoint: endpoint.origin,
  region,
  forcePathStyle: true,
  credentials: { accessKeyId: args.access, secretAccessKey: args.secret },
  requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets: concurrency }) },
}));
async function sdkRequest(index, i) {
  const Key = keyOf(i);
  if (op === 'put') {
    await sdks[index].send(new PutObjectCommand({ Bucket: bucket, Key, Body: body }));
    return 0;
  }
  if (op === 'head') {
    await sdks[index].send(new HeadObjectCommand({ Bucket: bucket, Key }));
    return 0;
  }
  const answer = await sdks[index].send(new GetObjectCommand({ Bucket: bucket, Key }));
  return (await answer.Body.transformToByteArray()).length;
}

function curlRequest(index, i) {
  if (op !== 'get') throw new Error('--client curl sends GETs only');
  const url = new URL(`/${bucket}/${encodeKey(keyOf(i))}`, endpoints[index]);
  const headers = Object.entries(signedHeaders('GET', url)).filter(([name]) => name !== 'host').flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  return new Promise((resolve, reject) => {
    execFile('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download}', ...headers, url.href], (error, stdout) => {
      const [status, received] = stdout.split(' ').map(Number);
      if (error || status !== 200) reject(error ?? new Error(`GET ${url.pathname}: ${status}`));
      else resolve(received);
    });
  });
}

const cpuOf = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in seconds (100 ticks a second)
};

// A list run's unit is a walk (its latency is the whole walk's); it counts the objects and pages it saw.
async function walk(index) {
  let objects = 0;
  let pages = 0;
  let token = null;
  do {
    const page = await listPage(index, token);
    objects += page.keys;
    pages += 1;
    token = page.next;
  } while (token);
  listed.objects += objects;
  listed.pages += pages;
  return 0;
}
const listed = { objects: 0, pages: 0 };

const latencies = new Float64Array(count);
let next = 0;
let bytes = 0;
const send = op === 'list' ? walk : client === 'sdk' ? sdkRequest : client === 'curl' ? curlRequest : rawRequest;
const cpuBefore = pids.map(cpuOf);
const started = process.hrtime.bigint();
await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
  while (next < count) {
    const i = next++;
    const begun = process.hrtime.bigint();
    bytes += await send(i % endpoints.length, i);
    latencies[i] = Number(process.hrtime.bigint() - begun) / 1e6;
  }
}));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = pids.map((pid, n) => cpuOf(pid) - cpuBefore[n]);
latencies.sort();
const percentile = (p) => Math.round(latencies[Math.min(count - 1, Math.floor(count * p))] * 100) / 100;
const transferred = op === 'put' ? count * size : bytes;
// What the rates count: objects (listed objects for a list run), and the requests the server's CPU is divided by.
const units = op === 'list' ? listed.objects : count;
const requests = op === 'list' ? listed.pages : count;
const cpuTotal = cpu.reduce((a, b) => a + b, 0);
console.log(JSON.stringify({
  op,
  client,
  endpoints: endpoints.length,
  count,
  concurrency,
  size: op === 'list' ? 0 : size,
  seconds: Math.round(seconds * 1000) / 1000,
  perSecond: Math.round(units / seconds),
  ...(op === 'list' ? { pages: listed.pages, objects: listed.objects } : {}),
  mbPerSecond: Math.round((transferred / seconds / 1e6) * 100) / 100,
  p50Ms: percentile(0.5),
  p99Ms: percentile(0.99),
  serverCpuSeconds: Math.round(cpuTotal * 100) / 100,
  serverCpuMicrosPerRequest: pids.length ? Math.round((cpuTotal / requests) * 1e6) : null,
}));
agents.forEach((agent) => agent.destroy());
sdks.forEach((sdk) => sdk.destroy());
