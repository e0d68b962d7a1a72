// The core loop end to end: the real release build, served by the real server, reached by
// Debian's Chromium only through the fault proxy (so the proxy can cut it off).
//
//   npm run test:e2e        (after cargo build --release -p server && trunk build --release)
//
// Each test has its own data directory, browser profile, server, proxy and browser; one browser
// runs at a time. Waits are generous and poll the DOM; nothing here fails for being slow within
// them. Timings are printed as test diagnostics.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';

import { startFaultProxy } from '../support/fault-proxy.mjs';
import {
  artifactPath,
  assertBuilt,
  dumpCases,
  firstPage,
  freshTmpRoot,
  goOffline,
  goOnline,
  launchBrowser,
  makeDir,
  pollUntil,
  startServer,
  STATIC_DIR,
  waitForServiceWorker,
} from '../support/harness.mjs';

const TMP = await freshTmpRoot(import.meta.url);
const TEST_TIMEOUT = 240_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Crockford base32 (no I, L, O, U): two groups of five; the last symbol is the check, which may
// also be U.
const RECEIPT = /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{4}[0-9A-HJKMNP-Z]$/;
const STATES = ['draft', 'queued', 'sending', 'delivered', 'waiting_network', 'waiting_auth', 'rejected'];
const CASE_PUT = { method: 'PUT', prefix: '/api/v1/cases/' };
// About you, languages and needs, family, documents, check and send.
const REVIEW_STEP = 5;
// Every request on a new connection, so that Chromium's own silent resend of a request whose
// reused keep-alive connection died cannot stand in for the app's retry.
const FRESH_CONNECTIONS = { proxyOptions: { clientKeepAlive: false } };

