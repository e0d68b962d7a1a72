// Shared tablets (issue 10), end to end: the real release build and server, Debian's Chromium.
//
//   node --test --test-concurrency=1 tests/e2e/shared-tablet.test.mjs
//
// A tablet is enrolled with a shared code from `server enrolment create --shared`. Two families
// start forms on it, each behind its own PIN; the home screen names nobody; IndexedDB holds no
// name in the clear; wrong PINs slow down (and a reload does not reset the count); "Finish and
// lock", the organisation's idle time and hiding the app all lock the open form; a sent form goes
// sealed at Send (the outbox holds no answer) with its document photo, which is kept only
// encrypted and travels sealed; the volunteer screen counts what the tablet holds.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

import AxeBuilder from '@axe-core/playwright';

import { assertBuilt, createStaffUser, dumpCases, dumpPhotos, freshTmpRoot, householdAnswers, pollUntil, serverCommand } from '../support/harness.mjs';
import { expectPhotoReady, makeTestPictures, photosOnPage } from '../support/photos.mjs';
import { decodeQr } from '../support/qr.mjs';
import {
  DOCUMENTS_STEP,
  expectCaseState,
  expectStep,
  fillHousehold,
  goToStep,
  HOUSEHOLD,
  receiptOnScreen,
  REVIEW_STEP,
  sel,
  setLanguage,
  typeInto,
  waitSaved,
  worldRunner,
} from '../support/app.mjs';

const TMP = await freshTmpRoot(import.meta.url);
const TEST_TIMEOUT = 300_000;
const withWorld = worldRunner(TMP);
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const IDLE_SECS = 10;

let pictures;
before(async () => {
  assertBuilt();
  pictures = await makeTestPictures(path.join(TMP, 'pictures'), { count: 1, target: 200_000, tolerance: 100_000 });
});

/**
 * How the photos store keeps each photo's pictures: for every entry, each of its picture fields
 * as `blob` (a Blob: in the clear), `encrypted` (our `{bytes, type, encrypted}`), `bytes` (bytes
 * in the clear) or absent, with the first bytes of whatever is kept, hex.
 */
function photoFieldsAtRest(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      if (db.objectStoreNames.contains('photos')) {
        const all = await new Promise((res, rej) => {
          const r = db.transaction('photos').objectStore('photos').getAll();
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
        for (const entry of all) {
          const fields = {};
          for (const field of ['raw', 'photo', 'thumbnail', 'sealed_bytes']) {
            const v = entry[field];
            if (v == null) continue;
            const buffer = v instanceof Blob ? await v.slice(0, 4).arrayBuffer() : v.bytes.slice(0, 4);
            const head = [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
            const how = v instanceof Blob ? 'blob' : v.encrypted ? 'encrypted' : 'bytes';
            fields[field] = `${how}:${head}`;
          }
          out.push({ photo_id: entry.photo_id, fields });
        }
      }
      db.close();
    }
    return out;
  });
}

/** Whether the first bytes are those of a picture (JPEG, WebP/RIFF, PNG). */
function looksLikeAPicture(field) {
  const head = field.split(':')[1];
  return /^ffd8|^52494646|^89504e47/.test(head);
}

async function axeClean(page, what) {
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  assert.deepEqual(found, [], `axe on ${what}`);
}

/** Everything the app keeps in IndexedDB, as text (Blobs by size only). */
function indexedDbText(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      for (const store of db.objectStoreNames) {
        const all = await new Promise((res, rej) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
        out.push(JSON.stringify(all, (k, v) => (v instanceof Blob ? `blob:${v.size}` : v)));
      }
      db.close();
    }
    return out.join('\n');
  });
}

