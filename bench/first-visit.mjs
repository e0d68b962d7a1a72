// The first visit over an emulated 2G link: how many bytes and how long until the app is usable,
// until it works offline, and what a second visit costs.
//
//   node bench/first-visit.mjs [--static-dir DIR] [--runs N] [--kbps 250] [--rtt 400]
//                              [--per-connection] [--locale en-US]
//
// DIR defaults to dist/ (RESGUARDO_STATIC_DIR), N to 3 (the figures printed are medians). Needs
// target/release/server, the built app and Debian's Chromium, as tests/support/harness.mjs.
//
// What it does, each run: starts the release server on DIR with a fresh data directory, puts the
// fault proxy in front of it shaped to KBPS kbit/s and RTT ms (tests/support/fault-proxy.mjs:
// by default one link shared by every connection, as one phone's radio is; `--per-connection`
// gives each TCP connection its own), opens a fresh Chromium profile and navigates to the app:
//
//   usable          `[data-testid=new-case]` visible and enabled (seen by the page itself, on
//                   every DOM change and every 20 ms): bytes sent to the browser and time since
//                   the navigation started
//   ready offline   the service worker is activated and every URL of its precache list (read
//                   from DIR/sw.js) is in its Cache Storage cache (polled every 100 ms)
//   whole visit     once nothing is pending and no byte has moved for 3 s: every byte sent
//   second visit    a reload of the same page: bytes and time until usable again, and every byte
//                   until quiet again
//
// Bytes are everything the proxy wrote to the browser's sockets (status lines, headers, bodies
// as the server compressed them, chunked framing), in kB of 1000 bytes. "Shell" is the same
// count for fetching each precached file and sw.js once (what the browser is sent: the server
// compresses on the fly with the Accept-Encoding Chromium sends); a first visit cannot do with
// less, so "whole visit / shell" says how much the service worker's install adds on top.
// Where the build has .br files beside its files (scripts/post_build.sh), the shell is also
// estimated as if the server sent those (same heads, their bodies) wherever it sent Brotli.
// The first run also prints every file with what it cost before and after the app was usable.
//
// A benchmark, not a test: it never fails on speed. It exits 1 only when it cannot run or when
// the page never becomes usable within 3 minutes; "ready offline" not reached within 5 minutes
// is printed as such.

import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import {
  CHROMIUM,
  SERVER_BIN,
  STATIC_DIR,
  firstPage,
  freshTmpRoot,
  launchBrowser,
  makeDir,
  startServer,
} from '../tests/support/harness.mjs';
import { startFaultProxy } from '../tests/support/fault-proxy.mjs';

const USABLE_TIMEOUT = 180_000;
const OFFLINE_TIMEOUT = 300_000;
const QUIET_MS = 3_000;
const QUIET_CAP = 60_000;
const NEW_CASE = '[data-testid=new-case]';
// What Chromium sends (checked against the navigation request in each run).
const ACCEPT_ENCODING = 'gzip, deflate, br, zstd';

// ---- arguments ----------------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = { staticDir: STATIC_DIR, runs: 3, kbps: 250, rtt: 400, shared: true, locale: 'en-US' };
  const value = (i) => {
    const a = argv[i];
    if (a.includes('=')) return [a.slice(a.indexOf('=') + 1), i];
    if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
    return [argv[i + 1], i + 1];
  };
  const number = (name, v, min) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`${name} wants a number ≥ ${min}, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].split('=')[0];
    let v;
    switch (name) {
      case '--static-dir':
        [v, i] = value(i);
        opts.staticDir = path.resolve(v);
        break;
      case '--runs':
        [v, i] = value(i);
        opts.runs = number('--runs', v, 1);
        if (!Number.isInteger(opts.runs)) throw new Error(`--runs wants a whole number, got ${v}`);
        break;
      case '--kbps':
        [v, i] = value(i);
        opts.kbps = number('--kbps', v, 1);
        break;
      case '--rtt':
        [v, i] = value(i);
        opts.rtt = number('--rtt', v, 0);
        break;
      case '--per-connection':
        opts.shared = false;
        break;
      case '--locale':
        [v, i] = value(i);
        opts.locale = v;
        break;
      case '--help':
      case '-h':
        console.log('node bench/first-visit.mjs [--static-dir DIR] [--runs N] [--kbps 250] [--rtt 400] [--per-connection] [--locale en-US]');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${argv[i]} (try --help)`);
    }
  }
  return opts;
}

