// The README's quickstart, run as a user would: its start command (`dotnet run -c Release --project src/Coffer.Host --
// serve`) in an empty folder, with no account configured, then the README's cos-nodejs-sdk-v5 calls with the dev account
// that the first start prints. Checks what the README promises: the server listens on 127.0.0.1:9000 and keeps its data
// in ./coffer-data, the printed account works, and an object with metadata reads back byte-identical with the ETag and
// CRC-64 the SDK's own checksum library computes.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import COS from 'cos-nodejs-sdk-v5';
import crc64 from 'crc64-ecma182.js';

const repository = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const folder = mkdtempSync(join(tmpdir(), 'coffer-quickstart-'));
const environment = { ...process.env };
for (const name of ['COFFER_ROOT_APPID', 'COFFER_ROOT_UIN', 'COFFER_ROOT_SECRET_ID', 'COFFER_ROOT_SECRET_KEY']) delete environment[name];
const server = spawn('dotnet', ['run', '-c', 'Release', '--project', join(repository, 'src/Coffer.Host'), '--', 'serve'], {
  cwd: folder,
  env: environment,
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
});

try {
  // `dotnet run` builds first; the summary then names the dev account and the address.
  const summary = await new Promise((resolvePromise, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`coffer did not start:\n${output}`)), 300_000);
    server.stdout.on('data', (chunk) => {
      output += chunk;
      if (/listening on \S+/.test(output)) {
        clearTimeout(timer);
        resolvePromise(output);
      }
    });
    server.on('exit', (code) => reject(new Error(`coffer exited with ${code}:\n${output}`)));
  });
  assert.match(summary, /listening on http:\/\/127\.0\.0\.1:9000 /);
  assert.match(summary, /a new dev account, saved in/);
  assert.ok(existsSync(join(folder, 'coffer-data', 'metadata.db')), 'the data folder is ./coffer-data');
  const [, appId] = /APPID (\d+)/.exec(summary);
  const [, SecretId] = /SecretId (\S+)/.exec(summary);
  const [, SecretKey] = /SecretKey (\S+)/.exec(summary);

  const cos = new COS({ SecretId, SecretKey, Protocol: 'http:', Ip: '127.0.0.1:9000' });
  const call = (method, params) => new Promise((ok, fail) => cos[method](params, (err, data) => (err ? fail(err) : ok(data))));
  const Bucket = `examplebucket-${appId}`;
  const Region = 'ap-guangzhou';
  const body = Buffer.from('hello world');

  await call('putBucket', { Bucket, Region });
  const put = await call('putObject', { Bucket, Region, Key: 'hello.txt', Body: body, Headers: { 'x-cos-meta-author': 'me' } });
  assert.equal(put.ETag, `"${createHash('md5').update(body).digest('hex')}"`);
  assert.equal(put.headers['x-cos-hash-crc64ecma'], crc64.crc64(body));
  const got = await call('getObject', { Bucket, Region, Key: 'hello.txt' });
  assert.deepEqual(got.Body, body);
  assert.equal(got.ETag, put.ETag);
  assert.equal(got.headers['x-cos-hash-crc64ecma'], crc64.crc64(body));
  assert.equal(got.headers['x-cos-meta-author'], 'me');
  console.log(`quickstart: the README's command served ${Bucket}/hello.txt with the printed dev account`);
} finally {
  // `dotnet run` starts the server as its child: stop the whole process group.
  try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ }
  await new Promise((resolvePromise) => (server.exitCode !== null ? resolvePromise() : server.on('exit', resolvePromise)));
  rmSync(folder, { recursive: true, force: true });
}
