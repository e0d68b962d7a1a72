// Document photos end to end: the real release build, served by the real server, reached by
// Debian's Chromium only through the fault proxy.
//
//   node --test --test-concurrency=1 tests/e2e/photos.test.mjs
//
// The test pictures are made once per run inside Chromium (OffscreenCanvas: gradients, shapes and
// noise, 3000×2250 JPEG; ../support/photos.mjs), tuned so that the app's processed photo (long
// edge 2048; WebP in Chromium, stepped down in quality while over the 400 kB budget) is about
// 340 kB, like a real phone picture of a document. One of them carries an EXIF segment with an
// orientation and a GPS position, which must not reach the server.
//
// Waits are generous and poll the DOM; nothing here fails for being slow. Timings and sizes are
// printed as test diagnostics.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

import {
  artifactPath,
  assertBuilt,
  dumpPhotos,
  freshTmpRoot,
  goOffline,
  goOnline,
  makeDir,
  pollUntil,
  waitForServiceWorker,
  householdAnswers,
} from '../support/harness.mjs';
import {
  assertOneStoredCase,
  currentStep,
  DOCUMENTS_STEP,
  expectCaseState,
  expectStep,
  fillHousehold,
  FRESH_CONNECTIONS,
  goToStep,
  HOUSEHOLD,
  receiptOnScreen,
  REVIEW_STEP,
  sel,
  setLanguage,
  startNewCase,
  UUID,
  verifyHousehold,
  worldRunner,
} from '../support/app.mjs';
import {
  addPhoto,
  expectPhotoReady,
  makeTestPictures,
  openFillAndDocuments,
  peopleOnStep4,
  photosInIndexedDb,
  photosOnPage,
  statusNow,
} from '../support/photos.mjs';

const TMP = await freshTmpRoot(import.meta.url);
const TEST_TIMEOUT = 420_000;
const withWorld = worldRunner(TMP);

const UPLOADS = '/api/v1/uploads/';
const UPLOAD_PATCH = { method: 'PATCH', prefix: UPLOADS };
const MAX_CHUNK = 2 * 1024 * 1024;
const LONG_EDGE = 2048;
// Below the tus client's first chunk (256 KiB, delivery/src/tus.rs), so that a full-size chunk is
// cut mid-way: photos within the budget are smaller than the 512 KiB the chunks grow to, so a cut
// above 256 KiB would only ever hit a photo's last, partial chunk.
const START_CHUNK = 256 * 1024;
const CUT_AFTER = 200_000;
// What the processed photos should weigh (bytes), as a phone picture of a document would, and the
// most the photo worker lets one weigh (public/photo-worker.js BUDGET) unless even its lowest
// quality is over it, which these pictures never are.
const TARGET_PROCESSED = 340_000;
const BUDGET = 400_000;
// The photo worker writes WebP where the browser does; the tests run in Chromium, which does.
const PHOTO_TYPE = 'image/webp';
const GPS_MARK = 'RESGUARDO-GPS-MARK';

// ---- test pictures ---------------------------------------------------------------------------------

/** Files under TMP/images, made in `before`: `plain[i]` without EXIF, `exif` with orientation + GPS. */
const images = { plain: [], exif: null, sizes: {} };

before(async () => {
  assertBuilt();
  const started = Date.now();
  const dir = await makeDir(TMP, 'images');
  const made = await makeTestPictures(dir, { count: 6, target: TARGET_PROCESSED });
  for (const [f, s] of Object.entries(made.sizes)) {
    assert.equal(s.type, PHOTO_TYPE, `the photo worker writes ${PHOTO_TYPE} in this Chromium (${path.basename(f)})`);
    assert.ok(s.processed <= BUDGET, `${path.basename(f)} is processed to ${s.processed} bytes, within the ${BUDGET}-byte budget`);
    assert.ok(s.processed > START_CHUNK, `${path.basename(f)} (${s.processed} bytes processed) takes more than one first chunk, so its upload is cut`);
  }
  images.plain = made.files;
  Object.assign(images.sizes, made.sizes);
  // The first picture again, as a phone would write it: EXIF with "rotate 90° clockwise" and a
  // GPS position right after the start of the image.
  const withExif = insertExif(await fs.readFile(images.plain[0]));
  images.exif = path.join(dir, 'document-1-exif-gps.jpg');
  await fs.writeFile(images.exif, withExif);
  images.sizes[images.exif] = { original: withExif.length, processed: images.sizes[images.plain[0]].processed };
  console.log(
    `# test pictures (3000×2250, noise amplitude ${made.amplitude.toFixed(1)}) made in ${((Date.now() - started) / 1000).toFixed(1)} s:\n` +
      Object.entries(images.sizes)
        .map(([f, s]) => `#   ${path.basename(f)}: ${kb(s.original)} as taken, ~${kb(s.processed)} processed (${s.type ? `${s.type} ${s.quality}` : 'estimate'})`)
        .join('\n'),
  );
});

