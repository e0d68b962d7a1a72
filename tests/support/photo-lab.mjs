// The photo worker on the bench: the real /photo-worker.js, served by the real release server from
// a folder of its own (so a rebuild of dist/ never changes the numbers mid-run), driven from a
// blank page in headless Chromium, with the photographed test document of ./document.mjs and
// Tesseract (./ocr.mjs) to tell whether the text is still readable.
//
//   const lab = await openPhotoLab(tmpDir);                 // server + browser + document kit
//   await lab.makeDocument('sharp', { });                  // 4000×3000 camera JPEG, kept in the page
//   const r = await lab.process('sharp', { accept: ['image/webp', 'image/jpeg'] });
//   const score = await lab.read(r);                       // Tesseract, line by line
//   await lab.close();
//
// Used by tests/e2e/photo-quality.test.mjs and bench/photo-bench.mjs.

import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

import { CHROMIUM, CHROMIUM_ARGS, SERVER_BIN, STATIC_DIR, makeDir, startServer } from './harness.mjs';
import { DOCUMENT_LINES, installDocumentKit } from './document.mjs';
import { readLines } from './ocr.mjs';

export const ACCEPT = ['image/webp', 'image/jpeg'];
const BLANK = '/__photo-lab__';

/**
 * Where the worker comes from: `workerFrom` is a folder holding photo-worker.js (default:
 * RESGUARDO_PHOTO_WORKER_DIR, else the built app, dist/, falling back to public/ when dist/ has
 * none).
 */
export function workerSource(workerFrom = process.env.RESGUARDO_PHOTO_WORKER_DIR) {
  const candidates = workerFrom ? [workerFrom] : [STATIC_DIR, path.join(path.dirname(STATIC_DIR), 'public')];
  for (const dir of candidates) if (existsSync(path.join(dir, 'photo-worker.js'))) return path.join(dir, 'photo-worker.js');
  throw new Error(`no photo-worker.js in ${candidates.join(' or ')} (trunk build --release copies public/ into dist/)`);
}

/**
 * Starts the server on a copy of the worker (plus a one-line index.html, without which the
 * server serves no static files) and opens a blank page on its origin.
 */
