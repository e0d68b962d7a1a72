// Every state has a way forward (DESIGN.md, guarantee 8), end to end, for the paths people found
// in minutes: a family member's name typed key by key, a member removed after their document was
// photographed, photos left pointing at nobody by an older build, a case the server refused, and
// a save that failed because the device was full.
//
//   node --test --test-concurrency=1 tests/e2e/nothing-stuck.test.mjs
//
// Text is typed key by key (typeInto), as a person types; waits poll the DOM and never fail for
// being slow.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { assertBuilt, dumpCases, dumpPhotos, freshTmpRoot, householdAnswers, pollUntil } from '../support/harness.mjs';
import {
  CASE_PUT,
  DOCUMENTS_STEP,
  expectCaseState,
  expectStep,
  goToStep,
  HOUSEHOLD,
  REVIEW_STEP,
  sel,
  setLanguage,
  startNewCase,
  typeInto,
  waitSaved,
  worldRunner,
} from '../support/app.mjs';
import { addPhoto, expectPhotoReady, makeTestPictures, openFillAndDocuments, photosInIndexedDb } from '../support/photos.mjs';

const TEST_TIMEOUT = 240_000;
let withWorld;
let pictures;

before(async () => {
  assertBuilt();
  const root = await freshTmpRoot(import.meta.url);
  withWorld = worldRunner(root);
  pictures = await makeTestPictures(path.join(root, 'pictures'), { count: 2, target: 300_000, tolerance: 60_000 });
});

/** Text without the Unicode isolates that keep names and numbers in their own direction. */
const unisolated = (text) => text.replace(/[\u2066-\u2069]/g, '');

/** The case record as IndexedDB holds it now. */
function storedCase(page, caseId) {
  return page.evaluate(async (id) => {
    const db = await new Promise((res, rej) => {
      const r = indexedDB.open('resguardo');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const value = await new Promise((res, rej) => {
      const r = db.transaction('cases').objectStore('cases').get(id);
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    db.close();
    return value ?? null;
  }, caseId);
}

async function sendAndWaitDelivered(page) {
  await goToStep(page, REVIEW_STEP);
  await page.locator(sel.submit).click();
  await expectCaseState(page, ['delivered'], 120_000);
}

test('a family member\'s full name typed key by key stays whole, and the field keeps the focus', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'member-name', async (w) => {
    const page = await w.openBrowser();
    await page.goto(`${w.proxy.url}/`);
    await setLanguage(page, 'en');
    const caseId = await startNewCase(page);
    await goToStep(page, 3);
    await page.locator(sel.addMember).click();
    const block = page.locator(sel.member).first();
    // typeInto asserts the whole name is there and the focus never left the field.
    await typeInto(block.locator('input[name=member-name]'), 'Zoë Núñez');
    await typeInto(block.locator('input[name=member-name]'), 'Zoë Núñez de la Cruz');
    await waitSaved(page);
    const record = await storedCase(page, caseId);
    assert.equal(record.submission.members[0].name, 'Zoë Núñez de la Cruz');
  });
});

test('removing a family member after photographing their document takes the photos along; the case is delivered', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'remove-member', async (w) => {
    const { page, caseId, people } = await openFillAndDocuments(w);
    const mine = await addPhoto(page, people[0], 'id_document', pictures.files[0]);
    const theirs = await addPhoto(page, people[1], 'birth_certificate', pictures.files[1]);
    await expectPhotoReady(page, mine);
    await expectPhotoReady(page, theirs);

    await goToStep(page, 3);
    let question = '';
    page.once('dialog', (d) => {
      question = d.message();
      d.accept();
    });
    await page.locator(sel.member).first().locator('[data-testid=remove-member]').click();
    await pollUntil(async () => (await page.locator(sel.member).count()) === HOUSEHOLD.members.length - 1, {
      what: 'the member to be removed',
    });
    assert.match(unisolated(question), /Their document photo will be deleted too/, 'the person is told first (one photo: singular)');
    await pollUntil(async () => (await photosInIndexedDb(page)) === 1, { what: 'their photo to be deleted with them' });

    await sendAndWaitDelivered(page);
    const [stored] = await dumpCases(w.dataDir);
    assert.equal(stored.case_id, caseId);
    assert.equal(householdAnswers(stored).members.length, HOUSEHOLD.members.length - 1);
    assert.deepEqual(stored.case.photos.map((p) => p.photo_id), [mine]);
    assert.deepEqual((await dumpPhotos(w.dataDir)).map((p) => p.photo_id), [mine]);
  });
});