// A household as a person would type it (accents, a leap-day birth date, a formatted phone).
const HOUSEHOLD = {
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

before(() => assertBuilt());

// ---- the world of one test ---------------------------------------------------------------------

/**
 * Runs `body` with a fresh server, proxy and browser; on failure saves a screenshot and prints
 * the server's log, the proxy's request log and the browser console; always cleans up.
 */
async function withWorld(t, name, body, { proxyOptions = {}, staticDir } = {}) {
  const root = await makeDir(TMP, name);
  const dataDir = path.join(root, 'data');
  const profileDir = path.join(root, 'profile');
  const server = await startServer({ dataDir, ...(staticDir ? { staticDir } : {}) });
  const proxy = await startFaultProxy({ target: server.url, ...proxyOptions });
  const consoleLines = [];
  const world = {
    server,
    proxy,
    dataDir,
    profileDir,
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
    const entries = proxy.stats.log.map((e) => `${e.n} ${e.method} ${e.path} ${e.action} -> ${e.status ?? '-'} ${e.outcome}`);
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
}

// ---- page helpers --------------------------------------------------------------------------------

const sel = {
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
};

async function currentStep(page) {
  return Number(await page.locator(sel.step).getAttribute('data-step'));
}

async function expectStep(page, n, timeout = 30_000) {
  await pollUntil(async () => (await currentStep(page)) === n, { timeout, what: `step ${n} to be shown` });
}

async function waitSaved(page) {
  await page.locator(sel.saved).waitFor({ state: 'attached', timeout: 30_000 });
}

/** Clicks next/back until step `n` is shown (our data is valid, so next never stops). */
async function goToStep(page, n) {
  for (let guard = 0; guard < 8; guard++) {
    const s = await currentStep(page);
    if (s === n) return;
    await page.locator(s < n ? sel.next : sel.back).click();
    await expectStep(page, s < n ? s + 1 : s - 1);
  }
  throw new Error(`could not get to step ${n}`);
}

async function expectValue(page, selector, expected) {
  const value = () => page.locator(selector).inputValue();
  await pollUntil(async () => (await value()) === expected, {
    timeout: 30_000,
    what: async () => `${selector} to hold ${JSON.stringify(expected)} (it holds ${JSON.stringify(await value())})`,
  });
}

async function checkedValues(page, name) {
  const values = await page.$$eval(`input[name=${name}]:checked`, (els) => els.map((e) => e.value));
  return values.sort();
}

/** Starts a new case from the home page; returns its ID (the page is on step 1). */
async function startNewCase(page) {
  await page.locator(sel.newCase).click();
  await page.waitForURL(/\/case\/[0-9a-f-]{36}$/);
  const caseId = new URL(page.url()).pathname.split('/').pop();
  assert.match(caseId, UUID);
  await expectStep(page, 1);
  return caseId;
}

async function fillStep1(page, a) {
  await page.locator('#applicant-name').fill(a.name);
  await page.locator('#applicant-dob').fill(a.dob);
  await page.locator('#applicant-country').selectOption(a.country);
  await page.locator('#applicant-phone').fill(a.phone);
  await waitSaved(page);
}

async function fillStep2(page, a) {
  for (const code of a.languages) await page.locator(`input[name=language][value=${code}]`).check();
  for (const code of a.needs) await page.locator(`input[name=need][value=${code}]`).check();
  await page.locator('#applicant-needs-note').fill(a.note);
  await waitSaved(page);
}

async function fillStep3(page, members) {
  for (const [i, m] of members.entries()) {
    await page.locator(sel.addMember).click();
    await pollUntil(async () => (await page.locator(sel.member).count()) === i + 1, { what: `member ${i + 1} to appear` });
    const block = page.locator(sel.member).nth(i);
    await block.locator('input[name=member-name]').fill(m.name);
    await block.locator('input[name=member-dob]').fill(m.dob);
    await block.locator('select[name=member-relationship]').selectOption(m.relationship);
  }
  await waitSaved(page);
}

/** Fills steps 1–3 from the current step 1; ends on step 3. */
async function fillHousehold(page, h = HOUSEHOLD) {
  await fillStep1(page, h.applicant);
  await goToStep(page, 2);
  await fillStep2(page, h.applicant);
  await goToStep(page, 3);
  await fillStep3(page, h.members);
}

/** Checks every typed value across the steps and comes back to the step it started on. */
async function verifyHousehold(page, h = HOUSEHOLD) {
  const start = await currentStep(page);
  await goToStep(page, 1);
  const a = h.applicant;
  await expectValue(page, '#applicant-name', a.name);
  await expectValue(page, '#applicant-dob', a.dob);
  await expectValue(page, '#applicant-country', a.country);
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
    assert.equal(await block.locator('input[name=member-dob]').inputValue(), m.dob, `member ${i} date of birth`);
    assert.equal(await block.locator('select[name=member-relationship]').inputValue(), m.relationship, `member ${i} relationship`);
  }
  await goToStep(page, start);
}

async function caseState(page) {
  return page.locator(sel.caseStatus).getAttribute('data-state');
}

/** Polls the case status until its state is one of `states`; returns it. */
async function expectCaseState(page, states, timeout) {
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

async function receiptOnScreen(page) {
  const code = (await page.locator(sel.receipt).first().textContent()).trim();
  assert.match(code, RECEIPT, `a receipt code on screen, got ${JSON.stringify(code)}`);
  return code;
}

async function setLanguage(page, lang) {
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
function assertStoredCase(stored, h = HOUSEHOLD) {
  const c = stored.case;
  const a = h.applicant;
  assert.equal(c.form_id, 'household-intake');
  assert.equal(c.form_version, 1);
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
async function assertOneStoredCase(dataDir, caseId, receipt) {
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
async function assertListedDelivered(page, baseUrl, caseId, receipt) {
  await page.goto(`${baseUrl}/`);
  const item = page.locator(`${sel.caseItem}[data-case-id="${caseId}"]`);
  await pollUntil(async () => (await item.getAttribute('data-state')) === 'delivered', {
    timeout: 30_000,
    what: 'the home page to list the case as delivered',
  });
  assert.equal((await item.locator(sel.receipt).textContent()).trim(), receipt);
}

/** Online, fresh profile: opens the app, sets English, starts a case, fills it, goes to review. */
async function openFillAndReview(w) {
  const page = await w.openBrowser();
  await page.goto(`${w.proxy.url}/`);
  await setLanguage(page, 'en');
  const caseId = await startNewCase(page);
  await fillHousehold(page);
  await goToStep(page, REVIEW_STEP);
  return { page, caseId };
}

// ---- the tests -------------------------------------------------------------------------------------

test('1. after one online visit the app loads offline and a new case can be typed', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'offline-load', async (w) => {
    const page = await w.openBrowser();
    await page.goto(`${w.proxy.url}/`);
    await waitForServiceWorker(page);
    w.log('service worker controls the page');

    await goOffline(w.context, w.proxy);
    await page.reload();
    await page.locator(sel.newCase).waitFor({ state: 'visible' });
    w.log('app loaded offline');
    const servedBefore = w.proxy.stats.count((e) => e.action !== 'down');
    const caseId = await startNewCase(page);
    await page.locator('#applicant-name').fill('Nadie Sin Red');
    await expectValue(page, '#applicant-name', 'Nadie Sin Red');
    await waitSaved(page);
    assert.equal(
      w.proxy.stats.count((e) => e.action !== 'down'),
      servedBefore,
      'nothing went through the proxy while offline',
    );
    w.log(`case ${caseId} started and saved offline`);
  });
});

test('2. a draft filled offline survives a reload and a browser restart', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'offline-draft', async (w) => {
    let page = await w.openBrowser();
    await page.goto(`${w.proxy.url}/`);
    await waitForServiceWorker(page);
    await goOffline(w.context, w.proxy);

    const caseId = await startNewCase(page);
    await fillHousehold(page);
    assert.equal(await currentStep(page), 3);
    const caseUrl = page.url();
    w.log(`case ${caseId} filled offline`);

    await page.reload();
    await expectStep(page, 3);
    await verifyHousehold(page);
    w.log('everything there after a reload, on the same step');

    // Close the browser entirely and start it again on the same profile, still offline: the
    // service worker must serve the app, IndexedDB must hold the draft. (The step moved while
    // verifying; give the 300 ms autosave its time, then check it reports saved.)
    await page.waitForTimeout(600);
    await waitSaved(page);
    await w.closeBrowser();
    page = await w.openBrowser({ offline: true });
    await page.goto(caseUrl);
    await expectStep(page, 3);
    await verifyHousehold(page);
    w.log('everything there after a browser restart');
  });
});

test('3. a case submitted offline is delivered once the network is back', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'offline-submit', async (w) => {
    const page = await w.openBrowser();
    await page.goto(`${w.proxy.url}/`);
    await waitForServiceWorker(page);
    await setLanguage(page, 'en');
    await goOffline(w.context, w.proxy);

    const caseId = await startNewCase(page);
    await fillHousehold(page);
    await goToStep(page, REVIEW_STEP);
    await page.locator(sel.submit).click();
    const offlineState = await expectCaseState(page, ['queued', 'waiting_network'], 20_000);
    assert.match(await page.locator(sel.caseStatus).textContent(), /saved on this device/i);
    w.log(`submitted offline: ${offlineState}`);
    assert.equal(w.proxy.stats.count({ ...CASE_PUT, outcome: 'responded' }), 0, 'nothing was delivered while offline');

    const back = Date.now();
    await goOnline(w.context, w.proxy);
    await expectCaseState(page, ['delivered'], 30_000);
    w.log(`delivered ${((Date.now() - back) / 1000).toFixed(1)} s after the network came back`);
    assert.match(await page.locator(sel.caseStatus).textContent(), /delivered/i);
    const receipt = await receiptOnScreen(page);

    await assertOneStoredCase(w.dataDir, caseId, receipt);
    await assertListedDelivered(page, w.proxy.url, caseId, receipt);

    // Structured logs, yes; personal data in them, never.
    const logs = w.server.logs();
    assert.match(logs, new RegExp(caseId), 'the case ID is logged');
    for (const secret of [HOUSEHOLD.applicant.name, HOUSEHOLD.applicant.phone, HOUSEHOLD.applicant.note, HOUSEHOLD.members[0].name]) {
      assert.ok(!logs.includes(secret), `the server log must not contain ${JSON.stringify(secret)}`);
    }
  });
});

