// The load client of Coffer's HTTP benchmarks. Sends COUNT requests of one kind with CONCURRENCY in flight to one or
// several S3 endpoints (each request to the next endpoint in turn), and prints one JSON line: requests/s, MB/s, latency
// percentiles, for each server process id given the CPU time it spent per request (from /proc/PID/stat), and the
// client's own CPU time per request (this process with process.cpuUsage(), plus the curl processes it waited for).
//
//   node load.mjs --endpoints http://127.0.0.1:9000[,http://...] --bucket B --access AK --secret SK
//                 [--op put|get|head|list|multipart|bucket] [--count 10000] [--concurrency 32] [--size 1024]
//                 [--client raw|wire|wrk|sdk|curl|awscli] [--file FILE] [--region ap-guangzhou] [--prefix load/] [--pids 123,456]
//                 [--anonymous] [--keys padded|mixed] [--acl public-read-write] [--part-size 8388608] [--parts-in-flight 10]
//                 [--aws /usr/bin/aws] [--wrk wrk]
//
// raw: Node's http with keep-alive and SigV4-signed requests (UNSIGNED-PAYLOAD, the signing key derived afresh each
// request); it spends about as much CPU per small request as the server it measures (186-229 µs a 1 KiB PUT), so on
// a shared machine it bounds the rate. wire (put, get, head; bodies up to 16 MiB): node:net keep-alive connections, one
// request in flight on each (no pipelining), the request head written as one string with the body in the same corked
// write, a minimal response parser (Content-Length, chunked, Connection: close), and SigV4 with the signing key cached
// per day as the SDKs do (one SHA-256 and one HMAC a request): about a third of raw's CPU a request. wrk (put and get,
// one endpoint; no head): the wire client's requests, every one signed before the run starts, replayed by wrk (Debian's
// package, C and epoll, one thread) through replay.lua: a native client whose CPU a request is a fraction of the wire
// client's, so on two shared cores it leaves a server that uses both of them what a client on another machine would;
// its latencies are wrk's, corrected for coordinated omission (not raw times, unlike the other clients'), its CPU wrk's
// own after it read the files (the signing before the run is not counted, where the wire client's figure includes its
// signing). sdk:
// @aws-sdk/client-s3, what applications use. curl (get and put, for large objects): one curl process a request, the
// same signed headers; a GET's body goes to /dev/null, a PUT uploads FILE (--file, SIZE bytes) with -T, which streams
// it with its Content-Length. Node's own client spends 1.1-8.6 s of CPU receiving a GiB (a fresh buffer every read),
// so it, not the server or the loopback, bounds a large GET, where curl takes 0.35-0.6 s. Sending a GiB Node spends
// 0.25-0.4 s (one buffer written again and again), less than curl reading FILE (0.5-0.6 s): a second client, not a
// cheaper one.
// Keys are PREFIX + a zero-padded index, so a get or head run reads what a put run with the same prefix and count
// wrote, and a put run with the prefix of an earlier one overwrites its objects. --keys mixed gives the key shapes of
// the brief's reference program (s3bench.mjs: dated photo paths, log parts, user documents, and `media/视频/<word> <n>.mp4`)
// under PREFIX. --anonymous (wire only) sends no signature: the head is the request line, Host, Content-Type (a PUT)
// and Content-Length, as that program's unsigned PUTs send them, for a bucket that lets anyone write or read. --acl
// gives the bucket an x-amz-acl when --op bucket creates it. list (raw only): COUNT walks of PREFIX with ListObjects, 1,000 keys a page, CONCURRENCY walks at a time; its
// rates count objects listed, its CPU per request is per page. A body over 16 MiB is sent (raw, sdk) as a stream of
// one 1 MiB random block repeated (a 1 GiB object needs no 1 GiB buffer); a GET's bytes are counted, not kept.
// multipart (raw only): each of the COUNT objects is uploaded as clients upload large files: CreateMultipartUpload,
// UploadPart of --part-size bytes (default 8 MiB) with --parts-in-flight of them at a time (default 10: awscli's
// defaults), each on its own keep-alive connection, then CompleteMultipartUpload; an object's latency is the three
// steps together, and the server's CPU is per object, as for a large PUT. awscli (put, for large objects): one
// `aws s3 cp FILE` a request (the --aws program, default /usr/bin/aws; path style, its own defaults otherwise: 8 MiB parts, 10 in
// flight, and over http every part's SHA-256 signed), its CPU counted with the client's.
// The JSON line's bytes are COUNT × SIZE for a PUT (what was sent) and the body bytes received for a GET; retries
// counts wire requests sent again because their connection closed before any byte of an answer (the server may have
// run them, so the server's CPU a request is then slightly overstated).
import http from 'node:http';
import net from 'node:net';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { writeRepeated } from './repeat.mjs';
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
const partSize = Number(args['part-size'] ?? 8 << 20);
const partsInFlight = Number(args['parts-in-flight'] ?? 10);
if (op === 'multipart') {
  // S3's limits (every part but the last at least 5 MiB, at most 10,000 parts): a shape outside them is refused here
  // rather than measured against a server that answers anything (the loopback row).
  const partCount = Math.ceil(size / partSize);
  if (!Number.isInteger(partsInFlight) || partsInFlight < 1) throw new Error(`--parts-in-flight ${args['parts-in-flight']}: at least 1`);
  if (!Number.isInteger(partSize) || (partCount > 1 && partSize < 5 << 20) || partCount > 10_000) {
    throw new Error(`--part-size ${args['part-size']}: parts of at least 5 MiB, at most 10,000 of them`);
  }
}
const streamed = size > 16 << 20;
const body = randomBytes(streamed ? 1 << 20 : size);
const anonymous = 'anonymous' in args;
const words = ['report', 'final', 'draft', 'invoice', 'summary', 'holiday', 'scan', 'budget'];
const mixedKeyOf = (i) => {
  switch (i % 5) {
    case 0: case 1: return `photos/${2015 + (i * 7) % 10}/${String(1 + (i * 13) % 12).padStart(2, '0')}/img_${String(i).padStart(8, '0')}.jpg`;
    case 2: return `logs/api/2024-07-${String(1 + i % 28).padStart(2, '0')}/part-${String(i).padStart(8, '0')}.log.gz`;
    case 3: return `users/${String((i * 7919) % 1000000).padStart(6, '0')}/${words[i % 8]}/${words[(i >> 3) % 8]}_${i}.pdf`;
    default: return `media/视频/${words[i % 8]} ${i}.mp4`;
  }
};
const keyOf = args.keys === 'mixed' ? (i) => `${prefix}${mixedKeyOf(i)}` : (i) => `${prefix}${String(i).padStart(9, '0')}`;

