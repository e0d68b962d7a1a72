// The page's wasm in parts (frontend/src/ui/lazy.rs, scripts/page_build.sh): the first screen
// comes with the first download, a case and the volunteer screen in chunks fetched after it.
//
//   - the build is split as it says: a loader, chunks named after their content, each in the
//     service worker's precache list and fetched by the page only after the first screen;
//   - a chunk that cannot be fetched is said plainly on the case's page and "Try again" brings
//     the form once it can, with nothing the person did lost; the page keeps working meanwhile;
//   - after the first visit the chunks come from the service worker: the app opens a case
//     offline.

import { test, before } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { assertBuilt, freshTmpRoot, goOffline, STATIC_DIR, waitForServiceWorker } from '../support/harness.mjs';
import { expectStep, sel, startNewCase, typeInto, waitSaved, worldRunner } from '../support/app.mjs';

const TMP = await freshTmpRoot(import.meta.url);
const TEST_TIMEOUT = 240_000;
const withWorld = worldRunner(TMP);

before(() => assertBuilt());

/** The chunks in the build: every .wasm but the page's and the sync worker's own. */
function builtChunks() {
  return fs
    .readdirSync(STATIC_DIR)
    .filter((f) => f.endsWith('.wasm') && !f.endsWith('_bg.wasm') && f.startsWith('frontend-'));
}

test('1. the build holds a loader and content-named chunks, all precached', () => {
  const chunks = builtChunks();
  assert.ok(chunks.length >= 2, `expected chunks for a case and the volunteer screen, found ${chunks}`);
  for (const c of chunks) assert.match(c, /^frontend-[a-z0-9_]+-[0-9a-f]{16}\.wasm$/);
  const loaders = fs.readdirSync(STATIC_DIR).filter((f) => /^frontend-split-[0-9a-f]{16}\.js$/.test(f));
  assert.equal(loaders.length, 1, `one loader, found ${loaders}`);
  const loader = fs.readFileSync(path.join(STATIC_DIR, loaders[0]), 'utf8');
  for (const c of chunks) assert.ok(loader.includes(`./${c}`), `the loader names ${c}`);
  const glue = fs.readdirSync(STATIC_DIR).filter((f) => /^frontend-[0-9a-f]{16}\.js$/.test(f));
  assert.equal(glue.length, 1);
  assert.ok(fs.readFileSync(path.join(STATIC_DIR, glue[0]), 'utf8').includes(`./${loaders[0]}`), 'the glue imports the loader');
  const sw = fs.readFileSync(path.join(STATIC_DIR, 'sw.js'), 'utf8');
  for (const f of [...chunks, loaders[0]]) assert.ok(sw.includes(`"/${f}"`), `${f} is precached`);
});

test('2. a chunk that cannot be fetched is said plainly, and Try again brings the form', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'chunk-missing', async (w) => {
    const page = await w.openBrowser();
    let blocked = true;
    const refused = [];
    await w.context.route(/\/frontend-[a-z0-9_]+-[0-9a-f]{16}\.wasm$/, (route) => {
      if (!blocked) return route.continue();
      refused.push(new URL(route.request().url()).pathname);
      return route.abort('internetdisconnected');
    });
    await page.goto(`${w.proxy.url}/`);
    await page.locator(sel.newCase).waitFor({ state: 'visible' });
    w.log('home shown without any chunk');

    await page.locator(sel.newCase).click();
    await page.waitForURL(/\/case\/[0-9a-f-]{36}$/);
    const missing = page.locator('[data-testid=part-missing]');
    await missing.waitFor({ state: 'visible' });
    assert.equal(await missing.getAttribute('role'), 'alert');
    assert.match(await missing.innerText(), /not been downloaded yet/);
    assert.ok(refused.length > 0, 'the page asked for a chunk');
    w.log(`refused ${[...new Set(refused)].join(', ')}`);
    // The rest of the page still works (the header's language picker), and the screen is as
    // accessible as every other, in every language.
    const retryWords = { en: 'Try again', es: 'Intentar de nuevo', ht: 'Eseye ankò', fr: 'Réessayer', pt: 'Tentar de novo', ar: 'حاول مرة أخرى' };
    for (const [lang, words] of Object.entries(retryWords)) {
      await page.locator('[data-testid=language]').selectOption(lang);
      await missing.getByRole('button', { name: words }).waitFor({ state: 'visible' });
      const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
      assert.deepEqual(violations.map((v) => `${v.id}: ${v.nodes.length}`), [], `axe in ${lang}`);
      const box = await missing.getByRole('button').boundingBox();
      assert.ok(box.width >= 43.5 && box.height >= 43.5, `the button is a 44 px target in ${lang}: ${box.width}×${box.height}`);
    }
    await page.locator('[data-testid=language]').selectOption('en');

    blocked = false;
    await missing.getByRole('button', { name: 'Try again' }).click();
    await expectStep(page, 1);
    await typeInto(page.locator('#applicant-name'), 'Rosa Parte');
    await waitSaved(page);
    w.log('the form came once the chunk could be fetched');
  });
});

test('3. after one visit, a case opens offline: the chunks come from the service worker', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'chunks-offline', async (w) => {
    const page = await w.openBrowser();
    const fetched = [];
    page.on('request', (r) => {
      const p = new URL(r.url()).pathname;
      if (/^\/frontend-[a-z0-9_]+-[0-9a-f]{16}\.wasm$/.test(p)) fetched.push(p);
    });
    await page.goto(`${w.proxy.url}/`);
    await waitForServiceWorker(page);
    assert.ok(fetched.length >= 2, `the page fetched its chunks in the background (${fetched})`);

    await goOffline(w.context, w.proxy);
    await page.reload();
    await page.locator(sel.newCase).waitFor({ state: 'visible' });
    const caseId = await startNewCase(page);
    await typeInto(page.locator('#applicant-name'), 'Sin Red');
    await waitSaved(page);
    w.log(`case ${caseId} opened and typed offline`);
  });
});
