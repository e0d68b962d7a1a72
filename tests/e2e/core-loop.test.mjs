// The core loop end to end: the real release build, served by the real server, reached by
// Debian's Chromium only through the fault proxy (so the proxy can cut it off).
//
//   npm run test:e2e        (after cargo build --release -p server && trunk build --release)
//
// Each test has its own data directory, browser profile, server, proxy and browser; one browser
// runs at a time. Waits are generous and poll the DOM; nothing here fails for being slow within
// them. Timings are printed as test diagnostics. The page helpers live in ../support/app.mjs.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';

import {
  artifactPath,
  assertBuilt,
  freshTmpRoot,
  goOffline,
  goOnline,
  makeDir,
  pollUntil,
  STATIC_DIR,
  waitForServiceWorker,
} from '../support/harness.mjs';
import {
  assertListedDelivered,
  assertOneStoredCase,
  CASE_PUT,
  currentStep,
  expectCaseState,
  expectStep,
  expectValue,
  fillHousehold,
  fillStep1,
  FRESH_CONNECTIONS,
  goToStep,
  HOUSEHOLD,
  openFillAndReview,
  receiptOnScreen,
  REVIEW_STEP,
  sel,
  setLanguage,
  startNewCase,
  verifyHousehold,
  waitSaved,
  worldRunner,
  typeInto,
} from '../support/app.mjs';

const TMP = await freshTmpRoot(import.meta.url);
const TEST_TIMEOUT = 240_000;
const withWorld = worldRunner(TMP);

before(() => assertBuilt());

// ---- the tests -------------------------------------------------------------------------------------

test('1. after one online visit the app loads offline and a new case can be typed', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'offline-load', async (w) => {
    const page = await w.openBrowser();
    await page.goto(`${w.proxy.url}/`);
    await waitForServiceWorker(page);
    w.log('service worker controls the page');

    // On a tablet that has the app, the staff pages still come from the server.
    await page.goto(`${w.proxy.url}/staff/login`);
    await page.locator('input[name=username]').waitFor({ state: 'visible', timeout: 30_000 });
    await page.goto(`${w.proxy.url}/`);

    await goOffline(w.context, w.proxy);
    await page.reload();
    await page.locator(sel.newCase).waitFor({ state: 'visible' });
    w.log('app loaded offline');
    const servedBefore = w.proxy.stats.count((e) => e.action !== 'down');
    const caseId = await startNewCase(page);
    await typeInto(page.locator('#applicant-name'), 'Nadie Sin Red');
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
      await typeInto(page.locator('#applicant-name'), 'Antes De Actualizar');
      await waitSaved(page);
      assert.equal(await page.locator(sel.updateReady).count(), 0, 'no update offered before one exists');

      const swPath = path.join(staticDir, 'sw.js');
      const sw = await fs.readFile(swPath, 'utf8');
      const oldVersion = sw.match(/const VERSION = "([^"]+)"/)[1];
      await fs.writeFile(swPath, sw.replace(`const VERSION = "${oldVersion}"`, `const VERSION = "${oldVersion}-next"`));
      // A new build writes its compressed copies anew; the server would send the old ones.
      await fs.rm(`${swPath}.br`, { force: true });
      await fs.rm(`${swPath}.gz`, { force: true });
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

test('9. with the app open in two tabs, one sends and both show the receipt', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(
    t,
    'two-tabs',
    async (w) => {
      const { page, caseId } = await openFillAndReview(w);
      const second = await w.context.newPage();
      await second.goto(`${w.proxy.url}/`);
      await second.locator(`${sel.caseItem}[data-case-id="${caseId}"]`).waitFor({ state: 'visible', timeout: 30_000 });

      // Hold the case back until both tabs are up, then let it go: only the tab holding the
      // sync lock may send it.
      await goOffline(w.context, w.proxy);
      await page.locator(sel.submit).click();
      await expectCaseState(page, ['queued', 'waiting_network'], 20_000);
      await goOnline(w.context, w.proxy);
      await expectCaseState(page, ['delivered'], 60_000);
      const receipt = await receiptOnScreen(page);

      // The other tab hears of it through the store, without a reload.
      const listed = second.locator(`${sel.caseItem}[data-case-id="${caseId}"]`);
      await pollUntil(async () => (await listed.getAttribute('data-state')) === 'delivered', {
        timeout: 30_000,
        what: 'the second tab to show the case delivered',
      });
      assert.equal((await listed.locator(sel.receipt).textContent()).trim(), receipt);
      const puts = w.proxy.stats.log.filter((e) => e.method === 'PUT' && e.path === `/api/v1/cases/${caseId}`);
      assert.equal(puts.length, 1, `one tab sent the case, once (${puts.map((e) => e.status).join(', ')})`);
      await assertOneStoredCase(w.dataDir, caseId, receipt);
    },
    FRESH_CONNECTIONS,
  );
});
