// The core flow, as a person goes through it, in the three engines people carry: Chromium,
// Firefox ESR (Gecko, over WebDriver BiDi) and WebKitGTK (Safari's engine, over WebDriver).
//
//   node --test --test-concurrency=1 tests/browsers/core-flow.test.mjs     (make test-browsers)
//   BROWSERS=webkit node --test tests/browsers/core-flow.test.mjs          one engine only
//
// For each engine, against the real release server behind the fault proxy, with a fresh profile:
// first visit (the service worker installs and controls the page), offline reload (the app
// still loads), back online, a new form typed key by key (name, the date of birth in its three
// boxes, a country found by typing into its search box, a phone number, a language), a document
// photo (a real JPEG made once by this file) attached through the file input that lies over its
// button, Send, delivered with a receipt; then on the server exactly that case and that photo,
// byte-identical (SHA-256) with what the app stored; then the browser restarted on the same
// profile (where the engine keeps one) still lists the case as delivered with the same receipt.
//
// Where an engine truly lacks something, that step says so in the test's diagnostics and the
// flow goes on; nothing is skipped silently. What each engine offers is written to
// tests/artifacts/browser-capabilities.json and printed as a table at the end. Screenshots:
// tests/artifacts/browser-<engine>-<step>.png. One browser runs at a time; every wait polls the
// DOM with generous limits and nothing fails for being slow within them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

import { startFaultProxy } from '../support/fault-proxy.mjs';
import { artifactPath, assertBuilt, dumpCases, dumpPhotos, freshTmpRoot, householdAnswers, makeDir, pollUntil, startServer } from '../support/harness.mjs';
import { RECEIPT, sel, UUID } from '../support/app.mjs';
import { makeTestPictures } from '../support/photos.mjs';
import { ENGINES, launchEngine } from './engines.mjs';

