// The staff side end to end: a household with photos goes in through the app (Debian's Chromium,
// reached through the fault proxy), and staff review, export and audit it on the server-rendered
// /staff pages in a second, desktop-sized Chromium that talks to the server directly.
//
//   node --test --test-concurrency=1 tests/e2e/staff.test.mjs
//
// Accounts are made with `server admin create-user`; staff sign in through the real login form.
// The export ZIP (streamed, with data descriptors) is read with ../support/zip.mjs, from its
// central directory. Every page, the app's and the staff pages, is watched for Content-Security-
// Policy violations (the `securitypolicyviolation` event and Chromium's console reports): there
// must be none, while a deliberately injected inline script shows that the watch would see one.
//
// Waits are generous and poll the DOM; nothing here fails for being slow. Timings are printed as
// test diagnostics. Screenshots go to tests/artifacts/staff-*.png.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

import {
  artifactPath,
  assertBuilt,
  CHROMIUM,
  CHROMIUM_ARGS,
  createStaffUser,
  dumpPhotos,
  freshTmpRoot,
  listDevices,
  makeDir,
  pollUntil,
  householdAnswers,
} from '../support/harness.mjs';
import {
  assertOneStoredCase,
  assertStoredCase,
  DOCUMENTS_STEP,
  expectCaseState,
  fillHousehold,
  goToStep,
  HOUSEHOLD,
  receiptOnScreen,
  REVIEW_STEP,
  sel,
  setLanguage,
  startNewCase,
  worldRunner,
  typeInto,
} from '../support/app.mjs';
import { addPhoto, expectPhotoReady, makeTestPictures, peopleOnStep4 } from '../support/photos.mjs';
import { readZip } from '../support/zip.mjs';
import { csvRecords } from '../support/csv.mjs';

// The pages wrap values in invisible Unicode isolates (FSI…PDI) so they keep their direction in
// right-to-left languages; compare text without them.
const unisolated = (text) => text.replace(/[\u2068\u2069]/g, '').trim();

const TMP = await freshTmpRoot(import.meta.url);
const TEST_TIMEOUT = 600_000;
const withWorld = worldRunner(TMP);

const DESKTOP = { width: 1280, height: 800 };
const TABLET = { width: 768, height: 1024 };
const REVIEWER = { username: 'rita', role: 'reviewer', password: 'rita-correct-horse-battery' };
const ADMIN = { username: 'ana', role: 'admin', password: 'ana-staple-lantern-orchid' };
const REVIEW_NOTE = 'Documentos legibles; llamar para la cita del niño.';
// The staff stylesheet's header colour (#0b5d4b): proof that /staff/staff.css applied.
const HEADER_BACKGROUND = 'rgb(11, 93, 75)';

let pictures;

before(async () => {
  assertBuilt();
  const started = Date.now();
  pictures = await makeTestPictures(await makeDir(TMP, 'images'), { count: 3 });
  console.log(
    `# 3 test pictures made in ${secs(Date.now() - started)}: ` +
      pictures.files.map((f) => `${path.basename(f)} ~${kb(pictures.sizes[f].processed)} processed`).join(', '),
  );
});

const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const sha256Hex = (buf) => createHash('sha256').update(buf).digest('hex');
const sortedCopy = (xs) => [...xs].sort();

// ---- Content-Security-Policy watch -------------------------------------------------------------------

/**
 * Records, into `sink`, every CSP violation in `context`'s pages: the `securitypolicyviolation`
 * event (through a binding, so it survives navigations) and any console message or page error that
 * mentions the Content Security Policy (Chromium reports every refusal on the console), from pages
 * and their workers. Call before the first navigation.
 */
async function watchCsp(context, label, sink) {
  await context.exposeBinding('__resguardoCspViolation', ({ page }, v) => {
    sink.push({ where: label, url: page?.url(), event: v });
  });
  await context.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (e) => {
        // eslint-disable-next-line no-undef
        window.__resguardoCspViolation?.({
          directive: e.effectiveDirective || e.violatedDirective,
          blocked: e.blockedURI,
          source: e.sourceFile,
          line: e.lineNumber,
          sample: e.sample,
          disposition: e.disposition,
        });
      },
      true,
    );
  });
  const isCsp = (text) => /content security policy|content-security-policy/i.test(text);
  const watchConsole = (source, where) =>
    source.on('console', (m) => {
      if (isCsp(m.text())) sink.push({ where: label, url: where(), console: `[${m.type()}] ${m.text()}` });
    });
  const watchPage = (page) => {
    watchConsole(page, () => page.url());
    page.on('pageerror', (e) => {
      if (isCsp(e.message)) sink.push({ where: label, url: page.url(), pageerror: e.message });
    });
    page.on('worker', (worker) => watchConsole(worker, () => worker.url()));
  };
  context.pages().forEach(watchPage);
  context.on('page', watchPage);
  for (const sw of context.serviceWorkers()) watchConsole(sw, () => sw.url());
  context.on('serviceworker', (sw) => watchConsole(sw, () => sw.url()));
}