const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;

/**
 * The JPEG with an APP1 Exif segment inserted right after SOI: IFD0 with Orientation 6 (rotate
 * 90° clockwise to display) and a GPS IFD (latitude, longitude, and a map datum holding GPS_MARK,
 * so its bytes can be searched for).
 */
function insertExif(jpeg) {
  assert.equal(jpeg.readUInt16BE(0), 0xffd8, 'a JPEG starts with SOI');
  const tiff = Buffer.alloc(200);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  const entry = (at, tag, type, count, value) => {
    tiff.writeUInt16BE(tag, at);
    tiff.writeUInt16BE(type, at + 2);
    tiff.writeUInt32BE(count, at + 4);
    if (typeof value === 'function') value(at + 8);
    else tiff.writeUInt32BE(value, at + 8);
  };
  // IFD0 at 8: 2 entries.
  const gpsIfd = 8 + 2 + 2 * 12 + 4; // 38
  tiff.writeUInt16BE(2, 8);
  entry(10, 0x0112, 3, 1, (o) => tiff.writeUInt16BE(6, o)); // Orientation = 6
  entry(22, 0x8825, 4, 1, gpsIfd); // GPSInfo IFD pointer
  tiff.writeUInt32BE(0, 34); // no next IFD
  // GPS IFD: 6 entries, then the data they point to.
  const data = gpsIfd + 2 + 6 * 12 + 4; // 116
  const lat = data;
  const lon = data + 24;
  const datum = data + 48;
  const mark = Buffer.from(`${GPS_MARK}\0`, 'latin1');
  tiff.writeUInt16BE(6, gpsIfd);
  let at = gpsIfd + 2;
  entry(at, 0x0000, 1, 4, (o) => tiff.set([2, 3, 0, 0], o)); // GPSVersionID
  entry((at += 12), 0x0001, 2, 2, (o) => tiff.write('N\0', o, 'latin1')); // GPSLatitudeRef
  entry((at += 12), 0x0002, 5, 3, lat); // GPSLatitude
  entry((at += 12), 0x0003, 2, 2, (o) => tiff.write('W\0', o, 'latin1')); // GPSLongitudeRef
  entry((at += 12), 0x0004, 5, 3, lon); // GPSLongitude
  entry((at += 12), 0x0012, 2, mark.length, datum); // GPSMapDatum
  tiff.writeUInt32BE(0, at + 12);
  const rationals = (o, values) => values.forEach(([n, d], i) => (tiff.writeUInt32BE(n, o + i * 8), tiff.writeUInt32BE(d, o + i * 8 + 4)));
  rationals(lat, [[15, 1], [30, 1], [1234, 100]]);
  rationals(lon, [[87, 1], [12, 1], [5678, 100]]);
  mark.copy(tiff, datum);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff.subarray(0, datum + mark.length)]);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, body, jpeg.subarray(2)]);
}

// ---- JPEG and WebP inspection (Node) ---------------------------------------------------------------

/** The segments before the scan: [{ marker, data }], and the frame size from SOFn. */
function parseJpeg(buf) {
  assert.equal(buf.readUInt16BE(0), 0xffd8, 'the stored file is a JPEG (SOI)');
  const segments = [];
  let frame = null;
  let i = 2;
  while (i + 4 <= buf.length) {
    if (buf[i] !== 0xff) throw new Error(`JPEG: no marker at ${i}`);
    const marker = buf[i + 1];
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    const len = buf.readUInt16BE(i + 2);
    const data = buf.subarray(i + 4, i + 2 + len);
    segments.push({ marker, data });
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      frame = { height: data.readUInt16BE(1), width: data.readUInt16BE(3), sof: marker };
    }
    if (marker === 0xda || marker === 0xd9) break; // start of scan: the header is over
    i += 2 + len;
  }
  if (!frame) throw new Error('JPEG: no SOF segment');
  return { segments, ...frame };
}

