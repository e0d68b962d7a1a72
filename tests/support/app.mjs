// Page helpers for the end-to-end tests: the app's selectors, the household a person types, and
// the steps of driving the form (fill, navigate, submit, wait for a state, read the receipt).
// Every e2e test file imports these instead of copying them.
//
//   import { worldRunner, sel, startNewCase, fillHousehold, ... } from '../support/app.mjs';
//   const withWorld = worldRunner(await freshTmpRoot(import.meta.url));

import assert from 'node:assert/strict';
import path from 'node:path';

import { startFaultProxy } from './fault-proxy.mjs';
import { artifactPath, dumpCases, firstPage, householdAnswers, launchBrowser, makeDir, pollUntil, startServer } from './harness.mjs';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Crockford base32 (no I, L, O, U): two groups of five; the last symbol is the check, which may
// also be U.
export const RECEIPT = /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{4}[0-9A-HJKMNP-Z]$/;
export const STATES = ['draft', 'queued', 'sending', 'delivered', 'waiting_network', 'waiting_auth', 'rejected'];
export const CASE_PUT = { method: 'PUT', prefix: '/api/v1/cases/' };
// About you, languages and needs, family, documents, check and send.
export const DOCUMENTS_STEP = 4;
export const REVIEW_STEP = 5;
// Every request on a new connection, so that Chromium's own silent resend of a request whose
// reused keep-alive connection died cannot stand in for the app's retry.
export const FRESH_CONNECTIONS = { proxyOptions: { clientKeepAlive: false } };

// A household as a person would type it (accents, a leap-day birth date, a formatted phone).
export const HOUSEHOLD = {
  applicant: {
    name: 'María José Pérez Lagos',
    dob: '1991-04-17',
    country: 'HN',
    phone: '+504 9999-1234',
    languages: ['es', 'en'],
    needs: ['medical', 'shelter'],
    note: 'Mi hijo tiene asma; necesita su inhalador.',
  },
  members: [
    { name: 'José Ramírez Cruz', dob: '1988-02-29', relationship: 'spouse' },
    { name: 'Luis Ramírez Pérez', dob: '2016-09-02', relationship: 'child' },
  ],
};

// ---- the world of one test ---------------------------------------------------------------------

/**
 * Returns `withWorld(t, name, body, { proxyOptions, staticDir, serverArgs })` for a test file
 * whose temporary directory is `tmpRoot`: it runs `body(world)` with a fresh server (`serverArgs`
 * added to its command line), proxy and browser; on failure saves a screenshot and prints the
 * server's log, the proxy's request log and the browser console; always cleans up.
 * `world.consoleLines` holds the browser console seen so far.
 */
export function worldRunner(tmpRoot) {
  return async function withWorld(t, name, body, { proxyOptions = {}, staticDir, serverArgs = [] } = {}) {
    const root = await makeDir(tmpRoot, name);
    const dataDir = path.join(root, 'data');
    const profileDir = path.join(root, 'profile');
    const server = await startServer({ dataDir, extraArgs: serverArgs, ...(staticDir ? { staticDir } : {}) });
    const proxy = await startFaultProxy({ target: server.url, ...proxyOptions });
    const consoleLines = [];
    const world = {
      server,
      proxy,
      root,
      dataDir,
      profileDir,
      consoleLines,
      context: null,
      page: null,
      started: Date.now(),
      log(msg) {
        t.diagnostic(`[${((Date.now() - world.started) / 1000).toFixed(1)} s] ${msg}`);
      },
      /** Opens the browser on this test's profile (again, after closeBrowser) and returns the page. */
      async openBrowser(options = {}) {
        world.context = await launchBrowser(profileDir, options);
        world.page = await firstPage(world.context);
        const watch = (page) => {
          page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
          page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
        };
        world.context.pages().forEach(watch);
        world.context.on('page', watch);
        return world.page;
      },
      async closeBrowser() {
        await world.context?.close();
        world.context = null;
        world.page = null;
      },
    };
    try {
      await body(world);
    } catch (err) {
      try {
        if (world.page) await world.page.screenshot({ path: await artifactPath(`failure-${name}.png`), fullPage: true });
      } catch {
        /* the page may be gone */
      }
      const entries = proxy.stats.log.map(
        (e) => `${e.n} ${e.method} ${e.path} ${e.action} -> ${e.status ?? '-'} ${e.outcome}${e.hookError ? ` (onRequest failed: ${e.hookError})` : ''}`,
      );
      console.error(
        `\n=== ${name} failed; url: ${world.page?.url() ?? '(no page)'}\n` +
          `--- proxy log ---\n${entries.slice(-80).join('\n')}\n` +
          `--- browser console ---\n${consoleLines.slice(-80).join('\n')}\n` +
          `${server.logs().slice(-8000)}\n`,
      );
      throw err;
    } finally {
      await world.closeBrowser().catch(() => {});
      await proxy.close();
      await server.stop();
    }
  };
}

