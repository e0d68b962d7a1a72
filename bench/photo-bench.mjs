// On-device photo processing: how long the app's photo worker takes to turn a 12 MP camera JPEG
// into the stored photo (JPEG, long edge ≤ 2048 px) and its thumbnail, and how big they are.
//
//   node bench/photo-bench.mjs [--runs N]      (from the repo root; N defaults to 5)
//   npm run bench:photo
//
// Needs target/release/server (cargo build --release -p server), the built app in dist/ with
// its dedicated worker dist/photo-worker.js (trunk build --release), Debian's Chromium and
// `npm install` (playwright-core). RESGUARDO_SERVER_BIN, RESGUARDO_STATIC_DIR and CHROMIUM_PATH
// override the paths, as in tests/support/harness.mjs.
//
// The worker contract: `new Worker('/photo-worker.js')` (a classic worker) accepts
// `postMessage({id, blob})` and answers `{id, ok: true, photo: Blob(image/jpeg, long edge ≤ 2048),
// thumbnail: Blob, width, height}` or `{id, ok: false, error}`.
//
// What it does: starts our server on dist/ with a temporary data dir, opens a blank page on the
// server's origin in headless Chromium (so the app itself does not boot and compete for the CPU),
// draws a 4000×3000 picture on an OffscreenCanvas (gradients, shapes and fine noise, so the JPEG
// is not trivially compressible: a few MB, like a phone photo), encodes it as JPEG, then posts it
// to one worker N times in a row and times each answer (the first includes starting the worker).
// Prints the median and every run in ms, the input size, and the output's size and dimensions.
//
// A benchmark, not a test: it never fails on speed. It exits 1 only when it could not run (no
// server, no dist/photo-worker.js, no Chromium) or the worker's answer is wrong (ok: false, not a
// JPEG, long edge over 2048, dimensions that do not match the decoded image or the aspect ratio).
// This machine's CPU is not a phone's: read the figures relative to each other over time.

import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';

import {
  CHROMIUM,
  CHROMIUM_ARGS,
  SERVER_BIN,
  STATIC_DIR,
  freshTmpRoot,
  makeDir,
  startServer,
} from '../tests/support/harness.mjs';

const WIDTH = 4000;
const HEIGHT = 3000;
const MAX_EDGE = 2048;
const CALL_TIMEOUT = 120_000;
const BLANK = '/__photo-bench__';

function parseRuns(args) {
  const i = args.findIndex((a) => a === '--runs' || a.startsWith('--runs='));
  if (i < 0) return 5;
  const value = args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--runs wants a whole number ≥ 1, got ${value}`);
  return n;
}

const kib = (n) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs in the page: makes the 12 MP JPEG, then times the worker. */
async function inPage({ runs, width, height, maxEdge, callTimeout }) {
  // --- the input: a busy 12 MP picture -----------------------------------------------------------
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const sky = ctx.createLinearGradient(0, 0, width, height);
  sky.addColorStop(0, '#1d3557');
  sky.addColorStop(0.45, '#a8dadc');
  sky.addColorStop(1, '#e76f51');
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, width, height);
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 60; i++) {
    const x = rand() * width;
    const y = rand() * height;
    const r = 100 + rand() * 700;
    const g = ctx.createRadialGradient(x, y, 0, x, y, r);
    g.addColorStop(0, `hsla(${rand() * 360}, 70%, 60%, 0.8)`);
    g.addColorStop(1, 'hsla(0, 0%, 0%, 0)');
    ctx.fillStyle = g;
    ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
  }
  ctx.lineWidth = 6;
  for (let i = 0; i < 400; i++) {
    ctx.strokeStyle = `hsl(${rand() * 360}, 60%, ${20 + rand() * 60}%)`;
    ctx.beginPath();
    ctx.moveTo(rand() * width, rand() * height);
    ctx.bezierCurveTo(rand() * width, rand() * height, rand() * width, rand() * height, rand() * width, rand() * height);
    ctx.stroke();
  }
  ctx.font = 'bold 160px sans-serif';
  ctx.fillStyle = '#111';
  for (let i = 0; i < 12; i++) ctx.fillText('PASAPORTE · PASSPORT · 0123456789', rand() * width * 0.5, rand() * height);
  // Sensor-like noise over everything.
  const img = ctx.getImageData(0, 0, width, height);
  const px = img.data;
  for (let i = 0; i < px.length; i += 4) {
    const n = (rand() - 0.5) * 18;
    px[i] += n;
    px[i + 1] += n + (rand() - 0.5) * 10;
    px[i + 2] += n;
  }
  ctx.putImageData(img, 0, 0);
  const input = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });

  // --- the worker ---------------------------------------------------------------------------------
  const worker = new Worker('/photo-worker.js');
  const pending = new Map();
  let workerError = null;
  worker.onmessage = (e) => {
    const p = pending.get(e.data?.id);
    if (p) {
      pending.delete(e.data.id);
      p.resolve(e.data);
    }
  };
  worker.onerror = (e) => {
    workerError = `worker error: ${e.message || 'failed to load /photo-worker.js'}`;
    for (const p of pending.values()) p.reject(new Error(workerError));
    pending.clear();
  };
  const call = (id, blob) =>
    new Promise((resolve, reject) => {
      if (workerError) return reject(new Error(workerError));
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the worker did not answer ${id} within ${callTimeout / 1000} s`));
      }, callTimeout);
      pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      worker.postMessage({ id, blob });
    });

  const times = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const id = `bench-${i}`;
    const t0 = performance.now();
    const reply = await call(id, input);
    times.push(performance.now() - t0);
    if (!reply.ok) throw new Error(`the worker answered ok: false on run ${i + 1}: ${reply.error}`);
    last = reply;
  }
  worker.terminate();

  const describe = async (blob) => {
    if (!(blob instanceof Blob)) return { missing: true };
    const bmp = await createImageBitmap(blob);
    const d = { size: blob.size, type: blob.type, decodedWidth: bmp.width, decodedHeight: bmp.height };
    bmp.close();
    return d;
  };
  // The app's worker also reports the photo's sha256; check it when present.
  let sha256Matches = null;
  if (typeof last.sha256 === 'string' && last.photo instanceof Blob) {
    const digest = await crypto.subtle.digest('SHA-256', await last.photo.arrayBuffer());
    const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    sha256Matches = hex === last.sha256;
  }
  return {
    userAgent: navigator.userAgent,
    sha256Matches,
    input: { size: input.size, type: input.type, width, height },
    times,
    width: last.width,
    height: last.height,
    photo: await describe(last.photo),
    thumbnail: await describe(last.thumbnail),
    maxEdge,
  };
}