/** Width and height from a WebP image bitstream chunk: 'VP8 ' (lossy key frame) or 'VP8L' (lossless). */
function bitstreamSize({ fourcc, data: d }) {
  if (fourcc === 'VP8 ') {
    assert.equal(d[0] & 1, 0, 'VP8: a key frame');
    assert.deepEqual([...d.subarray(3, 6)], [0x9d, 0x01, 0x2a], 'VP8: the key frame start code');
    return { width: d.readUInt16LE(6) & 0x3fff, height: d.readUInt16LE(8) & 0x3fff };
  }
  assert.equal(d[0], 0x2f, 'VP8L: the signature byte');
  const bits = d.readUInt32LE(1);
  return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
}

/**
 * A WebP file's chunks ([{ fourcc, data }]) and its size, from its image bitstream (VP8 or VP8L);
 * when it has a VP8X header, its canvas size too, which must agree. Checks the RIFF framing.
 */
function parseWebp(buf) {
  assert.ok(buf.length >= 20, 'the stored file is long enough to be a WebP');
  assert.equal(buf.toString('latin1', 0, 4), 'RIFF', 'the stored file is a RIFF file');
  assert.equal(buf.toString('latin1', 8, 12), 'WEBP', 'the stored RIFF file is a WebP');
  assert.equal(buf.readUInt32LE(4) + 8, buf.length, 'the RIFF size covers the file exactly');
  const chunks = [];
  let i = 12;
  while (i < buf.length) {
    if (i + 8 > buf.length) throw new Error(`WebP: truncated chunk header at ${i}`);
    const fourcc = buf.toString('latin1', i, i + 4);
    const size = buf.readUInt32LE(i + 4);
    if (i + 8 + size > buf.length) throw new Error(`WebP: chunk ${fourcc} at ${i} runs past the end`);
    chunks.push({ fourcc, data: buf.subarray(i + 8, i + 8 + size) });
    i += 8 + size + (size & 1); // chunks are padded to an even size
  }
  const image = chunks.filter((c) => c.fourcc === 'VP8 ' || c.fourcc === 'VP8L');
  assert.equal(image.length, 1, `WebP: one image bitstream chunk (chunks: ${chunks.map((c) => c.fourcc).join(', ')})`);
  const { width, height } = bitstreamSize(image[0]);
  let flags = 0;
  if (chunks[0].fourcc === 'VP8X') {
    const d = chunks[0].data;
    flags = d[0];
    const canvas = { width: 1 + d.readUIntLE(4, 3), height: 1 + d.readUIntLE(7, 3) };
    assert.deepEqual(canvas, { width, height }, 'WebP: the VP8X canvas is the size of the image');
  } else {
    assert.equal(chunks.length, 1, `WebP: a simple file is its bitstream alone (chunks: ${chunks.map((c) => c.fourcc).join(', ')})`);
  }
  return { chunks, width, height, flags };
}

/**
 * The stored photo's size and whether it carries EXIF anywhere a viewer would find it, parsed by
 * the format its content type names (and its bytes confirm).
 */
function parsePhoto(buf, contentType) {
  if (contentType === 'image/webp') {
    const webp = parseWebp(buf);
    const metadata = webp.chunks.filter((c) => c.fourcc === 'EXIF' || c.fourcc === 'XMP ').map((c) => c.fourcc.trim());
    if (webp.flags & 0x08) metadata.push('VP8X EXIF flag');
    if (webp.flags & 0x04) metadata.push('VP8X XMP flag');
    return { width: webp.width, height: webp.height, format: `WebP ${webp.chunks.map((c) => c.fourcc.trim()).join('+')}`, metadata };
  }
  assert.equal(contentType, 'image/jpeg', `a photo type the tests can parse: ${contentType}`);
  const jpeg = parseJpeg(buf);
  const exif = jpeg.segments.filter((s) => s.marker === 0xe1 && s.data.subarray(0, 6).toString('latin1') === 'Exif\0\0');
  return { width: jpeg.width, height: jpeg.height, format: 'JPEG', metadata: exif.map(() => 'APP1 Exif') };
}

const sha256Hex = (buf) => createHash('sha256').update(buf).digest('hex');

/**
 * Checks every stored photo of `caseId` against the case the device sent: same IDs, sizes and
 * SHA-256 (recomputed here from the stored file), the content type the worker chose (WebP in
 * Chromium) and really that format, processed (long edge ≤ 2048, within the budget) and free of
 * EXIF.
 * `expected` is [{ photo_id, member_id (undefined for the applicant), kind }]. Returns the dump
 * rows with their dimensions.
 */