// ---- page helpers --------------------------------------------------------------------------------

export const sel = {
  newCase: '[data-testid=new-case]',
  language: 'select[data-testid=language]',
  step: '[data-testid=step]',
  next: '[data-testid=next]',
  back: '[data-testid=back]',
  submit: '[data-testid=submit]',
  saved: '[data-testid=save-status][data-saved="true"]',
  caseStatus: '[data-testid=case-status]',
  receipt: '[data-testid=receipt-code]',
  member: '[data-testid=member]',
  addMember: '[data-testid=add-member]',
  caseItem: '[data-testid=case-item]',
  updateReady: '[data-testid=update-ready]',
  // The documents step.
  personPhotos: '[data-testid=person-photos]',
  photoKind: 'select[name=photo-kind]',
  takePhoto: 'input[data-testid=take-photo]',
  pickPhoto: 'input[data-testid=pick-photo]',
  photo: 'li[data-testid=photo]',
  retakePhoto: 'input[data-testid=retake-photo]',
  deletePhoto: 'button[data-testid=delete-photo]',
  photoProgress: '[data-testid=photo-progress]',
};

export async function currentStep(page) {
  return Number(await page.locator(sel.step).getAttribute('data-step'));
}

export async function expectStep(page, n, timeout = 30_000) {
  await pollUntil(async () => (await currentStep(page)) === n, { timeout, what: `step ${n} to be shown` });
}

export async function waitSaved(page) {
  await page.locator(sel.saved).waitFor({ state: 'attached', timeout: 30_000 });
}

/** Clicks next/back until step `n` is shown (our data is valid, so next never stops). */
export async function goToStep(page, n) {
  for (let guard = 0; guard < 8; guard++) {
    const s = await currentStep(page);
    if (s === n) return;
    await page.locator(s < n ? sel.next : sel.back).click();
    await expectStep(page, s < n ? s + 1 : s - 1);
  }
  throw new Error(`could not get to step ${n}`);
}

export async function expectValue(page, selector, expected) {
  const value = () => page.locator(selector).inputValue();
  await pollUntil(async () => (await value()) === expected, {
    timeout: 30_000,
    what: async () => `${selector} to hold ${JSON.stringify(expected)} (it holds ${JSON.stringify(await value())})`,
  });
}

export async function checkedValues(page, name) {
  const values = await page.$$eval(`input[name=${name}]:checked`, (els) => els.map((e) => e.value));
  return values.sort();
}

/** Starts a new case from the home page; returns its ID (the page is on step 1). */
export async function startNewCase(page) {
  await page.locator(sel.newCase).click();
  await page.waitForURL(/\/case\/[0-9a-f-]{36}$/);
  const caseId = new URL(page.url()).pathname.split('/').pop();
  assert.match(caseId, UUID);
  await expectStep(page, 1);
  return caseId;
}

/**
 * Types `text` into the field key by key, as a person does (never `fill()`: a field that is
 * rebuilt after the first key would pass a `fill()` and fail a person), then checks the field
 * holds all of it and still has the focus (on a phone, a lost focus closes the keyboard).
 */
export async function typeInto(locator, text) {
  await locator.click();
  await locator.press('ControlOrMeta+a');
  await locator.press('Delete');
  await locator.pressSequentially(text);
  const value = await locator.inputValue();
  assert.equal(value, text, `the field holds everything typed`);
  const focused = await locator.evaluate((el) => document.activeElement === el);
  assert.ok(focused, `the field kept the focus while ${JSON.stringify(text)} was typed`);
}

