// tus upload throughput: our server against the reference Node implementation.
//
//   node bench/tus-bench.mjs [--runs N]        (from the repo root; N defaults to 3)
//   npm run bench:tus
//
// Needs target/release/server (cargo build --release -p server) and `npm install` (for
// tus-js-client, @tus/server and @tus/file-store, pinned in package.json). RESGUARDO_SERVER_BIN
// points it at another binary.
//
// Starts, side by side on free loopback ports, with data under tests/.tmp/tus-bench/ (removed at
// the end):
//   - ours:   target/release/server, tus endpoint /api/v1/uploads/ (through tests/support/harness)
//   - theirs: @tus/server with @tus/file-store, path /files/, in a child Node process (so it does
//             not share the event loop with the client)
// and, with tus-js-client in this process, for each server and run:
//   1. one 100 MiB upload in 1 MiB chunks;
//   2. four 25 MiB uploads at once, 1 MiB chunks each.
// Every upload sends the metadata our server requires (photo_id, case_id, sha256 of the whole
// file, content_type image/jpeg); the sha256s are computed before any timing. Runs alternate
// between the servers. After timing, every upload is checked (ours: dump-photos lists it with the
// right size and sha256; theirs: the stored file has the right size).
//
// Prints MiB/s per scenario and server (median over the runs, every run listed too) and the ratio
// ours/theirs. It is a benchmark, not a test: it never fails on speed. It exits 1 only when
// something actually failed (an upload error, a server that would not start, a failed check).
// Our server does more per upload than @tus/server's file store (fsync before acknowledging, and
// a SHA-256 over the whole file), so a ratio below 1 is not by itself a bug.

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MiB = 1024 * 1024;
const CHUNK = MiB;
const UPLOAD_TIMEOUT = 10 * 60_000;
const SELF = fileURLToPath(import.meta.url);

// ---- the benchmark -------------------------------------------------------------------------------

async function main() {
  const runs = parseRuns(process.argv.slice(2));
  const tus = await import('tus-js-client');
  const { dumpPhotos, freePort, freshTmpRoot, makeDir, registerDevice, startServer, REPO_ROOT, SERVER_BIN } = await import('../tests/support/harness.mjs');
  // (Some of these packages do not export ./package.json, so read it directly.)
  const versions = {};
  for (const name of ['tus-js-client', '@tus/server']) {
    versions[name] = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  }
  const version = (name) => versions[name];

  const tmp = await freshTmpRoot(import.meta.url);
  const cleanups = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
  };
  process.once('SIGINT', () => cleanup().finally(() => process.exit(130)));

  try {
    // Data first (untimed): one 100 MiB file and four of 25 MiB, with their sha256.
    process.stdout.write('generating 200 MiB of random data and its sha256 … ');
    const big = makeFile(100 * MiB);
    const quarters = Array.from({ length: 4 }, () => makeFile(25 * MiB));
    console.log('done');

    const ours = await startServer({ dataDir: await makeDir(tmp, 'ours') });
    cleanups.push(() => ours.stop());
    const theirsDir = await makeDir(tmp, 'theirs');
    const theirs = await startReference(theirsDir, await freePort());
    cleanups.push(() => theirs.stop());
    cleanups.push(() => fs.rm(tmp, { recursive: true, force: true }));

    const servers = [
      {
        key: 'ours',
        label: 'ours (Resguardo)',
        endpoint: `${ours.url}/api/v1/uploads/`,
        headers: { Authorization: `Bearer ${await registerDevice(ours.url)}` },
        uploads: [],
      },
      { key: 'theirs', label: `@tus/server ${version('@tus/server')}`, endpoint: `${theirs.url}/files/`, headers: {}, uploads: [] },
    ];
    const scenarios = [
      { key: 'single', label: '1 × 100 MiB, 1 MiB chunks', files: [big] },
      { key: 'parallel', label: '4 × 25 MiB at once, 1 MiB chunks', files: quarters },
    ];
    const results = {}; // results[scenario][server] = [MiB/s, ...]

    console.log(`\nserver binary: ${SERVER_BIN}`);
    console.log(`runs: ${runs} (alternating servers)\n`);
    for (let run = 1; run <= runs; run++) {
      for (const scenario of scenarios) {
        const order = run % 2 ? servers : [...servers].reverse();
        for (const server of order) {
          const caseId = crypto.randomUUID();
          const jobs = scenario.files.map((file) => ({
            file,
            metadata: { photo_id: crypto.randomUUID(), case_id: caseId, sha256: file.sha256, content_type: 'image/jpeg' },
          }));
          const started = process.hrtime.bigint();
          const urls = await Promise.all(jobs.map((job) => upload(tus, server.endpoint, job, server.headers)));
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          jobs.forEach((job, i) => server.uploads.push({ ...job, url: urls[i] }));
          const totalMiB = scenario.files.reduce((n, f) => n + f.data.length, 0) / MiB;
          const rate = totalMiB / seconds;
          ((results[scenario.key] ??= {})[server.key] ??= []).push(rate);
          console.log(
            `run ${run}  ${scenario.label.padEnd(34)} ${server.label.padEnd(20)} ${seconds.toFixed(2).padStart(7)} s  ${rate.toFixed(1).padStart(8)} MiB/s`,
          );
        }
      }
    }

    // Checks (untimed): every upload arrived whole.
    const stored = new Map((await dumpPhotos(ours.dataDir)).map((p) => [p.photo_id, p]));
    for (const { metadata, file } of servers[0].uploads) {
      const p = stored.get(metadata.photo_id);
      if (!p || p.sha256 !== file.sha256 || p.size !== file.data.length) {
        throw new Error(`ours: dump-photos does not list ${metadata.photo_id} with size ${file.data.length} and sha256 ${file.sha256}: ${JSON.stringify(p)}`);
      }
    }
    for (const { url, file } of servers[1].uploads) {
      const id = decodeURIComponent(new URL(url).pathname.split('/').pop());
      const { size } = await fs.stat(path.join(theirsDir, id));
      if (size !== file.data.length) throw new Error(`theirs: ${id} holds ${size} bytes, expected ${file.data.length}`);
    }
    console.log(`\nchecked: all ${servers[0].uploads.length + servers[1].uploads.length} uploads stored whole`);

    printTable({ runs, scenarios, servers, results, tusVersion: version('tus-js-client') });
    return 0;
  } finally {
    await cleanup();
  }
}