async function assertStoredPhotos(w, stored, expected) {
  const refs = stored.case.photos;
  assert.ok(Array.isArray(refs), 'the stored case has a photos list');
  assert.equal(refs.length, expected.length, `the case refers to ${expected.length} photos: ${JSON.stringify(refs)}`);
  const dumped = (await dumpPhotos(w.dataDir)).filter((p) => p.case_id === stored.case_id);
  assert.equal(dumped.length, expected.length, `the server stored ${expected.length} photos for the case`);
  const rows = [];
  for (const want of expected) {
    const ref = refs.find((r) => r.photo_id === want.photo_id);
    assert.ok(ref, `the case refers to photo ${want.photo_id} (refs: ${refs.map((r) => r.photo_id)})`);
    assert.equal(ref.member_id ?? undefined, want.member_id, `photo ${want.photo_id} belongs to ${want.member_id ?? 'the applicant'}`);
    assert.equal(ref.kind, want.kind, `photo ${want.photo_id} kind`);
    assert.equal(ref.content_type, PHOTO_TYPE, `photo ${want.photo_id} was sent as ${PHOTO_TYPE}: the app asks the worker for it and Chromium writes it`);
    assert.match(ref.sha256, /^[0-9a-f]{64}$/);
    const row = dumped.find((p) => p.photo_id === want.photo_id);
    assert.ok(row, `dump-photos lists photo ${want.photo_id}`);
    const bytes = await fs.readFile(row.path);
    const hash = sha256Hex(bytes);
    assert.equal(hash, ref.sha256, `the stored file of ${want.photo_id} hashes to what the device computed`);
    assert.equal(row.sha256, ref.sha256, `the server recorded the device's hash for ${want.photo_id}`);
    assert.equal(bytes.length, ref.size, `the stored file of ${want.photo_id} has the size the device sent`);
    assert.equal(row.size, ref.size);
    assert.equal(row.content_type, ref.content_type, `the server stored ${want.photo_id} with the content type the device sent`);
    assert.ok(bytes.length <= BUDGET, `photo ${want.photo_id} weighs ${bytes.length} bytes: within the ${BUDGET}-byte budget`);
    const photo = parsePhoto(bytes, row.content_type);
    assert.ok(Math.max(photo.width, photo.height) <= LONG_EDGE, `photo ${want.photo_id} is ${photo.width}×${photo.height}: long edge ≤ ${LONG_EDGE}`);
    assert.deepEqual(photo.metadata, [], `photo ${want.photo_id} carries no EXIF (or XMP) chunk or segment`);
    assert.equal(bytes.indexOf(Buffer.from('Exif\0\0', 'latin1')), -1, `no 'Exif' marker anywhere in photo ${want.photo_id}`);
    assert.equal(bytes.indexOf(Buffer.from(GPS_MARK, 'latin1')), -1, `no GPS bytes in photo ${want.photo_id}`);
    rows.push({ ...row, width: photo.width, height: photo.height });
    w.log(`stored ${want.photo_id} (${want.kind}, ${want.member_id ? 'member' : 'applicant'}): ${row.content_type} (${photo.format}) ${photo.width}×${photo.height}, ${row.size} bytes`);
  }
  return rows;
}

// ---- the documents step ----------------------------------------------------------------------------

/** The people of the stored case match those on step 4 (applicant, then members in order). */
function assertPeople(stored, people) {
  assert.equal(people[0], 'applicant', 'the first fieldset is the applicant\'s');
  assert.deepEqual(
    people.slice(1),
    householdAnswers(stored).members.map((m) => m.member_id),
    'one fieldset per member, in order, named by the member ID',
  );
  for (const id of people.slice(1)) assert.match(id, UUID);
}

/** The bodies of the case PUTs the page sent (parsed). */
function recordCasePuts(page) {
  const bodies = [];
  page.on('request', (r) => {
    if (r.method() === 'PUT' && new URL(r.url()).pathname.startsWith('/api/v1/cases/')) {
      try {
        bodies.push(JSON.parse(r.postData() ?? 'null'));
      } catch {
        bodies.push(null);
      }
    }
  });
  return bodies;
}

/**
 * The upload PATCHes as the page made them (Chromium may resend a request on its own when a
 * reused connection dies; the proxy sees those, the page does not): [{ offset, bytes, result }].
 */
