// The real-process soak (`make soak`, after the simulator): many simulated devices
// (target/release/soak-devices, the real delivery engine over real HTTP) send households with
// photos through the fault proxy to the real server binary, which is killed with SIGKILL at
// random moments and started again on the same data directory. Afterwards what the server holds
// (`dump-cases`, `dump-photos`, and the photo files themselves) must be exactly what the devices
// hold: every case once, with its receipt, its answers and its photos byte for byte.
//
//   node tests/soak/real-process.mjs [--devices 8] [--kills 8] [--seed 1]
//
// Bounded: the devices keep sending new households, a few seconds apart, while the server is
// killed `--kills` times; then everything is healthy and the devices finish what they hold (or
// reach their deadline).
// Prints one line: `real-process soak: ... 0 lost, 0 duplicated, 0 stuck, 0 corrupted`.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';

import { startFaultProxy } from '../support/fault-proxy.mjs';
import { dumpCases, dumpPhotos, makeDir, REPO_ROOT, sameHousehold, startServer, TMP_ROOT } from '../support/harness.mjs';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '8' },
    kills: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
  },
});
const DEVICES = Number(values.devices);
const KILLS = Number(values.kills);
const SEED = Number(values.seed);
const DEVICES_BIN = process.env.RESGUARDO_SOAK_DEVICES_BIN ?? path.join(REPO_ROOT, 'target', 'release', 'soak-devices');

// A seeded generator, so a run's timings and faults can be told apart by seed.
let state = SEED * 2654435761;
const rand = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sha256 = async (file) => createHash('sha256').update(await fs.readFile(file)).digest('hex');

const root = await makeDir(TMP_ROOT, 'soak');
const dataDir = path.join(root, 'data');
const args = ['--registrations-per-minute', '1000000', '--shutdown-grace-secs', '1'];
let server = await startServer({ dataDir, extraArgs: args });
const proxy = await startFaultProxy({ target: server.url });
// A weak connection: most requests pass, some meet a fault.
proxy.setMode(() => {
  const r = rand();
  if (r < 0.75) return 'pass';
  if (r < 0.8) return 'reset';
  if (r < 0.85) return 'lose-response';
  if (r < 0.9) return 'status:503';
  if (r < 0.95) return `cut-after-bytes:${Math.floor(rand() * 300_000)}`;
  return `delay:${Math.floor(rand() * 1500)}`;
});

const out = path.join(root, 'devices.json');
const devices = spawn(
  DEVICES_BIN,
  ['--url', proxy.url, '--devices', String(DEVICES), '--seed', String(SEED), '--out', out],
  // Closing its standard input tells the devices the faults are over.
  { stdio: ['pipe', 'inherit', 'inherit'] },
);
const devicesDone = new Promise((resolve) => devices.on('exit', (code) => resolve(code)));

let kills = 0;
let finished = false;
devicesDone.then(() => (finished = true));
while (kills < KILLS && !finished) {
  await sleep(1500 + rand() * 4500);
  if (finished) break;
  await server.kill();
  kills += 1;
  await sleep(200 + rand() * 1800);
  server = await startServer({ dataDir, extraArgs: args });
  proxy.setTarget(server.url);
}
// Healthy from now on: the devices finish what is left.
proxy.setMode('pass');
devices.stdin.end();
const code = await devicesDone;
if (code !== 0) throw new Error(`soak-devices exited with ${code}`);

const held = JSON.parse(await fs.readFile(out, 'utf8'));
const cases = await dumpCases(dataDir);
const photos = await dumpPhotos(dataDir);
await server.stop();
await proxy.close();

const verdict = { lost: 0, duplicated: 0, stuck: 0, corrupted: 0 };
const problems = [];
const byId = new Map();
for (const c of cases) byId.set(c.case_id, [...(byId.get(c.case_id) ?? []), c]);
const photoById = new Map(photos.map((p) => [p.photo_id, p]));
let photoCount = 0;
for (const h of held) {
  if (h.state !== 'delivered') {
    verdict.stuck += 1;
    problems.push(`stuck: case ${h.case_id} of device ${h.device} is ${h.state}`);
    continue;
  }
  const stored = byId.get(h.case_id) ?? [];
  if (stored.length === 0) {
    verdict.lost += 1;
    problems.push(`lost: case ${h.case_id}`);
    continue;
  }
  if (stored.length > 1) verdict.duplicated += 1;
  const [s] = stored;
  if (s.receipt_code !== h.receipt_code) {
    verdict.corrupted += 1;
    problems.push(`corrupted: case ${h.case_id} shows receipt ${h.receipt_code}, the server ${s.receipt_code}`);
  }
  if (!sameHousehold(s, h.submission)) {
    verdict.corrupted += 1;
    problems.push(`corrupted: case ${h.case_id} differs from what the device sent`);
  }
  for (const [photoId, sha] of h.photos) {
    photoCount += 1;
    const p = photoById.get(photoId);
    if (!p) {
      verdict.lost += 1;
      problems.push(`lost: photo ${photoId} of case ${h.case_id}`);
    } else if (p.sha256 !== sha || (await sha256(p.path)) !== sha) {
      verdict.corrupted += 1;
      problems.push(`corrupted: photo ${photoId} of case ${h.case_id} is not byte-identical`);
    }
  }
}
const heldIds = new Set(held.map((h) => h.case_id));
for (const c of cases) {
  if (!heldIds.has(c.case_id)) {
    verdict.duplicated += 1;
    problems.push(`duplicated: the server holds case ${c.case_id}, which no device sent`);
  }
}
for (const p of problems) console.error(p);
console.log(
  `real-process soak: ${DEVICES} devices, ${held.length} cases, ${photoCount} photos, ${kills} server kills, ` +
    `${proxy.stats.requests} requests: ${verdict.lost} lost, ${verdict.duplicated} duplicated, ${verdict.stuck} stuck, ${verdict.corrupted} corrupted`,
);
process.exit(problems.length === 0 && held.length > 0 ? 0 : 1);