/**
 * Types a date (`YYYY-MM-DD`) into the three boxes of a date field (day, month by name, year)
 * inside `scope` (the page, or a member's block), key by key.
 */
export async function fillDate(scope, dateFieldSelector, iso) {
  const [year, month, day] = iso.split('-');
  const field = scope.locator(dateFieldSelector);
  await typeInto(field.locator('input[name=dob-day]'), String(Number(day)));
  await field.locator('select[name=dob-month]').selectOption(String(Number(month)));
  await typeInto(field.locator('input[name=dob-year]'), year);
}

/** The date a date field holds, as `YYYY-MM-DD` ('' when empty). */
export async function dateValue(scope, dateFieldSelector) {
  const field = scope.locator(dateFieldSelector);
  const day = await field.locator('input[name=dob-day]').inputValue();
  const month = await field.locator('select[name=dob-month]').inputValue();
  const year = await field.locator('input[name=dob-year]').inputValue();
  if (!day && !month && !year) return '';
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

/** Picks a country by typing part of its name into the list's search box, as a person would. */
export async function chooseCountry(page, code, search) {
  if (search) await typeInto(page.locator('#applicant-country-search'), search);
  await page.locator(`input[name=country][value=${code}]`).check();
}

export async function fillStep1(page, a) {
  await typeInto(page.locator('#applicant-name'), a.name);
  await fillDate(page, '#applicant-dob', a.dob);
  await chooseCountry(page, a.country);
  await typeInto(page.locator('#applicant-phone'), a.phone);
  await waitSaved(page);
}

export async function fillStep2(page, a) {
  for (const code of a.languages) await page.locator(`input[name=language][value=${code}]`).check();
  for (const code of a.needs) await page.locator(`input[name=need][value=${code}]`).check();
  await typeInto(page.locator('#applicant-needs-note'), a.note);
  await waitSaved(page);
}

export async function fillStep3(page, members) {
  for (const [i, m] of members.entries()) {
    await page.locator(sel.addMember).click();
    await pollUntil(async () => (await page.locator(sel.member).count()) === i + 1, { what: `member ${i + 1} to appear` });
    const block = page.locator(sel.member).nth(i);
    await typeInto(block.locator('input[name=member-name]'), m.name);
    await fillDate(block, 'fieldset.date', m.dob);
    await block.locator('select[name=member-relationship]').selectOption(m.relationship);
  }
  await waitSaved(page);
}

/** Fills steps 1–3 from the current step 1; ends on step 3. */
export async function fillHousehold(page, h = HOUSEHOLD) {
  await fillStep1(page, h.applicant);
  await goToStep(page, 2);
  await fillStep2(page, h.applicant);
  await goToStep(page, 3);
  await fillStep3(page, h.members);
}

/** Checks every typed value across the steps and comes back to the step it started on. */
export async function verifyHousehold(page, h = HOUSEHOLD) {
  const start = await currentStep(page);
  await goToStep(page, 1);
  const a = h.applicant;
  await expectValue(page, '#applicant-name', a.name);
  await pollUntil(async () => (await dateValue(page, '#applicant-dob')) === a.dob, {
    what: async () => `the date of birth ${a.dob} (it holds ${await dateValue(page, '#applicant-dob')})`,
  });
  assert.deepEqual(await checkedValues(page, 'country'), [a.country]);
  await expectValue(page, '#applicant-phone', a.phone);
  await goToStep(page, 2);
  await pollUntil(async () => (await checkedValues(page, 'language')).join() === [...a.languages].sort().join(), {
    what: async () => `languages ${a.languages} checked (checked: ${await checkedValues(page, 'language')})`,
  });
  assert.deepEqual(await checkedValues(page, 'need'), [...a.needs].sort());
  await expectValue(page, '#applicant-needs-note', a.note);
  await goToStep(page, 3);
  await pollUntil(async () => (await page.locator(sel.member).count()) === h.members.length, {
    what: `${h.members.length} family members`,
  });
  for (const [i, m] of h.members.entries()) {
    const block = page.locator(sel.member).nth(i);
    assert.equal(await block.locator('input[name=member-name]').inputValue(), m.name, `member ${i} name`);
    assert.equal(await dateValue(block, 'fieldset.date'), m.dob, `member ${i} date of birth`);
    assert.equal(await block.locator('select[name=member-relationship]').inputValue(), m.relationship, `member ${i} relationship`);
  }
  await goToStep(page, start);
}

export async function caseState(page) {
  return page.locator(sel.caseStatus).getAttribute('data-state');
}

/** Polls the case status until its state is one of `states`; returns it. */
export async function expectCaseState(page, states, timeout) {
  const state = await pollUntil(
    async () => {
      const s = await caseState(page);
      return states.includes(s) && s;
    },
    { timeout, what: async () => `the case state to become ${states.join(' or ')} (it is ${await caseState(page)})` },
  );
  assert.ok(STATES.includes(state));
  return state;
}

export async function receiptOnScreen(page) {
  const code = (await page.locator(sel.receipt).first().textContent()).trim();
  assert.match(code, RECEIPT, `a receipt code on screen, got ${JSON.stringify(code)}`);
  return code;
}

export async function setLanguage(page, lang) {
  await page.locator(sel.language).selectOption(lang);
  await pollUntil(
    async () => {
      const l = await page.evaluate(() => document.documentElement.lang);
      return l === lang || l.startsWith(`${lang}-`);
    },
    { timeout: 10_000, what: `<html lang> to become ${lang}` },
  );
}

/** The stored case equals what was typed (the order of ticked boxes is not meaningful). */
export function assertStoredCase(stored, h = HOUSEHOLD) {
  const c = householdAnswers(stored);
  const a = h.applicant;
  assert.equal(stored.case.form_id, 'household-intake');
  assert.equal(stored.case.form_version, 1);
  assert.equal(c.applicant.name, a.name);
  assert.equal(c.applicant.date_of_birth, a.dob);
  assert.equal(c.applicant.country_of_origin, a.country);
  assert.equal(c.applicant.phone, a.phone);
  assert.deepEqual([...c.applicant.languages].sort(), [...a.languages].sort());
  assert.deepEqual([...c.applicant.needs].sort(), [...a.needs].sort());
  assert.equal(c.applicant.needs_note, a.note);
  assert.equal(c.members.length, h.members.length);
  for (const [i, m] of h.members.entries()) {
    assert.equal(c.members[i].name, m.name, `member ${i} name`);
    assert.equal(c.members[i].date_of_birth, m.dob, `member ${i} date of birth`);
    assert.equal(c.members[i].relationship, m.relationship, `member ${i} relationship`);
    assert.match(c.members[i].member_id, UUID);
  }
  assert.equal(new Set(c.members.map((m) => m.member_id)).size, c.members.length, 'member IDs are distinct');
}

/** Exactly one case on the server: this one, with the receipt shown on the device. */
export async function assertOneStoredCase(dataDir, caseId, receipt) {
  const cases = await dumpCases(dataDir);
  assert.equal(cases.length, 1, `exactly one case on the server, found ${cases.length}`);
  const [stored] = cases;
  assert.equal(stored.case_id, caseId);
  assert.equal(stored.receipt_code, receipt, 'the receipt on screen is the one the server stored');
  assert.ok(stored.received_at, 'the server recorded when it received the case');
  assertStoredCase(stored);
  return stored;
}

/** The home page lists the case as delivered, with the same receipt. */
export async function assertListedDelivered(page, baseUrl, caseId, receipt) {
  await page.goto(`${baseUrl}/`);
  const item = page.locator(`${sel.caseItem}[data-case-id="${caseId}"]`);
  await pollUntil(async () => (await item.getAttribute('data-state')) === 'delivered', {
    timeout: 30_000,
    what: 'the home page to list the case as delivered',
  });
  assert.equal((await item.locator(sel.receipt).textContent()).trim(), receipt);
}

/** Online, fresh profile: opens the app, sets English, starts a case, fills it, goes to review. */
export async function openFillAndReview(w) {
  const page = await w.openBrowser();
  await page.goto(`${w.proxy.url}/`);
  await setLanguage(page, 'en');
  const caseId = await startNewCase(page);
  await fillHousehold(page);
  await goToStep(page, REVIEW_STEP);
  return { page, caseId };
}