function recordPatches(page) {
  const patches = [];
  const mine = new Map();
  page.on('request', (r) => {
    if (r.method() !== 'PATCH' || !new URL(r.url()).pathname.startsWith(UPLOADS)) return;
    const entry = { at: Date.now(), offset: Number(r.headers()['upload-offset']), bytes: r.postDataBuffer()?.length ?? null, result: 'pending' };
    mine.set(r, entry);
    patches.push(entry);
  });
  page.on('requestfinished', async (r) => {
    const e = mine.get(r);
    if (e) e.result = String((await r.response())?.status() ?? '?');
  });
  page.on('requestfailed', (r) => {
    const e = mine.get(r);
    if (e) e.result = r.failure()?.errorText ?? 'failed';
  });
  return patches;
}

const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

// ---- the tests -------------------------------------------------------------------------------------

test('A. a household with three photos is delivered through connections cut mid-chunk', { timeout: TEST_TIMEOUT }, async (t) => {
  // Fresh connections: over a reused keep-alive connection Chromium silently resends a cut PATCH
  // once or twice on its own, which the proxy would count as more cuts than the app made.
  await withWorld(t, 'cut-uploads', async (w) => {
    const rule = w.proxy.setRule({ match: UPLOAD_PATCH, actions: [`cut-after-bytes:${CUT_AFTER}`] });
    const { page, caseId, people } = await openFillAndDocuments(w);
    const puts = recordCasePuts(page);
    const pagePatches = recordPatches(page);

    // One photo per person, each of a different kind; the applicant's carries EXIF + GPS.
    const plan = [
      { person: people[0], kind: 'id_document', file: images.exif, via: 'take' },
      { person: people[1], kind: 'birth_certificate', file: images.plain[1], via: 'pick' },
      { person: people[2], kind: 'other', file: images.plain[2], via: 'take' },
    ];
    const chosen = Date.now();
    for (const p of plan) p.id = await addPhoto(page, p.person, p.kind, p.file, p.via);
    for (const p of plan) await expectPhotoReady(page, p.id);
    w.log(`3 photos processed ${secs(Date.now() - chosen)} after the first was chosen`);
    assert.equal(new Set(plan.map((p) => p.id)).size, 3, 'three distinct photo IDs');
    for (const p of plan) assert.match(p.id, UUID);

    await goToStep(page, REVIEW_STEP);
    const sent = Date.now();
    await page.locator(sel.submit).click();

    // Watch the status panel until delivered, noting the progress shown on the way.
    const percents = [];
    const states = new Set();
    await pollUntil(
      async () => {
        const s = await statusNow(page);
        if (s.state) states.add(s.state);
        if (s.percent !== null && percents.at(-1) !== s.percent) percents.push(s.percent);
        return s.state === 'delivered';
      },
      { timeout: 180_000, interval: 100, what: async () => `the case to be delivered (status ${JSON.stringify(await statusNow(page))})` },
    );
    w.log(`delivered ${secs(Date.now() - sent)} after submit; states seen: ${[...states].join(', ')}; progress seen: ${percents.join(' → ') || '(none)'} %`);
    const receipt = await receiptOnScreen(page);

    const stored = await assertOneStoredCase(w.dataDir, caseId, receipt);
    assertPeople(stored, people);
    const expected = plan.map((p) => ({ photo_id: p.id, member_id: p.person === 'applicant' ? undefined : p.person, kind: p.kind }));
    const rows = await assertStoredPhotos(w, stored, expected);
    // The EXIF orientation (rotate 90°) was applied before it was dropped: the applicant's
    // 3000×2250 picture is stored upright, 1536×2048.
    const upright = rows.find((r) => r.photo_id === plan[0].id);
    assert.ok(upright.height > upright.width, `the EXIF orientation was applied (stored ${upright.width}×${upright.height})`);
    for (const r of rows) assert.equal(Math.max(r.width, r.height), LONG_EDGE, 'pictures larger than 2048 px come down to exactly 2048');

    // What the device sent went sealed for the organisation: nothing of the case in the clear.
    const lastPut = puts.at(-1);
    assert.ok(lastPut?.sealed?.ciphertext, `the page sent the case sealed: ${JSON.stringify(lastPut).slice(0, 200)}`);
    assert.ok(!('photos' in lastPut) && !('answers' in lastPut), 'no answers or photos outside the seal');
    // What the server opened: the applicant's photo without member_id, the members' with theirs.
    for (const p of plan) {
      const ref = stored.case.photos.find((r) => r.photo_id === p.id);
      assert.ok(ref, `the case PUT refers to ${p.id}`);
      if (p.person === 'applicant') assert.ok(!('member_id' in ref), `no member_id on the applicant's photo: ${JSON.stringify(ref)}`);
      else assert.equal(ref.member_id, p.person);
    }

    // Resume, never restart: only cut chunks were sent again.
    const patches = w.proxy.stats.log.filter((e) => e.method === 'PATCH' && e.path.startsWith(UPLOADS));
    const cuts = patches.filter((e) => e.outcome === 'cut').length;
    const patchBytes = patches.reduce((n, e) => n + e.reqBytes, 0);
    const photoBytes = rows.reduce((n, r) => n + r.size, 0);
    const overhead = patchBytes - photoBytes;
    w.log(
      `${patches.length} PATCHes (${cuts} cut at ${CUT_AFTER} bytes, rule hit ${rule.hits} times); ` +
        `${patchBytes} PATCH body bytes for ${photoBytes} bytes of photos: ${overhead} bytes sent again ` +
        `(${cuts ? (overhead / cuts).toFixed(0) : 0} per cut; bound ${MAX_CHUNK} per cut)`,
    );
    w.log(`PATCH sizes at the proxy: ${patches.map((e) => `${e.reqBytes}${e.outcome === 'cut' ? '✂' : ''}`).join(' ')}`);
    w.log(
      `PATCHes the page made (${pagePatches.length}): ` +
        pagePatches.map((e) => `${e.offset}+${e.bytes}→${e.result}@${((e.at - sent) / 1000).toFixed(2)}s`).join(' '),
    );
    assert.ok(cuts >= 1, `chunks of ${START_CHUNK} bytes were cut after ${CUT_AFTER} at least once`);
    assert.ok(overhead >= 0, 'every byte of every photo went through the proxy');
    assert.ok(overhead <= cuts * MAX_CHUNK, `bytes sent again (${overhead}) ≤ cut PATCHes (${cuts}) × 2 MiB`);
    assert.ok(
      patches.filter((e) => e.outcome !== 'cut').every((e) => e.reqBytes <= CUT_AFTER),
      'every PATCH that got through was no larger than the cut',
    );
    // At the page's level: every acknowledged chunk carried new bytes (nothing stored was sent
    // again), and each failed chunk was followed by a smaller one.
    const acknowledged = pagePatches.filter((e) => e.result === '204').reduce((n, e) => n + e.bytes, 0);
    assert.equal(acknowledged, photoBytes, 'the acknowledged chunks add up to the photos exactly (resumed, never restarted)');
    const failedAt = pagePatches.flatMap((e, i) => (e.result === '204' ? [] : [i]));
    assert.ok(failedAt.length <= cuts, `the page saw no more failed PATCHes (${failedAt.length}) than the proxy cut (${cuts})`);
    for (const i of failedAt) {
      const next = pagePatches[i + 1];
      if (next) assert.ok(next.bytes <= pagePatches[i].bytes / 2, `after a failed ${pagePatches[i].bytes}-byte chunk the next is at most half (${next.bytes})`);
    }
    const creations = w.proxy.stats.log.filter((e) => e.method === 'POST' && e.path.startsWith(UPLOADS) && e.status === 201);
    assert.equal(creations.length, 3, 'each photo was created once on the server');
    if (cuts >= 2) {
      assert.ok(
        percents.some((p) => p > 0 && p < 100),
        `the progress showed a value between 0 and 100 while photos uploaded (saw ${percents.join(', ') || 'none'})`,
      );
    }
  }, FRESH_CONNECTIONS);
});