/** The response carries the server's strict policy (so "no violations" means something). */
function assertStrictCsp(response, what) {
  assert.ok(response, `${what}: a response`);
  const policy = response.headers()['content-security-policy'] ?? '';
  assert.match(policy, /(^|;)\s*default-src 'self'/, `${what} carries the server's CSP: ${JSON.stringify(policy)}`);
  assert.match(policy, /script-src 'self'/, `${what}: scripts only from this origin (${policy})`);
  assert.doesNotMatch(policy, /'unsafe-inline'/, `${what}: no 'unsafe-inline' (${policy})`);
  return policy;
}

// ---- the staff browser ------------------------------------------------------------------------------

/** A separate, non-persistent headless Chromium (same executable and flags as the app's). */
async function launchStaffBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A fresh desktop context (own cookies) of `browser`, watched for CSP violations; and its page. */
async function staffSession(browser, label, cspSink) {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', acceptDownloads: true });
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(60_000);
  await watchCsp(context, label, cspSink);
  const consoleLines = [];
  context.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  const page = await context.newPage();
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  return { label, context, page, consoleLines };
}

/** Navigates and checks the answer: 200, HTML, the strict CSP, and the staff stylesheet applied. */
async function openStaffPage(page, url, what) {
  const response = await page.goto(url);
  assert.equal(response?.status(), 200, `${what}: 200 (got ${response?.status()} at ${page.url()})`);
  assert.match(response.headers()['content-type'] ?? '', /^text\/html/, `${what} is HTML`);
  assertStrictCsp(response, what);
  await assertStyled(page, what);
  return response;
}

async function assertStyled(page, what) {
  const background = await page.locator('header').evaluate((h) => getComputedStyle(h).backgroundColor);
  assert.equal(background, HEADER_BACKGROUND, `${what}: the staff stylesheet applies under the CSP`);
}