test('photos of someone no longer in the form are shown apart and must go before the form can be sent', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'orphan-photos', async (w) => {
    const { page, caseId, people } = await openFillAndDocuments(w);
    const theirs = await addPhoto(page, people[1], 'birth_certificate', pictures.files[0]);
    await expectPhotoReady(page, theirs);
    await waitSaved(page);
    // What an older build left behind: the member gone from the answers, their photo not.
    await page.evaluate(async ({ id, member }) => {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open('resguardo');
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const tx = db.transaction('cases', 'readwrite');
      const store = tx.objectStore('cases');
      const record = await new Promise((res) => {
        store.get(id).onsuccess = (e) => res(e.target.result);
      });
      record.submission.members = record.submission.members.filter((m) => m.member_id !== member);
      store.put(record);
      await new Promise((res) => (tx.oncomplete = res));
      db.close();
    }, { id: caseId, member: people[1] });
    await page.reload();
    await expectStep(page, DOCUMENTS_STEP);
    const orphans = page.locator('[data-testid=orphan-photos]');
    await orphans.waitFor({ state: 'visible' });
    assert.equal(await orphans.locator(sel.photo).count(), 1);

    await goToStep(page, REVIEW_STEP);
    await page.locator(sel.submit).click();
    await expectStep(page, DOCUMENTS_STEP);
    assert.equal(await page.locator(sel.caseStatus).count(), 0, 'not sent');
    await orphans.locator(sel.photo).locator('.field-error').waitFor({ state: 'visible' });
    await orphans.locator(sel.deletePhoto).click();
    await pollUntil(async () => (await orphans.count()) === 0, { what: 'the orphan photo to be deleted' });
    await sendAndWaitDelivered(page);
    const [stored] = await dumpCases(w.dataDir);
    assert.equal((stored.case.photos ?? []).length, 0);
  });
});

test('a case the server refused shows what it found, leads there, and is delivered when sent again', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'refused', async (w) => {
    const refusal = JSON.stringify({
      error: {
        code: 'validation_failed',
        message: 'the case has invalid fields',
        fields: [{ field: 'members.1.date_of_birth', code: 'date_in_future' }],
      },
    });
    w.proxy.setRule({
      match: CASE_PUT,
      actions: [{ type: 'status', status: 422, body: refusal, headers: { 'content-type': 'application/json' } }, 'pass'],
    });
    const { page, caseId } = await openFillAndDocuments(w);
    await goToStep(page, REVIEW_STEP);
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['rejected'], 60_000);
    await page.locator('[data-testid=correct-again]').click();
    const problems = page.locator('[data-testid=server-problem]');
    await problems.waitFor({ state: 'visible' });
    const text = unisolated(await problems.textContent());
    assert.match(text, /Family member 2 · Date of birth/);
    assert.match(text, /This date is in the future/);
    await problems.locator('button').first().click();
    await expectStep(page, 3);
    await sendAndWaitDelivered(page);
    const cases = await dumpCases(w.dataDir);
    assert.deepEqual(cases.map((c) => c.case_id), [caseId]);
  });
});

test('a save that fails because the device is full is written once space returns, without typing again', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'quota', async (w) => {
    const page = await w.openBrowser();
    // A full device, on demand: every IndexedDB write refuses as a full disk does.
    await page.context().addInitScript(() => {
      window.__deviceFull = false;
      for (const method of ['put', 'add']) {
        const original = IDBObjectStore.prototype[method];
        IDBObjectStore.prototype[method] = function (...args) {
          if (window.__deviceFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          return original.apply(this, args);
        };
      }
    });
    await page.goto(`${w.proxy.url}/`);
    await setLanguage(page, 'en');
    const caseId = await startNewCase(page);
    await page.evaluate(() => (window.__deviceFull = true));
    await typeInto(page.locator('#applicant-name'), 'Zoë Núñez');
    await page.getByText('This device is out of space').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal((await storedCase(page, caseId)).submission.applicant.name, '', 'nothing written yet');
    // Space is freed; nobody types.
    await page.evaluate(() => (window.__deviceFull = false));
    await waitSaved(page);
    await pollUntil(async () => (await storedCase(page, caseId)).submission.applicant.name === 'Zoë Núñez', {
      what: async () =>
        `the name to be written by itself (stored ${JSON.stringify((await storedCase(page, caseId))?.submission?.applicant?.name)}, ` +
        `field ${JSON.stringify(await page.locator('#applicant-name').inputValue())}, ` +
        `indicator ${JSON.stringify(await page.locator('[data-testid=save-status]').textContent())})`,
    });
  });
});