const hmac = (key, text) => createHmac('sha256', key).update(text).digest();
const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const encodeKey = (key) => key.split('/').map((part) => encodeURIComponent(part).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');

const encodeQuery = (text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

// SigV4 in the Authorization header, path-style, with an unsigned payload.
function signedHeaders(method, url, contentLength, extra = {}) {
  const now = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = now.slice(0, 8);
  const headers = { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-date': now, ...extra };
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
    const headers = signedHeaders('PUT', url, 0, args.acl ? { 'x-amz-acl': args.acl } : {});
  const request = http.request(url, { method: 'PUT', headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    request.on('error', reject);
    request.end();
  });
  console.log(JSON.stringify({ op: 'bucket', bucket, status }));
  process.exit(status === 200 ? 0 : 1);
}

const agents = endpoints.map(() => new http.Agent({ keepAlive: true, maxSockets: op === 'multipart' ? concurrency * partsInFlight : concurrency }));

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
    writeRepeated(request, body, size);
  });
}

// One signed request of the raw client whose body is TEXT, or LENGTH bytes of the body block; resolves with the
// answer's status, headers and text, and fails on any status but 200 or an error document (a completion can fail
// after its 200 is sent).
function exchange(index, method, url, { length = 0, text } = {}) {
  return new Promise((resolve, reject) => {
    const headers = signedHeaders(method, url, text === undefined ? length : Buffer.byteLength(text));
    const request = http.request(url, { method, agent: agents[index], headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const answer = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode !== 200 || answer.includes('<Error>')) reject(new Error(`${method} ${url.pathname}${url.search}: ${response.statusCode} ${answer.slice(0, 200)}`));
        else resolve({ headers: response.headers, text: answer });
      });
    });
    request.on('error', reject);
    if (text === undefined) writeRepeated(request, body, length);
    else request.end(text);
  });
}

