// A process's CPU and context switches by thread name, from /proc/PID/task/*/{stat,status}, for telling where a run's
// server CPU went (thread-pool workers, the SQLite writer, the socket engine, the JIT, the GC).
//   node threads.mjs snapshot PID            prints a snapshot as one JSON line
//   node threads.mjs since SNAPSHOT PID N    prints, per request of a run of N, what each thread name used since
// Threads that ended between the two reads are missing from the second; a thread name is its first 15 characters.
import { readFileSync, readdirSync } from 'node:fs';

function snapshot(pid) {
  const threads = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat, status;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    } catch {
      continue; // ended while being read
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const switches = (kind) => Number(new RegExp(`^${kind}_ctxt_switches:\\s+(\\d+)`, 'm').exec(status)[1]);
    threads[tid] = { name, ticks: Number(fields[11]) + Number(fields[12]), system: Number(fields[12]), voluntary: switches('voluntary'), nonvoluntary: switches('nonvoluntary') };
  }
  return threads;
}

const [mode, a, b, c] = process.argv.slice(2);
if (mode === 'snapshot') {
  console.log(JSON.stringify(snapshot(a)));
} else {
  const before = JSON.parse(readFileSync(a, 'utf8'));
  const after = snapshot(b);
  const requests = Number(c);
  const byName = {};
  const total = { micros: 0, systemMicros: 0, voluntary: 0, nonvoluntary: 0 };
  for (const [tid, now] of Object.entries(after)) {
    const was = before[tid] ?? { ticks: 0, system: 0, voluntary: 0, nonvoluntary: 0 };
    const entry = (byName[now.name] ??= { micros: 0, systemMicros: 0, voluntary: 0, nonvoluntary: 0, threads: 0 });
    const used = { micros: (now.ticks - was.ticks) * 1e4, systemMicros: (now.system - was.system) * 1e4, voluntary: now.voluntary - was.voluntary, nonvoluntary: now.nonvoluntary - was.nonvoluntary };
    if (used.micros === 0 && used.voluntary === 0 && used.nonvoluntary === 0) continue;
    entry.threads += 1;
    for (const k of Object.keys(total)) {
      entry[k] += used[k];
      total[k] += used[k];
    }
  }
  const per = (x) => Math.round((x / requests) * 100) / 100;
  const names = Object.fromEntries(Object.entries(byName).filter(([, e]) => e.threads > 0)
    .sort(([, x], [, y]) => y.micros - x.micros)
    .map(([name, e]) => [name, { cpuMicros: per(e.micros), systemMicros: per(e.systemMicros), voluntary: per(e.voluntary), nonvoluntary: per(e.nonvoluntary), threads: e.threads }]));
  console.log(JSON.stringify({ perRequest: { cpuMicros: per(total.micros), systemMicros: per(total.systemMicros), voluntary: per(total.voluntary), nonvoluntary: per(total.nonvoluntary) }, threads: names }));
}
