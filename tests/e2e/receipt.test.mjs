// The receipt a person takes with them (issue 10), end to end: the real release build and server,
// Debian's Chromium.
//
//   node --test --test-concurrency=1 tests/e2e/receipt.test.mjs
//
// A delivered case shows its code, a QR code of it drawn on the device (decoded here with jsQR
// from the pixels the browser painted) and what to do with it; the print view carries no name
// unless the person asks for it, and printed (print media) only the receipt sheet shows.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';

import AxeBuilder from '@axe-core/playwright';

import { assertBuilt, freshTmpRoot, pollUntil } from '../support/harness.mjs';
import { decodeQr } from '../support/qr.mjs';
import { expectCaseState, HOUSEHOLD, openFillAndReview, receiptOnScreen, sel, setLanguage, worldRunner } from '../support/app.mjs';

const TMP = await freshTmpRoot(import.meta.url);
const withWorld = worldRunner(TMP);
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

before(() => assertBuilt());

async function axeClean(page, what) {
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  assert.deepEqual(found, [], `axe on ${what}`);
}

test('the receipt: its QR code reads as the code, the print view names nobody unless asked, and prints alone', { timeout: 240_000 }, async (t) => {
  await withWorld(t, 'receipt', async (w) => {
    const { page } = await openFillAndReview(w);
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['delivered'], 120_000);
    const receipt = (await receiptOnScreen(page)).replace(/[\u2066-\u2069]/g, '');

    const qr = page.locator('.receipt-box [data-testid=receipt-qr]');
    assert.equal(await decodeQr(qr), receipt, 'the QR code holds the receipt code');
    assert.match(await qr.getAttribute('aria-label'), new RegExp(receipt));
    assert.match(await page.locator('.receipt-box .what-to-do').textContent(), /Show it, or its QR code, to staff/);

    // The print view: the code, its QR code, what to do; no name unless the person asks.
    await page.locator('[data-testid=print-view]').click();
    const sheet = page.locator('[data-testid=print-sheet]');
    await sheet.waitFor();
    assert.equal(await decodeQr(sheet.locator('[data-testid=receipt-qr]')), receipt);
    assert.ok((await sheet.textContent()).replace(/[\u2066-\u2069]/g, '').includes(receipt));
    assert.ok(!(await sheet.textContent()).includes(HOUSEHOLD.applicant.name), 'no name by default');
    await axeClean(page, 'the print view');
    await page.locator('[data-testid=print-with-name]').check();
    assert.equal(await page.locator('[data-testid=print-name-input]').inputValue(), HOUSEHOLD.applicant.name, 'offered as the device holds it');
    await pollUntil(async () => (await sheet.textContent()).includes(HOUSEHOLD.applicant.name), { what: 'the name on the sheet once asked' });
    await page.locator('[data-testid=print-name-input]').fill('M. R.');
    await pollUntil(async () => (await page.locator('[data-testid=print-name]').textContent()).includes('M. R.'), { what: 'the name as the person wrote it' });
    await page.locator('[data-testid=print-with-name]').uncheck();
    await pollUntil(async () => (await page.locator('[data-testid=print-name]').count()) === 0, { what: 'the name gone again' });

    // Printed, only the sheet shows: not the form's answers, not the buttons.
    await page.emulateMedia({ media: 'print' });
    const shown = await page.evaluate(() => {
      const visible = (el) => el && getComputedStyle(el).visibility === 'visible' && getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0;
      return {
        sheet: visible(document.querySelector('[data-testid=print-sheet]')),
        summary: [...document.querySelectorAll('.summary dd')].some(visible),
        printButton: visible(document.querySelector('[data-testid=print-now]')),
        status: visible(document.querySelector('[data-testid=case-status] h2')),
      };
    });
    assert.deepEqual(shown, { sheet: true, summary: false, printButton: false, status: false });
    await page.emulateMedia({ media: 'screen' });

    // In Arabic the layout mirrors but the code reads left to right, and the QR code is the same.
    await setLanguage(page, 'ar');
    assert.equal(await page.locator('.receipt-box [data-testid=receipt-code]').getAttribute('dir'), 'ltr');
    assert.equal(await decodeQr(qr), receipt);
    assert.match(await page.locator('[data-testid=print-now]').textContent(), /طباعة/);
    w.log(`receipt ${receipt}: QR read back, print view checked`);
  });
});