// One object uploaded in parts: CreateMultipartUpload, partsInFlight UploadParts at a time, CompleteMultipartUpload.
async function multipartRequest(index, i) {
  const path = `/${bucket}/${encodeKey(keyOf(i))}`;
  const at = (query) => new URL(`${path}?${query}`, endpoints[index]);
  const created = await exchange(index, 'POST', at('uploads'));
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.text)?.[1];
  if (!uploadId) throw new Error(`POST ${path}?uploads: no UploadId in ${created.text.slice(0, 200)}`);
  const query = `uploadId=${encodeQuery(unescapeXml(uploadId))}`;
  const etags = new Array(Math.max(1, Math.ceil(size / partSize)));
  let nextPart = 0;
  await Promise.all(Array.from({ length: Math.min(partsInFlight, etags.length) }, async () => {
    while (nextPart < etags.length) {
      const n = nextPart++;
      const answer = await exchange(index, 'PUT', at(`partNumber=${n + 1}&${query}`), { length: Math.min(partSize, size - n * partSize) });
      etags[n] = answer.headers.etag;
      if (!etags[n]) throw new Error(`PUT ${path}?partNumber=${n + 1}: no ETag in the answer`);
    }
  }));
  const parts = etags.map((etag, n) => `<Part><PartNumber>${n + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('');
  await exchange(index, 'POST', at(query), { text: `<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>` });
  return 0;
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

// The wire client. The signing key depends only on the day (and the secret and region), so it is derived once a day;
// the timestamp string changes once a second.
const signingKeys = new Map();
const signingKey = (day) => {
  if (!signingKeys.has(day)) signingKeys.set(day, hmac(hmac(hmac(hmac(`AWS4${args.secret}`, day), region), 's3'), 'aws4_request'));
  return signingKeys.get(day);
};
let stampSecond = -1;
let stamp = '';
const amzDate = () => {
  const second = Math.floor(Date.now() / 1000);
  if (second !== stampSecond) {
    stampSecond = second;
    stamp = new Date(second * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  }
  return stamp;
};

// The request head of a path-style request without a query, signed with SigV4 (UNSIGNED-PAYLOAD): the same three
// signed headers as the raw client, written out directly.
function wireHead(method, endpoint, path, contentLength) {
  if (anonymous) {
    return `${method} ${path} HTTP/1.1\r\nHost: ${endpoint.host}\r\n`
      + `${contentLength === undefined ? '' : `Content-Type: application/octet-stream\r\nContent-Length: ${contentLength}\r\n`}\r\n`;
  }
  const now = amzDate();
  const scope = `${now.slice(0, 8)}/${region}/s3/aws4_request`;
  const canonical = `${method}\n${path}\n\nhost:${endpoint.host}\nx-amz-content-sha256:UNSIGNED-PAYLOAD\nx-amz-date:${now}\n\n`
    + 'host;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD';
  const signature = createHmac('sha256', signingKey(now.slice(0, 8))).update(`AWS4-HMAC-SHA256\n${now}\n${scope}\n${sha256(canonical)}`).digest('hex');
  return `${method} ${path} HTTP/1.1\r\nHost: ${endpoint.host}\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\nx-amz-date: ${now}\r\n`
    + `Authorization: AWS4-HMAC-SHA256 Credential=${args.access}/${scope}, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${signature}\r\n`
    + `${contentLength === undefined ? '' : `Content-Length: ${contentLength}\r\n`}\r\n`;
}

// One keep-alive connection with at most one request in flight, and the smallest HTTP/1.1 response parser that reads
// what these servers send: a status line, Content-Length or chunked bodies (counted, not kept), no body for HEAD,
// 204 or 304, a body up to the close when neither length is given, and Connection: close.
class WireConnection {
  constructor(endpoint) {
    this.socket = net.connect(Number(endpoint.port || 80), endpoint.hostname);
    this.socket.setNoDelay(true);
    this.open = true;
    this.answered = 0;
    this.exchange = null;
    this.socket.on('data', (chunk) => this.receive(chunk));
    this.socket.on('error', (error) => this.end(error));
    this.socket.on('close', () => this.end(null));
  }

  send(head, body, noBody) {
    return new Promise((resolve, reject) => {
      if (!this.open || this.socket.destroyed) {
        // Closed while idle: a write to a destroyed socket would raise neither error nor close, and never settle.
        reject(Object.assign(new Error('connection closed while idle'), { stale: true }));
        return;
      }
      this.exchange = { resolve, reject, noBody, state: 'head', pending: null, line: '', left: 0, received: 0, status: 0, close: false, any: false };
      this.socket.cork();
      this.socket.write(head, 'latin1');
      if (body) this.socket.write(body);
      this.socket.uncork();
    });
  }

  receive(chunk) {
    const x = this.exchange;
    if (!x) {
      this.end(new Error('bytes received with no request in flight'));
      return;
    }
    x.any = true;
    let at = 0;
    while (at < chunk.length && this.exchange === x) {
      if (x.state === 'head') {
        const data = x.pending ? Buffer.concat([x.pending, chunk.subarray(at)]) : chunk.subarray(at);
        const endOfHead = data.indexOf('\r\n\r\n');
        if (endOfHead < 0) {
          x.pending = Buffer.from(data);
          return;
        }
        x.pending = null;
        try {
          this.parseHead(x, data.latin1Slice(0, endOfHead));
        } catch (error) {
          this.end(error);
          return;
        }
        chunk = data;
        at = endOfHead + 4;
      } else if (x.state === 'length' || x.state === 'chunk') {
        const taken = Math.min(x.left, chunk.length - at);
        x.left -= taken;
        x.received += taken;
        at += taken;
        if (x.left === 0) {
          if (x.state === 'length') this.finish(x);
          else x.state = 'chunk-end';
        }
      } else if (x.state === 'close') {
        x.received += chunk.length - at;
        return;
      } else {
        // chunk-size, chunk-end (the CRLF after a chunk's data) and trailer are lines.
        const newline = chunk.indexOf(10, at);
        x.line += chunk.latin1Slice(at, newline < 0 ? chunk.length : newline + 1);
        if (newline < 0) return;
        at = newline + 1;
        const line = x.line.trim();
        x.line = '';
        if (x.state === 'chunk-end') x.state = 'chunk-size';
        else if (x.state === 'trailer') {
          if (line === '') this.finish(x);
        } else {
          x.left = parseInt(line, 16);
          if (Number.isNaN(x.left)) {
            this.end(new Error(`bad chunk size line: ${line}`));
            return;
          }
          x.state = x.left === 0 ? 'trailer' : 'chunk';
        }
      }
    }
    if (at < chunk.length && this.exchange !== x) this.end(new Error('more bytes than the response'));
  }

  parseHead(x, head) {
    const lines = head.split('\r\n');
    x.status = Number(lines[0].slice(9, 12));
    if (x.status >= 100 && x.status < 200) return; // an interim answer: the real head follows
    let length = -1;
    let chunked = false;
    x.close = lines[0].startsWith('HTTP/1.0');
    for (let n = 1; n < lines.length; n++) {
      const colon = lines[n].indexOf(':');
      const name = lines[n].slice(0, colon).trim().toLowerCase();
      const value = lines[n].slice(colon + 1).trim().toLowerCase();
      if (name === 'content-length') {
        // Anything but one plain number (a list, a sign) would read as NaN and wait for a close that never comes.
        if (!/^\d+$/.test(value)) throw new Error(`bad Content-Length: ${value}`);
        length = Number(value);
      }
      else if (name === 'transfer-encoding') chunked = value.includes('chunked');
      else if (name === 'connection') x.close = value.includes('close') || (x.close && !value.includes('keep-alive'));
    }
    if (x.noBody || x.status === 204 || x.status === 304 || length === 0) this.finish(x);
    else if (chunked) x.state = 'chunk-size';
    else if (length > 0) {
      x.state = 'length';
      x.left = length;
    } else {
      x.state = 'close';
      x.close = true;
    }
  }

  finish(x) {
    this.exchange = null;
    this.answered += 1;
    if (x.close) {
      this.open = false;
      this.socket.destroy();
    }
    x.resolve({ status: x.status, received: x.received });
  }

  // The socket failed or closed: ends the exchange in flight, if any. A body read up to the close is complete; a
  // reused connection closed before any byte of its answer was closed by the server while idle, and the request can
  // be sent again on a new one (what Node's agent leaves to the caller too).
  end(error) {
    this.open = false;
    if (error) this.socket.destroy();
    const x = this.exchange;
    if (!x) return;
    this.exchange = null;
    if (!error && x.state === 'close') {
      x.resolve({ status: x.status, received: x.received });
      return;
    }
    const failure = error ?? new Error(`connection closed in the middle of a response (${x.state})`);
    failure.stale = !x.any && this.answered > 0;
    x.reject(failure);
  }
}

const idle = endpoints.map(() => []);
async function wireRequest(index, i) {
  if (streamed) throw new Error('--client wire sends bodies up to 16 MiB');
  const endpoint = endpoints[index];
  const method = { put: 'PUT', get: 'GET', head: 'HEAD' }[op];
  const path = `/${bucket}/${encodeKey(keyOf(i))}`;
  for (let attempt = 0; ; attempt++) {
    // A connection the server closed while it sat idle is dropped here, not sent on.
    let connection = idle[index].pop();
    while (connection && !connection.open) connection = idle[index].pop();
    connection ??= new WireConnection(endpoint);
    let answer;
    try {
      answer = await connection.send(wireHead(method, endpoint, path, op === 'put' ? size : undefined), op === 'put' ? body : null, method === 'HEAD');
    } catch (error) {
      if (error.stale && attempt === 0) {
        // No byte of an answer came back; the request is sent again on a new connection, and counted, since the
        // server may have run it (a PUT of the same body to the same key is the same object either way).
        retries += 1;
        continue;
      }
      throw error;
    }
    if (connection.open) idle[index].push(connection);
    if (answer.status !== 200) throw new Error(`${method} ${path}: ${answer.status}`);
    return answer.received;
  }
}

// curl: GET to /dev/null, or PUT of FILE with -T (streamed from the file with its Content-Length; no Expect:
// 100-continue, which would wait for an interim answer first).
function curlRequest(index, i) {
  if (op !== 'get' && op !== 'put') throw new Error('--client curl sends GETs and PUTs only');
  const method = op.toUpperCase();
  const url = new URL(`/${bucket}/${encodeKey(keyOf(i))}`, endpoints[index]);
  const headers = Object.entries(signedHeaders(method, url)).filter(([name]) => name !== 'host').flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const upload = op === 'put' ? ['-T', args.file, '-H', 'Expect:'] : [];
  return new Promise((resolve, reject) => {
    execFile('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download} %{size_upload}', ...upload, ...headers, url.href], (error, stdout) => {
      const [status, received, sent] = stdout.split(' ').map(Number);
      if (error || status !== 200) reject(error ?? new Error(`${method} ${url.pathname}: ${status}`));
      else if (op === 'put' && sent !== size) reject(new Error(`PUT ${url.pathname}: curl sent ${sent} bytes, not ${size}`));
      else resolve(received);
    });
  });
}

// awscli: `aws s3 cp FILE s3://BUCKET/KEY`, with the credentials and region in its environment and a configuration
// file of its own that asks for path-style addresses (nothing else changed from its defaults).
let awsConfig = null;
function awscliRequest(index, i) {
  if (op !== 'put') throw new Error('--client awscli sends PUTs only');
  if (!awsConfig) {
    awsConfig = mkdtempSync(join(tmpdir(), 'load-awscli-'));
    writeFileSync(join(awsConfig, 'config'), '[default]\ns3 =\n    addressing_style = path\n');
  }
  // A session token or profile of the caller's environment would be sent along or looked up: neither is ours.
  const { AWS_SESSION_TOKEN, AWS_PROFILE, ...inherited } = process.env;
  const env = {
    ...inherited, AWS_CONFIG_FILE: join(awsConfig, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(awsConfig, 'none'),
    AWS_ACCESS_KEY_ID: args.access, AWS_SECRET_ACCESS_KEY: args.secret, AWS_DEFAULT_REGION: region, AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true',
  };
  const target = `s3://${bucket}/${keyOf(i)}`;
  return new Promise((resolve, reject) => {
    execFile(args.aws ?? '/usr/bin/aws', ['s3', 'cp', args.file, target, '--endpoint-url', endpoints[index].origin, '--only-show-errors'], { env }, (error, stdout, stderr) => {
      if (error) reject(new Error(`aws s3 cp ${target}: ${stderr || error.message}`));
      else resolve(0);
    });
  });
}

if (anonymous && client !== 'wire' && client !== 'wrk') throw new Error('--anonymous is for --client wire and wrk');
if (op === 'multipart' && client !== 'raw') throw new Error('--op multipart is for --client raw');
if ((client === 'curl' || client === 'awscli') && op === 'put' && statSync(args.file ?? '/nonexistent', { throwIfNoEntry: false })?.size !== size) {
  throw new Error(`--client ${client} --op put needs --file with exactly --size (${size}) bytes`);
}

const statOf = (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
const cpuOf = (pid) => {
  const fields = statOf(pid);
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in seconds (100 ticks a second)
};
// The client's CPU: this process's every thread (microseconds), plus the children it has waited for (the curl
// processes: cutime + cstime, in ticks).
const clientCpu = () => {
  const own = process.cpuUsage();
  const fields = statOf('self');
  return (own.user + own.system) / 1e6 + (Number(fields[13]) + Number(fields[14])) / 100;
};

// wrk: the COUNT requests are signed here before the run (the wire client's heads, a PUT's body after its head) and
// written to two files, the requests one after the other and their lengths, which replay.lua reads before wrk starts.
function writeReplay() {
  // No HEAD: wrk's response parser does not know which request an answer is for, so it waits for the body of a HEAD
  // answer's Content-Length, which never comes.
  if (!['put', 'get'].includes(op) || streamed || endpoints.length !== 1) {
    throw new Error('--client wrk sends PUTs and GETs of up to 16 MiB to one endpoint');
  }
  const method = op.toUpperCase();
  const folder = mkdtempSync(join(tmpdir(), 'coffer-wrk-'));
  const chunks = [];
  const lengths = [];
  for (let i = 0; i < count; i++) {
    const head = Buffer.from(wireHead(method, endpoints[0], `/${bucket}/${encodeKey(keyOf(i))}`, op === 'put' ? size : undefined));
    chunks.push(head);
    if (op === 'put') chunks.push(body);
    lengths.push(head.length + (op === 'put' ? body.length : 0));
  }
  writeFileSync(join(folder, 'requests'), Buffer.concat(chunks));
  writeFileSync(join(folder, 'lengths'), `${lengths.join('\n')}\n`);
  return folder;
}

// One wrk process (one thread, CONCURRENCY connections) replays the files until COUNT answers have come; its JSON line
// gives the time, the latencies and its own CPU. Anything but 200 fails the run, as with the other clients.
function runWrk(folder) {
  const script = new URL('./replay.lua', import.meta.url).pathname;
  return new Promise((resolve, reject) => {
    execFile(args.wrk ?? 'wrk', ['-t1', `-c${concurrency}`, '-d600s', '--timeout', '60s', '-s', script, endpoints[0].origin, '--',
      join(folder, 'requests'), join(folder, 'lengths'), String(count)], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      rmSync(folder, { recursive: true });
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (error || !line) {
        reject(error ?? new Error(`wrk printed no result: ${stdout}${stderr}`));
        return;
      }
      const answer = JSON.parse(line);
      const failures = answer.notOk + Object.values(answer.errors).reduce((a, b) => a + b, 0);
      if (answer.requests < count || failures > 0) reject(new Error(`wrk: ${answer.requests} of ${count} answered, ${JSON.stringify(answer)}`));
      // The last answer came before wrk's main thread slept (a run of a few requests): it slept the whole -d, and the
      // duration measures that, not the run.
      else if (answer.durationMicros >= 599e6) reject(new Error('wrk ran to its -d limit: too few requests to time'));
      else resolve(answer);
    });
  });
}

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
let retries = 0;
const send = op === 'list' ? walk : op === 'multipart' ? multipartRequest
  : { sdk: sdkRequest, curl: curlRequest, wire: wireRequest, awscli: awscliRequest }[client] ?? rawRequest;
const replay = client === 'wrk' ? writeReplay() : null;
const cpuBefore = pids.map(cpuOf);
const clientCpuBefore = clientCpu();
const started = process.hrtime.bigint();
let seconds;
let percentile;
let clientCpuSeconds;
if (replay) {
  const answer = await runWrk(replay);
  seconds = answer.durationMicros / 1e6;
  percentile = (p) => Math.round((p === 0.5 ? answer.p50Micros : answer.p99Micros) / 10) / 100;
  clientCpuSeconds = answer.cpuTicks / 100;
  bytes = op === 'get' ? count * size : 0;
} else {
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      const begun = process.hrtime.bigint();
      // Awaited before the sum: `bytes += await ...` would read bytes before the wait and lose the others' counts.
      const received = await send(i % endpoints.length, i);
      bytes += received;
      latencies[i] = Number(process.hrtime.bigint() - begun) / 1e6;
    }
  }));
  seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clientCpuSeconds = clientCpu() - clientCpuBefore;
  latencies.sort();
  percentile = (p) => Math.round(latencies[Math.min(count - 1, Math.floor(count * p))] * 100) / 100;
}
const cpu = pids.map((pid, n) => cpuOf(pid) - cpuBefore[n]);
const transferred = op === 'put' || op === 'multipart' ? count * size : bytes;
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
  ...(op === 'multipart' ? { partSize, partsInFlight, parts: Math.max(1, Math.ceil(size / partSize)) } : {}),
  seconds: Math.round(seconds * 1000) / 1000,
  perSecond: Math.round(units / seconds),
  ...(op === 'list' ? { pages: listed.pages, objects: listed.objects } : {}),
  mbPerSecond: Math.round((transferred / seconds / 1e6) * 100) / 100,
  p50Ms: percentile(0.5),
  p99Ms: percentile(0.99),
  serverCpuSeconds: Math.round(cpuTotal * 100) / 100,
  serverCpuMicrosPerRequest: pids.length ? Math.round((cpuTotal / requests) * 1e6) : null,
  clientCpuSeconds: Math.round(clientCpuSeconds * 100) / 100,
  clientCpuMicrosPerRequest: Math.round((clientCpuSeconds / requests) * 1e6),
  bytes: transferred,
  retries,
}));
agents.forEach((agent) => agent.destroy());
sdks.forEach((sdk) => sdk.destroy());
idle.flat().forEach((connection) => connection.socket.destroy());
if (awsConfig) rmSync(awsConfig, { recursive: true });
