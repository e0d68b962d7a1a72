// Document photos that fit on 2G and stay legible: the real photo worker (/photo-worker.js,
// served by the real release server) on a photographed passport-like page with known text,
// read back by Tesseract.
//
//   node --test tests/e2e/photo-quality.test.mjs
//
// The document (../support/document.mjs) is drawn in Chromium at 4000×3000 like a phone photo:
// slight perspective, guilloche background, optics blur, sensor noise, camera JPEG; its text runs
// from a 96 px heading down to 14 px microprint, and a machine-readable zone. Each line is cut
// out of the processed photo, straightened, and read on its own (Tesseract --psm 7), so a misread
// is the picture's fault, not page layout analysis's; accuracy = 1 − Levenshtein / length.
//
// The baseline is measured in the same run: the worker asked the way callers that predate
// `type` ask (no `accept`), which is exactly what it did before, JPEG 0.8. Needs Debian's
// tesseract-ocr (scripts/setup.sh test installs it); fails, not skips, without it.
//
// Last, the app itself with the dark photo: the suggestion to take it again shows beside it, and
// the case is still sent.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

import { assertBuilt, artifactPath, freshTmpRoot, REPO_ROOT } from '../support/harness.mjs';
import { expectCaseState, goToStep, REVIEW_STEP, sel, worldRunner } from '../support/app.mjs';
import { addPhoto, expectPhotoReady, openFillAndDocuments } from '../support/photos.mjs';
import { assertTesseract } from '../support/ocr.mjs';
import { ACCEPT, openPhotoLab } from '../support/photo-lab.mjs';

const TMP = await freshTmpRoot(import.meta.url);
const BUDGET = 400_000;
const LONG_EDGE = 2048;
// How much worse than the baseline a reading may be (a fraction of the characters): the small
// print's misreads move by a few characters between encoders of equal quality.
const TOLERANCE = 0.01;
// The blurred test photo must really be hard to read, or test (c) proves nothing.
const BLURRED_MAX_ACCURACY = 0.8;

let lab;
const results = {};
const pct = (x) => `${(100 * x).toFixed(1)} %`;

before(async () => {
  assertTesseract();
  lab = await openPhotoLab(TMP);
  console.log(`# photo worker: ${lab.source}`);
  const fresh = path.join(REPO_ROOT, 'public', 'photo-worker.js');
  if (lab.source !== fresh && existsSync(fresh) && !(await fs.readFile(fresh)).equals(await fs.readFile(lab.source))) {
    console.log(`# note: ${lab.source} is not public/photo-worker.js: an old build? (make app, or RESGUARDO_PHOTO_WORKER_DIR=public)`);
  }
  // Photos of the same document: sharp and well lit; out of focus (an extra Gaussian blur of
  // 3 px at 4000×3000, which takes Tesseract to about half the characters); 2.5 stops
  // under-exposed (in linear light, then sensor noise, as a camera does); shaken sideways by
  // 14 px (about half the characters again).
  for (const [name, options] of [
    ['sharp', {}],
    ['blurred', { blur: 3 }],
    ['dark', { ev: -2.5 }],
    ['shaken', { motion: 14 }],
  ]) {
    const made = await lab.makeDocument(name, options);
    console.log(`# test photo ${name}: ${made.width}×${made.height} camera JPEG, ${made.size} bytes`);
  }
  for (const name of ['sharp', 'dark']) await fs.writeFile(path.join(TMP, `${name}.jpg`), await lab.inputBytes(name));
  results.baseline = await lab.process('sharp'); // no `accept`: as before, JPEG 0.8
  results.baseline.read = await lab.read(results.baseline);
  console.log(`# baseline (no accept, JPEG 0.8): ${describe(results.baseline)}`);
});

after(async () => {
  await lab?.close();
});