const TMP = await freshTmpRoot(import.meta.url);
const TEST_TIMEOUT = 900_000;
const SELECTED = (process.env.BROWSERS ?? ENGINES.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

// What a person types (accents and a ñ, typed key by key).
const PERSON = {
  name: 'María José Peña Lagos',
  dob: { day: '17', month: '4', year: '1991', iso: '1991-04-17' },
  countrySearch: 'Hond',
  country: 'HN',
  phone: '+504 9999-1234',
  language: 'es',
};

const picture = { file: null, size: 0 };
const capabilities = {};

before(async () => {
  assertBuilt();
  const dir = await makeDir(TMP, 'images');
  // One 3000×2250 JPEG, like a phone's picture of a document (made in Chromium, once).
  const made = await makeTestPictures(dir, { count: 1, tolerance: Infinity });
  picture.file = made.files[0];
  picture.size = (await fs.stat(picture.file)).size;
});

after(async () => {
  if (!Object.keys(capabilities).length) return;
  await fs.writeFile(await artifactPath('browser-capabilities.json'), `${JSON.stringify(capabilities, null, 2)}\n`);
  console.log(capabilityTable(capabilities));
});

const sha256Hex = (buf) => createHash('sha256').update(buf).digest('hex');

// ---- in-page functions (sent as source; they run in the page) -------------------------------------

function pageExists(selector) {
  const el = document.querySelector(selector);
  return !!el && el.getClientRects().length > 0;
}

function pageAttr(selector, name) {
  return document.querySelector(selector)?.getAttribute(name) ?? null;
}

function pageField(selector) {
  const el = document.querySelector(selector);
  return el ? { value: el.value, focused: document.activeElement === el, checked: !!el.checked } : null;
}

function pageText(selector) {
  return [...document.querySelectorAll(selector)].map((e) => e.textContent.replace(/\s+/g, ' ').trim()).join(' | ');
}

/** Where the form stands: step, problems shown, save state. For messages on failure. */
function pageSituation() {
  const q = (s) => document.querySelector(s);
  return {
    url: location.pathname,
    step: q('[data-testid=step]')?.getAttribute('data-step') ?? null,
    saved: q('[data-testid=save-status]')?.getAttribute('data-saved') ?? null,
    state: q('[data-testid=case-status]')?.getAttribute('data-state') ?? null,
    problems: [...document.querySelectorAll('[role=alert], .problem, .error')].map((e) => e.textContent.trim()).filter(Boolean).slice(0, 8),
  };
}

async function pageServiceWorker() {
  if (!(window.isSecureContext && 'serviceWorker' in navigator)) return { api: false };
  const reg = await Promise.race([navigator.serviceWorker.getRegistration(), new Promise((r) => setTimeout(() => r(null), 1000))]);
  return { api: true, active: reg?.active?.state ?? null, controlled: navigator.serviceWorker.controller !== null };
}

/** What this engine offers of what the app relies on (probed once, on the app's origin). */
async function pageCapabilities() {
  const c = { userAgent: navigator.userAgent };
  c.serviceWorker = window.isSecureContext && 'serviceWorker' in navigator;
  c.indexedDB = typeof indexedDB !== 'undefined';
  // A Blob stored in IndexedDB and read back (photos are kept as Blobs, not base64).
  try {
    const name = 'resguardo-capability-probe';
    const db = await new Promise((res, rej) => {
      const r = indexedDB.open(name, 1);
      r.onupgradeneeded = () => r.result.createObjectStore('b');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const bytes = new Uint8Array(70_000).map((_, i) => i % 251);
    await new Promise((res, rej) => {
      const tx = db.transaction('b', 'readwrite');
      tx.objectStore('b').put(new Blob([bytes], { type: 'image/jpeg' }), 1);
      tx.oncomplete = res;
      tx.onerror = (e) => rej(e.target.error ?? tx.error);
      tx.onabort = (e) => rej(e.target.error ?? tx.error);
    });
    const back = await new Promise((res, rej) => {
      const r = db.transaction('b').objectStore('b').get(1);
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const same = back instanceof Blob && back.size === bytes.length && new Uint8Array(await back.arrayBuffer())[250] === 250;
    db.close();
    indexedDB.deleteDatabase(name);
    c.blobInIndexedDB = same;
  } catch (e) {
    c.blobInIndexedDB = false;
    c.blobInIndexedDBError = `${e?.name}: ${e?.message}`;
  }
  c.webLocks = typeof navigator.locks?.request === 'function';
  c.storageEstimate = typeof navigator.storage?.estimate === 'function';
  c.storagePersist = typeof navigator.storage?.persist === 'function';
  c.broadcastChannel = typeof BroadcastChannel === 'function';
  c.offscreenCanvas = typeof OffscreenCanvas === 'function';
  try {
    const canvas = new OffscreenCanvas(8, 8);
    canvas.getContext('2d').fillRect(0, 0, 8, 8);
    c.webpEncode = (await canvas.convertToBlob({ type: 'image/webp', quality: 0.8 })).type === 'image/webp';
  } catch (e) {
    c.webpEncode = `error: ${e}`;
  }
  const date = document.createElement('input');
  date.type = 'date';
  c.nativeDateInput = date.type === 'date';
  return c;
}

/**
 * The app's own photo worker (/photo-worker.js, OffscreenCanvas inside a worker) given a small
 * JPEG made here: does it answer, and in which format? (Its message format is documented at the
 * top of public/photo-worker.js.)
 */
async function pagePhotoWorker() {
  const canvas = new OffscreenCanvas(640, 480);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#eee';
  ctx.fillRect(0, 0, 640, 480);
  ctx.fillStyle = '#222';
  ctx.font = '40px sans-serif';
  ctx.fillText('DOCUMENTO 1234', 40, 200);
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
  const worker = new Worker('/photo-worker.js');
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, error: 'no answer within 60 s' }), 60_000);
      worker.onmessage = (e) => {
        clearTimeout(timer);
        const d = e.data ?? {};
        resolve({ ok: !!d.ok, type: d.type ?? d.photo?.type ?? null, size: d.photo?.size ?? null, error: d.error ? String(d.error) : null });
      };
      worker.onerror = (e) => {
        clearTimeout(timer);
        resolve({ ok: false, error: `worker error: ${e.message}` });
      };
      worker.postMessage({ id: 'capability-probe', blob, accept: ['image/webp', 'image/jpeg'] });
    });
  } finally {
    worker.terminate();
  }
}