/** What the browser does when the app goes behind another (the camera, another app, sleep). */
async function hidePage(page) {
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    Object.defineProperty(document, 'hidden', { value: true, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

async function showPage(page) {
  await page.evaluate(() => {
    delete document.visibilityState;
    delete document.hidden;
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

async function startFamily(page, pin, name) {
  await page.locator(sel.newCase).click();
  await page.locator('[data-testid=choose-pin]').waitFor();
  await page.locator('[data-testid=pin]').fill(pin);
  await page.locator('[data-testid=pin-again]').fill(pin);
  await page.locator('[data-testid=pin-start]').click();
  await page.waitForURL(/\/case\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  const caseId = new URL(page.url()).pathname.split('/').pop();
  await expectStep(page, 1);
  await typeInto(page.locator('#applicant-name'), name);
  await waitSaved(page);
  return caseId;
}

async function finishAndLock(page) {
  await page.locator('[data-testid=finish-and-lock]').click();
  await page.waitForURL((u) => new URL(u).pathname === '/');
  await pollUntil(async () => (await page.locator('[data-testid=locked-item][data-open=false]').count()) > 0, {
    what: 'a locked form on the home screen',
  });
}

async function unlock(page, caseId, pin) {
  await page.locator(`[data-testid=locked-item][data-case-id="${caseId}"] a`).click();
  await page.locator('[data-testid=unlock]').waitFor();
  await page.locator('[data-testid=unlock-pin]').fill(pin);
  await page.locator('[data-testid=unlock-open]').click();
}

test('two families on one shared tablet: each form behind its own PIN, nothing named, locked by hand, by idle time and when hidden', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'shared-two-families', async (w) => {
    const out = await serverCommand(['enrolment', 'create', '--shared', '--label', 'Shelter A tablet 2'], w.dataDir);
    const [code, query] = out.trim().split('\t');
    assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const listed = await serverCommand(['enrolment', 'list'], w.dataDir);
    assert.match(listed, /\tactive\tshared\t/);

    assert.match(query, /&shared=1$/, 'a shared code\'s install link says so');

    // The first visit cannot register yet (the server is busy): the link alone makes it a shared tablet.
    const busy = w.proxy.setRule({
      match: { method: 'POST', prefix: '/api/v1/devices' },
      actions: [{ type: 'status', status: 503, body: '{"error":{"code":"unavailable","message":"busy"}}', headers: { 'content-type': 'application/json' } }],
    });
    const page = await w.openBrowser();
    await page.goto(`${w.proxy.url}${query}`);
    await setLanguage(page, 'en');
    await page.locator('[data-testid=shared-tablet]').waitFor({ timeout: 60_000 });
    assert.ok(!page.url().includes('code='), 'the code is taken out of the address bar');
    busy.remove();
    // Then the sync worker registers with the shared code, and the server says "shared" too.
    await pollUntil(async () => /\tactive\tshared\t/.test(await serverCommand(['devices', 'list'], w.dataDir)), { timeout: 120_000, what: 'the tablet registered as shared' });
    const devices = await serverCommand(['devices', 'list'], w.dataDir);
    assert.match(devices, /\tactive\tshared\t/, devices);

    // Choosing a PIN: too short, then two that differ, are refused plainly.
    await page.locator(sel.newCase).click();
    await page.locator('[data-testid=choose-pin]').waitFor();
    await axeClean(page, 'choosing a PIN');
    await page.locator('[data-testid=pin]').fill('1234');
    await page.locator('[data-testid=pin-again]').fill('1234');
    await page.locator('[data-testid=pin-start]').click();
    assert.match(await page.locator('[data-testid=pin-problem]').textContent(), /6 digits/);
    await page.locator('[data-testid=pin]').fill('482913');
    await page.locator('[data-testid=pin-again]').fill('482914');
    await page.locator('[data-testid=pin-start]').click();
    assert.match(await page.locator('[data-testid=pin-problem]').textContent(), /not the same/);
    await page.locator('[data-testid=pin-cancel]').click();

    const marta = await startFamily(page, '482913', 'Marta Díaz');
    await finishAndLock(page);
    const rosa = await startFamily(page, 'casa azul 7', 'Rosa Pérez');
    await finishAndLock(page);
    assert.match(await page.locator('[data-testid=locked-note]').textContent(), /locked/i);

    // The home screen names nobody; IndexedDB holds neither name.
    const home = await page.locator('main').textContent();
    for (const name of ['Marta', 'Rosa']) {
      assert.ok(!home.includes(name), `the home screen does not show ${name}: ${home}`);
    }
    assert.equal(await page.locator('[data-testid=locked-item]').count(), 2);
    assert.equal(await page.locator(sel.caseItem).count(), 0, 'no form listed with a name');
    assert.match(await page.locator('[data-testid=locked-item]').first().textContent(), /Started .* · locked/);
    const kept = await indexedDbText(page);
    for (const name of ['Marta', 'Díaz', 'Rosa', 'Pérez']) assert.ok(!kept.includes(name), `IndexedDB holds no "${name}"`);
    await axeClean(page, 'the home screen of a shared tablet');

    // Wrong PINs: the first ones are told plainly, the third makes it wait; a reload does not reset it.
    await unlock(page, marta, '111111');
    await pollUntil(async () => /does not open/.test(await page.locator('[data-testid=unlock-problem]').textContent()), { what: 'the wrong PIN told' });
    await axeClean(page, 'a locked form after a wrong PIN');
    for (let i = 0; i < 2; i++) {
      await pollUntil(async () => await page.locator('[data-testid=unlock-open]').isEnabled(), { what: 'the button free again' });
      await page.locator('[data-testid=unlock-pin]').fill('222222');
      await page.locator('[data-testid=unlock-open]').click();
    }
    await pollUntil(async () => Number(await page.locator('[data-testid=unlock-problem]').getAttribute('data-wait')) > 0, { what: 'a wait after three wrong PINs' });
    const told = (await page.locator('[data-testid=unlock-problem]').textContent()).replace(/[\u2066-\u2069]/g, '');
    assert.match(told, /Wait \d+ seconds?.*Nothing has been erased/);
    assert.ok(await page.locator('[data-testid=unlock-open]').isDisabled(), 'no try during the wait');
    await page.reload();
    await page.locator('[data-testid=unlock]').waitFor();
    await pollUntil(async () => Number(await page.locator('[data-testid=unlock-problem]').getAttribute('data-wait')) > 0, { what: 'the wait kept across a reload' });
    await pollUntil(async () => Number(await page.locator('[data-testid=unlock-problem]').getAttribute('data-wait')) === 0, { timeout: 20_000, what: 'the wait to end' });
    await page.locator('[data-testid=unlock-pin]').fill('482913');
    await page.locator('[data-testid=unlock-open]').click();
    await expectStep(page, 1);
    assert.equal(await page.locator('#applicant-name').inputValue(), 'Marta Díaz', 'nothing erased');
    w.log('Marta\'s form opened with its PIN after three wrong ones and a reload');

    // Hidden (the tablet sleeps, another app comes to the front): locked at once.
    await hidePage(page);
    await page.waitForURL((u) => new URL(u).pathname === '/');
    await showPage(page);
    await pollUntil(async () => (await page.locator('[data-testid=locked-item][data-open=true]').count()) === 0, { what: 'no form open after hiding' });
    assert.ok(!(await page.locator('main').textContent()).includes('Marta'));

    // Idle: the organisation's idle time passes with nobody touching the tablet.
    await unlock(page, rosa, 'casa azul 7');
    await expectStep(page, 1);
    assert.equal(await page.locator('#applicant-name').inputValue(), 'Rosa Pérez');
    const opened = Date.now();
    await page.waitForURL((u) => new URL(u).pathname === '/', { timeout: (IDLE_SECS + 30) * 1000 });
    w.log(`locked by itself ${((Date.now() - opened) / 1000).toFixed(1)} s after the last touch (idle time ${IDLE_SECS} s)`);
    await page.locator(`[data-testid=locked-item][data-case-id="${rosa}"] a`).click();
    await page.locator('[data-testid=unlock]').waitFor();
    await page.goto(`${w.proxy.url}/`);

    // A third family sends: sealed at Send, so the outbox holds nothing readable; the server opens it.
    // (Someone is at the tablet all along: the idle lock must not close the receipt under them.)
    const touching = setInterval(() => page.evaluate(() => document.dispatchEvent(new Event('pointerdown'))).catch(() => {}), 2_000);
    t.after(() => clearInterval(touching));
    await page.locator(sel.newCase).click();
    await page.locator('[data-testid=pin]').fill('731950');
    await page.locator('[data-testid=pin-again]').fill('731950');
    await page.locator('[data-testid=pin-start]').click();
    await page.waitForURL(/\/case\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    const third = new URL(page.url()).pathname.split('/').pop();
    await fillHousehold(page);
    // The camera hides the page while a document photo is taken: that does not lock the form.
    await goToStep(page, DOCUMENTS_STEP);
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.locator(`${sel.personPhotos}[data-person=applicant] ${sel.takePhoto}`).click(),
    ]);
    assert.ok(chooser);
    await hidePage(page);
    await page.waitForTimeout(500);
    await chooser.setFiles(pictures.files[0]);
    await showPage(page);
    assert.equal(new URL(page.url()).pathname, `/case/${third}`, 'still on the form after the camera');
    await expectStep(page, DOCUMENTS_STEP);
    const photoId = await pollUntil(async () => (await photosOnPage(page))[0]?.id, { what: 'the document photo listed' });
    await expectPhotoReady(page, photoId);
    // The photo and its thumbnail are kept only encrypted with the family's key.
    const atRest = await photoFieldsAtRest(page);
    const atRestPhoto = atRest.find((p) => p.photo_id === photoId);
    assert.ok(atRestPhoto?.fields.photo && atRestPhoto.fields.thumbnail, JSON.stringify(atRest));
    for (const [field, how] of Object.entries(atRestPhoto.fields)) {
      assert.match(how, /^encrypted:/, `${field} is kept encrypted (${how})`);
      assert.ok(!looksLikeAPicture(how), `${field} is not a picture in the clear (${how})`);
    }
    await goToStep(page, REVIEW_STEP);
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['delivered'], 120_000);
    const receipt = await receiptOnScreen(page);
    assert.equal(await decodeQr(page.locator('.receipt-box [data-testid=receipt-qr]')), receipt.replace(/[\u2066-\u2069]/g, ''), 'the QR code reads as the receipt code');
    const storedCases = (await dumpCases(w.dataDir)).filter((c) => c.case_id === third);
    assert.equal(storedCases.length, 1, 'stored exactly once');
    const [stored] = storedCases;
    assert.equal(householdAnswers(stored).applicant.name, HOUSEHOLD.applicant.name, 'the server opened the seal');
    const storedLine = w.server.logs().split('\n').find((l) => l.includes('"case stored"') && l.includes(third));
    assert.match(storedLine ?? '', /"sealed":true/);
    const afterSend = await indexedDbText(page);
    for (const name of ['María', 'Ramírez', 'asma']) assert.ok(!afterSend.includes(name), `IndexedDB holds no "${name}" after Send`);
    // The photo travelled sealed, and the server stored it opened: the picture itself.
    const photoLine = w.server.logs().split('\n').find((l) => l.includes('"photo stored"') && l.includes(photoId));
    assert.match(photoLine ?? '', /"sealed":true/, photoLine);
    const [storedPhoto] = (await dumpPhotos(w.dataDir)).filter((p) => p.photo_id === photoId);
    const storedBytes = await fs.readFile(storedPhoto.path);
    assert.ok(looksLikeAPicture(`x:${storedBytes.subarray(0, 4).toString('hex')}`), 'the server holds the picture');
    assert.equal(crypto.createHash('sha256').update(storedBytes).digest('hex'), storedPhoto.sha256);
    const named = (stored.case.photos ?? []).find((p) => p.photo_id === photoId);
    assert.equal(named?.sha256, storedPhoto.sha256, 'byte-identical to the photo the tablet processed and hashed');
    w.log(`the third family's form went sealed at Send and was delivered: ${receipt}`);
    await page.locator('[data-testid=finish-and-lock]').click();
    await page.waitForURL((u) => new URL(u).pathname === '/');
    clearInterval(touching);
    assert.ok(!(await page.locator('main').textContent()).includes(receipt), 'the receipt is not left on the home screen');
    // Delivered, it is erased from the tablet: only its outbox item (the receipt) stays.
    await pollUntil(async () => (await page.locator(`[data-testid=locked-item][data-case-id="${third}"]`).count()) === 0, { what: 'the delivered form erased' });
    const erased = await indexedDbText(page);
    assert.ok(!erased.includes('"sealed"'), 'the seal is dropped once delivered');
    assert.ok(erased.includes(receipt.replace(/[\u2066-\u2069]/g, '')), 'the receipt stays');

    // The volunteer screen: behind the tablet's enrolment code, counts only.
    await page.locator('[data-testid=tablet-link]').click();
    await page.locator('[data-testid=tablet-gate]').waitFor();
    await axeClean(page, 'the volunteer screen\'s gate');
    await page.locator('[data-testid=tablet-code]').fill('WRONG-CODE');
    await page.locator('[data-testid=tablet-show]').click();
    assert.match(await page.locator('#tablet-problem').textContent(), /not this tablet/);
    await page.locator('[data-testid=tablet-code]').fill(code.toLowerCase());
    await page.locator('[data-testid=tablet-show]').click();
    await page.locator('[data-testid=tablet-holdings]').waitFor();
    const n = async (id) => Number(await page.locator(`[data-testid=${id}]`).getAttribute('data-n'));
    assert.equal(await n('tablet-locked-drafts'), 2, 'Marta and Rosa');
    assert.equal(await n('tablet-delivered'), 1);
    assert.equal(await n('tablet-waiting'), 0);
    assert.match(await page.locator('[data-testid=tablet-last-delivery]').textContent(), /Last delivery: /);
    const screen = await page.locator('main').textContent();
    for (const name of ['Marta', 'Rosa', 'María']) assert.ok(!screen.includes(name));
    await axeClean(page, 'the volunteer screen');

    // Rosa forgot her PIN: a staff member signs in on this tablet and opens the form through the
    // organisation; Rosa chooses a new PIN; the unlock is in the audit log and the staff sign-in
    // does not stay behind.
    const staff = await createStaffUser(w.dataDir, 'rita', 'reviewer', 'rita-correct-horse-battery');
    await page.goto(`${w.proxy.url}/`);
    await page.locator(`[data-testid=locked-item][data-case-id="${rosa}"] a`).click();
    await page.locator('[data-testid=unlock]').waitFor();
    await page.locator('[data-testid=forgot-pin] summary').click();
    await axeClean(page, 'the forgotten PIN help');
    await page.locator('[data-testid=staff-open]').click();
    await pollUntil(async () => /must sign in on this tablet first/.test(await page.locator('[data-testid=recover-problem]').textContent()), { what: 'told a staff member must sign in first' });
    const [staffPage] = await Promise.all([page.context().waitForEvent('page'), page.locator('[data-testid=staff-sign-in]').click()]);
    await staffPage.waitForLoadState();
    await staffPage.locator('input[name=username]').fill(staff.username);
    await staffPage.locator('input[name=password]').fill(staff.password);
    await Promise.all([staffPage.waitForURL(/\/staff\/cases/), staffPage.locator('form[action="/staff/login"] button[type=submit]').click()]);
    await staffPage.close();
    await page.locator('[data-testid=staff-open]').click();
    await page.locator('[data-testid=new-pin]').waitFor({ timeout: 30_000 });
    await axeClean(page, 'choosing a new PIN');
    await page.locator('[data-testid=new-pin-input]').fill('246802');
    await page.locator('[data-testid=new-pin-again]').fill('246802');
    await page.locator('[data-testid=new-pin-save]').click();
    await expectStep(page, 1);
    assert.equal(await page.locator('#applicant-name').inputValue(), 'Rosa Pérez', 'nothing lost');
    const unlockLine = w.server.logs().split('\n').find((l) => l.includes('locked case opened by staff') && l.includes(rosa));
    assert.match(unlockLine ?? '', /"staff":"rita"/, 'the server says who opened it');
    // The staff sign-in ended with the unlock.
    const after = await page.context().newPage();
    await after.goto(`${w.proxy.url}/staff/cases`);
    assert.match(new URL(after.url()).pathname, /^\/staff\/login/, 'no staff sign-in left on the tablet');
    await after.close();
    await finishAndLock(page);
    // The old PIN no longer opens it; the new one does.
    await unlock(page, rosa, 'casa azul 7');
    await pollUntil(async () => /does not open/.test(await page.locator('[data-testid=unlock-problem]').textContent()), { what: 'the old PIN refused' });
    await page.locator('[data-testid=unlock-pin]').fill('246802');
    await page.locator('[data-testid=unlock-open]').click();
    await expectStep(page, 1);
    assert.equal(await page.locator('#applicant-name').inputValue(), 'Rosa Pérez');
    w.log('Rosa\'s forgotten PIN: opened by a staff sign-in, a new PIN chosen');

    // The volunteer screen opened by a staff sign-in instead of the code; the sign-in ends there.
    await page.locator('[data-testid=finish-and-lock]').click();
    await page.waitForURL((u) => new URL(u).pathname === '/');
    await page.locator('[data-testid=tablet-link]').click();
    await page.locator('[data-testid=tablet-gate]').waitFor();
    await page.locator('[data-testid=tablet-staff-open]').click();
    await pollUntil(async () => /must sign in on this tablet first/.test(await page.locator('#tablet-problem').textContent()), { what: 'told a staff member must sign in first' });
    const staffPage2 = await page.context().newPage();
    await staffPage2.goto(`${w.proxy.url}/staff/login`);
    await staffPage2.locator('input[name=username]').fill(staff.username);
    await staffPage2.locator('input[name=password]').fill(staff.password);
    await Promise.all([staffPage2.waitForURL(/\/staff\/cases/), staffPage2.locator('form[action="/staff/login"] button[type=submit]').click()]);
    await staffPage2.close();
    await page.locator('[data-testid=tablet-staff-open]').click();
    await page.locator('[data-testid=tablet-holdings]').waitFor({ timeout: 30_000 });
    assert.equal(await n('tablet-locked-drafts'), 2);
    const after2 = await page.context().newPage();
    await after2.goto(`${w.proxy.url}/staff/cases`);
    assert.match(new URL(after2.url()).pathname, /^\/staff\/login/, 'no staff sign-in left on the tablet');
    await after2.close();
  }, { serverArgs: ['--shared-lock-after-secs', String(IDLE_SECS)] });
});

test('a personal phone may lock a form with a PIN: kept encrypted, listed without a name, sealed at Send', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'personal-pin', async (w) => {
    const page = await w.openBrowser();
    await page.goto(`${w.proxy.url}/`);
    await setLanguage(page, 'en');
    await page.locator(sel.newCase).waitFor();
    assert.equal(await page.locator('[data-testid=shared-tablet]').count(), 0, 'a personal phone');
    await axeClean(page, 'the home screen with the PIN option');
    await page.locator('[data-testid=start-with-pin]').check();
    const caseId = await startFamily(page, '864209', 'Lucía Gómez');
    await finishAndLock(page);
    const kept = await indexedDbText(page);
    for (const name of ['Lucía', 'Gómez']) assert.ok(!kept.includes(name), `IndexedDB holds no "${name}"`);
    assert.ok(!(await page.locator('main').textContent()).includes('Lucía'), 'listed without a name');
    await unlock(page, caseId, '864209');
    await expectStep(page, 1);
    assert.equal(await page.locator('#applicant-name').inputValue(), 'Lucía Gómez');
    await fillHousehold(page);
    await goToStep(page, REVIEW_STEP);
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['delivered'], 120_000);
    await receiptOnScreen(page);
    const storedLine = w.server.logs().split('\n').find((l) => l.includes('"case stored"') && l.includes(caseId));
    assert.match(storedLine ?? '', /"sealed":true/, 'sealed at Send');
    // An unlocked form of the same phone is as before: the option is per form.
    await page.goto(`${w.proxy.url}/`);
    assert.equal(await page.locator('[data-testid=start-with-pin]').isChecked(), false);
    w.log('a personal phone locked one form with a PIN and sent it sealed');
  });
});