function describe(r) {
  const groups = r.read
    ? Object.entries(r.read.byGroup)
        .map(([g, v]) => `${g} ${pct(v.accuracy)}`)
        .join(', ')
    : '';
  return (
    `${r.type} q${r.encoderQuality}, ${r.photo.size} bytes, ${r.width}×${r.height}` +
    (r.read ? `, OCR ${pct(r.read.accuracy)} (${groups})` : '') +
    (r.quality ? `, quality ${JSON.stringify(r.quality)}` : '')
  );
}

/** What every good answer must be: a photo of the right type and size, honestly described. */
function assertWellFormed(r, what) {
  assert.equal(r.ok, true, `${what}: the worker answered ok (${r.error})`);
  assert.ok(r.photo, `${what}: a photo Blob`);
  assert.equal(r.photo.type, r.type, `${what}: the Blob's type is the answer's type`);
  assert.ok(['image/jpeg', 'image/webp'].includes(r.type), `${what}: type ${r.type}`);
  assert.equal(Math.max(r.width, r.height), LONG_EDGE, `${what}: long edge ${LONG_EDGE} (${r.width}×${r.height})`);
  assert.deepEqual([r.photo.decodedWidth, r.photo.decodedHeight], [r.width, r.height], `${what}: decodes at the size it reports`);
  assert.equal(r.sha256, r.photo.sha256, `${what}: the SHA-256 is the photo's`);
  assert.ok(r.thumbnail?.decodedWidth > 0, `${what}: a thumbnail that decodes`);
  for (const k of ['dark', 'blurry']) assert.equal(typeof r.quality?.[k], 'boolean', `${what}: quality.${k}`);
  for (const k of ['brightness', 'sharpness']) assert.equal(typeof r.quality?.[k], 'number', `${what}: quality.${k}`);
}

test('callers that do not say what they accept get JPEG 0.8 as before', async () => {
  const r = results.baseline;
  assertWellFormed(r, 'baseline');
  assert.equal(r.type, 'image/jpeg');
  assert.equal(r.encoderQuality, 0.8);
  // The very bytes the worker made before it chose among encoders.
  const before = await lab.process('sharp', { baseline: true });
  assert.equal(r.photo.sha256, before.photo.sha256, 'the same bytes as the previous worker’s JPEG 0.8');
  assert.ok(r.photo.size > BUDGET, `the test document is a real test: over budget as before (${r.photo.size} bytes)`);
});

test('a sharp document: at most 400 kB at 2048 px, read as well as JPEG 0.8, not flagged', async () => {
  const r = await lab.process('sharp', { accept: ACCEPT });
  r.read = await lab.read(r);
  console.log(`# new (accept webp, jpeg): ${describe(r)}`);
  await fs.writeFile(await artifactPath(`photo-quality-sharp.${r.type.split('/')[1]}`), await lab.bytes(r));
  assertWellFormed(r, 'sharp');
  assert.equal(r.type, 'image/webp', 'Chromium encodes WebP, so the worker uses it');
  assert.ok(r.photo.size <= BUDGET, `${r.photo.size} bytes ≤ ${BUDGET}`);
  const base = results.baseline.read.accuracy;
  assert.ok(
    r.read.accuracy >= base - TOLERANCE,
    `OCR accuracy ${pct(r.read.accuracy)} is no worse than JPEG 0.8's ${pct(base)} (tolerance ${pct(TOLERANCE)})`,
  );
  assert.equal(r.quality.dark, false, `not dark: ${JSON.stringify(r.quality)}`);
  assert.equal(r.quality.blurry, false, `not blurry: ${JSON.stringify(r.quality)}`);
});

test('a browser that cannot write WebP (Safari/WebKit answers PNG) gets a JPEG within the budget, as legible', async () => {
  const r = await lab.process('sharp', { accept: ACCEPT, worker: 'no-webp' });
  r.read = await lab.read(r);
  console.log(`# without WebP: ${describe(r)}`);
  assertWellFormed(r, 'no-webp');
  assert.equal(r.type, 'image/jpeg');
  assert.ok(r.photo.size <= BUDGET, `${r.photo.size} bytes ≤ ${BUDGET}`);
  const base = results.baseline.read.accuracy;
  assert.ok(
    r.read.accuracy >= base - TOLERANCE,
    `OCR accuracy ${pct(r.read.accuracy)} is no worse than JPEG 0.8's ${pct(base)} (tolerance ${pct(TOLERANCE)})`,
  );
  assert.equal(r.quality.dark, false);
  assert.equal(r.quality.blurry, false);
});

