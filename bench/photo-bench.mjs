// On-device photo processing: what the app's photo worker makes of a 12 MP camera picture and of a
// photographed document, before and after it chose among encoders: bytes, time, and (for the
// document) how much of its text Tesseract still reads.
//
//   node bench/photo-bench.mjs [--runs N]      (from the repo root; N defaults to 3)
//   npm run bench:photo
//
// Needs target/release/server (cargo build --release -p server), the worker in dist/ (trunk build
// --release; public/photo-worker.js when dist/ has none, RESGUARDO_PHOTO_WORKER_DIR to choose),
// Debian's Chromium and tesseract-ocr, and `npm install` (playwright-core).
// RESGUARDO_SERVER_BIN and CHROMIUM_PATH override the paths, as in tests/support/harness.mjs.
//
// The worker contract (see public/photo-worker.js): `postMessage({id, blob, accept})` answers
// `{id, ok: true, photo, type, encoderQuality, thumbnail, width, height, sha256, quality}` or
// `{id, ok: false, error}`. "before" is the worker asked without `accept`, which is what it did
// before (JPEG 0.8, byte for byte); "after" asks with accept ['image/webp', 'image/jpeg'] as the
// app does; "after, no WebP" runs the same file in a worker whose canvas answers PNG when asked
// for WebP, as Safari/WebKit does.
//
// The inputs, both 4000×3000 and drawn in the page: a busy picture (gradients, shapes, fine
// noise: a few MB, like a phone photo) and the passport-like test document of
// tests/support/document.mjs (perspective, guilloche, optics blur, sensor noise; text from 96 px
// to 14 px microprint and a machine-readable zone). The document is read line by line (each
// line cut out and straightened, Tesseract --psm 7) and as a whole page (--psm 4); accuracy =
// 1 − Levenshtein / length. A table of encoder settings on the same document follows.
//
// A benchmark, not a test: it never fails on speed. It exits 1 only when it could not run or an
// answer is wrong (ok: false, a type the Blob does not have, long edge over 2048, dimensions that
// do not match the decoded image, a SHA-256 that is not the photo's). This machine's CPU is not a
// phone's: read the times relative to each other.

import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';

import { CHROMIUM, freshTmpRoot } from '../tests/support/harness.mjs';
import { DOCUMENT_LINES } from '../tests/support/document.mjs';
import { assertTesseract, ocr, scoreOcr } from '../tests/support/ocr.mjs';
import { ACCEPT, openPhotoLab } from '../tests/support/photo-lab.mjs';

const MAX_EDGE = 2048;
const BUDGET = 400_000;

function parseRuns(args) {
  const i = args.findIndex((a) => a === '--runs' || a.startsWith('--runs='));
  if (i < 0) return 3;
  const value = args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--runs wants a whole number ≥ 1, got ${value}`);
  return n;
}

const kib = (n) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);
const pct = (x) => `${(100 * x).toFixed(1)} %`;
const ms = (x) => `${Math.round(x)} ms`;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs in the page: the busy 12 MP picture, kept as window.lab.photos[name]. */
async function makeBusy([name, width, height]) {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const sky = ctx.createLinearGradient(0, 0, width, height);
  sky.addColorStop(0, '#1d3557');
  sky.addColorStop(0.45, '#a8dadc');
  sky.addColorStop(1, '#e76f51');
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, width, height);
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
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
  const img = ctx.getImageData(0, 0, width, height);
  const px = img.data;
  for (let i = 0; i < px.length; i += 4) {
    const n = (rand() - 0.5) * 18;
    px[i] += n;
    px[i + 1] += n + (rand() - 0.5) * 10;
    px[i + 2] += n;
  }
  ctx.putImageData(img, 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
  window.lab.photos[name] = { blob };
  return { size: blob.size };
}

function problemsOf(r, what, input) {
  const p = [];
  if (!r.ok) return [`${what}: ok: false (${r.error})`];
  if (!r.photo) return [`${what}: no photo Blob`];
  if (r.photo.type !== r.type) p.push(`${what}: the Blob is ${r.photo.type} but type says ${r.type}`);
  if (!['image/jpeg', 'image/webp'].includes(r.photo.type)) p.push(`${what}: photo type ${r.photo.type}`);
  if (Math.max(r.photo.decodedWidth, r.photo.decodedHeight) > MAX_EDGE) p.push(`${what}: long edge over ${MAX_EDGE}`);
  if (r.photo.decodedWidth !== r.width || r.photo.decodedHeight !== r.height) {
    p.push(`${what}: reported ${r.width}×${r.height}, decodes as ${r.photo.decodedWidth}×${r.photo.decodedHeight}`);
  }
  if (Math.abs(r.height - (r.width * input.height) / input.width) > 1) p.push(`${what}: aspect ratio changed`);
  if (r.sha256 !== r.photo.sha256) p.push(`${what}: the reported SHA-256 is not the photo's`);
  if (!r.thumbnail) p.push(`${what}: no thumbnail`);
  return p;
}