function parseRuns(args) {
  const i = args.findIndex((a) => a === '--runs' || a.startsWith('--runs='));
  if (i < 0) return 3;
  const value = args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--runs wants a whole number ≥ 1, got ${value}`);
  return n;
}

function makeFile(size) {
  const data = crypto.randomBytes(size);
  return { data, sha256: crypto.createHash('sha256').update(data).digest('hex') };
}

/** One tus-js-client upload to completion; resolves with its URL. */
function upload(tus, endpoint, { file, metadata }, headers) {
  return new Promise((resolve, reject) => {
    const up = new tus.Upload(file.data, {
      endpoint,
      headers,
      chunkSize: CHUNK,
      retryDelays: [0, 200, 500, 1000],
      metadata,
      onSuccess: () => {
        clearTimeout(timer);
        resolve(up.url);
      },
      onError: (err) => {
        clearTimeout(timer);
        reject(new Error(`upload to ${endpoint} failed: ${err.message}`));
      },
    });
    const timer = setTimeout(() => {
      up.abort(false).catch(() => {});
      reject(new Error(`upload to ${endpoint} did not finish within ${UPLOAD_TIMEOUT / 1000} s`));
    }, UPLOAD_TIMEOUT);
    up.start();
  });
}

/** @tus/server + @tus/file-store in a child Node process; resolves once it listens. */
async function startReference(directory, port) {
  const child = spawn(process.execPath, [SELF, '--serve-tus-node', directory, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`@tus/server did not start within 30 s\n${output}`)), 30_000);
    child.stdout.setEncoding('utf8').on('data', (d) => {
      if (d.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`@tus/server exited (code ${code}, signal ${signal})\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 5000))]);
      if (!done) child.kill('SIGKILL');
    },
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function printTable({ runs, scenarios, servers, results, tusVersion }) {
  const head = ['scenario', ...servers.map((s) => `${s.label} MiB/s`), 'ours/theirs'];
  const rows = scenarios.map((sc) => {
    const [a, b] = servers.map((s) => median(results[sc.key][s.key]));
    return [sc.label, a.toFixed(1), b.toFixed(1), (a / b).toFixed(2)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ');
  console.log(
    `\ntus upload throughput: tus-js-client ${tusVersion} on Node ${process.version}, ` +
      `${os.cpus().length} CPUs, loopback, ${runs === 1 ? 'one run' : `median of ${runs} runs`}\n`,
  );
  console.log(line(head));
  console.log(widths.map((w) => '─'.repeat(w)).join('   '));
  for (const r of rows) console.log(line(r));
  console.log('');
}

// ---- entry point (last, so every declaration above is initialised) -----------------------------

// Child mode: the reference server.
if (process.argv[2] === '--serve-tus-node') {
  const [directory, port] = process.argv.slice(3);
  const { Server } = await import('@tus/server');
  const { FileStore } = await import('@tus/file-store');
  const tusServer = new Server({ path: '/files', datastore: new FileStore({ directory }) });
  const server = http.createServer((req, res) => {
    tusServer.handle(req, res).catch((e) => {
      console.error('@tus/server:', e);
      res.destroy();
    });
  });
  server.listen(Number(port), '127.0.0.1', () => console.log('ready'));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  process.on('disconnect', () => process.exit(0));
} else {
  try {
    process.exitCode = await main();
  } catch (e) {
    console.error(`\ntus-bench failed: ${e.stack ?? e}`);
    process.exitCode = 1;
  }
}