export async function openPhotoLab(tmp, { workerFrom } = {}) {
  if (!existsSync(SERVER_BIN)) throw new Error(`no server binary at ${SERVER_BIN} (cargo build --release -p server)`);
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  const source = workerSource(workerFrom);
  const staticDir = await makeDir(tmp, 'static');
  await fs.copyFile(source, path.join(staticDir, 'photo-worker.js'));
  await fs.writeFile(path.join(staticDir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>photo lab</title>\n');
  const server = await startServer({ dataDir: await makeDir(tmp, 'data'), staticDir });
  let browser;
  try {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // A page of the server's origin without the app (so nothing competes for the CPU) and without
    // the app's CSP (so a wrapper worker can be made from a blob: URL, see `process`).
    await page.route(`${server.url}${BLANK}`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>photo lab</title>' }),
    );
    await page.goto(`${server.url}${BLANK}`);
    await page.evaluate(installDocumentKit);
    await page.evaluate(() => {
      window.lab = { photos: {}, outputs: {}, workers: {} };
    });
    return new PhotoLab({ server, browser, page, errors, source });
  } catch (e) {
    await browser?.close();
    await server.stop();
    throw e;
  }
}

class PhotoLab {
  constructor({ server, browser, page, errors, source }) {
    Object.assign(this, { server, browser, page, errors, source });
    this.outputs = 0;
  }

  /** Draws the test document as a camera JPEG named `name`, kept in the page. */
  async makeDocument(name, options = {}) {
    return this.page.evaluate(
      async ([name, lines, options]) => {
        const t0 = performance.now();
        const p = await window.docKit.makePhoto({ lines, ...options });
        window.lab.photos[name] = { blob: window.docKit.toBlob(p.base64, 'image/jpeg'), boxes: p.boxes, page: p.page };
        return { size: p.size, width: p.width, height: p.height, ms: performance.now() - t0 };
      },
      [name, DOCUMENT_LINES, options],
    );
  }

  /** Any bytes as an input named `name` (e.g. a file that is not a picture). */
  async putInput(name, text, type) {
    await this.page.evaluate(([name, text, type]) => {
      window.lab.photos[name] = { blob: new Blob([text], { type }) };
    }, [name, text, type]);
  }

  /**
   * Posts input `name` to the worker and returns its answer (Blobs described, not copied):
   * { ok, error, type, encoderQuality, quality, width, height, sha256, ms, photo: { size, type,
   *   decodedWidth, decodedHeight, sha256 } , thumbnail: {...}, output }, where `output` names the
   * photo kept in the page for `read`.
   * `worker`: 'real' (/photo-worker.js) or 'no-webp' (the same file in a worker whose
   * convertToBlob answers PNG when asked for WebP, as Safari/WebKit does). `accept` is sent as
   * is (undefined: not sent, as callers that predate `type`). `baseline`: instead of the worker,
   * what it did before it chose among encoders (JPEG 0.8, encoded in the page the same way).
   */
  async process(name, { accept, worker = 'real', baseline = false } = {}) {
    const output = `out-${++this.outputs}`;
    return this.page.evaluate(
      async ([name, accept, worker, baseline, output]) => {
        const input = window.lab.photos[name];
        const hex = async (blob) =>
          Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())), (b) =>
            b.toString(16).padStart(2, '0'),
          ).join('');
        const describe = async (blob) => {
          if (!(blob instanceof Blob)) return null;
          let decodedWidth = null;
          let decodedHeight = null;
          try {
            const bmp = await createImageBitmap(blob);
            decodedWidth = bmp.width;
            decodedHeight = bmp.height;
            bmp.close();
          } catch {
            /* reported as null */
          }
          return { size: blob.size, type: blob.type, decodedWidth, decodedHeight, sha256: await hex(blob) };
        };
        const t0 = performance.now();
        let answer;
        if (baseline) {
          const e = await window.docKit.encodeLikeBefore(input.blob);
          answer = { ok: true, photo: e.blob, type: e.type, encoderQuality: 0.8, width: e.width, height: e.height };
        } else {
          if (!window.lab.workers[worker]) {
            let url = '/photo-worker.js';
            if (worker === 'no-webp') {
              const src = `
                const write = OffscreenCanvas.prototype.convertToBlob;
                OffscreenCanvas.prototype.convertToBlob = function (options) {
                  if (options && options.type === 'image/webp') options = { type: 'image/png' };
                  return write.call(this, options);
                };
                importScripts(${JSON.stringify(`${location.origin}/photo-worker.js`)});`;
              url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
            }
            window.lab.workers[worker] = window.docKit.worker(url);
          }
          answer = await window.lab.workers[worker].call(input.blob, accept);
        }
        const ms = performance.now() - t0;
        if (answer.ok) window.lab.outputs[output] = { blob: answer.photo, boxes: input.boxes, page: input.page };
        return {
          ...answer,
          ms,
          output,
          photo: await describe(answer.photo),
          thumbnail: await describe(answer.thumbnail),
        };
      },
      [name, accept, worker, baseline, output],
    );
  }

  /** Tesseract's reading of an output photo, line by line (see ocr.mjs readLines). */
  async read(answer) {
    const crops = await this.page.evaluate(async (output) => {
      const o = window.lab.outputs[output];
      return (await window.docKit.cutLines(o.blob, o.boxes, o.page)).map((c) => c.base64);
    }, answer.output);
    return readLines(
      DOCUMENT_LINES,
      crops.map((b) => Buffer.from(b, 'base64')),
    );
  }

  /** An output photo as PNG bytes (decoded by Chromium), e.g. for whole-page OCR or an artifact. */
  async png(answer) {
    const b64 = await this.page.evaluate(
      async (output) => (await window.docKit.toPngBase64(window.lab.outputs[output].blob)).base64,
      answer.output,
    );
    return Buffer.from(b64, 'base64');
  }

  /** The output photo's own bytes (JPEG or WebP). */
  async bytes(answer) {
    const b64 = await this.page.evaluate(
      async (output) => window.docKit.toBase64(window.lab.outputs[output].blob),
      answer.output,
    );
    return Buffer.from(b64, 'base64');
  }

  /** Input `name` as the camera made it (to hand to the app as a file). */
  async inputBytes(name) {
    const b64 = await this.page.evaluate(async (name) => window.docKit.toBase64(window.lab.photos[name].blob), name);
    return Buffer.from(b64, 'base64');
  }

  async close() {
    await this.browser?.close();
    await this.server.stop();
  }
}
