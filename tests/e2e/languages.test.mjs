// Six languages for real (issue 8): the first visit speaks the browser's language, even before
// the app has loaded; the picker names each language in itself and is remembered; Arabic mirrors
// the layout, with codes, numbers and names kept in their own direction and the Arabic font from
// our own server (nobody else downloads it); dates, counts and plurals as each language says
// them; the languages browsers cannot name have names of our own; the staff pages follow the
// browser too. Words are read from the built catalogs (dist/locales), so the test follows the
// translators' files rather than copies of them.
//
//   node --test --test-concurrency=1 tests/e2e/languages.test.mjs

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';

import { assertBuilt, dumpCases, freshTmpRoot, pollUntil, STATIC_DIR } from '../support/harness.mjs';
import {
  chooseCountry,
  expectCaseState,
  fillDate,
  goToStep,
  REVIEW_STEP,
  sel,
  setLanguage,
  startNewCase,
  typeInto,
  waitSaved,
  worldRunner,
} from '../support/app.mjs';

const TEST_TIMEOUT = 240_000;
const AUTONYMS = { es: 'Español', ht: 'Kreyòl ayisyen', fr: 'Français', pt: 'Português', en: 'English', ar: 'العربية' };
const ISOLATES = /[\u2066-\u2069]/g;
let withWorld;
let catalogs;

before(async () => {
  assertBuilt();
  withWorld = worldRunner(await freshTmpRoot(import.meta.url));
  catalogs = {};
  const dir = path.join(STATIC_DIR, 'locales');
  for (const name of await fs.readdir(dir)) {
    const m = /^app-([a-z]+)-[0-9a-f]{16}\.json$/.exec(name);
    if (m) catalogs[m[1]] = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8'));
  }
  assert.deepEqual(Object.keys(catalogs).sort(), ['ar', 'en', 'es', 'fr', 'ht', 'pt'], 'six catalogs built');
});

/** A message with no variables, as the catalog of `lang` has it. */
function words(lang, id) {
  const parts = catalogs[lang].messages[id];
  assert.ok(parts, `${lang} has ${id}`);
  return parts.map((p) => (typeof p === 'string' ? p : '')).join('');
}

/** The variant of plural message `id` for `category` (its text parts only). */
function pluralWords(lang, id, category) {
  const [choice] = catalogs[lang].messages[id].filter((p) => p.select);
  const variant = choice.variants.find(([k]) => k === category) ?? choice.variants[choice.default];
  return variant[1].map((p) => (typeof p === 'string' ? p : '')).join('').trim();
}

const text = async (locator) => (await locator.textContent()).replace(ISOLATES, '').trim();

test('a first visit speaks the browser\'s language from the boot screen on; the picker names each language in itself and is remembered', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'first-visit-french', async (w) => {
    // Hold the app's download so the boot screen can be read.
    let release;
    const held = new Promise((resolve) => (release = resolve));
    w.proxy.setOnRequest((req) => (req.url.endsWith('_bg.wasm') && !req.url.includes('sync-worker') ? held : undefined));
    const page = await w.openBrowser({ locale: 'fr-FR' });
    await page.goto(`${w.proxy.url}/`, { waitUntil: 'domcontentloaded' });
    const boot = page.locator('#boot-text');
    await pollUntil(async () => (await boot.textContent()) === words('fr', 'boot-loading'), { what: 'the boot screen in French' });
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
    release();
    w.proxy.setOnRequest(null);

    await page.locator(sel.newCase).waitFor();
    assert.equal(await text(page.locator(sel.newCase)), words('fr', 'new-case'));
    assert.equal(await page.locator('#boot').count(), 0, 'the boot screen is gone once the app is there');
    const options = await page.locator(`${sel.language} option`).evaluateAll((els) =>
      els.map((o) => ({ value: o.value, text: o.textContent.trim(), lang: o.lang, dir: o.dir })),
    );
    assert.deepEqual(
      options.map((o) => [o.value, o.text, o.lang]),
      Object.entries(AUTONYMS).map(([code, name]) => [code, name, code]),
      'each language named in itself, tagged with its language',
    );
    assert.equal(options.find((o) => o.value === 'ar').dir, 'rtl');

    await setLanguage(page, 'pt');
    assert.equal(await text(page.locator(sel.newCase)), words('pt', 'new-case'));
    await page.reload();
    await page.locator(sel.newCase).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'pt', 'remembered over a reload');
    assert.equal(await page.locator(sel.language).inputValue(), 'pt');
    assert.equal(await text(page.locator(sel.newCase)), words('pt', 'new-case'));
  });
});

