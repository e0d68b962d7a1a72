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
//
// Then the device side: the open slots are cached while online and chosen offline (two of them,
// in order); the case goes once the connection is back and is booked into the first choice, shown
// in Spanish and Arabic; staff move the household (through the staff pages, with a note) while the
// phone is offline, and the phone shows the new time, what it was before and the note as soon as
// it is online again, in My cases too; its calendar file and `/r/CODE` carry the new time; staff
// then cancel it and My cases says so once the phone is online again.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { AxeBuilder } from '@axe-core/playwright';
import { chromium } from 'playwright-core';

import { artifactPath, assertBuilt, CHROMIUM, CHROMIUM_ARGS, createStaffUser, freshTmpRoot, goOffline, goOnline, pollUntil, serverCommand } from '../support/harness.mjs';
import { expectCaseState, fillHousehold, goToStep, HOUSEHOLD, receiptOnScreen, REVIEW_STEP, sel, setLanguage, startNewCase, typeInto, worldRunner } from '../support/app.mjs';

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
    const lookup = await page.locator('[data-testid=receipt-lookup]').getAttribute('href');
    assert.equal(lookup, `${w.proxy.url}/r/${code}`, 'the receipt names where anyone with the code sees the appointment');
    const publicPage = await w.context.newPage();
    const response = await publicPage.goto(`${lookup}?lang=es`);
    assert.equal(response.status(), 200);
    // The page isolates values (FSI…PDI) so they keep their direction; read it without them.
    const text = (await publicPage.locator('main').textContent()).replace(/[\u2066-\u2069]/g, '');
    assert.ok(text.includes(`${d} de ${MONTHS_ES[m - 1]} de ${y}, a las 09:00`), text);
    assert.ok(!text.includes(HOUSEHOLD.applicant.name), 'no name on the public page');
    const missing = await publicPage.goto(`${w.proxy.url}/r/7K3MQ-9XA0Z`);
    assert.equal(missing.status(), 404);
  });
});

/** Text as read, without the isolation marks (FSI…PDI) Fluent puts around values. */
const plain = (text) => (text ?? '').replace(/[\u2066-\u2069]/g, '').trim();

/** `days` ahead at `hour`:00 at a place on UTC−7, as `server slots create` takes it; and its parts. */
function placeTime(days, hour) {
  const day = new Date(Date.now() + days * 86_400_000);
  const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
  const pad = (n) => String(n).padStart(2, '0');
  const utc = new Date(Date.UTC(y, m - 1, d, hour + 7));
  const ics = `${utc.getUTCFullYear()}${pad(utc.getUTCMonth() + 1)}${pad(utc.getUTCDate())}T${pad(utc.getUTCHours())}0000Z`;
  return { startsAt: `${y}-${pad(m)}-${pad(d)}T${pad(hour)}:00-07:00`, y, m, d, ics };
}

async function publishSlot(dataDir, when, place) {
  const created = await serverCommand(['slots', 'create', '--place', place, '--starts-at', when.startsAt, '--minutes', '30', '--capacity', '12'], dataDir);
  const slotId = created.split('\t')[0];
  assert.match(slotId, /^[0-9a-f-]{36}$/, created);
  return slotId;
}