test('B. photos taken offline survive a browser restart and are delivered when the network is back', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'offline-photos', async (w) => {
    let page = await w.openBrowser();
    await page.goto(`${w.proxy.url}/`);
    await waitForServiceWorker(page);
    await setLanguage(page, 'en');
    await goOffline(w.context, w.proxy);
    const servedBefore = w.proxy.stats.count((e) => e.action !== 'down');

    const caseId = await startNewCase(page);
    await fillHousehold(page);
    await goToStep(page, DOCUMENTS_STEP);
    const people = await peopleOnStep4(page, 3);
    const caseUrl = page.url();
    const plan = [
      { person: people[0], kind: 'id_document', file: images.plain[3], via: 'take' },
      { person: people[2], kind: 'birth_certificate', file: images.plain[4], via: 'pick' },
    ];
    const chosen = Date.now();
    for (const p of plan) p.id = await addPhoto(page, p.person, p.kind, p.file, p.via);
    for (const p of plan) await expectPhotoReady(page, p.id);
    w.log(`2 photos processed offline in ${secs(Date.now() - chosen)}`);

    // Close the browser entirely; start it again on the same profile, still offline.
    await page.waitForTimeout(600);
    await w.closeBrowser();
    page = await w.openBrowser({ offline: true });
    await page.goto(caseUrl);
    await expectStep(page, DOCUMENTS_STEP);
    await peopleOnStep4(page, 3);
    for (const p of plan) await expectPhotoReady(page, p.id, 30_000);
    const listed = await photosOnPage(page);
    assert.deepEqual(
      listed.map((p) => [p.person, p.id]).sort(),
      plan.map((p) => [p.person, p.id]).sort(),
      'after the restart the same photos are listed, for the same people',
    );
    await verifyHousehold(page);
    w.log('photos and answers all there after a browser restart offline');

    const puts = recordCasePuts(page);
    await goToStep(page, REVIEW_STEP);
    await page.locator(sel.submit).click();
    const offlineState = await expectCaseState(page, ['queued', 'waiting_network'], 20_000);
    assert.match(await page.locator(sel.caseStatus).textContent(), /saved on this device/i);
    w.log(`submitted offline: ${offlineState}`);
    assert.equal(w.proxy.stats.count((e) => e.action !== 'down'), servedBefore, 'nothing went through the proxy while offline');

    const back = Date.now();
    await goOnline(w.context, w.proxy);
    await expectCaseState(page, ['delivered'], 120_000);
    w.log(`delivered ${secs(Date.now() - back)} after the network came back`);
    const receipt = await receiptOnScreen(page);

    const stored = await assertOneStoredCase(w.dataDir, caseId, receipt);
    assertPeople(stored, people);
    await assertStoredPhotos(
      w,
      stored,
      plan.map((p) => ({ photo_id: p.id, member_id: p.person === 'applicant' ? undefined : p.person, kind: p.kind })),
    );
    assert.ok(puts.length >= 1, 'the case was sent from the restarted browser');
  });
});

