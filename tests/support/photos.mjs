// Document photos for the end-to-end tests: test pictures made in Chromium, and the helpers that
// drive the documents step (choose a photo, wait until it is processed) and read the status panel.
// Every e2e test file that needs photos imports these instead of copying them.
//
//   const pictures = await makeTestPictures(dir, { count: 3 });   // in `before`
//   const { page, caseId, people } = await openFillAndDocuments(w);
//   const id = await addPhoto(page, people[0], 'id_document', pictures.files[0]);
//   await expectPhotoReady(page, id);
//
// The pictures (3000×2250 JPEG: gradients, a "document" card with text, and sensor noise) are
// tuned so that the app's processed photo weighs about `target` bytes, like a real phone picture
// of a document. The processed size is not guessed: each picture goes through the app's own
// photo worker (dist/photo-worker.js, as the app serves it) asked with the app's `accept`
// (['image/webp', 'image/jpeg'], frontend/src/photos.rs), so the encoder, the quality ladder and
// the 400 kB budget are exactly the app's. In Chromium that is WebP 0.8, stepping down to 0.7 and
// 0.6 while over the budget: a target up to about 380 kB is met within the budget; a bigger one
// needs so much noise that even the last step is over the budget (the quality floor).

import fs from 'node:fs/promises';
import path from 'node:path';

import { firstPage, launchBrowser, pollUntil } from './harness.mjs';
import { DOCUMENTS_STEP, fillHousehold, goToStep, HOUSEHOLD, sel, setLanguage, startNewCase } from './app.mjs';
import { ACCEPT, workerSource } from './photo-lab.mjs';

// ---- test pictures ---------------------------------------------------------------------------------

// An origin for the picture page, answered by Playwright itself (nothing listens there): localhost
// is a secure context, which the worker needs for crypto.subtle, and it can serve the worker file.
const PICTURE_ORIGIN = 'http://localhost:9';

/**
 * Makes `count` pictures (seeds `firstSeed`…) as `dir/document-<seed>.jpg`, with a noise amplitude
 * found by bisection so that the processed photo of the first weighs about `target` bytes (within
 * `tolerance`). Uses its own headless Chromium on `dir/profile`.
 * @returns {Promise<{files: string[], sizes: Record<string, {original: number, processed: number,
 *   type: string, quality: number}>, amplitude: number}>} `processed`, `type` and `quality` are
 *   what the app's photo worker made of the picture in this Chromium (the app, given the same
 *   file, makes the same bytes; a picture with an EXIF rotation may differ a little).
 */
export async function makeTestPictures(dir, { count = 6, firstSeed = 1, target = 330_000, tolerance = 50_000 } = {}) {
  await fs.mkdir(dir, { recursive: true });
  const workerJs = await fs.readFile(workerSource(), 'utf8');
  const context = await launchBrowser(path.join(dir, 'profile'));
  try {
    const page = await firstPage(context);
    await page.route(`${PICTURE_ORIGIN}/**`, (route) =>
      route.fulfill(
        new URL(route.request().url()).pathname === '/photo-worker.js'
          ? { status: 200, contentType: 'text/javascript', body: workerJs }
          : { status: 200, contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>test pictures</title>' },
      ),
    );
    await page.goto(`${PICTURE_ORIGIN}/`);
    await page.evaluate(installGenerator, ACCEPT);
    let lo = 0;
    let hi = 192;
    let amplitude = 24;
    for (let i = 0; i < 7; i++) {
      amplitude = (lo + hi) / 2;
      const { processedSize } = await page.evaluate(([seed, a]) => window.makePicture(seed, a, false), [firstSeed, amplitude]);
      if (processedSize < target) lo = amplitude;
      else hi = amplitude;
      if (Math.abs(processedSize - target) < tolerance) break;
    }
    const files = [];
    const sizes = {};
    for (let seed = firstSeed; seed < firstSeed + count; seed++) {
      const { base64, processedSize, type, quality } = await page.evaluate(([s, a]) => window.makePicture(s, a, true), [seed, amplitude]);
      const file = path.join(dir, `document-${seed}.jpg`);
      await fs.writeFile(file, Buffer.from(base64, 'base64'));
      files.push(file);
      sizes[file] = { original: Buffer.byteLength(base64, 'base64'), processed: processedSize, type, quality };
    }
    return { files, sizes, amplitude };
  } finally {
    await context.close();
  }
}

/** Runs in the page: defines window.makePicture(seed, amplitude, withData), processing with `accept`. */
function installGenerator(accept) {
  const mulberry32 = (a) => () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // The app's photo worker, asked as the app asks it.
  const worker = new Worker('/photo-worker.js');
  let calls = 0;
  const processLikeTheApp = (blob) =>
    new Promise((resolve, reject) => {
      const id = ++calls;
      const onMessage = (e) => {
        if (e.data?.id !== id) return;
        worker.removeEventListener('message', onMessage);
        if (e.data.ok) resolve(e.data);
        else reject(new Error(`photo worker: ${e.data.error}`));
      };
      worker.addEventListener('message', onMessage);
      worker.postMessage({ id, blob, accept });
    });
  window.makePicture = async (seed, amplitude, withData) => {
    const w = 3000;
    const h = 2250;
    const rand = mulberry32(seed * 7919);
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext('2d');
    const g = ctx.createLinearGradient(0, 0, w, h);
    g.addColorStop(0, `hsl(${(seed * 67) % 360} 45% 70%)`);
    g.addColorStop(1, `hsl(${(seed * 67 + 140) % 360} 40% 35%)`);
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, w, h);
    const r = ctx.createRadialGradient(w * 0.3, h * 0.4, 50, w * 0.5, h * 0.5, w * 0.7);
    r.addColorStop(0, 'rgba(255,255,255,0.5)');
    r.addColorStop(1, 'rgba(0,0,0,0.3)');
    ctx.fillStyle = r;
    ctx.fillRect(0, 0, w, h);
    // A "document": a pale card with lines of text and a photo box.
    ctx.fillStyle = 'rgba(250,248,240,0.9)';
    ctx.fillRect(300, 250, 2400, 1750);
    ctx.fillStyle = `hsl(${(seed * 31) % 360} 30% 40%)`;
    ctx.fillRect(400, 400, 600, 800);
    ctx.fillStyle = '#222';
    ctx.font = 'bold 110px sans-serif';
    ctx.fillText(`DOCUMENTO ${seed}`, 1100, 520);
    ctx.font = '70px sans-serif';
    for (let i = 0; i < 12; i++) ctx.fillText(`Línea ${i + 1}: ${Math.floor(rand() * 1e12).toString(36)}`, 1100, 680 + i * 105);
    // Sensor noise.
    const img = ctx.getImageData(0, 0, w, h);
    const d = img.data;
    for (let i = 0; i < d.length; i += 4) {
      const n = (rand() - 0.5) * amplitude;
      d[i] += n + (rand() - 0.5) * amplitude * 0.3;
      d[i + 1] += n;
      d[i + 2] += n - (rand() - 0.5) * amplitude * 0.3;
    }
    ctx.putImageData(img, 0, 0);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    // What the app will make of it, to know the size it will upload.
    const processed = await processLikeTheApp(blob);
    let base64 = null;
    if (withData) {
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = '';
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      base64 = btoa(s);
    }
    return { base64, processedSize: processed.photo.size, type: processed.type, quality: processed.encoderQuality };
  };
}

