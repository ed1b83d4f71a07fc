// Prints the results of bench/compare.sh (one JSON line per run, each with a `server` field) as a Markdown table,
// with each figure's ratio to s3rver's, and the server's and the load client's CPU per request.
//
//   node report.mjs results.jsonl
import { readFileSync } from 'node:fs';

const runs = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
const row = (run) => `${run.server} | ${run.name}`;
const baseline = new Map(runs.filter((run) => run.server === 's3rver').map((run) => [run.name, run]));
const ratio = (run, field) => {
  const base = baseline.get(run.name)?.[field];
  return base && run[field] !== null ? ` (${(run[field] / base).toFixed(2)}×)` : '';
};
console.log('| server | run | objects/s | MB/s | p50 ms | p99 ms | server CPU µs/request | client CPU µs/request |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const run of runs) {
  const cpu = run.serverCpuMicrosPerRequest ?? '–';
  console.log(`| ${row(run)} | ${run.perSecond}${ratio(run, 'perSecond')} | ${run.mbPerSecond}${ratio(run, 'mbPerSecond')} | ${run.p50Ms} | ${run.p99Ms} | ${cpu} | ${run.clientCpuMicrosPerRequest ?? '–'} |`);
}