/**
 * The photo as the app stored it in IndexedDB, its processed bytes hashed here, in the page: a
 * Blob (the design), or, where the engine keeps no Blob in IndexedDB, whatever byte container
 * the app falls back to (an ArrayBuffer, a typed array, or an object holding one).
 */
async function pageStoredPhoto(photoId) {
  const db = await new Promise((res, rej) => {
    const r = indexedDB.open('resguardo');
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  try {
    const rec = await new Promise((res, rej) => {
      const r = db.transaction('photos').objectStore('photos').get(photoId);
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    if (!rec) return null;
    let value = rec.photo;
    let storedAs = value instanceof Blob ? 'Blob' : Object.prototype.toString.call(value).slice(8, -1);
    if (value && !(value instanceof Blob) && !(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value) && typeof value === 'object') {
      const inner = Object.values(value).find((v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v) || v instanceof Blob);
      if (inner) {
        storedAs = `Object holding ${inner instanceof Blob ? 'Blob' : Object.prototype.toString.call(inner).slice(8, -1)}`;
        value = inner;
      }
    }
    let bytes = null;
    if (value instanceof Blob) bytes = await value.arrayBuffer();
    else if (value instanceof ArrayBuffer) bytes = value;
    else if (ArrayBuffer.isView(value)) bytes = value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
    if (!bytes) return { isBlob: false, storedAs, processed: rec.processed ?? null };
    const digest = await crypto.subtle.digest('SHA-256', bytes);
    return {
      isBlob: value instanceof Blob,
      storedAs,
      size: bytes.byteLength,
      sha256: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''),
      processed: rec.processed ?? null,
    };
  } finally {
    db.close();
  }
}

// ---- driving helpers ------------------------------------------------------------------------------

function flow(t, b, engine, started = Date.now()) {
  const log = (msg) => t.diagnostic(`[${engine} ${((Date.now() - started) / 1000).toFixed(1)} s] ${msg}`);
  const situation = () => b.evaluate(pageSituation).then((s) => JSON.stringify(s)).catch((e) => `? (${e.message})`);
  const waitVisible = (selector, timeout = 60_000) =>
    pollUntil(() => b.evaluate(pageExists, selector), { timeout, what: async () => `${selector} to be shown (${await situation()})` });
  const shot = async (step) => {
    try {
      await b.screenshot(await artifactPath(`browser-${engine}-${step}.png`));
    } catch (e) {
      log(`screenshot ${step} failed: ${e.message}`);
    }
  };

  /** Types key by key, then checks the field holds all of it and kept the focus. */
  async function typeInto(selector, text) {
    await waitVisible(selector);
    await b.typeKeys(selector, text);
    const f = await pollUntil(
      async () => {
        const v = await b.evaluate(pageField, selector);
        return v?.value === text && v;
      },
      { timeout: 10_000, what: async () => `${selector} to hold ${JSON.stringify(text)} (it holds ${JSON.stringify((await b.evaluate(pageField, selector))?.value)})` },
    );
    assert.ok(f.focused, `${selector} kept the focus while ${JSON.stringify(text)} was typed`);
  }

  async function step() {
    return Number(await b.evaluate(pageAttr, sel.step, 'data-step'));
  }

  async function expectStep(n) {
    await pollUntil(async () => (await step()) === n, { timeout: 30_000, what: async () => `step ${n} (${await situation()})` });
  }

  async function next() {
    const s = await step();
    await b.click(sel.next);
    await expectStep(s + 1);
  }

  async function waitSaved() {
    await pollUntil(() => b.evaluate((s) => !!document.querySelector(s), sel.saved), {
      timeout: 30_000,
      what: async () => `"saved on this device" (${await situation()})`,
    });
  }

  async function setEnglish() {
    await b.selectOption(sel.language, 'en');
    await pollUntil(async () => /^en(-|$)/.test(await b.evaluate(() => document.documentElement.lang)), {
      timeout: 15_000,
      what: '<html lang> to become en',
    });
  }

  async function serviceWorkerControls() {
    await pollUntil(async () => (await b.evaluate(pageServiceWorker)).active === 'activated', {
      timeout: 90_000,
      what: async () => `an activated service worker (${JSON.stringify(await b.evaluate(pageServiceWorker))})`,
    });
    const controlled = () => b.evaluate(pageServiceWorker).then((s) => s.controlled);
    if (await pollUntil(controlled, { timeout: 5000 }).catch(() => false)) return 'claimed the page';
    await b.reload();
    await pollUntil(controlled, { timeout: 60_000, what: 'navigator.serviceWorker.controller after a reload' });
    return 'controls the page after a reload';
  }

  return { log, situation, waitVisible, shot, typeInto, step, expectStep, next, waitSaved, setEnglish, serviceWorkerControls };
}

// ---- the flow, once per engine ----------------------------------------------------------------------

for (const engine of ENGINES) {
  test(`${engine}: first visit, offline reload, a form typed key by key with a document photo, sent, delivered, kept after a restart`, {
    timeout: TEST_TIMEOUT,
    skip: SELECTED.includes(engine) ? false : `not in BROWSERS=${process.env.BROWSERS}`,
  }, async (t) => {
    // A failure screenshot left by an earlier run would describe a run that is not this one.
    await fs.rm(await artifactPath(`browser-${engine}-failure.png`), { force: true });
    const root = await makeDir(TMP, engine);
    const dataDir = path.join(root, 'data');
    const profileDir = path.join(root, 'profile');
    const server = await startServer({ dataDir });
    const proxy = await startFaultProxy({ target: server.url });
    const caps = { engine };
    capabilities[engine] = caps;
    let b = null;
    let f = null;
    const testStarted = Date.now();
    try {
      b = await launchEngine(engine, { profileDir });
      caps.version = b.version;
      f = flow(t, b, engine, testStarted);
      f.log(`${b.version}`);

      // 1. First visit.
      await b.goto(`${proxy.url}/`);
      await f.waitVisible(sel.newCase);
      await f.setEnglish();
      Object.assign(caps, await b.evaluate(pageCapabilities));
      caps.photoWorker = await b.evaluate(pagePhotoWorker).catch((e) => ({ ok: false, error: e.message }));
      caps.workerOffscreenCanvas = caps.photoWorker.ok;
      f.log(`capabilities: ${JSON.stringify({ ...caps, userAgent: undefined })}`);
      if (caps.serviceWorker) {
        f.log(`service worker ${await f.serviceWorkerControls()}`);
        caps.serviceWorkerControls = true;
      } else {
        f.log('SKIPPED the service-worker step: this engine has no service worker API here');
        caps.serviceWorkerControls = false;
      }
      await f.waitVisible(sel.newCase);
      await f.shot('first-visit');

      // 2. Offline: the server is unreachable; a reload still brings the app.
      if (caps.serviceWorkerControls) {
        proxy.setMode('down');
        const servedBefore = proxy.stats.count((e) => e.action !== 'down');
        await b.reload();
        await f.waitVisible(sel.newCase);
        assert.equal(proxy.stats.count((e) => e.action !== 'down'), servedBefore, 'nothing reached the server while offline');
        caps.offlineReload = true;
        f.log(`the app loaded offline (${proxy.stats.connectionsRefused} connections refused by the proxy)`);
        await f.shot('offline');
        proxy.setMode('pass');
      } else {
        caps.offlineReload = false;
        f.log('SKIPPED the offline reload: without a service worker the app cannot load offline in this engine');
      }

      // 3. Back online: a new form, typed as a person types.
      await b.click(sel.newCase);
      const caseId = await pollUntil(
        async () => {
          const m = /\/case\/([0-9a-f-]{36})$/.exec(new URL(await b.url()).pathname);
          return m?.[1];
        },
        { timeout: 30_000, what: async () => `the new form's address (${await f.situation()})` },
      );
      assert.match(caseId, UUID);
      await f.expectStep(1);
      f.log(`case ${caseId}`);

      await f.typeInto('#applicant-name', PERSON.name);
      await f.typeInto('#applicant-dob input[name=dob-day]', PERSON.dob.day);
      await b.selectOption('#applicant-dob select[name=dob-month]', PERSON.dob.month);
      await pollUntil(async () => (await b.evaluate(pageField, '#applicant-dob select[name=dob-month]'))?.value === PERSON.dob.month, {
        timeout: 10_000,
        what: 'the month to be chosen',
      });
      await f.typeInto('#applicant-dob input[name=dob-year]', PERSON.dob.year);
      caps.dateEntry = true;
      await f.typeInto('#applicant-country-search', PERSON.countrySearch);
      const country = `input[name=country][value=${PERSON.country}]`;
      await f.waitVisible(country);
      await b.click(country);
      await pollUntil(async () => (await b.evaluate(pageField, country))?.checked, { timeout: 10_000, what: `${country} to be checked` });
      await f.typeInto('#applicant-phone', PERSON.phone);
      await f.waitSaved();
      await f.shot('step1');
      await f.next();

      const language = `input[name=language][value=${PERSON.language}]`;
      await f.waitVisible(language);
      await b.click(language);
      await pollUntil(async () => (await b.evaluate(pageField, language))?.checked, { timeout: 10_000, what: `${language} to be checked` });
      await f.waitSaved();
      await f.next(); // family (nobody else travels)
      await f.next(); // documents

      // 4. A document photo, through the input that lies over "Take a photo".
      const block = `${sel.personPhotos}[data-person="applicant"]`;
      await f.waitVisible(block);
      await b.selectOption(`${block} ${sel.photoKind}`, 'id_document');
      const attach = async () => {
        const chosen = Date.now();
        // What the page receives from the file input (the app may empty the input afterwards).
        // And what the save status line says from then on.
        await b.evaluate(() => {
          window.__fileChanges = [];
          document.addEventListener('change', (e) => e.target.type === 'file' && window.__fileChanges.push(e.target.files.length), true);
          const t0 = performance.now();
          const line = () => document.querySelector('[data-testid=save-status]')?.textContent.trim() ?? '(none)';
          window.__saveTimeline = [`0 s ${line()}`];
          new MutationObserver(() => {
            const text = `${((performance.now() - t0) / 1000).toFixed(1)} s ${line()}`;
            if (window.__saveTimeline.at(-1).replace(/^\S+ s /, '') !== line()) window.__saveTimeline.push(text);
          }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        });
        await b.setFile(`${block} ${sel.takePhoto}`, picture.file);
        caps.fileInput = await pollUntil(() => b.evaluate(() => window.__fileChanges?.[0] === 1), { timeout: 10_000 }).catch(() => false);
        f.log(caps.fileInput ? 'the file input delivered the file to the page (change event, 1 file)' : 'the file input sent no change event with the file');
        const photoId = await pollUntil(() => b.evaluate(pageAttr, `${block} ${sel.photo}`, 'data-photo-id'), {
          timeout: 60_000,
          what: async () => `the photo to be listed after choosing the file (the page got the file: ${caps.fileInput}; ${await f.situation()})`,
        });
        f.log(`photo ${photoId} listed ${((Date.now() - chosen) / 1000).toFixed(1)} s after choosing ${path.basename(picture.file)} (${picture.size} bytes)`);
        await pollUntil(() => b.evaluate(pageExists, `${block} ${sel.photo}[data-ready=true]`), {
          timeout: 240_000,
          what: async () => `the photo to be processed (${await f.situation()}; ${b.consoleLines.slice(-5).join(' / ')})`,
        });
        const stored = await pollUntil(() => b.evaluate(pageStoredPhoto, photoId), { timeout: 30_000, what: 'the photo in IndexedDB' });
        assert.ok(stored.sha256, `the processed photo's bytes are in IndexedDB (${JSON.stringify(stored)})`);
        if (caps.blobInIndexedDB === true) assert.ok(stored.isBlob, `the processed photo is stored as a Blob (${JSON.stringify(stored)})`);
        else assert.equal(stored.storedAs, 'Object holding ArrayBuffer', `where Blobs are refused, the photo's bytes are kept (${JSON.stringify(stored)})`);
        assert.equal(stored.sha256, stored.processed?.sha256, 'the stored bytes hash to what the app recorded for them');
        assert.equal(stored.size, stored.processed?.size, 'the stored bytes have the size the app recorded');
        caps.photoStoredAs = stored.storedAs;
        caps.photoType = stored.processed.content_type;
        caps.photoBytes = stored.size;
        f.log(
          `photo processed ${((Date.now() - chosen) / 1000).toFixed(1)} s after choosing it: ${stored.processed.content_type}, ` +
            `${stored.processed.width}×${stored.processed.height}, ${stored.size} bytes, sha256 ${stored.sha256.slice(0, 12)}…`,
        );
        return { photoId, stored };
      };
      // Where IndexedDB refuses Blobs (WebKit's ephemeral sessions: Safari's private browsing, and
      // every WebKitWebDriver session) the app keeps the photo's bytes and type instead.
      const photo = await attach();
      caps.photoKept = true;
      await f.shot('photo');

      // 5. Send.
      await f.next();
      await f.waitVisible(sel.submit);
      await f.shot('review');
      const sent = Date.now();
      await b.click(sel.submit);
      await pollUntil(async () => (await b.evaluate(pageAttr, sel.caseStatus, 'data-state')) === 'delivered', {
        timeout: 180_000,
        what: async () => `the case to be delivered (${await f.situation()}; ${b.consoleLines.slice(-5).join(' / ')})`,
      });
      const receipt = await pollUntil(async () => (await b.evaluate(pageText, sel.receipt)).split(' | ')[0], { timeout: 30_000, what: 'a receipt code' });
      assert.match(receipt, RECEIPT, `a receipt code on screen, got ${JSON.stringify(receipt)}`);
      f.log(`delivered ${((Date.now() - sent) / 1000).toFixed(1)} s after Send, receipt ${receipt}`);
      await f.shot('delivered');

      // 6. On the server: exactly that case and that photo, byte for byte.
      const cases = await dumpCases(dataDir);
      assert.equal(cases.length, 1, `exactly one case on the server, found ${cases.length}`);
      const [c] = cases;
      assert.equal(c.case_id, caseId);
      assert.equal(c.receipt_code, receipt, 'the receipt on screen is the one the server stored');
      assert.equal(householdAnswers(c).applicant.name, PERSON.name);
      assert.equal(householdAnswers(c).applicant.date_of_birth, PERSON.dob.iso);
      assert.equal(householdAnswers(c).applicant.country_of_origin, PERSON.country);
      assert.equal(householdAnswers(c).applicant.phone, PERSON.phone);
      assert.deepEqual(householdAnswers(c).applicant.languages, [PERSON.language]);
      assert.equal(householdAnswers(c).members.length, 0);
      const photos = await dumpPhotos(dataDir);
      const { photoId, stored } = photo;
      assert.equal(c.case.photos.length, 1, `the case refers to one photo: ${JSON.stringify(c.case.photos)}`);
      const [ref] = c.case.photos;
      assert.equal(ref.photo_id, photoId);
      assert.equal(ref.sha256, stored.sha256, 'the case refers to the photo by the hash of the stored bytes');
      assert.equal(photos.length, 1, `exactly one photo on the server, found ${photos.length}`);
      const [p] = photos;
      assert.equal(p.photo_id, photoId);
      assert.equal(p.case_id, caseId);
      assert.equal(p.size, stored.size);
      assert.equal(p.sha256, stored.sha256, 'the server recorded the hash of the bytes the app stored');
      assert.equal(sha256Hex(await fs.readFile(p.path)), stored.sha256, 'the file on the server is byte-identical with what the app stored');
      assert.equal(p.content_type, stored.processed.content_type);
      f.log('the server holds exactly that case and that photo, byte-identical');

      // 7. The browser again, on the same profile.
      const item = `${sel.caseItem}[data-case-id="${caseId}"]`;
      if (b.persistentProfile) {
        await b.close();
        b = await launchEngine(engine, { profileDir });
        f = flow(t, b, engine, testStarted);
        caps.restartKeepsData = true;
        f.log('browser restarted on the same profile');
      } else {
        await b.reopenWindow();
        caps.restartKeepsData = false;
        f.log(`SKIPPED the browser restart: ${b.restartReason}`);
      }
      await b.goto(`${proxy.url}/`);
      await pollUntil(async () => (await b.evaluate(pageAttr, item, 'data-state')) === 'delivered', {
        timeout: 60_000,
        what: async () => `the home page to list the case as delivered (${await f.situation()})`,
      });
      assert.equal(await b.evaluate(pageText, `${item} ${sel.receipt}`), receipt, 'the same receipt is listed');
      f.log(`listed as delivered with receipt ${receipt}`);
      await f.shot('restart');
      const errors = b.consoleLines.filter((l) => /^\[(error|pageerror|unhandledrejection)\]/.test(l));
      if (errors.length) f.log(`console errors:\n${errors.join('\n')}`);
    } catch (err) {
      if (b) {
        try {
          await b.screenshot(await artifactPath(`browser-${engine}-failure.png`));
        } catch {
          /* the page may be gone */
        }
      }
      const entries = proxy.stats.log.map((e) => `${e.n} ${e.method} ${e.path} ${e.action} -> ${e.status ?? '-'} ${e.outcome}`);
      console.error(
        `\n=== ${engine} failed: ${err.message}\n` +
          `--- proxy log ---\n${entries.slice(-60).join('\n')}\n` +
          `--- browser console ---\n${(b?.consoleLines ?? []).slice(-80).join('\n')}\n` +
          (b?.driverLog ? `--- WebKitWebDriver ---\n${b.driverLog().slice(-4000)}\n` : '') +
          `${server.logs().slice(-6000)}\n`,
      );
      caps.failed = err.message.split('\n')[0];
      throw err;
    } finally {
      if (b) caps.consoleErrors = b.consoleLines.filter((l) => /^\[(error|pageerror|unhandledrejection)\]/.test(l));
      await b?.close().catch(() => {});
      await proxy.close();
      await server.stop();
    }
  });
}

// ---- the table ------------------------------------------------------------------------------------

function capabilityTable(all) {
  const engines = ENGINES.filter((e) => all[e]);
  const mark = (v) => (v === true ? 'yes' : v === false ? 'no' : v == null ? '?' : String(v));
  const rows = [
    ['service worker (controls the page)', (c) => mark(c.serviceWorkerControls)],
    ['offline reload', (c) => mark(c.offlineReload)],
    ['IndexedDB', (c) => mark(c.indexedDB)],
    ['Blob in IndexedDB', (c) => mark(c.blobInIndexedDB)],
    ['document photo kept and sent', (c) => mark(c.photoKept)],
    ['Web Locks', (c) => mark(c.webLocks)],
    ['navigator.storage.estimate', (c) => mark(c.storageEstimate)],
    ['navigator.storage.persist', (c) => mark(c.storagePersist)],
    ['OffscreenCanvas in the photo worker', (c) => mark(c.workerOffscreenCanvas)],
    ['WebP encoding (OffscreenCanvas.convertToBlob)', (c) => mark(c.webpEncode)],
    ['the photo worker answers with', (c) => (c.photoWorker?.ok ? c.photoWorker.type : c.photoWorker?.error ?? '?')],
    ['photo stored as', (c) => (c.photoType ? `${c.photoType}, ${c.photoBytes} B, ${c.photoStoredAs}` : '?')],
    ['BroadcastChannel', (c) => mark(c.broadcastChannel)],
    ['date entry (three boxes)', (c) => mark(c.dateEntry)],
    ['file input over its button', (c) => mark(c.fileInput)],
    ['restart keeps the profile', (c) => mark(c.restartKeepsData)],
    ['console errors', (c) => String(c.consoleErrors?.length ?? '?')],
  ];
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [
    'browser capabilities (tests/artifacts/browser-capabilities.json):',
    line(['', ...engines.map((e) => all[e].version ?? e)]),
    line(['---', ...engines.map(() => '---')]),
    ...rows.map(([label, get]) => line([label, ...engines.map((e) => get(all[e]))])),
  ].join('\n');
}