test('a field tapped as soon as a step opens keeps the focus: the step\'s heading does not take it back', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'focus-kept', async (w) => {
    const page = await w.openBrowser();
    await page.goto(`${w.proxy.url}/`);
    await setLanguage(page, 'en');
    await startNewCase(page);
    for (let round = 0; round < 5; round++) {
      await page.locator(sel.next).click();
      await expectStep(page, 2);
      // Back, then the name field at once, as a quick thumb does: in the page, within a frame,
      // before the heading's deferred focus is due (a Playwright click takes longer than that).
      await page.evaluate(
        () =>
          new Promise((resolve) => {
            document.querySelector('[data-testid=back]').click();
            const tap = () => {
              const field = document.getElementById('applicant-name');
              if (!field) return requestAnimationFrame(tap);
              field.focus();
              resolve();
            };
            tap();
          }),
      );
      await page.waitForTimeout(300);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'applicant-name', `round ${round}: the field kept the focus`);
    }
    // Arriving without touching anything still puts the focus on the heading.
    await page.locator(sel.next).click();
    await pollUntil(async () => (await page.evaluate(() => document.activeElement?.id)) === 'step-title', { what: 'the focus on the heading' });
  });
});

test('a photo the device cannot keep is said where it was taken and on Check and send, and no save hides it', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'photo-not-kept', async (w) => {
    const page = await w.openBrowser();
    // A device full just for photos, on demand: writes into the photos store refuse.
    await page.context().addInitScript(() => {
      window.__photosFull = false;
      for (const method of ['put', 'add']) {
        const original = IDBObjectStore.prototype[method];
        IDBObjectStore.prototype[method] = function (...args) {
          if (window.__photosFull && this.name === 'photos') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          return original.apply(this, args);
        };
      }
    });
    const { caseId, people } = await openFillAndDocuments(w, page);
    await page.evaluate(() => (window.__photosFull = true));
    const block = page.locator(`[data-testid=person-photos][data-person="${people[0]}"]`);
    await block.locator('input[data-testid=take-photo]').setInputFiles(pictures.files[0]);
    const notKept = block.locator('[data-testid=photo-not-kept]');
    await notKept.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await notKept.textContent(), /out of space/);
    assert.equal(await notKept.getAttribute('role'), 'alert', 'said at once to a screen reader');
    assert.equal(await photosInIndexedDb(page), 0, 'nothing was kept');

    // The answers still save (the form's "Saved" is about them), and the photo's problem stays.
    await goToStep(page, 3);
    await typeInto(page.locator(sel.member).first().locator('input[name=member-name]'), ' Jr');
    await waitSaved(page);
    await goToStep(page, REVIEW_STEP);
    await page.locator('[data-testid=review-photo-not-kept]').waitFor({ state: 'visible' });
    await goToStep(page, DOCUMENTS_STEP);
    await notKept.waitFor({ state: 'visible' });

    // Space again: taken again, kept, and the problem is gone from both places.
    await page.evaluate(() => (window.__photosFull = false));
    await block.locator('input[data-testid=take-photo]').setInputFiles(pictures.files[0]);
    await pollUntil(async () => (await photosInIndexedDb(page)) === 1, { what: 'the photo kept this time' });
    await notKept.waitFor({ state: 'detached' });
    await block.locator('li[data-testid=photo][data-ready=true]').waitFor({ timeout: 60_000 });
    await goToStep(page, REVIEW_STEP);
    assert.equal(await page.locator('[data-testid=review-photo-not-kept]').count(), 0);
    await sendAndWaitDelivered(page);
    const [stored] = await dumpCases(w.dataDir);
    assert.equal(stored.case_id, caseId);
    assert.equal(stored.case.photos.length, 1);
  });
});