test('C. a page killed right after the camera returns keeps the photo; retake and delete', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'killed-after-camera', async (w) => {
    const { page, people } = await openFillAndDocuments(w);
    const applicant = page.locator(`${sel.personPhotos}[data-person="applicant"]`);
    assert.equal(people[0], 'applicant');

    // The camera returns and the page dies ~150 ms later (before any processing could finish).
    await applicant.locator(sel.photoKind).selectOption('birth_certificate');
    const chosen = Date.now();
    await applicant.locator(sel.takePhoto).setInputFiles(images.plain[5]);
    await page.waitForTimeout(150);
    const atKill = await photosOnPage(page);
    const killedAfter = Date.now() - chosen;
    await page.reload();
    w.log(`reloaded ${killedAfter} ms after the file was chosen; photos listed then: ${JSON.stringify(atKill)}`);

    await expectStep(page, DOCUMENTS_STEP);
    const listed = await pollUntil(async () => {
      const ps = await photosOnPage(page);
      return ps.length > 0 && ps;
    }, { timeout: 30_000, what: 'the photo chosen before the reload to be listed' });
    assert.equal(listed.length, 1, `exactly one photo after the reload: ${JSON.stringify(listed)}`);
    assert.equal(listed[0].person, 'applicant');
    const first = listed[0].id;
    if (atKill.length) assert.equal(first, atKill[0].id, 'the same photo as before the reload');
    const reloaded = Date.now();
    await expectPhotoReady(page, first, 30_000);
    w.log(`photo ${first} became ready ${secs(Date.now() - reloaded)} after the reload (was ${listed[0].ready === 'true' ? 'already ready' : 'not ready'} when first listed)`);
    assert.match(
      await applicant.locator(`${sel.photo}[data-photo-id="${first}"]`).textContent(),
      /birth certificate/i,
      'the photo kept the kind chosen before the reload',
    );
    await verifyHousehold(page);
    assert.equal(await currentStep(page), DOCUMENTS_STEP);

    // Retake: a new photo (new ID) replaces the old one.
    await applicant.locator(`${sel.photo}[data-photo-id="${first}"] ${sel.retakePhoto}`).setInputFiles(images.plain[0]);
    const second = await pollUntil(
      async () => {
        const ps = await photosOnPage(page);
        return ps.length === 1 && ps[0].id !== first && ps[0].id;
      },
      { timeout: 30_000, what: async () => `the retaken photo to replace ${first} (listed: ${JSON.stringify(await photosOnPage(page))})` },
    );
    assert.match(second, UUID);
    await expectPhotoReady(page, second);
    await page.waitForTimeout(600);
    await page.reload();
    await expectStep(page, DOCUMENTS_STEP);
    await expectPhotoReady(page, second, 30_000);
    assert.deepEqual((await photosOnPage(page)).map((p) => p.id), [second], 'after a reload only the retaken photo is there');
    assert.match(
      await applicant.locator(`${sel.photo}[data-photo-id="${second}"]`).textContent(),
      /birth certificate/i,
      'the retake kept the kind',
    );
    w.log(`retake: ${first} replaced by ${second}`);

    // Delete.
    await applicant.locator(`${sel.photo}[data-photo-id="${second}"] ${sel.deletePhoto}`).click();
    await pollUntil(async () => (await photosOnPage(page)).length === 0, { timeout: 30_000, what: 'the deleted photo to go' });
    await page.waitForTimeout(600);
    await page.reload();
    await expectStep(page, DOCUMENTS_STEP);
    await peopleOnStep4(page, 3);
    await page.waitForTimeout(1000);
    assert.deepEqual(await photosOnPage(page), [], 'the deleted photo stays deleted after a reload');
    // Whatever the app's database is called, no photo record may remain in it.
    const left = await photosInIndexedDb(page);
    assert.equal(left, 0, 'no photo left in IndexedDB (neither the retaken one nor the deleted one)');
    w.log('delete: gone from the page and from IndexedDB');
  });
});