test('in Arabic the layout mirrors, the receipt and numbers keep their direction, the font is ours; dates, counts and plurals are Arabic', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'arabic', async (w) => {
    const page = await w.openBrowser({ locale: 'ar-EG' });
    const origins = new Set();
    const fonts = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.protocol.startsWith('http')) origins.add(url.origin);
      if (url.pathname.startsWith('/fonts/')) fonts.push(url.pathname);
    });
    await page.goto(`${w.proxy.url}/`);
    await page.locator(sel.newCase).waitFor();
    assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ['ar', 'rtl']);

    await startNewCase(page);
    await typeInto(page.locator('#applicant-name'), 'مريم حداد');
    await fillDate(page, '#applicant-dob', '1990-05-01');
    await chooseCountry(page, 'SY', 'سوري');
    await goToStep(page, 2);
    // Mirrored: "Next" (after "Back" in the page) stands to the left, its arrow turned.
    const back = await page.locator(sel.back).boundingBox();
    const next = await page.locator(sel.next).boundingBox();
    assert.ok(next.x + next.width <= back.x + 1, `Next (${next.x}) left of Back (${back.x})`);
    const arrow = await page.locator(`${sel.next} .arrow`).evaluate((el) => getComputedStyle(el).transform);
    assert.equal(arrow, 'matrix(-1, 0, 0, 1, 0, 0)', 'the arrow points the way Arabic reads');
    await page.locator('input[name=language][value=ar]').check();
    await goToStep(page, 3);
    await page.locator(sel.addMember).click();
    const member = page.locator(sel.member).first();
    await typeInto(member.locator('input[name=member-name]'), 'Luis');
    await fillDate(member, 'fieldset.date', '2016-09-02');
    await member.locator('select[name=member-relationship]').selectOption('child');
    await waitSaved(page);

    // The date of birth on Check and send as Arabic writes it, not as it is stored.
    await goToStep(page, REVIEW_STEP);
    const summary = await text(page.locator('.summary').first());
    assert.doesNotMatch(summary, /1990-05-01/);
    const expectedDate = await page.evaluate(() =>
      new Intl.DateTimeFormat('ar', { dateStyle: 'long', timeZone: 'UTC' }).format(Date.UTC(1990, 4, 1)),
    );
    assert.ok(summary.includes(expectedDate), `"${expectedDate}" in the summary`);

    await page.locator(sel.submit).click();
    await expectCaseState(page, ['delivered'], 120_000);
    const [stored] = await dumpCases(w.dataDir);
    const receipt = page.locator(sel.receipt);
    assert.equal(await receipt.getAttribute('dir'), 'ltr');
    assert.equal(await receipt.evaluate((el) => getComputedStyle(el).direction), 'ltr');
    assert.equal((await receipt.textContent()).trim(), stored.receipt_code, 'the receipt in its own order');
    const oneLine = await receipt.evaluate((el) => el.getClientRects().length === 1 || el.getBoundingClientRect().height < 2.2 * parseFloat(getComputedStyle(el).lineHeight || '30'));
    assert.ok(oneLine, 'the receipt code is one line at 360 px');
    const received = await text(page.locator('.receipt-box .received'));
    assert.doesNotMatch(received, /\d{4}-\d{2}-\d{2}T/, 'the time of receipt as people write it');

    // Two people: Arabic's dual, in the list of cases.
    await page.goto(`${w.proxy.url}/`);
    const people = page.locator(`${sel.caseItem} .people`).first();
    await people.waitFor();
    assert.equal(await text(people), pluralWords('ar', 'people', 'two'));

    // The Arabic font came from this server, and nothing came from anywhere else.
    await page.evaluate(() => document.fonts.ready);
    assert.ok(fonts.includes('/fonts/noto-sans-arabic-subset.woff2'), `font requests: ${fonts}`);
    assert.ok(await page.evaluate(() => document.fonts.check('16px "Resguardo Arabic"', 'مريم')));
    assert.deepEqual([...origins], [w.proxy.url], 'no third party is asked for anything');
  });
});

test('only the app in Arabic downloads the Arabic font', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'no-arabic-font', async (w) => {
    const page = await w.openBrowser({ locale: 'es-MX' });
    const fonts = [];
    page.on('request', (r) => new URL(r.url()).pathname.startsWith('/fonts/') && fonts.push(r.url()));
    await page.goto(`${w.proxy.url}/`);
    await page.locator(sel.newCase).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'es');
    await startNewCase(page);
    await page.evaluate(() => document.fonts.ready);
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(fonts, [], 'no font fetched for Spanish (the language list shows العربية with the device\'s font)');
  });
});

test('the languages browsers cannot name have names of ours, and long lists are searched in the reader\'s words', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'language-names', async (w) => {
    const page = await w.openBrowser({ locale: 'fr-FR' });
    await page.goto(`${w.proxy.url}/`);
    await startNewCase(page);
    await goToStep(page, 2);
    const list = page.locator('#applicant-languages-list');
    for (const [code, id] of [['nah', 'lang-nah'], ['mam', 'lang-mam'], ['quc', 'lang-quc']]) {
      const label = await text(list.locator(`label:has(input[value=${code}])`));
      assert.ok(label.startsWith(words('fr', id)), `${code} is "${words('fr', id)}" in French (shown: "${label}")`);
    }
    // Typing filters, without accents or capitals mattering.
    await typeInto(page.locator('#applicant-languages-search'), 'CREOLE');
    await pollUntil(async () => (await list.locator('input[name=language]').count()) >= 1, { what: 'a match' });
    const shown = await list.locator('input[name=language]').evaluateAll((els) => els.map((e) => e.value));
    assert.ok(shown.includes('ht'), `créole haïtien found by "CREOLE": ${shown}`);
    assert.ok(!shown.includes('es'), 'what does not match is hidden');
  });
});

test('the staff pages follow the browser\'s language until one is chosen', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'staff-language', async (w) => {
    for (const [accept, lang, dir] of [['pt-BR,pt;q=0.9', 'pt', 'ltr'], ['ar', 'ar', 'rtl'], ['de-DE', 'en', 'ltr']]) {
      const res = await fetch(`${w.server.url}/staff/login`, { headers: { 'accept-language': accept } });
      const html = await res.text();
      assert.match(html, new RegExp(`<html lang="${lang}" dir="${dir}"`), `Accept-Language ${accept}`);
    }
    const chosen = await fetch(`${w.server.url}/staff/login`, {
      headers: { 'accept-language': 'pt-BR', cookie: 'resguardo_staff_lang=ht' },
    });
    assert.match(await chosen.text(), /<html lang="ht"/, 'the choice wins over the browser');
  });
});