async function main() {
  const runs = parseRuns(process.argv.slice(2));
  const missing = [];
  if (!existsSync(SERVER_BIN)) missing.push(`${SERVER_BIN} (cargo build --release -p server)`);
  if (!existsSync(path.join(STATIC_DIR, 'photo-worker.js'))) missing.push(`${path.join(STATIC_DIR, 'photo-worker.js')} (TODO: needs photo worker; trunk build --release once the app has one)`);
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (apt-get install chromium)`);
  if (missing.length) {
    console.error(`photo-bench cannot run; missing:\n  ${missing.join('\n  ')}`);
    return 1;
  }

  const tmp = await freshTmpRoot(import.meta.url);
  const server = await startServer({ dataDir: await makeDir(tmp, 'data') });
  let browser;
  try {
    const res = await fetch(`${server.url}/photo-worker.js`);
    const type = res.headers.get('content-type') ?? '';
    await res.arrayBuffer();
    if (res.status !== 200 || !/javascript/.test(type)) {
      throw new Error(`GET /photo-worker.js answered ${res.status} ${type}; expected a JavaScript file`);
    }

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    // A blank page on the server's origin, so the worker script is same-origin.
    await page.route(`${server.url}${BLANK}`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>photo bench</title>' }),
    );
    await page.goto(`${server.url}${BLANK}`);

    console.log(`photo-bench: ${runs} runs of /photo-worker.js on a ${WIDTH}×${HEIGHT} JPEG (headless Chromium)…`);
    let r;
    try {
      r = await page.evaluate(inPage, { runs, width: WIDTH, height: HEIGHT, maxEdge: MAX_EDGE, callTimeout: CALL_TIMEOUT });
    } catch (e) {
      throw new Error(`${e.message}${pageErrors.length ? `\npage errors:\n  ${pageErrors.join('\n  ')}` : ''}`);
    }

    // Is the answer what the contract says?
    const problems = [];
    const { photo, thumbnail } = r;
    if (photo.missing) problems.push('no photo Blob in the answer');
    else {
      if (photo.type !== 'image/jpeg') problems.push(`photo type ${JSON.stringify(photo.type)}, expected image/jpeg`);
      if (Math.max(photo.decodedWidth, photo.decodedHeight) > MAX_EDGE) problems.push(`photo is ${photo.decodedWidth}×${photo.decodedHeight}: long edge over ${MAX_EDGE}`);
      if (photo.decodedWidth !== r.width || photo.decodedHeight !== r.height) problems.push(`reported ${r.width}×${r.height} but the photo decodes as ${photo.decodedWidth}×${photo.decodedHeight}`);
      const expectedHeight = (photo.decodedWidth * HEIGHT) / WIDTH;
      if (Math.abs(photo.decodedHeight - expectedHeight) > 1) problems.push(`aspect ratio changed: ${photo.decodedWidth}×${photo.decodedHeight} from ${WIDTH}×${HEIGHT}`);
    }
    if (thumbnail.missing) problems.push('no thumbnail Blob in the answer');
    if (r.sha256Matches === false) problems.push('the sha256 the worker reported does not match the photo Blob');

    const ms = (x) => `${Math.round(x)} ms`;
    const dims = (d) => `${d.decodedWidth}×${d.decodedHeight}`;
    console.log('');
    console.log(`browser     ${r.userAgent.match(/Chrom(e|ium)\/[\d.]+/)?.[0] ?? r.userAgent}`);
    console.log(`input       ${WIDTH}×${HEIGHT} ${r.input.type}, ${kib(r.input.size)}`);
    if (!photo.missing) console.log(`photo       ${dims(photo)} ${photo.type}, ${kib(photo.size)}  (${((100 * photo.size) / r.input.size).toFixed(1)} % of the input)`);
    if (!thumbnail.missing) console.log(`thumbnail   ${dims(thumbnail)} ${thumbnail.type}, ${kib(thumbnail.size)}`);
    if (r.sha256Matches) console.log('sha256      the one the worker reported matches the photo');
    console.log(`time        median ${ms(median(r.times))} over ${runs} runs: ${r.times.map(ms).join(', ')} (the first includes starting the worker)`);
    console.log('');
    if (problems.length) {
      console.error(`the worker's answer is wrong:\n  ${problems.join('\n  ')}`);
      return 1;
    }
    return 0;
  } finally {
    await browser?.close();
    await server.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (e) {
  console.error(`\nphoto-bench failed: ${e.stack ?? e}`);
  process.exitCode = 1;
}
