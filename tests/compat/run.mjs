// Starts `coffer serve` on a free port with a fresh data folder and a known root account (from the environment) beside
// a second one, the partner (from a configuration file), runs every *.test.mjs file in this folder (or those named on
// the command line) with Node's test runner, then stops the server.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const configuration = process.env.COFFER_CONFIGURATION ?? 'Debug';
const dll = process.env.COFFER_DLL ?? resolve(here, `../../src/Coffer.Host/bin/${configuration}/net10.0/coffer.dll`);
if (!existsSync(dll)) {
  console.error(`coffer.dll not found at ${dll}; build the solution first (dotnet build Coffer.slnx).`);
  process.exit(2);
}

const account = {
  appId: '1250000000',
  uin: '100000000001',
  secretId: 'AKIDcompatSuiteSecretId000000000000',
  secretKey: 'compatSuiteSecretKey000000000000',
};
// Another root account, for tests across accounts; the configuration file and the environment's account combine.
const partner = {
  appId: '1250000002',
  uin: '100000000002',
  secretId: 'AKIDcompatSuitePartnerId0000000000',
  secretKey: 'compatSuitePartnerKey00000000000',
};
const data = mkdtempSync(join(tmpdir(), 'coffer-compat-'));
const config = join(data, 'compat-config.json');
writeFileSync(config, JSON.stringify({ accounts: [{ ...partner, name: 'partner' }] }));
const server = spawn('dotnet', [dll, 'serve', '--data', data, '--listen', '127.0.0.1:0', '--console', '127.0.0.1:0', '--config', config], {
  env: {
    ...process.env,
    COFFER_ROOT_APPID: account.appId,
    COFFER_ROOT_UIN: account.uin,
    COFFER_ROOT_SECRET_ID: account.secretId,
    COFFER_ROOT_SECRET_KEY: account.secretKey,
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});

const started = new Promise((resolvePromise, reject) => {
  let output = '';
  const timer = setTimeout(() => reject(new Error(`coffer did not start:\n${output}`)), 60_000);
  server.stdout.on('data', (chunk) => {
    output += chunk;
    const match = /listening on (http:\/\/\S+)/.exec(output);
    if (match) {
      clearTimeout(timer);
      resolvePromise(match[1]);
    }
  });
  server.on('exit', (code) => reject(new Error(`coffer exited with ${code}:\n${output}`)));
});
let address;
try {
  address = await started;
} catch (error) {
  // Leave neither a server nor its data folder behind.
  server.kill('SIGKILL');
  rmSync(data, { recursive: true, force: true });
  throw error;
}
console.log(`coffer at ${address}, data in ${data}`);

// `node run.mjs inventory` runs only the files whose names contain one of the words given.
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.test.mjs') && (only.length === 0 || only.some((word) => f.includes(word))))
  .map((f) => join(here, f));
const tests = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], {
  env: {
    ...process.env,
    COFFER_ENDPOINT: address,
    COFFER_APPID: account.appId,
    COFFER_UIN: account.uin,
    COFFER_SECRET_ID: account.secretId,
    COFFER_SECRET_KEY: account.secretKey,
    COFFER_PARTNER_APPID: partner.appId,
    COFFER_PARTNER_UIN: partner.uin,
    COFFER_PARTNER_SECRET_ID: partner.secretId,
    COFFER_PARTNER_SECRET_KEY: partner.secretKey,
    COFFER_DATA: data,
    COFFER_DLL: dll,
  },
  stdio: 'inherit',
});
const code = await new Promise((resolvePromise) => tests.on('exit', resolvePromise));

server.removeAllListeners('exit');
server.kill('SIGTERM');
await new Promise((resolvePromise) => server.on('exit', resolvePromise));
rmSync(data, { recursive: true, force: true });
process.exit(code ?? 1);