test('4. a 500 and three cut connections only delay delivery', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'server-errors', async (w) => {
    const rule = w.proxy.setRule({ match: CASE_PUT, actions: ['status:500', 'reset', 'reset', 'reset', 'pass'] });
    const { page, caseId } = await openFillAndReview(w);

    const sent = Date.now();
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['delivered'], 60_000);
    w.log(`delivered ${((Date.now() - sent) / 1000).toFixed(1)} s after submit, after ${rule.hits} case PUTs`);
    const receipt = await receiptOnScreen(page);

    const puts = w.proxy.stats.log.filter((e) => e.method === 'PUT' && e.path.startsWith(CASE_PUT.prefix));
    assert.ok(puts.length >= 5, `the proxy saw at least 5 case PUTs (saw ${puts.length})`);
    assert.deepEqual(
      puts.slice(0, 4).map((e) => e.action),
      ['status:500', 'reset', 'reset', 'reset'],
    );
    assert.ok(
      puts.every((e) => e.path === `/api/v1/cases/${caseId}`),
      'every attempt used the same case ID (the idempotency key)',
    );
    assert.equal(puts.filter((e) => e.status === 201).length, 1, 'the server created the case once');
    await assertOneStoredCase(w.dataDir, caseId, receipt);
  }, FRESH_CONNECTIONS);
});

