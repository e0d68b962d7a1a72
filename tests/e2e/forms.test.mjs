// Forms the organisation defines (issue 9), end to end: the organisation publishes a form with
// relevance and a repeat (`server forms publish`), a device fetches it when online, a person
// fills it in offline — the school question appears only for a child old enough — and sends it;
// it is delivered when the connection returns. Meanwhile version 2 is published: the case queued
// on version 1, and a draft begun on version 1, are still delivered as version 1; a new case
// starts on version 2. The form's pages pass axe in Spanish, the form's second language.
//
//   node --test --test-concurrency=1 tests/e2e/forms.test.mjs

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';

import { assertBuilt, dumpCases, freshTmpRoot, pollUntil, REPO_ROOT, serverCommand } from '../support/harness.mjs';
import { expectCaseState, receiptOnScreen, sel, setLanguage, waitSaved, worldRunner } from '../support/app.mjs';

const TEST_TIMEOUT = 300_000;
const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures', 'forms');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let withWorld;

before(async () => {
  assertBuilt();
  withWorld = worldRunner(await freshTmpRoot(import.meta.url));
});

const startButton = (version) => `[data-testid=new-form-case][data-form=child-protection][data-version="${version}"]`;
const field = (name) => `[data-field="${name}"]`;

async function axeClean(page, what) {
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  assert.deepEqual(found, [], `axe on ${what}`);
}

const unisolated = (text) => text.replace(/[\u2066-\u2069]/g, '').trim();
const stepText = async (page) => unisolated(await page.locator(sel.step).textContent());

async function next(page) {
  await page.locator(sel.next).click();
}

test('a published form with relevance and a repeat is fetched, filled offline and delivered; v1 cases still deliver after v2', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'defined-form', async (w) => {
    const out = await serverCommand(['forms', 'publish', path.join(FIXTURES, 'child-protection-v1.json')], w.dataDir);
    assert.match(out, /child-protection\tversion 1\tpublished/);

    const page = await w.openBrowser({ locale: 'es-MX' });
    await page.goto(`${w.proxy.url}/`);
    await setLanguage(page, 'es');
    // The sync worker fetches what is published; My cases then offers it.
    await page.locator(startButton(1)).waitFor({ timeout: 60_000 });
    assert.equal(unisolated(await page.locator(startButton(1)).textContent()), 'Empezar: Niños que viajan con usted');
    assert.ok(w.proxy.stats.count({ method: 'GET', prefix: '/api/v1/forms/child-protection/1' }) >= 1, 'the definition was fetched');

    await w.context.setOffline(true);
    w.log('offline');

    // Case A: filled in and sent offline.
    await page.locator(startButton(1)).click();
    const form = page.locator('form.defined[data-form=child-protection][data-version="1"]');
    await form.waitFor();
    assert.equal((await page.locator('#step-title').textContent()).trim(), 'Sobre usted');
    await page.locator(`${field('carer_name')} input`).fill('Rosa Martínez');
    // "Children travelling?" decides whether the children's page is shown at all.
    assert.equal(await page.locator(sel.step).getAttribute('data-step'), '1');
    assert.match(await stepText(page), /de 2/, 'two steps while no child is said to travel');
    await page.locator(`${field('travelling_with_children')} input[value=true]`).check();
    await pollUntil(async () => /de 3/.test(await stepText(page)), { what: 'the children page to appear' });
    await axeClean(page, 'the first page in Spanish');
    await next(page);
    assert.equal((await page.locator('#step-title').textContent()).trim(), 'Los niños');
    await page.locator('[data-testid=add-entry]').click();
    await page.locator(`${field('children.0.child_name')} input`).fill('Ana');
    await page.locator(`${field('children.0.age')} input`).fill('4');
    await page.locator('[data-testid=add-entry]').click();
    await page.locator(`${field('children.1.child_name')} input`).fill('Luz');
    await page.locator(`${field('children.1.age')} input`).fill('9');
    // Only the nine-year-old is asked about school.
    await page.locator(`${field('children.1.in_school')}`).waitFor();
    assert.equal(await page.locator(field('children.0.in_school')).count(), 0, 'a four-year-old is not asked about school');
    await page.locator(`${field('children.1.in_school')} input[value=true]`).check();
    await axeClean(page, 'the repeat page in Spanish');
    await waitSaved(page);
    await next(page);
    const summary = page.locator('[data-testid=summary]');
    await summary.waitFor();
    const shown = await summary.textContent();
    for (const words of ['Rosa Martínez', 'Ana', 'Luz', 'Sí']) assert.ok(shown.includes(words), `the summary shows ${words}: ${shown}`);
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['queued', 'waiting_network'], 30_000);
    const caseA = new URL(page.url()).pathname.split('/').pop();
    w.log(`case A ${caseA.slice(0, 8)} queued offline`);

    // Case B: begun on v1, left as a draft.
    await page.goto(`${w.proxy.url}/`);
    await page.locator(startButton(1)).click();
    await form.waitFor();
    await page.locator(`${field('carer_name')} input`).fill('Berta Ruiz');
    await waitSaved(page);
    const caseB = new URL(page.url()).pathname.split('/').pop();

    // Version 2 is published while the device is offline.
    await serverCommand(['forms', 'publish', path.join(FIXTURES, 'child-protection-v2.yaml')], w.dataDir);
    await w.context.setOffline(false);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    w.log('online again; v2 published');

    // Case A delivers as version 1.
    await page.goto(`${w.proxy.url}/case/${caseA}`);
    await expectCaseState(page, ['delivered'], 120_000);
    const receiptA = await receiptOnScreen(page);

    // The device picks up v2; the draft on v1 stays on v1 and is delivered as v1.
    await page.goto(`${w.proxy.url}/`);
    await page.locator(startButton(2)).waitFor({ timeout: 60_000 });
    await page.goto(`${w.proxy.url}/case/${caseB}`);
    await page.locator('form.defined[data-version="1"]').waitFor();
    await page.locator(`${field('travelling_with_children')} input[value=false]`).check();
    await waitSaved(page);
    await next(page);
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['delivered'], 120_000);

    // A new case starts on v2, which asks where the family is staying.
    await page.goto(`${w.proxy.url}/`);
    await page.locator(startButton(2)).click();
    await page.locator('form.defined[data-version="2"]').waitFor();
    await page.locator(field('staying')).waitFor();
    assert.ok((await page.locator(field('staying')).textContent()).includes('Un albergue'));

    const cases = await dumpCases(w.dataDir);
    const a = cases.find((c) => c.case_id === caseA);
    assert.equal(a.receipt_code, receiptA);
    assert.equal(a.case.form_id, 'child-protection');
    assert.equal(a.case.form_version, 1);
    const { children, ...rest } = a.case.answers;
    assert.deepEqual(rest, { carer_name: 'Rosa Martínez', travelling_with_children: true });
    assert.equal(children.length, 2);
    assert.match(children[0].child_id, UUID);
    assert.deepEqual({ ...children[0], child_id: undefined }, { child_id: undefined, child_name: 'Ana', age: 4 });
    assert.deepEqual({ ...children[1], child_id: undefined }, { child_id: undefined, child_name: 'Luz', age: 9, in_school: true });
    assert.equal(a.case.photos, undefined);
    const b = cases.find((c) => c.case_id === caseB);
    assert.equal(b.case.form_version, 1, 'the draft begun on v1 was delivered as v1 after v2 was published');
    assert.deepEqual(b.case.answers, { carer_name: 'Berta Ruiz', travelling_with_children: false });
    w.log(`delivered: A ${receiptA} (2 children), B on v1 after v2 was published`);
  });
});