async function main() {
  const runs = parseRuns(process.argv.slice(2));
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  assertTesseract();
  const tmp = await freshTmpRoot(import.meta.url);
  const lab = await openPhotoLab(tmp);
  const problems = [];
  try {
    const ua = await lab.page.evaluate(() => navigator.userAgent);
    console.log(`photo-bench: ${lab.source}, ${runs} runs per variant, ${ua.match(/Chrom(e|ium)\/[\d.]+/)?.[0] ?? ua} headless`);
    const inputs = [
      ['12 MP picture', 'busy', await lab.page.evaluate(makeBusy, ['busy', 4000, 3000])],
      ['document', 'document', await lab.makeDocument('document')],
    ];
    const variants = [
      ['before (JPEG 0.8)', {}],
      ['after', { accept: ACCEPT }],
      ['after, no WebP', { accept: ACCEPT, worker: 'no-webp' }],
    ];
    const rows = [];
    for (const [label, name, made] of inputs) {
      const input = { width: 4000, height: 3000 };
      console.log(`\n${label}: 4000×3000 JPEG, ${kib(made.size)}`);
      for (const [vlabel, options] of variants) {
        const times = [];
        let r;
        for (let i = 0; i < runs; i++) {
          r = await lab.process(name, options);
          times.push(r.ms);
        }
        problems.push(...problemsOf(r, `${label}, ${vlabel}`, input));
        if (!r.ok) continue;
        let reading = '';
        let lines = null;
        let page = null;
        if (name === 'document') {
          lines = await lab.read(r);
          page = scoreOcr(DOCUMENT_LINES, await ocr(await lab.png(r)));
          reading = `  OCR ${pct(lines.accuracy)} by line, ${pct(page.accuracy)} whole page`;
        }
        const fits = r.photo.size <= BUDGET ? '≤' : '>';
        console.log(
          `  ${vlabel.padEnd(18)} ${r.type.padEnd(10)} q${String(r.encoderQuality).padEnd(4)} ${kib(r.photo.size).padStart(10)} ` +
            `(${r.photo.size} B ${fits} ${BUDGET})  median ${ms(median(times)).padStart(7)} (${times.map(ms).join(', ')})${reading}`,
        );
        if (name === 'document') {
          console.log(
            `  ${''.padEnd(18)} by size: ${Object.entries(lines.byGroup)
              .map(([g, v]) => `${g} ${pct(v.accuracy)}`)
              .join(', ')}`,
          );
        }
        rows.push({ input: label, variant: vlabel, type: r.type, q: r.encoderQuality, bytes: r.photo.size, median: median(times), lines: lines?.accuracy, page: page?.accuracy, quality: r.quality });
      }
    }
    const doc = rows.find((x) => x.input === 'document' && x.variant === 'after');
    if (doc) console.log(`\ndocument quality check (after): ${JSON.stringify(doc.quality)}`);

    // The same document through plain encoder settings (drawn to 2048 px as the worker does,
    // one encode each): where the chosen settings sit.
    console.log('\nencoder settings on the document (long edge 2048; time is the encode alone):');
    const settings = [
      ['image/jpeg', 0.8],
      ['image/jpeg', 0.75],
      ['image/jpeg', 0.7],
      ['image/jpeg', 0.6],
      ['image/jpeg', 0.5],
      ['image/webp', 0.9],
      ['image/webp', 0.85],
      ['image/webp', 0.8],
      ['image/webp', 0.7],
      ['image/webp', 0.6],
    ];
    for (const [type, quality] of settings) {
      const e = await lab.page.evaluate(
        async ([type, quality, out]) => {
          const input = window.lab.photos.document;
          const r = await window.docKit.encodeLikeBefore(input.blob, { type, quality });
          window.lab.outputs[out] = { blob: r.blob, boxes: input.boxes, page: input.page };
          return { size: r.size, type: r.type, ms: r.ms };
        },
        [type, quality, `setting-${type}-${quality}`],
      );
      if (e.type !== type) {
        console.log(`  ${type} ${quality}: this browser does not write ${type}`);
        continue;
      }
      const lines = await lab.read({ output: `setting-${type}-${quality}` });
      console.log(
        `  ${type.padEnd(10)} ${String(quality).padEnd(4)} ${kib(e.size).padStart(10)} (${e.size} B)  encode ${ms(e.ms).padStart(6)}  OCR ${pct(lines.accuracy)} by line`,
      );
    }
    console.log('');
    if (problems.length) {
      console.error(`the worker's answer is wrong:\n  ${problems.join('\n  ')}`);
      return 1;
    }
    return 0;
  } finally {
    await lab.close();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (e) {
  console.error(`\nphoto-bench failed: ${e.stack ?? e}`);
  process.exitCode = 1;
}