test('5. a lost response is retried and the stored receipt is shown', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'lost-response', async (w) => {
    w.proxy.setRule({ match: CASE_PUT, actions: ['lose-response', 'pass'] });
    const { page, caseId } = await openFillAndReview(w);

    const sent = Date.now();
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['delivered'], 60_000);
    w.log(`delivered ${((Date.now() - sent) / 1000).toFixed(1)} s after submit`);
    const receipt = await receiptOnScreen(page);

    const puts = w.proxy.stats.log.filter((e) => e.method === 'PUT' && e.path.startsWith(CASE_PUT.prefix));
    assert.ok(puts.length >= 2, `the client retried (saw ${puts.length} case PUTs)`);
    assert.equal(puts[0].outcome, 'lost');
    assert.equal(puts[0].status, 201, 'the server had committed the first attempt');
    assert.ok(
      puts.slice(1).some((e) => e.status === 200 && e.outcome === 'responded'),
      'a retry was answered as a replay (200) of the stored case',
    );
    assert.ok(!puts.some((e) => e.status === 409), 'no retry conflicted with the stored case');
    await assertOneStoredCase(w.dataDir, caseId, receipt);
    await assertListedDelivered(page, w.proxy.url, caseId, receipt);
  }, FRESH_CONNECTIONS);
});

test('6. screenshots of the home page and the first step in each language', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'screenshots', async (w) => {
    const page = await w.openBrowser();
    const texts = {};
    for (const lang of ['en', 'es']) {
      await page.goto(`${w.proxy.url}/`);
      await page.locator(sel.newCase).waitFor({ state: 'visible' });
      await setLanguage(page, lang);
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: await artifactPath(`home-${lang}.png`), fullPage: true });
      const newCaseText = (await page.locator(sel.newCase).textContent()).trim();

      await startNewCase(page);
      await page.locator('#applicant-name').waitFor({ state: 'visible' });
      const nameLabel = await page.locator('#applicant-name').evaluate((el) => {
        // The label a screen reader would read: <label for>/wrapping label, else ARIA.
        const byLabel = [...(el.labels ?? [])].map((l) => l.textContent).join(' ');
        const byAria = (el.getAttribute('aria-labelledby') ?? '')
          .split(/\s+/)
          .filter(Boolean)
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' ');
        return (byLabel || byAria || el.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim();
      });
      assert.ok(nameLabel, `#applicant-name has a label in ${lang}`);
      const htmlLang = await page.evaluate(() => document.documentElement.lang);
      assert.ok(htmlLang === lang || htmlLang.startsWith(`${lang}-`), `<html lang> is ${lang} on the form (${htmlLang})`);
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: await artifactPath(`form-${lang}.png`), fullPage: true });
      texts[lang] = { newCaseText, nameLabel };
      w.log(`${lang}: new-case "${newCaseText}", name label "${nameLabel}"`);
    }
    assert.notEqual(texts.en.newCaseText, texts.es.newCaseText, 'the new-case button is translated');
    assert.notEqual(texts.en.nameLabel, texts.es.nameLabel, 'the name label is translated');

    // The choice is remembered across a reload.
    await page.goto(`${w.proxy.url}/`);
    await page.locator(sel.newCase).waitFor({ state: 'visible' });
    assert.match(await page.evaluate(() => document.documentElement.lang), /^es(-|$)/);
    assert.equal(await page.locator(sel.language).inputValue(), 'es');
  });
});