test('slots cached online are chosen offline; the case is booked into the first choice once sent; staff move it and the phone shows the new time when back online, as /r/CODE does', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'chosen-offline', async (w) => {
    const early = placeTime(3, 9);
    const later = placeTime(4, 14);
    const earlySlot = await publishSlot(w.dataDir, early, 'Casa del Migrante, Calle 5');
    const laterSlot = await publishSlot(w.dataDir, later, 'Albergue Norte');

    const page = await w.openBrowser();
    await page.goto(`${w.proxy.url}/`);
    await setLanguage(page, 'es');
    await startNewCase(page);
    await fillHousehold(page);
    await goToStep(page, REVIEW_STEP);
    // The sync worker fetched the open slots while online; the picker reads them from the device.
    const slots = page.locator('[data-testid=slot]');
    await pollUntil(async () => (await slots.count()) === 2, { what: 'the two open slots on the review step' });
    assert.match(await page.locator('[data-testid=slots-as-of]').textContent(), /\d{1,2}:\d{2}/, 'the list says how old it is');
    const laterRow = page.locator(`[data-testid=slot][data-slot-id="${laterSlot}"]`);
    const earlyRow = page.locator(`[data-testid=slot][data-slot-id="${earlySlot}"]`);
    const laterText = await laterRow.locator('[data-testid=slot-when]').textContent();
    assert.ok(laterText.includes(`${later.d} de ${MONTHS_ES[later.m - 1]}`) && laterText.includes('14:00'), `the slot in Spanish, at the place's time: ${laterText}`);

    // Offline now: the choice is made from what the device holds, the later slot first.
    await goOffline(w.context, w.proxy);
    await page.reload();
    await goToStep(page, REVIEW_STEP);
    await laterRow.locator('input').check();
    await earlyRow.locator('input').check();
    assert.equal(plain(await laterRow.locator('[data-testid=slot-rank]').textContent()), 'Opción 1');
    assert.equal(plain(await earlyRow.locator('[data-testid=slot-rank]').textContent()), 'Opción 2');
    await assertAccessible(page, 'the slots chosen, in Spanish');
    await page.screenshot({ path: await artifactPath('appointment-chosen-offline-es.png'), fullPage: true });
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['queued', 'waiting_network'], 20_000);

    await goOnline(w.context, w.proxy);
    await expectCaseState(page, ['delivered'], 120_000);
    const code = await receiptOnScreen(page);
    const when = page.locator('[data-testid=appointment-when]');
    await when.waitFor({ state: 'visible', timeout: 30_000 });
    const booked = await when.textContent();
    assert.ok(booked.includes(`${later.d} de ${MONTHS_ES[later.m - 1]} de ${later.y}`) && booked.includes('14:00'), `booked into the first choice: ${booked}`);
    assert.equal(await page.locator('[data-testid=appointment-changed]').count(), 0, 'nothing changed yet');
    await setLanguage(page, 'ar');
    await pollUntilText(when, (text) => text.includes(MONTHS_AR[later.m - 1]), 'the booking in Arabic');
    await setLanguage(page, 'es');

    // Staff move the household to the earlier slot, with a note, while the phone is offline.
    await goOffline(w.context, w.proxy);
    const caseId = new URL(page.url()).pathname.split('/').pop();
    const account = await createStaffUser(w.dataDir, 'ana', 'reviewer', 'correct horse battery staple');
    await onStaffCasePage(w, account, caseId, async (staff, section) => {
      await section.locator('select[name=slot_id]').selectOption(earlySlot);
      await section.locator('input[name=note]').fill('La tarde se cerró; vengan en la mañana.');
      await section.locator('button[value=move]').click();
      await staff.waitForURL(`${w.server.url}/staff/cases/${caseId}`);
      assert.ok((await staff.locator('[data-testid=current-appointment]').textContent()).includes(early.startsAt.slice(0, 16)), 'the staff page shows the move');
    });
    assert.ok(booked === (await when.textContent()), 'offline, the phone still shows what it knew');

    // Back online: the phone asks, and says plainly what changed.
    await goOnline(w.context, w.proxy);
    await pollUntilText(when, (text) => text.includes(`${early.d} de ${MONTHS_ES[early.m - 1]}`) && text.includes('9:00'), 'the new time after coming online');
    const changed = plain(await page.locator('[data-testid=appointment-changed]').textContent());
    assert.ok(changed.includes('El personal cambió su cita'), changed);
    assert.ok(changed.includes(`${later.d} de ${MONTHS_ES[later.m - 1]}`), `what it was before: ${changed}`);
    assert.ok(changed.includes('La tarde se cerró; vengan en la mañana.'), `staff's note: ${changed}`);
    await assertAccessible(page, 'the changed appointment, in Spanish');
    await page.screenshot({ path: await artifactPath('appointment-changed-es.png'), fullPage: true });
    await setLanguage(page, 'ar');
    await pollUntilText(page.locator('[data-testid=appointment-changed]'), (text) => text.includes('غيّر فريق العمل موعدك'), 'the change said in Arabic');
    await assertAccessible(page, 'the changed appointment, in Arabic');
    await page.screenshot({ path: await artifactPath('appointment-changed-ar.png'), fullPage: true });
    await setLanguage(page, 'es');
    const href = await page.locator('[data-testid=add-to-calendar]').getAttribute('href');
    const ics = decodeURIComponent(href.replace(/^data:text\/calendar;charset=utf-8,/, ''));
    assert.ok(ics.includes(`\r\nDTSTART:${early.ics}\r\n`), `the calendar file carries the new time (${early.ics}): ${ics}`);
    assert.ok(ics.replace(/\r\n /g, '').includes('LOCATION:Casa del Migrante\\, Calle 5'), ics);

    await page.locator('a[href="/"]').first().click();
    const line = page.locator(`[data-testid=case-item][data-case-id="${caseId}"] [data-testid=case-appointment]`);
    await line.waitFor({ timeout: 30_000 });
    const lineText = plain(await line.textContent());
    assert.ok(lineText.includes(`${early.d} de ${MONTHS_ES[early.m - 1]}`) && lineText.includes('Cambiada por el personal'), lineText);

    const publicPage = await w.context.newPage();
    await publicPage.goto(`${w.proxy.url}/r/${code}?lang=es`);
    const text = (await publicPage.locator('main').textContent()).replace(/[\u2066-\u2069]/g, '');
    assert.ok(text.includes(`${early.d} de ${MONTHS_ES[early.m - 1]} de ${early.y}, a las 09:00`), text);
    await publicPage.close();

    // Staff cancel it: once the phone asks again (the connection comes back), My cases says so.
    await goOffline(w.context, w.proxy);
    await onStaffCasePage(w, account, caseId, async (staff, section) => {
      await section.locator('input[name=note]').fill('Les llamaremos.');
      await section.locator('button[value=cancel]').click();
      await staff.waitForURL(`${w.server.url}/staff/cases/${caseId}`);
    });
    await goOnline(w.context, w.proxy);
    await pollUntilText(line, (t) => plain(t).includes('Cita cancelada por el personal'), 'the cancellation in My cases');
  });
});

/** Signs `account` in on the staff pages (its own browser, straight to the server) and works on a case's appointment section. */
async function onStaffCasePage(w, account, caseId, work) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const staff = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await staff.goto(`${w.server.url}/staff/login`);
    const login = staff.locator('form[action="/staff/login"]');
    await typeInto(login.locator('input[name=username]'), account.username);
    await typeInto(login.locator('input[name=password]'), account.password);
    await login.locator('button[type=submit]').click();
    await staff.waitForURL(`${w.server.url}/staff/cases`);
    await staff.goto(`${w.server.url}/staff/cases/${caseId}`);
    await work(staff, staff.locator('section[data-testid=appointment]'));
  } finally {
    await browser.close();
  }
}

async function assertAccessible(page, what) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const problems = results.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  assert.deepEqual(problems, [], `${what}: WCAG 2.2 AA violations`);
}

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
