// Helpers for the end-to-end tests: the real release server, Debian's Chromium through
// playwright-core, temporary directories and artifacts. Paths are resolved from this file, so
// the tests run the same from any working directory.
//
//   target/release/server   the server (cargo build --release -p server)
//   dist/                   the app (trunk build --release)
//   tests/.tmp/<test file>/ data and profile directories; emptied when that test file starts
//   tests/artifacts/        screenshots (also taken when an e2e test fails)
//
// Environment overrides (all optional): RESGUARDO_SERVER_BIN, RESGUARDO_STATIC_DIR,
// CHROMIUM_PATH.

import { isDeepStrictEqual } from 'node:util';
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERVER_BIN = process.env.RESGUARDO_SERVER_BIN ?? path.join(REPO_ROOT, 'target', 'release', 'server');
export const STATIC_DIR = process.env.RESGUARDO_STATIC_DIR ?? path.join(REPO_ROOT, 'dist');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const TMP_ROOT = path.join(REPO_ROOT, 'tests', '.tmp');
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'tests', 'artifacts');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const tail = (s, n = 4000) => (s.length > n ? `…${s.slice(-n)}` : s);

/** Throws a clear error unless the release server, the built app and Chromium are all there. */
export function assertBuilt() {
  const missing = [];
  if (!existsSync(SERVER_BIN)) missing.push(`${SERVER_BIN} (cargo build --release -p server)`);
  if (!existsSync(path.join(STATIC_DIR, 'index.html'))) missing.push(`${STATIC_DIR}/index.html (trunk build --release)`);
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (apt-get install chromium)`);
  if (missing.length) {
    throw new Error(`the end-to-end tests need the real build; missing:\n  ${missing.join('\n  ')}`);
  }
}

/**
 * Polls `fn` until it returns something truthy (which is returned) or `timeout` ms pass; then
 * throws, naming `what` (a string, or a function called then, so it can describe the state at
 * the time) and the last value or error seen. Never fails because something was fast or slow
 * within the limit.
 */
export async function pollUntil(fn, { timeout = 30_000, interval = 200, what = 'a condition' } = {}) {
  const start = Date.now();
  let last;
  let lastError;
  for (;;) {
    try {
      last = await fn();
      lastError = undefined;
      if (last) return last;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() - start > timeout) {
      const detail = lastError ? `last error: ${lastError.message}` : `last value: ${JSON.stringify(last)}`;
      let described = what;
      if (typeof what === 'function') described = await Promise.resolve().then(what).catch((e) => `? (${e.message})`);
      throw new Error(`timed out after ${Math.round(timeout / 1000)} s waiting for ${described} (${detail})`);
    }
    await sleep(interval);
  }
}

// ---- temporary directories and artifacts -----------------------------------------------------

/**
 * The temporary directory of one test file (`tests/.tmp/<file name without extension>`),
 * emptied now: call it once at the top of the test file.
 */
export async function freshTmpRoot(importMetaUrl) {
  const name = path.basename(fileURLToPath(importMetaUrl)).replace(/\.m?js$/, '').replace(/\.test$/, '');
  const root = path.join(TMP_ROOT, name);
  await fs.rm(root, { recursive: true, force: true });
  await fs.mkdir(root, { recursive: true });
  return root;
}

/** A new, empty directory `root/name` (emptied if it exists). */
export async function makeDir(root, name) {
  const dir = path.join(root, name);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  return dir;
}

/** The path of an artifact file under tests/artifacts/ (the directory is created). */
export async function artifactPath(fileName) {
  await fs.mkdir(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, fileName);
}

// ---- the server -------------------------------------------------------------------------------

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const running = new Set();
process.on('exit', () => {
  // Never leave a server behind when a test file dies.
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

/**
 * Starts `target/release/server --addr 127.0.0.1:<free port> --data-dir <dataDir> --static-dir
 * dist` and waits until `GET /api/v1/health` answers 200.
 * @returns {Promise<{url: string, port: number, dataDir: string, pid: number, logs: () => string,
 *   exited: Promise<{code: number|null, signal: string|null}>,
 *   stop: (signal?: string) => Promise<{code: number|null, signal: string|null}>,
 *   kill: () => Promise<{code: number|null, signal: string|null}>}>}
 */
export async function startServer({ dataDir, staticDir = STATIC_DIR, env = {}, extraArgs = [], timeout = 30_000 } = {}) {
  if (!dataDir) throw new TypeError('startServer: dataDir is required');
  if (!existsSync(SERVER_BIN)) throw new Error(`startServer: no server binary at ${SERVER_BIN}; build it first`);
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startServerOnce({ dataDir, staticDir, env, extraArgs, timeout });
    } catch (e) {
      lastError = e;
      // Only a lost race for the port is worth another try.
      if (!e.portInUse) throw e;
    }
  }
  throw lastError;
}

async function startServerOnce({ dataDir, staticDir, env, extraArgs, timeout }) {
  await fs.mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ['--addr', `127.0.0.1:${port}`, '--data-dir', dataDir, '--static-dir', staticDir, ...extraArgs];
  const child = spawn(SERVER_BIN, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'info', ...env },
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const cap = (s) => (s.length > 1_000_000 ? s.slice(-500_000) : s);
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout = cap(stdout + d)));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr = cap(stderr + d)));
  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      running.delete(child);
      resolve(exitInfo);
    });
  });
  const spawnError = new Promise((resolve) => child.on('error', resolve));
  const logs = () => `--- server stderr ---\n${stderr}\n--- server stdout ---\n${stdout}`;

  const started = Date.now();
  for (;;) {
    const err = await Promise.race([spawnError, sleep(0).then(() => null)]);
    if (err) throw new Error(`could not start ${SERVER_BIN}: ${err.message}`);
    if (exitInfo) {
      const e = new Error(
        `the server exited before it was healthy (code ${exitInfo.code}, signal ${exitInfo.signal})\n` +
          `${SERVER_BIN} ${args.join(' ')}\n${tail(stderr)}\n${tail(stdout)}`,
      );
      e.portInUse = /address already in use|AddrInUse|cannot listen/i.test(stderr + stdout);
      throw e;
    }
    try {
      const res = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - started > timeout) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(
        `the server did not answer GET /api/v1/health with 200 within ${timeout / 1000} s\n` +
          `${SERVER_BIN} ${args.join(' ')}\n${tail(stderr)}\n${tail(stdout)}`,
      );
    }
    await sleep(100);
  }

  async function stop(signal = 'SIGTERM', graceMs = 10_000) {
    if (exitInfo) return exitInfo;
    child.kill(signal);
    const done = await Promise.race([exited, sleep(graceMs).then(() => null)]);
    if (done) return done;
    child.kill('SIGKILL');
    return exited;
  }

  return {
    url,
    port,
    dataDir,
    pid: child.pid,
    exited,
    logs,
    stop,
    kill: () => stop('SIGKILL'),
  };
}

/**
 * Every stored case, from `target/release/server dump-cases --data-dir <dataDir>`: an array of
 * `{ case_id, receipt_code, received_at, case }`. Safe while the server runs (SQLite WAL).
 */
export function dumpCases(dataDir) {
  return runDump('dump-cases', dataDir);
}

/**
 * A stored household case (`case` is its form's canonical submission: `answers` with unanswered
 * fields left out) read back in the household's shape, blanks filled in: `{ applicant, members,
 * photos }`.
 */
export function householdAnswers(stored) {
  const answers = stored.case.answers ?? {};
  return {
    applicant: {
      name: '',
      date_of_birth: '',
      country_of_origin: '',
      phone: '',
      languages: [],
      needs: [],
      needs_note: '',
      ...(answers.applicant ?? {}),
    },
    members: answers.members ?? [],
    photos: stored.case.photos ?? [],
  };
}

/** Whether a stored case holds exactly the household case a device sent (in its own shape). */
export function sameHousehold(stored, sent) {
  const blankToEmpty = (v) => (typeof v === 'string' && v.trim() === '' ? '' : v);
  const applicant = Object.fromEntries(Object.entries(sent.applicant).map(([k, v]) => [k, blankToEmpty(v)]));
  const h = householdAnswers(stored);
  return (
    stored.case.form_id === sent.form_id &&
    stored.case.form_version === sent.form_version &&
    isDeepStrictEqual(h.applicant, { phone: '', needs: [], needs_note: '', ...applicant }) &&
    isDeepStrictEqual(h.members, sent.members ?? []) &&
    isDeepStrictEqual(h.photos, sent.photos ?? [])
  );
}

/**
 * Every stored photo, from `target/release/server dump-photos --data-dir <dataDir>`: an array of
 * `{ photo_id, case_id, size, sha256, content_type, path }` where `path` is the absolute path of
 * the stored file. Safe while the server runs (SQLite WAL).
 */
export function dumpPhotos(dataDir) {
  return runDump('dump-photos', dataDir);
}

async function runDump(subcommand, dataDir) {
  const stdout = await serverCommand([subcommand], dataDir);
  try {
    return parseJsonArray(stdout);
  } catch (e) {
    throw new Error(`server ${subcommand} printed no JSON array: ${e.message}\n${tail(stdout)}`);
  }
}

/**
 * Runs `target/release/server <args...> --data-dir <dataDir>` (an administration command; safe
 * while the server runs) and returns what it printed on stdout; rejects if it fails. `env` is
 * added to the command's environment.
 */
export function serverCommand(args, dataDir, { env = {} } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      SERVER_BIN,
      [...args, '--data-dir', dataDir],
      { cwd: REPO_ROOT, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn', ...env } },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`server ${args.join(' ')} failed (${err.code ?? err.signal}): ${err.message}\n${tail(stderr)}\n${tail(stdout)}`));
          return;
        }
        resolve(stdout);
      },
    );
  });
}

/**
 * The registered devices, from `server devices list`, newest first:
 * `[{ id, state: 'active'|'expired'|'revoked', created, code }]` (`code`: the enrolment code it
 * registered with, or '').
 */
export async function listDevices(dataDir) {
  const out = await serverCommand(['devices', 'list'], dataDir);
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const [id, state, ...rest] = line.split('\t');
      const field = (name) => rest.find((f) => f.startsWith(`${name}=`))?.slice(name.length + 1) ?? '';
      return { id, state, created: field('created'), code: field('code') };
    });
}

/** `server devices revoke <id>`: the device's token stops working at once. */
export function revokeDevice(dataDir, deviceId) {
  return serverCommand(['devices', 'revoke', deviceId], dataDir);
}

/**
 * `server enrolment create --label <label>`: a new enrolment code, as `{ code: 'XXXX-XXXX',
 * query: '/?code=XXXXXXXX' }` (the install link's path and query).
 */
export async function createEnrolmentCode(dataDir, label = 'test') {
  const out = await serverCommand(['enrolment', 'create', '--label', label], dataDir);
  const [code, query] = out.trim().split('\t');
  if (!/^[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(code ?? '') || !query?.startsWith('/?code=')) {
    throw new Error(`server enrolment create printed something unexpected: ${JSON.stringify(out)}`);
  }
  return { code, query };
}

/** `server enrolment revoke <code>`: no device can register with it any more. */
export function revokeEnrolmentCode(dataDir, code) {
  return serverCommand(['enrolment', 'revoke', code], dataDir);
}

/**
 * `server admin create-user --username <username> --role <role>` with the password in
 * RESGUARDO_PASSWORD (at least 12 characters): a staff account for the /staff pages. `role` is
 * 'reviewer' or 'admin'.
 */
export async function createStaffUser(dataDir, username, role, password) {
  const out = await serverCommand(['admin', 'create-user', '--username', username, '--role', role], dataDir, {
    env: { RESGUARDO_PASSWORD: password },
  });
  if (!out.includes(`created ${username} (${role})`)) {
    throw new Error(`server admin create-user printed something unexpected: ${JSON.stringify(out)}`);
  }
  return { username, role, password };
}

// The array alone, even if log lines (JSON objects, one a line) were printed around it.
function parseJsonArray(stdout) {
  try {
    const v = JSON.parse(stdout);
    if (Array.isArray(v)) return v;
  } catch {
    /* fall through */
  }
  const lines = stdout.split('\n');
  const first = lines.findIndex((l) => l.trimStart().startsWith('['));
  const last = lines.findLastIndex((l) => l.trimEnd().endsWith(']'));
  if (first < 0 || last < first) throw new Error('no line starts with [');
  const v = JSON.parse(lines.slice(first, last + 1).join('\n'));
  if (!Array.isArray(v)) throw new Error('not an array');
  return v;
}

// ---- the browser --------------------------------------------------------------------------------

/**
 * Debian's Chromium, headless, with a persistent profile in `userDataDir` (so IndexedDB, the
 * service worker and its caches survive a relaunch with the same directory), a 360×740 phone
 * viewport and an English (US) locale unless `options` says otherwise.
 */
export async function launchBrowser(userDataDir, options = {}) {
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 360, height: 740 },
    locale: 'en-US',
    args: CHROMIUM_ARGS,
    ...options,
  });
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(60_000);
  return context;
}

/** The context's first page (a persistent context opens with one), or a new one. */
export async function firstPage(context) {
  return context.pages()[0] ?? (await context.newPage());
}

/**
 * Waits until a service worker controls `page`: first until a worker is active for the page's
 * scope, then for `navigator.serviceWorker.controller`; if the worker did not claim the page,
 * reloads once and waits again.
 */
export async function waitForServiceWorker(page, { timeout = 60_000 } = {}) {
  const hasApi = await page.evaluate(() => window.isSecureContext && 'serviceWorker' in navigator);
  if (!hasApi) throw new Error(`no service worker API on ${page.url()} (not a secure context?)`);
  await pollUntil(
    () =>
      page.evaluate(
        () =>
          Promise.race([
            navigator.serviceWorker.ready.then((r) => r.active?.state === 'activated'),
            new Promise((resolve) => setTimeout(() => resolve(false), 1000)),
          ]),
      ),
    { timeout, what: `an activated service worker for ${page.url()}` },
  );
  const controlled = () => page.evaluate(() => navigator.serviceWorker.controller !== null);
  const claimed = await pollUntil(controlled, { timeout: 5000, what: 'the worker to claim the page' }).catch(() => false);
  if (!claimed) {
    await page.reload({ waitUntil: 'load' });
    await pollUntil(controlled, { timeout, what: `navigator.serviceWorker.controller after a reload of ${page.url()}` });
  }
}

/** Cuts the browser off: its own offline emulation and the proxy refusing everything. */
export async function goOffline(context, proxy) {
  proxy.setMode('down');
  await context.setOffline(true);
}

/** Undoes goOffline (rules set on the proxy stay). */
export async function goOnline(context, proxy) {
  proxy.setMode('pass');
  await context.setOffline(false);
}

/**
 * Registers a device with the server at `baseUrl` (POST /api/v1/devices) and returns its bearer
 * token, for clients that talk to the case and upload routes directly.
 */
export async function registerDevice(baseUrl, body = {}) {
  const res = await fetch(`${baseUrl}/api/v1/devices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status !== 201) throw new Error(`device registration failed: ${res.status} ${JSON.stringify(json)}`);
  return json.token;
}