test('7. reopening the installed app returns to the open form on the same step', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'launch-restore', async (w) => {
    let page = await w.openBrowser();
    await page.goto(`${w.proxy.url}/`);
    await waitForServiceWorker(page);
    const caseId = await startNewCase(page);
    await fillStep1(page, HOUSEHOLD.applicant);
    await goToStep(page, 2);
    await page.waitForTimeout(600);
    await waitSaved(page);
    await w.closeBrowser();

    // The home-screen icon opens the manifest's start_url, not the last URL.
    const manifest = await (await fetch(`${w.proxy.url}/manifest.webmanifest`)).json();
    page = await w.openBrowser();
    await page.goto(new URL(manifest.start_url, w.proxy.url).href);
    await page.waitForURL(new RegExp(`/case/${caseId}$`), { timeout: 30_000 });
    await expectStep(page, 2);
    await goToStep(page, 1);
    await expectValue(page, '#applicant-name', HOUSEHOLD.applicant.name);

    // Typing the address of the home page shows the list, not the form.
    await page.goto(`${w.proxy.url}/`);
    await page.locator(sel.newCase).waitFor({ state: 'visible' });
    assert.equal(new URL(page.url()).pathname, '/');
  });
});

test('8. a new version is announced, and updating keeps every draft', { timeout: TEST_TIMEOUT }, async (t) => {
  // A copy of the build that this test can "deploy" a new version into.
  const staticDir = await makeDir(TMP, 'update-dist');
  await fs.cp(STATIC_DIR, staticDir, { recursive: true });
  await withWorld(
    t,
    'update',
    async (w) => {
      const page = await w.openBrowser();
      await page.goto(`${w.proxy.url}/`);
      await waitForServiceWorker(page);
      await setLanguage(page, 'en');
      const caseId = await startNewCase(page);
      await page.locator('#applicant-name').fill('Antes De Actualizar');
      await waitSaved(page);
      assert.equal(await page.locator(sel.updateReady).count(), 0, 'no update offered before one exists');

      const swPath = path.join(staticDir, 'sw.js');
      const sw = await fs.readFile(swPath, 'utf8');
      const oldVersion = sw.match(/const VERSION = "([^"]+)"/)[1];
      await fs.writeFile(swPath, sw.replace(`const VERSION = "${oldVersion}"`, `const VERSION = "${oldVersion}-next"`));
      await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
      await page.locator(sel.updateReady).waitFor({ state: 'visible', timeout: 60_000 });
      w.log('update announced');

      await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), page.locator(`${sel.updateReady} button`).click()]);
      await pollUntil(
        () => page.evaluate(async () => (await caches.keys()).some((k) => k.endsWith('-next'))),
        { what: 'the new version to hold the cache' },
      );
      await page.goto(`${w.proxy.url}/case/${caseId}`);
      await expectValue(page, '#applicant-name', 'Antes De Actualizar');
      assert.equal(await page.locator(sel.updateReady).count(), 0, 'the banner is gone after updating');
    },
    { staticDir },
  );
});
