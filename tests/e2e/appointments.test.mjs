// Appointments (issue 11), end to end: the real release build and server, Debian's Chromium.
//
//   node --test --test-concurrency=1 tests/e2e/appointments.test.mjs
//
// An administrator publishes a slot with `server slots create` (a place 7 hours behind UTC); a
// household is filled in and sent in Spanish; the server books the whole household into the slot
// in the transaction that stores the case, and the receipt shows the appointment in the place's
// own date and time, the month named in Spanish, and in Arabic once the language changes. The
// slot counts every person of the household; `/r/{code}` shows the same appointment to someone
// who has only the code.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { assertBuilt, freshTmpRoot, serverCommand } from '../support/harness.mjs';
import { expectCaseState, fillHousehold, goToStep, HOUSEHOLD, receiptOnScreen, REVIEW_STEP, sel, setLanguage, startNewCase, worldRunner } from '../support/app.mjs';

const TMP = await freshTmpRoot(import.meta.url);
const withWorld = worldRunner(TMP);
const TEST_TIMEOUT = 300_000;
await assertBuilt();

const MONTHS_ES = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'];
const MONTHS_AR = ['يناير', 'فبراير', 'مارس', 'أبريل', 'مايو', 'يونيو', 'يوليو', 'أغسطس', 'سبتمبر', 'أكتوبر', 'نوفمبر', 'ديسمبر'];

test('a household sent in Spanish is booked whole into the published slot and sees it on its receipt, in Arabic too, and at /r/CODE', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'booked', async (w) => {
    // Three days ahead, 09:00 at a place on UTC−7 (16:00 UTC): the phone's own zone never moves it.
    const day = new Date(Date.now() + 3 * 86_400_000);
    const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    const pad = (n) => String(n).padStart(2, '0');
    const startsAt = `${y}-${pad(m)}-${pad(d)}T09:00-07:00`;
    const created = await serverCommand(['slots', 'create', '--place', 'Casa del Migrante, Calle 5', '--starts-at', startsAt, '--minutes', '30', '--capacity', '12'], w.dataDir);
    const slotId = created.split('\t')[0];
    assert.match(slotId, /^[0-9a-f-]{36}$/, created);

    const page = await w.openBrowser();
    await page.goto(`${w.proxy.url}/`);
    await setLanguage(page, 'es');
    await startNewCase(page);
    await fillHousehold(page);
    await goToStep(page, REVIEW_STEP);
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['delivered'], 120_000);
    const code = await receiptOnScreen(page);

    const when = page.locator('[data-testid=appointment-when]');
    await when.waitFor({ state: 'visible', timeout: 30_000 });
    const es = await when.textContent();
    assert.ok(es.includes(`${d} de ${MONTHS_ES[m - 1]} de ${y}`), `the place's date in Spanish: ${es}`);
    assert.ok(/\b9:00\b/.test(es), `the place's time, 09:00, whatever the phone's zone: ${es}`);
    assert.ok((await page.locator('[data-testid=appointment-place]').textContent()).includes('Casa del Migrante'));

    await setLanguage(page, 'ar');
    await pollUntilText(when, (text) => text.includes(MONTHS_AR[m - 1]), 'the month named in Arabic');
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');

    // The slot counts every person of the household, as one booking.
    const listed = await serverCommand(['slots', 'list'], w.dataDir);
    const people = 1 + HOUSEHOLD.members.length;
    assert.ok(listed.includes(`${people}/12 people\t1 households`), listed);

    // Someone with only the code sees the same appointment, and nothing personal.
    const publicPage = await w.context.newPage();
    const response = await publicPage.goto(`${w.proxy.url}/r/${code}?lang=es`);
    assert.equal(response.status(), 200);
    // The page isolates values (FSI…PDI) so they keep their direction; read it without them.
    const text = (await publicPage.locator('main').textContent()).replace(/[\u2066-\u2069]/g, '');
    assert.ok(text.includes(`${d} de ${MONTHS_ES[m - 1]} de ${y}, a las 09:00`), text);
    assert.ok(!text.includes(HOUSEHOLD.applicant.name), 'no name on the public page');
    const missing = await publicPage.goto(`${w.proxy.url}/r/7K3MQ-9XA0Z`);
    assert.equal(missing.status(), 404);
  });
});

async function pollUntilText(locator, ok, what) {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.textContent()) ?? '';
    if (ok(last)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${last}`);
}