test('a blurred document is flagged blurry', async () => {
  const r = await lab.process('blurred', { accept: ACCEPT });
  r.read = await lab.read(r);
  console.log(`# blurred: ${describe(r)}`);
  assertWellFormed(r, 'blurred');
  assert.ok(
    r.read.accuracy < BLURRED_MAX_ACCURACY,
    `the blurred photo is really hard to read (OCR ${pct(r.read.accuracy)} < ${pct(BLURRED_MAX_ACCURACY)})`,
  );
  assert.equal(r.quality.blurry, true, `blurry: ${JSON.stringify(r.quality)}`);
  assert.equal(r.quality.dark, false, `not dark: ${JSON.stringify(r.quality)}`);
});

test('a shaken (motion-blurred) document is flagged blurry', async () => {
  const r = await lab.process('shaken', { accept: ACCEPT });
  r.read = await lab.read(r);
  console.log(`# shaken: ${describe(r)}`);
  assertWellFormed(r, 'shaken');
  assert.ok(
    r.read.accuracy < BLURRED_MAX_ACCURACY,
    `the shaken photo is really hard to read (OCR ${pct(r.read.accuracy)} < ${pct(BLURRED_MAX_ACCURACY)})`,
  );
  assert.equal(r.quality.blurry, true, `blurry: ${JSON.stringify(r.quality)}`);
});

test('an under-exposed document is flagged dark', async () => {
  const r = await lab.process('dark', { accept: ACCEPT });
  r.read = await lab.read(r);
  console.log(`# dark: ${describe(r)}`);
  assertWellFormed(r, 'dark');
  assert.equal(r.quality.dark, true, `dark: ${JSON.stringify(r.quality)}`);
  assert.ok(r.photo.size <= BUDGET);
});

test('a file that is not a picture: ok: false with a reason', async () => {
  await lab.putInput('text', 'this is not a picture\n'.repeat(100), 'image/jpeg');
  for (const accept of [ACCEPT, undefined]) {
    const r = await lab.process('text', { accept });
    assert.equal(r.ok, false, `not a picture (accept ${JSON.stringify(accept)}): ok false`);
    assert.equal(typeof r.error, 'string');
    assert.ok(r.error.length > 0, 'with a reason');
    assert.equal(r.photo, null, 'and no photo');
  }
});

test('in the app, a dark document photo asks to be taken again, beside the photo, and the case still goes', { timeout: 240_000 }, async (t) => {
  assertBuilt();
  const withWorld = worldRunner(path.join(TMP, 'worlds'));
  await withWorld(t, 'dark-photo', async (w) => {
    const { page, people } = await openFillAndDocuments(w);
    const sharp = await addPhoto(page, people[0], 'id_document', path.join(TMP, 'sharp.jpg'));
    const dark = await addPhoto(page, people[1], 'birth_certificate', path.join(TMP, 'dark.jpg'));
    await expectPhotoReady(page, sharp);
    await expectPhotoReady(page, dark);
    const item = (id) => page.locator(`li[data-testid=photo][data-photo-id="${id}"]`);
    const warning = item(dark).locator('[data-testid=photo-quality-warning]');
    await warning.waitFor();
    assert.match(await warning.textContent(), /may be hard to read.*Take it again\?.*looks dark/s);
    assert.equal(await item(dark).locator('[data-testid=retake-photo]').count(), 1, 'a retake is at hand');
    assert.equal(await item(sharp).locator('[data-testid=photo-quality-warning]').count(), 0, 'the sharp one is not flagged');
    // Never a block: the case is sent with it.
    await goToStep(page, REVIEW_STEP);
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['delivered'], 120_000);
  });
});