// ---- the documents step ----------------------------------------------------------------------------

/** The people of step 4 in order: ['applicant', memberId, ...]. */
export async function peopleOnStep4(page, count) {
  await pollUntil(async () => (await page.locator(sel.personPhotos).count()) === count, {
    what: async () => `${count} person-photos fieldsets (found ${await page.locator(sel.personPhotos).count()})`,
  });
  return page.locator(sel.personPhotos).evaluateAll((els) => els.map((e) => e.getAttribute('data-person')));
}

/** Every photo on the page: [{ person, id, ready, img }]. No waiting (reads the DOM once). */
export function photosOnPage(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=person-photos]')].flatMap((fs) =>
      [...fs.querySelectorAll('li[data-testid=photo]')].map((li) => {
        const img = li.querySelector('img');
        return {
          person: fs.getAttribute('data-person'),
          id: li.getAttribute('data-photo-id'),
          ready: li.getAttribute('data-ready'),
          img: img ? { complete: img.complete, naturalWidth: img.naturalWidth } : null,
        };
      }),
    ),
  );
}

/**
 * Chooses `file` for person `person` ('applicant' or a member ID) with photo kind `kind`, through
 * the camera input (`via: 'take'`) or the gallery one ('pick'); returns the new photo's ID once it
 * is listed (not waiting for it to be processed).
 */
export async function addPhoto(page, person, kind, file, via = 'take') {
  const block = page.locator(`${sel.personPhotos}[data-person="${person}"]`);
  const before = (await photosOnPage(page)).map((p) => p.id);
  await block.locator(sel.photoKind).selectOption(kind);
  await block.locator(via === 'take' ? sel.takePhoto : sel.pickPhoto).setInputFiles(file);
  return pollUntil(
    async () => (await photosOnPage(page)).find((p) => p.person === person && !before.includes(p.id))?.id,
    { timeout: 30_000, what: `a new photo listed for ${person}` },
  );
}

/** Waits until photo `id` is processed: data-ready="true" with a loaded thumbnail. */
export async function expectPhotoReady(page, id, timeout = 60_000) {
  return pollUntil(
    async () => {
      const p = (await photosOnPage(page)).find((x) => x.id === id);
      return p && p.ready === 'true' && p.img?.complete && p.img.naturalWidth > 0 && p;
    },
    { timeout, what: async () => `photo ${id} to be ready with its thumbnail (${JSON.stringify((await photosOnPage(page)).find((x) => x.id === id) ?? 'not listed')})` },
  );
}

/** Online, fresh profile: opens the app in English, starts a case, fills it and goes to step 4. */
export async function openFillAndDocuments(w, page = null) {
  page ??= await w.openBrowser();
  await page.goto(`${w.proxy.url}/`);
  await setLanguage(page, 'en');
  const caseId = await startNewCase(page);
  await fillHousehold(page);
  await goToStep(page, DOCUMENTS_STEP);
  const people = await peopleOnStep4(page, 1 + HOUSEHOLD.members.length);
  return { page, caseId, people };
}

/** Reads the status panel once: { state, percent } (null when absent). */
export function statusNow(page) {
  return page.evaluate(() => {
    const s = document.querySelector('[data-testid=case-status]');
    const p = document.querySelector('[data-testid=photo-progress]');
    return { state: s?.getAttribute('data-state') ?? null, percent: p ? Number(p.getAttribute('data-percent')) : null };
  });
}

/** How many photo records the app's IndexedDB holds (whatever the database is called). */
export function photosInIndexedDb(page) {
  return page.evaluate(async () => {
    let count = 0;
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      if (db.objectStoreNames.contains('photos')) {
        count += await new Promise((res, rej) => {
          const r = db.transaction('photos').objectStore('photos').count();
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
      }
      db.close();
    }
    return count;
  });
}
