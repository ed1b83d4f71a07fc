// Starts `coffer serve` on a free port with a fresh data folder and a known root account (from the environment) beside
// a second one, the partner (from a configuration file), runs every *.test.mjs file in this folder (or those named on
// the command line) with Node's test runner, then stops the server.
// With COFFER_METADATA=postgres://... and COFFER_NODES=N, it starts N nodes sharing that database and the data folder
// behind a round-robin proxy instead, so consecutive requests of every test land on different nodes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProxy } from './tools/round-robin-proxy.mjs';

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
// Access logs delivered every second, so a test sees its records without waiting out the default minute.
writeFileSync(config, JSON.stringify({ accounts: [{ ...partner, name: 'partner' }], accessLogs: { flushSeconds: 1 } }));
const metadata = process.env.COFFER_METADATA;
const nodeCount = Number(process.env.COFFER_NODES ?? 1);
const startNode = () => {
  const node = spawn('dotnet', [dll, 'serve', '--data', data, '--listen', '127.0.0.1:0', '--console', '127.0.0.1:0', '--config', config, ...(metadata ? ['--metadata', metadata] : [])], {
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
    node.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match[1]);
      }
    });
    node.on('exit', (code) => reject(new Error(`coffer exited with ${code}:\n${output}`)));
  });
  return { node, started };
};

const servers = [];
let address;
let proxy;
try {
  // The first node creates the schema; the others start once it is there.
  servers.push(startNode());
  const first = await servers[0].started;
  for (let i = 1; i < nodeCount; i++) {
    servers.push(startNode());
  }
  const addresses = [first, ...await Promise.all(servers.slice(1).map((s) => s.started))];
  if (nodeCount > 1) {
    proxy = await startProxy(addresses);
    address = proxy.address;
    console.log(`coffer nodes at ${addresses.join(', ')} on ${metadata}, behind a round-robin proxy`);
  } else {
    address = first;
  }
} catch (error) {
  // Leave neither a server nor its data folder behind.
  servers.forEach(({ node }) => node.kill('SIGKILL'));
  rmSync(data, { recursive: true, force: true });
  throw error;
}
console.log(`coffer at ${address}, data in ${data}`);

// `node run.mjs inventory` runs only the files whose names contain one of the words given; `-large` leaves out those
// with "large" in their names.
const words = process.argv.slice(2);
const only = words.filter((w) => !w.startsWith('-'));
const except = words.filter((w) => w.startsWith('-')).map((w) => w.slice(1));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.test.mjs') && (only.length === 0 || only.some((word) => f.includes(word))) && !except.some((word) => f.includes(word)))
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

proxy?.close();
await Promise.all(servers.map(({ node }) => {
  node.removeAllListeners('exit');
  node.kill('SIGTERM');
  return new Promise((resolvePromise) => node.on('exit', resolvePromise));
}));
rmSync(data, { recursive: true, force: true });
process.exit(code ?? 1);