/** Signs in through the real login form; ends on /staff/cases. */
async function logIn(page, baseUrl, account) {
  const response = await page.goto(`${baseUrl}/staff/login`);
  assert.equal(response?.status(), 200, 'the login page answers 200');
  assertStrictCsp(response, 'the login page');
  await assertStyled(page, 'the login page');
  const form = page.locator('form[action="/staff/login"]');
  const csrf = await form.locator('input[type=hidden][name=csrf]').inputValue();
  assert.ok(csrf.length >= 32, `the login form carries a CSRF token (${csrf.length} characters)`);
  await typeInto(form.locator('input[name=username]'), account.username);
  await typeInto(form.locator('input[name=password]'), account.password);
  await form.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${baseUrl}/staff/cases`);
  await page.locator('h1', { hasText: 'Cases' }).waitFor();
  assert.equal(
    unisolated(await page.locator('header .who').textContent()),
    `${account.username} (${account.role === 'admin' ? 'administrator' : account.role})`,
    'the header names who is signed in',
  );
}

/**
 * The answers in the first `dl` in `scope`, keyed by their field's path (`data-field`): the
 * shown text, or for choices the codes (`<data value>`) joined by ", "; and `labels`, the `dt`
 * texts by path.
 */
function definitions(scope) {
  return scope.locator('dl').first().evaluate((dl) => {
    const out = { labels: {} };
    let label = null;
    const clean = (t) => t.replace(/[\u2068\u2069]/g, '').trim();
    for (const el of dl.children) {
      if (el.tagName === 'DT') label = clean(el.textContent);
      else if (el.tagName === 'DD') {
        const field = el.dataset.field;
        const codes = [...el.querySelectorAll('data')].map((d) => d.value);
        out[field] = codes.length > 0 ? codes.join(', ') : clean(el.textContent);
        out.labels[field] = label;
      }
    }
    return out;
  });
}

/** The case list's rows: [{ caseId, receipt, href, cells }]. */
function caseRows(page) {
  return page.locator('tr[data-case-id]').evaluateAll((trs) =>
    trs.map((tr) => ({
      caseId: tr.getAttribute('data-case-id'),
      receipt: tr.querySelector('a.receipt')?.textContent.replace(/[\u2068\u2069]/g, '').trim() ?? null,
      href: tr.querySelector('a.receipt')?.getAttribute('href') ?? null,
      cells: [...tr.cells].map((td) => td.textContent.replace(/[\u2068\u2069]/g, '').trim()),
    })),
  );
}

/** Fills the search form on /staff/cases and submits it; returns the rows shown. */
async function searchCases(page, { q = '', from = '', to = '', state = '' } = {}) {
  const form = page.locator('form[action="/staff/cases"]');
  const field = form.locator('input[name=q]');
  await field.fill('');
  if (q) await field.pressSequentially(q);
  await form.locator('input[name=from]').fill(from);
  await form.locator('input[name=to]').fill(to);
  await form.locator('select[name=state]').selectOption(state);
  await form.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL((u) => u.pathname === '/staff/cases' && u.searchParams.get('state') === state && u.searchParams.get('q') === q);
  await page.locator('h1', { hasText: 'Cases' }).waitFor();
  await assertStyled(page, 'the case list after a search');
  return caseRows(page);
}

/** Every img on the page has loaded (complete, naturalWidth > 0); returns their sizes. */
async function expectImagesLoaded(page, count) {
  return pollUntil(
    async () => {
      const imgs = await page.locator('figure[data-photo-id] img').evaluateAll((els) =>
        els.map((i) => ({ src: i.getAttribute('src'), complete: i.complete, naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight })),
      );
      return imgs.length === count && imgs.every((i) => i.complete && i.naturalWidth > 0) && imgs;
    },
    {
      timeout: 60_000,
      what: async () =>
        `${count} loaded photo images (${JSON.stringify(
          await page.locator('figure[data-photo-id] img').evaluateAll((els) => els.map((i) => [i.getAttribute('src'), i.complete, i.naturalWidth])),
        )})`,
    },
  );
}

/** How far the page scrolls sideways, and the outermost elements sticking out on the right. */
function horizontalOverflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const name = (el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
    const out = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > width + 0.5);
    const outermost = out.filter((el) => !out.includes(el.parentElement));
    return {
      overflow: document.documentElement.scrollWidth - width,
      culprits: outermost.slice(0, 6).map((el) => `${name(el)} (right edge ${Math.round(el.getBoundingClientRect().right)} px)`),
    };
  });
}

/**
 * What the export writes for a typed value: the README's "cells that start like a spreadsheet
 * formula are neutralised" (a leading = + - @ gets an apostrophe in front).
 */
const csvCell = (typed) => (/^[=+\-@]/.test(typed) ? `'${typed}` : typed);

// ---- the test ------------------------------------------------------------------------------------------

/** A one-line-per-group summary of CSP reports: where (path), what (directive or message). */
function summariseCsp(reports) {
  const groups = new Map();
  for (const r of reports) {
    let where = r.url ?? '?';
    try {
      where = new URL(where).pathname;
    } catch {
      /* not a URL */
    }
    const what = r.event ? `securitypolicyviolation ${r.event.directive} blocked=${r.event.blocked || '-'}` : (r.console ?? r.pageerror ?? '').slice(0, 110);
    const key = `[${r.where}] ${where}: ${what}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return [...groups].map(([k, n]) => `${n}× ${k}`).join('\n');
}

test('staff review a delivered household, export it as a ZIP and read the audit log, under the CSP', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'review-export', async (w) => {
    const violations = [];
    const base = w.server.url;
    const a = HOUSEHOLD.applicant;

    // ---- 1. a person fills a household with three photos and sends it (everything needs this) ------
    const page = await w.openBrowser();
    await watchCsp(w.context, 'app', violations);
    const appResponse = await page.goto(`${w.proxy.url}/`);
    assertStrictCsp(appResponse, 'the app page');
    await setLanguage(page, 'en');
    const caseId = await startNewCase(page);
    await fillHousehold(page);
    await goToStep(page, DOCUMENTS_STEP);
    const people = await peopleOnStep4(page, 1 + HOUSEHOLD.members.length);
    const plan = [
      { person: people[0], kind: 'id_document', file: pictures.files[0] },
      { person: people[1], kind: 'birth_certificate', file: pictures.files[1] },
      { person: people[2], kind: 'other', file: pictures.files[2] },
    ];
    for (const p of plan) p.id = await addPhoto(page, p.person, p.kind, p.file, 'pick');
    for (const p of plan) await expectPhotoReady(page, p.id);
    await goToStep(page, REVIEW_STEP);
    const submitted = Date.now();
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['delivered'], 180_000);
    const receipt = await receiptOnScreen(page);
    w.log(`case ${caseId} delivered ${secs(Date.now() - submitted)} after submit; receipt ${receipt}`);

    const stored = await assertOneStoredCase(w.dataDir, caseId, receipt);
    const refs = stored.case.photos ?? [];
    assert.deepEqual(sortedCopy(refs.map((r) => r.photo_id)), sortedCopy(plan.map((p) => p.id)), 'the stored case refers to the three photos');
    const deviceHash = Object.fromEntries(refs.map((r) => [r.photo_id, r.sha256]));
    // The content type the photo worker chose and the device sent: WebP in Chromium.
    const deviceType = Object.fromEntries(refs.map((r) => [r.photo_id, r.content_type]));
    for (const r of refs) assert.equal(r.content_type, 'image/webp', `photo ${r.photo_id} was sent as WebP, which Chromium writes`);
    const storedPhotos = (await dumpPhotos(w.dataDir)).filter((p) => p.case_id === caseId);
    assert.equal(storedPhotos.length, 3, 'the server holds the three photos');
    for (const p of storedPhotos) assert.equal(p.content_type, deviceType[p.photo_id], `the server stored ${p.photo_id} with the content type the device sent`);

    await createStaffUser(w.dataDir, REVIEWER.username, REVIEWER.role, REVIEWER.password);
    await createStaffUser(w.dataDir, ADMIN.username, ADMIN.role, ADMIN.password);
    const browser = await launchStaffBrowser();
    const sessions = [];
    const caseUrl = `${base}/staff/cases/${caseId}`;
    const today = new Date().toISOString().slice(0, 10);
    const received = stored.received_at.slice(0, 10);
    // "Today" in UTC (the staff pages' dates are UTC); from the day it arrived, should midnight
    // have passed since.
    const from = received < today ? received : today;

    // The steps below run one after another on the same server and browsers; each reports on its
    // own, so one failing step does not hide what the others find.
    const failed = [];
    const step = (name, fn) =>
      t.test(name, async () => {
        try {
          await fn();
        } catch (err) {
          failed.push(name);
          for (const s of sessions) {
            try {
              await s.page.screenshot({ path: await artifactPath(`failure-staff-${s.label}.png`), fullPage: true });
            } catch {
              /* the page may be gone */
            }
            console.error(`--- ${s.label} staff page ${s.page.url()} console ---\n${s.consoleLines.slice(-40).join('\n')}`);
          }
          throw err;
        }
      });

    try {
      // ---- 2. the reviewer finds the case, checks it and marks it reviewed -------------------------
      let rev;
      await step('2. the reviewer finds the case by its receipt, sees every person and photo, marks it reviewed', async () => {
        rev = await staffSession(browser, 'reviewer', violations);
        sessions.push(rev);
        const rp = rev.page;
        await logIn(rp, base, REVIEWER);
        assert.equal(await rp.locator('header nav a[href="/staff/audit"]').count(), 0, 'a reviewer is not offered the audit log');

        const typed = receipt.toLowerCase().replace('-', ' ');
        assert.notEqual(typed, receipt);
        const found = await searchCases(rp, { q: typed });
        assert.equal(found.length, 1, `the search for ${JSON.stringify(typed)} finds exactly one case: ${JSON.stringify(found)}`);
        assert.equal(found[0].caseId, caseId);
        assert.equal(found[0].receipt, receipt, 'the row shows the receipt code in its canonical form');
        assert.ok(found[0].cells.includes(a.name), `the row shows the applicant's name: ${JSON.stringify(found[0].cells)}`);
        assert.equal(found[0].href, `/staff/cases/${caseId}`);
        w.log(`reviewer searched ${JSON.stringify(typed)}: one row, ${found[0].receipt}`);

        const [caseResponse] = await Promise.all([
          rp.waitForResponse((r) => r.url() === caseUrl && r.request().isNavigationRequest()),
          rp.locator(`tr[data-case-id="${caseId}"] a.receipt`).click(),
        ]);
        await rp.waitForURL(caseUrl);
        assert.equal(caseResponse.status(), 200);
        assertStrictCsp(caseResponse, 'the case page');
        await assertStyled(rp, 'the case page');
        assert.equal(unisolated(await rp.locator('h1').textContent()), `Case ${receipt}`);

        // The applicant and both members, as typed.
        const applicant = rp.locator('section.applicant');
        const shown = await definitions(applicant);
        // Labelled as the form's definition words them, in the staff member's language.
        assert.equal(shown.labels['applicant.name'], 'Full name');
        assert.equal(shown.labels['applicant.needs'], 'Do you or your family need any of these?');
        assert.equal(shown['applicant.name'], a.name, 'applicant name');
        assert.equal(shown['applicant.date_of_birth'], a.dob, 'applicant date of birth');
        assert.equal(shown['applicant.country_of_origin'], a.country, 'applicant country of origin');
        assert.equal(shown['applicant.phone'], a.phone, 'applicant phone');
        assert.deepEqual(sortedCopy(shown['applicant.languages'].split(/,\s*/)), sortedCopy(a.languages), 'applicant languages');
        assert.deepEqual(sortedCopy(shown['applicant.needs'].split(/,\s*/)), sortedCopy(a.needs), 'applicant needs');
        assert.equal(shown['applicant.needs_note'], a.note, 'applicant note');
        const memberSections = rp.locator('section.member');
        assert.equal(await memberSections.count(), HOUSEHOLD.members.length, 'one section per family member');
        for (const [i, m] of HOUSEHOLD.members.entries()) {
          const d = await definitions(memberSections.nth(i));
          assert.equal(d.name, m.name, `member ${i + 1} name`);
          assert.equal(d.date_of_birth, m.dob, `member ${i + 1} date of birth`);
          assert.equal(d.relationship, m.relationship, `member ${i + 1} relationship`);
          assert.equal(d.labels.relationship, 'Relationship to you');
        }

        // Three photos, each with its person, each image loaded.
        assert.equal(await rp.locator('figure[data-photo-id]').count(), 3, 'three photo figures');
        for (const p of plan) {
          const who = p.person === 'applicant' ? 'the applicant' : `member ${people.indexOf(p.person)}`;
          const owner = p.person === 'applicant' ? applicant : memberSections.nth(people.indexOf(p.person) - 1);
          assert.equal(await owner.locator(`figure[data-photo-id="${p.id}"]`).count(), 1, `photo ${p.id} is shown with ${who}`);
          assert.equal(await rp.locator(`figure[data-photo-id="${p.id}"] img`).getAttribute('src'), `/staff/photos/${p.id}`);
        }
        const loaded = await expectImagesLoaded(rp, 3);
        w.log(`case page: 3 images loaded (${loaded.map((i) => `${i.naturalWidth}×${i.naturalHeight}`).join(', ')})`);

        // Full size: follow each figure's link; the bytes are the device's.
        for (const p of plan) {
          const link = rp.locator(`figure[data-photo-id="${p.id}"]`).getByRole('link', { name: 'full size' });
          const href = await link.getAttribute('href');
          assert.equal(href, `/staff/photos/${p.id}`, 'the full-size link points at the photo');
          const [full] = await Promise.all([
            rp.waitForResponse((r) => r.url() === `${base}${href}` && r.request().isNavigationRequest()),
            link.click(),
          ]);
          assert.equal(full.status(), 200, `full size of ${p.id}: 200`);
          assert.equal(full.headers()['content-type'], deviceType[p.id], `full size of ${p.id} is served as the stored ${deviceType[p.id]}`);
          const bytes = await full.body();
          assert.equal(sha256Hex(bytes), deviceHash[p.id], `the full-size bytes of ${p.id} hash to the device's SHA-256`);
          await rp.waitForFunction(() => document.images[0]?.complete && document.images[0].naturalWidth > 0);
          w.log(`full size ${p.id.slice(0, 8)}: ${deviceType[p.id]}, ${kb(bytes.length)}, SHA-256 matches`);
          await rp.goBack();
          await rp.waitForURL(caseUrl);
        }

        // Mark reviewed, with a note.
        await expectImagesLoaded(rp, 3);
        const reviewForm = rp.locator(`form[action="/staff/cases/${caseId}/review"]`);
        await typeInto(reviewForm.locator('textarea[name=note]'), REVIEW_NOTE);
        await reviewForm.getByRole('button', { name: 'Mark reviewed' }).click();
        const reviewedLine = rp.locator('.state-reviewed');
        await reviewedLine.waitFor({ timeout: 30_000 });
        assert.equal(rp.url(), caseUrl, 'marking reviewed comes back to the case');
        assert.match(unisolated(await reviewedLine.textContent()), new RegExp(`^Reviewed by ${REVIEWER.username} at \\d{4}-\\d\\d-\\d\\d`));
        assert.ok(unisolated(await rp.locator('main').textContent()).includes(REVIEW_NOTE), 'the case page shows the review note');
        assert.equal(await rp.locator('textarea[name=note]').count(), 0, 'no review form once reviewed');
        await assertStyled(rp, 'the reviewed case page');
        w.log('marked reviewed');

        // Filtering by state: reviewed lists it, new does not.
        await openStaffPage(rp, `${base}/staff/cases`, 'the case list');
        const reviewed = await searchCases(rp, { state: 'reviewed' });
        assert.deepEqual(reviewed.map((r) => r.caseId), [caseId], 'state=reviewed lists the case');
        assert.equal(await rp.locator(`tr[data-case-id="${caseId}"] td.state-reviewed`).count(), 1, 'the row says reviewed');
        assert.deepEqual(await searchCases(rp, { state: 'new' }), [], 'state=new no longer lists it');

        // A reviewer cannot read the audit log.
        const forbidden = await rp.goto(`${base}/staff/audit`);
        assert.equal(forbidden?.status(), 403, 'the audit log is for administrators');
      });

      // ---- 5. screenshots: the case at 1280×800 and 768×1024 (no sideways scrolling), the list ----------
      await step('5. screenshots of the case page (desktop, tablet without horizontal scrolling) and the list', async () => {
        assert.ok(rev, 'the reviewer is signed in (step 2)');
        const rp = rev.page;
        await rp.setViewportSize(DESKTOP);
        await openStaffPage(rp, caseUrl, 'the case page');
        await expectImagesLoaded(rp, 3);
        await rp.evaluate(() => document.fonts.ready);
        const caseShot = await artifactPath('staff-case.png');
        await rp.screenshot({ path: caseShot, fullPage: true });
        const desktop = await horizontalOverflow(rp);
        assert.ok(desktop.overflow <= 0, `the case page does not scroll sideways at 1280 px (${JSON.stringify(desktop)})`);

        await rp.setViewportSize(TABLET);
        await expectImagesLoaded(rp, 3);
        const tabletShot = await artifactPath('staff-case-tablet.png');
        await rp.screenshot({ path: tabletShot, fullPage: true });
        const { overflow, culprits } = await horizontalOverflow(rp);
        assert.ok(overflow <= 0, `no horizontal scrolling on the case page at 768 px (${overflow} px too wide; sticking out: ${culprits.join(', ')})`);

        await rp.setViewportSize(DESKTOP);
        await openStaffPage(rp, `${base}/staff/cases`, 'the case list');
        assert.equal((await caseRows(rp)).length, 1, 'the list shows the one case');
        await rp.evaluate(() => document.fonts.ready);
        const listShot = await artifactPath('staff-cases.png');
        await rp.screenshot({ path: listShot, fullPage: true });
        w.log(`screenshots: ${[caseShot, tabletShot, listShot].map((f) => path.basename(f)).join(', ')}`);
      });

      // ---- 3. the admin downloads the ZIP for today ------------------------------------------------
      let adm;
      await step('3. the admin downloads the export ZIP for today; its CSVs, JSON and photos are what was typed and sent', async () => {
        adm = await staffSession(browser, 'admin', violations);
        sessions.push(adm);
        const ap = adm.page;
        await logIn(ap, base, ADMIN);
        const exportForm = ap.locator('form[action="/staff/export"]');
        await exportForm.locator('input[name=from]').fill(from);
        await exportForm.locator('input[name=to]').fill(today);
        const [download] = await Promise.all([
          ap.waitForEvent('download', { timeout: 120_000 }),
          exportForm.getByRole('button', { name: 'Download ZIP' }).click(),
        ]);
        assert.equal(download.suggestedFilename(), `resguardo-export-${from}-to-${today}.zip`, 'the file name names the range');
        const failure = await download.failure();
        assert.equal(failure, null, `Chromium finished downloading ${download.suggestedFilename()} (download.failure(): ${failure})`);
        const zipFile = path.join(w.root, download.suggestedFilename());
        await download.saveAs(zipFile);
        const zipBytes = await fs.readFile(zipFile);
        const zip = readZip(zipBytes);
        w.log(`downloaded ${download.suggestedFilename()}: ${kb(zipBytes.length)}, entries ${zip.names().join(', ')}`);

        // The file extension follows the stored content type (server/src/http/staff/export.rs).
        const extension = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };
        const entryOf = (id) => `photos/${receipt}/${id}.${extension[deviceType[id]]}`;
        const photoEntries = plan.map((p) => entryOf(p.id));
        assert.ok(photoEntries.every((e) => e.endsWith('.webp')), `WebP photos are exported as .webp: ${photoEntries.join(', ')}`);
        assert.deepEqual(
          sortedCopy(zip.names()),
          sortedCopy(['household-intake.csv', 'household-intake-members.csv', 'cases.json', ...photoEntries]),
          'the ZIP holds the form\'s two CSVs (the household, its members), the JSON and the three photos in photos/<receipt>/',
        );

        const cases = csvRecords(zip.read('household-intake.csv'), 'household-intake.csv');
        assert.equal(cases.records.length, 1, `household-intake.csv has one data row: ${JSON.stringify(cases.records)}`);
        const row = cases.records[0];
        assert.equal(row.case_id, caseId);
        assert.equal(row.receipt_code, receipt, 'receipt_code');
        assert.equal(row.form_version, '1');
        assert.equal(row['applicant.name'], csvCell(a.name), 'applicant.name');
        assert.equal(row['applicant.date_of_birth'], csvCell(a.dob), 'applicant.date_of_birth');
        assert.equal(row['applicant.country_of_origin'], csvCell(a.country), 'applicant.country_of_origin');
        // A phone typed as "+504 …" starts like a formula: the documented neutralisation puts an
        // apostrophe in front (cases.json keeps it exactly, checked below).
        assert.equal(row['applicant.phone'], csvCell(a.phone), 'applicant.phone (neutralised as the README says)');
        assert.deepEqual(sortedCopy(row['applicant.languages'].split(' ')), sortedCopy(a.languages), 'applicant.languages');
        assert.deepEqual(sortedCopy(row['applicant.needs'].split(' ')), sortedCopy(a.needs), 'applicant.needs');
        assert.equal(row['applicant.needs_note'], a.note, 'applicant.needs_note');
        assert.equal(row.review_state, 'reviewed');
        assert.equal(row.reviewed_by, REVIEWER.username);
        assert.equal(row.review_note, REVIEW_NOTE);
        assert.equal(row.people, String(1 + HOUSEHOLD.members.length));
        assert.equal(row.photos, '3');
        assert.equal(row.received_at, stored.received_at);

        const members = csvRecords(zip.read('household-intake-members.csv'), 'household-intake-members.csv');
        assert.equal(members.records.length, HOUSEHOLD.members.length, 'household-intake-members.csv has the two members');
        for (const [i, m] of HOUSEHOLD.members.entries()) {
          const r = members.records[i];
          assert.equal(r.case_id, caseId);
          assert.equal(r.receipt_code, receipt);
          assert.equal(r.member_id, householdAnswers(stored).members[i].member_id, `members.csv row ${i + 1} member_id`);
          assert.equal(r.name, csvCell(m.name), `members.csv row ${i + 1} name`);
          assert.equal(r.date_of_birth, csvCell(m.dob), `members.csv row ${i + 1} date_of_birth`);
          assert.equal(r.relationship, csvCell(m.relationship), `members.csv row ${i + 1} relationship`);
        }

        const json = JSON.parse(zip.read('cases.json').toString('utf8'));
        assert.ok(Array.isArray(json) && json.length === 1, `cases.json holds one case: ${JSON.stringify(json).slice(0, 300)}`);
        assert.equal(json[0].case_id, caseId);
        assert.equal(json[0].receipt_code, receipt);
        assert.equal(json[0].received_at, stored.received_at);
        assert.equal(json[0].review_state, 'reviewed');
        assertStoredCase({ case: json[0].case });
        const byId = (xs) => [...xs].sort((x, y) => x.photo_id.localeCompare(y.photo_id));
        assert.deepEqual(byId(json[0].case.photos), byId(refs), 'cases.json lists the photos as the device sent them');

        // The hash check: the exported photos are the device's bytes.
        for (const p of plan) {
          const bytes = zip.read(entryOf(p.id));
          assert.equal(sha256Hex(bytes), deviceHash[p.id], `${entryOf(p.id)} hashes to the device's SHA-256`);
        }
        w.log('ZIP: cases.csv, members.csv, cases.json as typed; 3 photos pass the hash check');
      });

      // ---- 4. the audit log --------------------------------------------------------------------------
      await step('4. the audit log shows the reviewer viewing and reviewing the case and the admin exporting it', async () => {
        if (!adm) {
          adm = await staffSession(browser, 'admin', violations);
          sessions.push(adm);
          await logIn(adm.page, base, ADMIN);
        }
        const ap = adm.page;
        await openStaffPage(ap, `${base}/staff/audit`, 'the audit log');
        const audit = await ap.locator('main table tbody tr').evaluateAll((trs) =>
          trs.map((tr) => {
            const [at, who, action, caseCell, detail] = [...tr.cells].map((td) => td.textContent.replace(/[\u2068\u2069]/g, '').trim());
            return { at, who, action, caseId: caseCell, caseHref: tr.cells[3]?.querySelector('a')?.getAttribute('href') ?? null, detail };
          }),
        );
        const has = (who, action) => audit.filter((e) => e.who === who && e.action === action && e.caseId === caseId);
        assert.ok(has(REVIEWER.username, 'view_case').length >= 1, `the audit log shows ${REVIEWER.username} viewed the case: ${JSON.stringify(audit)}`);
        assert.equal(has(REVIEWER.username, 'review_case').length, 1, `the audit log shows ${REVIEWER.username} reviewed the case once: ${JSON.stringify(audit)}`);
        const exported = has(ADMIN.username, 'export_case');
        assert.equal(exported.length, 1, `the audit log shows ${ADMIN.username} exported the case once: ${JSON.stringify(audit)}`);
        assert.equal(exported[0].detail, `${from}..${today}`, 'the export entry names the date range');
        assert.equal(exported[0].caseHref, `/staff/cases/${caseId}`, 'the entry links to the case');
        assert.equal(has(ADMIN.username, 'view_case').length, 0, 'the admin did not view the case');
        for (const e of audit) assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, `audit time in UTC: ${e.at}`);
        w.log(`audit log: ${audit.map((e) => `${e.who}:${e.action}`).join(', ')}`);

        // The other admin pages render under the CSP too.
        await openStaffPage(ap, `${base}/staff/enrolment`, 'the enrolment page');
        await openStaffPage(ap, `${base}/staff/devices`, 'the devices page');
        const devices = await listDevices(w.dataDir);
        assert.equal(devices.length, 1, 'the app registered one device');
        assert.equal(await ap.locator(`tr[data-device-id="${devices[0].id}"]`).count(), 1, "the devices page lists the app's device");
      });

      // ---- 6. no CSP violation anywhere, and the watch does see one ------------------------------
      await step('6. no Content-Security-Policy violation on the app or the staff pages (and the watch would see one)', async () => {
        // Let late reports arrive, from the app page too.
        await page.waitForTimeout(1000);
        const fromConsole = w.consoleLines.filter((l) => /content security policy/i.test(l));
        assert.equal(violations.length, 0, `no Content-Security-Policy violations on the app or the staff pages; got ${violations.length}:\n${summariseCsp(violations)}`);
        assert.deepEqual(fromConsole, [], 'the app console reports no CSP violation');

        const probeSink = [];
        const probe = await staffSession(browser, 'probe', probeSink);
        await probe.page.goto(`${base}/staff/login`);
        await probe.page.evaluate(() => {
          const s = document.createElement('script');
          s.textContent = 'window.__inlineRan = true;';
          document.body.append(s);
        });
        await pollUntil(() => probeSink.some((v) => v.event) && probeSink.some((v) => v.console), {
          timeout: 10_000,
          what: () => `the watch to report the injected inline script (${JSON.stringify(probeSink)})`,
        });
        assert.equal(await probe.page.evaluate(() => window.__inlineRan ?? false), false, 'the injected inline script was blocked');
        assert.match(probeSink.find((v) => v.event).event.directive, /^script-src/, 'the probe broke the script policy');
        await probe.context.close();
        w.log(`CSP: no violations on the app or the staff pages; the watch catches an injected inline script (${probeSink.length} reports)`);
      });
    } finally {
      await browser.close();
    }
    // Make withWorld print the server log, the proxy log and the app console.
    if (failed.length) throw new Error(`${failed.length} staff step(s) failed: ${failed.join('; ')}`);
  });
});