test('D. screenshot of the documents step with thumbnails', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'documents-screenshot', async (w) => {
    const { page, people } = await openFillAndDocuments(w);
    const plan = [
      { person: people[0], kind: 'id_document', file: images.plain[0] },
      { person: people[0], kind: 'other', file: images.plain[3] },
      { person: people[1], kind: 'birth_certificate', file: images.plain[1] },
      { person: people[2], kind: 'birth_certificate', file: images.plain[2] },
    ];
    for (const p of plan) p.id = await addPhoto(page, p.person, p.kind, p.file, 'pick');
    for (const p of plan) await expectPhotoReady(page, p.id);
    const size = page.viewportSize();
    assert.deepEqual(size, { width: 360, height: 740 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.evaluate(() => document.fonts.ready);
    const file = await artifactPath('documents-en.png');
    await page.screenshot({ path: file, fullPage: true });
    const { size: bytes } = await fs.stat(file);
    w.log(`${path.relative(process.cwd(), file)}: ${kb(bytes)}, ${plan.length} thumbnails`);
    // Nothing spills sideways on a phone.
    const { overflow, culprits } = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const name = (el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
      // The outermost elements that stick out past the right edge of the screen.
      const out = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > width + 0.5);
      const outermost = out.filter((el) => !out.includes(el.parentElement));
      return {
        overflow: document.documentElement.scrollWidth - width,
        culprits: outermost.slice(0, 6).map((el) => `${name(el)} (right edge ${Math.round(el.getBoundingClientRect().right)} px)`),
      };
    });
    assert.ok(overflow <= 0, `no horizontal scrolling at 360 px (the page is ${overflow} px too wide; sticking out: ${culprits.join(', ')})`);
  });
});

test('E. a file that is not a picture says so and blocks sending until it is deleted', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'unreadable', async (w) => {
    const { page, people } = await openFillAndDocuments(w);
    const notAPicture = path.join(w.root, 'not-a-picture.jpg');
    await fs.writeFile(notAPicture, 'this is a text file pretending to be a JPEG\n');
    const id = await addPhoto(page, people[0], 'id_document', notAPicture);
    const item = page.locator(`li[data-testid=photo][data-photo-id="${id}"]`);
    await item.locator('[data-testid=photo-unreadable]').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await item.getAttribute('data-ready'), 'false');

    await goToStep(page, REVIEW_STEP);
    await page.locator(sel.submit).click();
    await page.getByText('A photo could not be read').waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await page.locator(sel.caseStatus).count(), 0, 'not submitted');
    // Send took the person back to the documents, where the photo says what is wrong.
    await expectStep(page, DOCUMENTS_STEP);
    await page.locator(`li[data-testid=photo][data-photo-id="${id}"] [data-testid=delete-photo]`).click();
    await pollUntil(async () => (await page.locator(`li[data-testid=photo][data-photo-id="${id}"]`).count()) === 0, {
      what: 'the unreadable photo to be deleted',
    });
    await goToStep(page, REVIEW_STEP);
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['queued', 'sending', 'waiting_network', 'delivered'], 30_000);
  });
});