// ---- figures ------------------------------------------------------------------------------------

const kB = (n) => (n === null || n === undefined ? '—' : `${(n / 1000).toFixed(1)} kB`);
const secs = (ms) => (ms === null || ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

function median(xs) {
  const s = xs.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('   '))
    .join('\n');
}

// ---- the app's files -----------------------------------------------------------------------------

/** VERSION and PRECACHE as post_build.sh stamped them into DIR/sw.js. */
async function readPrecache(staticDir) {
  const sw = await fs.readFile(path.join(staticDir, 'sw.js'), 'utf8');
  const version = sw.match(/const VERSION = "([^"]+)"/)?.[1];
  const list = sw.match(/const PRECACHE = (\[[^\]]*\])/)?.[1];
  if (!version || !list || version.startsWith('__')) {
    throw new Error(`${staticDir}/sw.js has no stamped VERSION/PRECACHE (not a release build?)`);
  }
  return { version, cacheName: `resguardo-shell-${version}`, urls: JSON.parse(list) };
}

/** One GET straight to the server; the bytes on the wire (head + body as sent) and the body. */
function wireGet(base, url) {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL(url, base), { agent: false, headers: { 'accept-encoding': ACCEPT_ENCODING } }, (res) => {
      let body = 0;
      res.on('data', (c) => (body += c.length));
      res.on('end', () =>
        resolve({ status: res.statusCode, wire: res.socket.bytesRead, body, encoding: res.headers['content-encoding'] ?? 'identity' }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Each precached file: size on disk, .br/.gz beside it, and what the server sends for it. */
async function shellFiles(staticDir, base, urls) {
  const files = [];
  for (const url of urls) {
    const rel = decodeURIComponent(url === '/' ? '/index.html' : url).slice(1);
    const file = path.join(staticDir, rel);
    const size = async (p) => (existsSync(p) ? (await fs.stat(p)).size : null);
    const served = await wireGet(base, url);
    if (served.status !== 200) throw new Error(`GET ${url}: ${served.status}`);
    files.push({ url, raw: await size(file), br: await size(`${file}.br`), gz: await size(`${file}.gz`), served });
  }
  return files;
}

// ---- one visit ------------------------------------------------------------------------------------

// Runs in the page before any of its scripts: tells the bench the moment the button is usable.
function watchUsable(selector) {
  let told = false;
  const check = () => {
    if (told) return;
    const el = document.querySelector(selector);
    if (!el || el.disabled || el.getAttribute('aria-disabled') === 'true') return;
    if (el.getClientRects().length === 0 || getComputedStyle(el).visibility === 'hidden') return;
    told = true;
    window.__firstVisitUsable(performance.now());
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
  setInterval(check, 20);
}

async function offlineReady(page, { cacheName, urls }) {
  return page.evaluate(
    async ({ cacheName, urls }) => {
      const reg = await navigator.serviceWorker.getRegistration();
      if (reg?.active?.state !== 'activated') return false;
      if (!(await caches.has(cacheName))) return false;
      const cache = await caches.open(cacheName);
      for (const url of urls) if (!(await cache.match(url))) return false;
      return true;
    },
    { cacheName, urls },
  );
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitQuiet(proxy) {
  const start = Date.now();
  let last = proxy.stats.bytesToClient;
  let lastChange = Date.now();
  let lastRequests = proxy.stats.requests;
  while (Date.now() - start < QUIET_CAP) {
    await sleep(250);
    const now = proxy.stats.bytesToClient;
    const pending = proxy.stats.log.some((e) => e.outcome === 'pending');
    if (now !== last || pending || proxy.stats.requests !== lastRequests) {
      last = now;
      lastRequests = proxy.stats.requests;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= QUIET_MS) {
      return { bytes: now, quiet: true, at: lastChange };
    }
  }
  return { bytes: proxy.stats.bytesToClient, quiet: false, at: Date.now() };
}

async function oneRun({ opts, tmp, run, precache }) {
  const server = await startServer({ dataDir: await makeDir(tmp, `data-${run}`), staticDir: opts.staticDir });
  const encodings = new Set(); // Accept-Encoding of the browser's navigations
  const proxy = await startFaultProxy({
    target: server.url,
    link: { kbps: opts.kbps, rttMs: opts.rtt, shared: opts.shared },
    onRequest: (req) => {
      if (req.headers['sec-fetch-mode'] === 'navigate') encodings.add(req.headers['accept-encoding'] ?? '');
    },
  });
  let context;
  try {
    // A fresh profile: empty HTTP cache, no service worker.
    context = await launchBrowser(await makeDir(tmp, `profile-${run}`), { locale: opts.locale });
    let onUsable = null;
    await context.exposeBinding('__firstVisitUsable', () => {
      onUsable?.({ at: Date.now(), bytes: proxy.stats.bytesToClient, requests: proxy.stats.log.length });
    });
    await context.addInitScript(watchUsable, NEW_CASE);
    const page = await firstPage(context);
    const consoleErrors = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    proxy.stats.reset();

    const visit = async (go) => {
      const usable = new Promise((resolve) => (onUsable = resolve));
      const t0 = Date.now();
      await go();
      let timer;
      const u = await Promise.race([usable, new Promise((r) => (timer = setTimeout(() => r(null), USABLE_TIMEOUT)))]);
      clearTimeout(timer);
      onUsable = null;
      if (!u) {
        throw new Error(
          `the app was not usable (${NEW_CASE} visible and enabled) within ${USABLE_TIMEOUT / 1000} s` +
            `\n--- proxy log ---\n${proxy.stats.log.map((e) => `${e.n} ${e.method} ${e.path} ${e.status ?? '-'} ${e.outcome} ${e.resBytes} B`).join('\n')}` +
            `\n--- console errors ---\n${consoleErrors.join('\n')}`,
        );
      }
      return { t0, usableMs: u.at - t0, usableBytes: u.bytes, usableRequests: u.requests };
    };

    // --- first visit ---
    const first = await visit(() => page.goto(proxy.url, { waitUntil: 'commit', timeout: USABLE_TIMEOUT }));
    let offline = null;
    const offlineStart = Date.now();
    while (Date.now() - offlineStart < OFFLINE_TIMEOUT) {
      if (await offlineReady(page, precache).catch(() => false)) {
        offline = { ms: Date.now() - first.t0, bytes: proxy.stats.bytesToClient };
        break;
      }
      await sleep(100);
    }
    const whole = await waitQuiet(proxy);
    const firstLog = proxy.stats.log.map((e) => ({ ...e }));

    // --- second visit ---
    proxy.stats.reset();
    const second = await visit(() => page.reload({ waitUntil: 'commit', timeout: USABLE_TIMEOUT }));
    const secondWhole = await waitQuiet(proxy);
    const secondLog = proxy.stats.log.map((e) => ({ ...e }));

    return {
      usableMs: first.usableMs,
      usableBytes: first.usableBytes,
      usableRequests: first.usableRequests,
      offlineMs: offline?.ms ?? null,
      offlineBytes: offline?.bytes ?? null,
      wholeBytes: whole.bytes,
      wholeQuiet: whole.quiet,
      wholeRequests: firstLog.length,
      secondUsableMs: second.usableMs,
      secondUsableBytes: second.usableBytes,
      secondWholeBytes: secondWhole.bytes,
      secondRequests: secondLog.length,
      firstLog,
      secondLog,
      encodings: [...encodings],
    };
  } finally {
    await context?.close().catch(() => {});
    await proxy.close();
    await server.stop();
  }
}

// ---- main -----------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  for (const [what, p] of [
    ['the release server', SERVER_BIN],
    ['the built app', path.join(opts.staticDir, 'index.html')],
    ['Chromium', CHROMIUM],
  ]) {
    if (!existsSync(p)) throw new Error(`first-visit bench: ${what} is missing: ${p}`);
  }
  const tmp = await freshTmpRoot(import.meta.url);
  const precache = await readPrecache(opts.staticDir);

  // The shell: every precached file fetched once, straight from the server.
  const server = await startServer({ dataDir: await makeDir(tmp, 'data-shell'), staticDir: opts.staticDir });
  let files;
  try {
    // sw.js is no part of its own list, but no first visit can do without it.
    files = await shellFiles(opts.staticDir, server.url, [...precache.urls, '/sw.js']);
  } finally {
    await server.stop();
  }
  // "/" and "/index.html" are the same file; a visit needs it once.
  const once = files.filter((f) => f.url !== '/index.html');
  const shellBytes = once.reduce((n, f) => n + f.served.wire, 0);
  // The same, had the server sent the build's own .br files (quality 11) where it sent Brotli.
  const precompressed = once.some((f) => f.br !== null);
  const shellBrBytes = once.reduce(
    (n, f) => n + (f.br !== null && f.served.encoding === 'br' ? f.served.wire - f.served.body + f.br : f.served.wire),
    0,
  );

  const link = `${opts.kbps} kbit/s, ${opts.rtt} ms RTT, ${opts.shared ? 'one link shared by all connections' : 'each connection its own link'}`;
  console.log(`first visit over ${link}; ${opts.staticDir}; ${opts.runs} run(s), fresh profile each, locale ${opts.locale}`);
  const runs = [];
  for (let run = 1; run <= opts.runs; run++) {
    const r = await oneRun({ opts, tmp, run, precache });
    runs.push(r);
    const other = r.encodings.filter((e) => e !== ACCEPT_ENCODING);
    if (other.length) console.log(`  (Chromium sent Accept-Encoding ${JSON.stringify(other)}, the shell was measured with ${JSON.stringify(ACCEPT_ENCODING)})`);
    console.log(
      `  run ${run}: usable ${secs(r.usableMs)} ${kB(r.usableBytes)}, ready offline ${secs(r.offlineMs)} ${kB(r.offlineBytes)}, ` +
        `whole ${kB(r.wholeBytes)}${r.wholeQuiet ? '' : ' (never quiet)'} in ${r.wholeRequests} requests; ` +
        `second visit usable ${secs(r.secondUsableMs)} ${kB(r.secondUsableBytes)}, whole ${kB(r.secondWholeBytes)} in ${r.secondRequests} requests`,
    );
  }
  const m = (k) => median(runs.map((r) => r[k]));
  const ratio = (b) => (b === null ? '—' : `${((b / shellBytes) * 100).toFixed(0)} %`);
  console.log('');
  console.log(
    table([
      ['', 'bytes', 'time', 'of shell'],
      ['shell (each precached file and sw.js once)', kB(shellBytes), '', '100 %'],
      ...(precompressed ? [['shell, were the .br files served (estimate)', kB(shellBrBytes), '', ratio(shellBrBytes)]] : []),
      ['first visit: until usable', kB(m('usableBytes')), secs(m('usableMs')), ratio(m('usableBytes'))],
      ['first visit: until ready offline', kB(m('offlineBytes')), secs(m('offlineMs')), ratio(m('offlineBytes'))],
      ['first visit: whole', kB(m('wholeBytes')), '', ratio(m('wholeBytes'))],
      ['second visit (reload): until usable', kB(m('secondUsableBytes')), secs(m('secondUsableMs')), ''],
      ['second visit (reload): whole', kB(m('secondWholeBytes')), '', ''],
    ]),
  );
  if (runs.some((r) => r.offlineMs === null)) console.log(`(ready offline: not reached within ${OFFLINE_TIMEOUT / 1000} s in some runs)`);

  // Where the bytes of the first run went.
  const r = runs[0];
  const byUrl = new Map();
  const note = (log, key, fromIndex = 0, until = Infinity) => {
    for (const e of log) {
      const u = e.path.split('?')[0];
      const row = byUrl.get(u) ?? { page: 0, after: 0, second: 0, n: 0, statuses: new Set() };
      if (key === 'first') {
        if (e.n - fromIndex < until) row.page += e.resBytes;
        else row.after += e.resBytes;
        row.n += 1;
      } else row.second += e.resBytes;
      row.statuses.add(e.status ?? e.outcome);
      byUrl.set(u, row);
    }
  };
  const firstN = r.firstLog[0]?.n ?? 0;
  note(r.firstLog, 'first', firstN, r.usableRequests);
  note(r.secondLog, 'second');
  const filesByUrl = new Map(files.map((f) => [f.url, f]));
  const rows = [['run 1, per path', 'on disk', 'served', '.br', 'before usable', 'after usable', 'requests', 'reload', 'status']];
  for (const [u, row] of [...byUrl].sort((a, b) => b[1].page + b[1].after - (a[1].page + a[1].after))) {
    const f = filesByUrl.get(u);
    rows.push([
      u,
      kB(f?.raw),
      f ? `${kB(f.served.wire)} ${f.served.encoding === 'identity' ? '' : f.served.encoding}`.trim() : '',
      kB(f?.br),
      kB(row.page),
      kB(row.after),
      row.n,
      kB(row.second),
      [...row.statuses].join(','),
    ]);
  }
  console.log('');
  console.log(table(rows));
}

main().catch((e) => {
  console.error(e.stack ?? String(e));
  process.exit(1);
});
