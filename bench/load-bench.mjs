// Load: many devices at once, each sending one household with three ~400 KB photos through the
// real delivery engine (target/release/load-devices), against 1 and 2 server processes on each
// back end — embedded (SQLite and files in one data directory) and scale-out (PostgreSQL and an
// S3-compatible bucket, s3s-fs) — behind a round-robin balancer (the fault proxy, passing).
//
//   node bench/load-bench.mjs [--devices N]      (N defaults to 40)
//
// Needs target/release/server and target/release/load-devices (cargo build --release -p server
// -p sim), Debian's PostgreSQL and s3s-fs (make setup-test). Prints, per set-up: cases per
// second, p50/p99 delivery time (from Send to delivered), server CPU seconds per case (from
// /proc), and that nothing was lost or duplicated (every case the devices hold is stored exactly
// once, with its receipt, and `verify-photos` reads every photo back). A benchmark, not a test:
// it never fails on speed, only when a case is lost or duplicated or a photo is wrong.

import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { REPO_ROOT, freshTmpRoot, serverCommand } from '../tests/support/harness.mjs';
import { startBackends, startCluster } from '../tests/support/scale.mjs';

const devices = Number(process.argv[process.argv.indexOf('--devices') + 1] || 0) || 40;
const LOAD_BIN = path.join(REPO_ROOT, 'target', 'release', 'load-devices');
const TICKS = 100; // USER_HZ on Linux

async function cpuSeconds(pid) {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime
}

const run = (cmd, args) =>
  new Promise((resolve, reject) =>
    execFile(cmd, args, { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd}: ${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function measure(tmp, label, backends, processes) {
  const name = `${backends ? 'scale-out' : 'embedded'}-${processes}`;
  const cluster = await startCluster(tmp, name, backends, {
    processes,
    serverArgs: ['--registrations-per-minute', '100000'],
  });
  try {
    const before = await Promise.all(cluster.servers.map((s) => cpuSeconds(s.pid)));
    const out = path.join(tmp, `${name}.json`);
    await run(LOAD_BIN, ['--url', cluster.lb.url, '--devices', String(devices), '--out', out]);
    const after = await Promise.all(cluster.servers.map((s) => cpuSeconds(s.pid)));
    const report = JSON.parse(await fs.readFile(out, 'utf8'));
    const stored = JSON.parse(await serverCommand(['dump-cases'], cluster.dirs[0], { env: cluster.env }));
    const verify = JSON.parse(await serverCommand(['verify-photos'], cluster.dirs[0], { env: cluster.env }));
    const byId = new Map();
    for (const c of stored) byId.set(c.case_id, (byId.get(c.case_id) ?? 0) + 1);
    const delivered = report.cases.filter((c) => c.delivered_ms !== null);
    const lost = report.cases.filter((c) => !byId.has(c.case_id) || c.delivered_ms === null).length;
    const duplicated = [...byId.values()].filter((n) => n > 1).length + Math.max(0, stored.length - report.cases.length);
    const wrongReceipt = delivered.filter((c) => stored.find((s) => s.case_id === c.case_id)?.receipt_code !== c.receipt_code).length;
    const times = delivered.map((c) => c.delivered_ms).sort((a, b) => a - b);
    const cpu = after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0);
    return {
      setup: `${label}, ${processes} process${processes > 1 ? 'es' : ''}`,
      cases: report.cases.length,
      perSecond: (delivered.length / (report.wall_ms / 1000)).toFixed(1),
      p50: (percentile(times, 50) / 1000).toFixed(2),
      p99: (percentile(times, 99) / 1000).toFixed(2),
      cpuPerCase: (cpu / Math.max(1, delivered.length) * 1000).toFixed(0),
      photos: `${verify.verified}/${verify.photos}`,
      lost,
      duplicated,
      problems: wrongReceipt + verify.problems.length,
    };
  } finally {
    await cluster.stop();
  }
}

async function main() {
  const tmp = await freshTmpRoot(import.meta.url);
  const backends = await startBackends(tmp);
  const rows = [];
  try {
    for (const [label, b] of [['SQLite + files', null], ['PostgreSQL + S3', backends]]) {
      for (const processes of [1, 2]) rows.push(await measure(tmp, label, b, processes));
    }
  } finally {
    await backends.stop();
  }
  console.log(`\nload: ${devices} devices at once, each one household with 3 photos of ~400 KB, on ${os.cpus().length} cores (devices, balancer, servers, database and S3 server all on this machine)\n`);
  console.log('| set-up | cases/s | p50 delivery | p99 delivery | server CPU per case | photos verified | lost | duplicated |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.setup} | ${r.perSecond} | ${r.p50} s | ${r.p99} s | ${r.cpuPerCase} ms | ${r.photos} | ${r.lost} | ${r.duplicated} |`);
  }
  const bad = rows.filter((r) => r.lost || r.duplicated || r.problems);
  if (bad.length) {
    console.error(`\nLOST, DUPLICATED OR WRONG: ${JSON.stringify(bad)}`);
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
