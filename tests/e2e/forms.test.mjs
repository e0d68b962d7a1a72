// Forms the organisation defines (issue 9), end to end: the organisation publishes a form with
// relevance and a repeat (`server forms publish`), a device fetches it when online, a person
// fills it in offline — the school question appears only for a child old enough — and sends it;
// it is delivered when the connection returns. Meanwhile version 2 is published: the case queued
// on version 1, and a draft begun on version 1, are still delivered as version 1; a new case
// starts on version 2. The form's pages pass axe in Spanish, the form's second language.
// A second form takes document photos for the person and each child: they are uploaded with the
// case, removing a child removes their photos, and the staff export holds the form's CSV, its
// repeat's CSV and the photos. And the household form's own definition, published under another
// ID, is drawn by the same renderer: searchable built-in lists, a group over two pages, members
// with photos, and the server's refusal shown with a way to the field it named.
//
//   node --test --test-concurrency=1 tests/e2e/forms.test.mjs

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';

import { assertBuilt, createStaffUser, dumpCases, dumpPhotos, freshTmpRoot, pollUntil, REPO_ROOT, serverCommand } from '../support/harness.mjs';
import { CASE_PUT, expectCaseState, fillDate, receiptOnScreen, sel, setLanguage, typeInto, waitSaved, worldRunner } from '../support/app.mjs';
import { addPhoto, expectPhotoReady, makeTestPictures, peopleOnStep4, photosOnPage } from '../support/photos.mjs';
import { csvRecords } from '../support/csv.mjs';
import { readZip } from '../support/zip.mjs';

const TEST_TIMEOUT = 300_000;
const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures', 'forms');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let withWorld;
let tmpRoot;
let pictures;

before(async () => {
  assertBuilt();
  tmpRoot = await freshTmpRoot(import.meta.url);
  withWorld = worldRunner(tmpRoot);
  pictures = await makeTestPictures(path.join(tmpRoot, 'pictures'), { count: 3, target: 200_000, tolerance: 80_000 });
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

test("a defined form with document photos: each person's photos go with the case, a removed child's go with them, and the export holds them", { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'defined-form-photos', async (w) => {
    await serverCommand(['forms', 'publish', path.join(FIXTURES, 'legal-aid-v1.yaml')], w.dataDir);
    const page = await w.openBrowser();
    page.on('dialog', (d) => d.accept());
    await page.goto(`${w.proxy.url}/`);
    await setLanguage(page, 'en');
    const start = '[data-testid=new-form-case][data-form=legal-aid][data-version="1"]';
    await page.locator(start).waitFor({ timeout: 60_000 });
    await page.locator(start).click();
    await page.locator('form.defined[data-form=legal-aid]').waitFor();
    await page.locator(`${field('full_name')} input`).fill('Marta Díaz');
    await page.locator('[data-testid=add-entry]').click();
    await page.locator(`${field('children.0.child_name')} input`).fill('Teo');
    await page.locator('[data-testid=add-entry]').click();
    await page.locator(`${field('children.1.child_name')} input`).fill('Iris');
    await waitSaved(page);
    await next(page);
    assert.equal((await page.locator('#step-title').textContent()).trim(), 'Your papers');

    // One block per person, named as typed; the kinds are the form's own.
    const people = await peopleOnStep4(page, 3);
    assert.equal(people[0], 'applicant');
    const whose = await page.locator(`${sel.personPhotos} legend`).allTextContents();
    assert.deepEqual(whose.map(unisolated), ['Marta Díaz', 'Teo', 'Iris']);
    const kinds = await page.locator(`${sel.personPhotos}[data-person=applicant] ${sel.photoKind} option`).allTextContents();
    assert.deepEqual(kinds.map((k) => k.trim()), ['Passport', 'Letter from the court']);
    await axeClean(page, 'the papers page');

    const mine = await addPhoto(page, 'applicant', 'court_letter', pictures.files[0]);
    const teos = await addPhoto(page, people[1], 'passport', pictures.files[1]);
    const iris = await addPhoto(page, people[2], 'passport', pictures.files[2], 'pick');
    for (const id of [mine, teos, iris]) await expectPhotoReady(page, id);

    // Removing Iris (after the confirmation) removes her photo with her.
    await page.locator('[data-testid=back]').click();
    await page.locator('[data-testid=entry][data-index="1"] [data-testid=remove-entry]').click();
    await pollUntil(async () => (await page.locator('[data-testid=entry]').count()) === 1, { what: 'one child left' });
    await waitSaved(page);
    await next(page);
    await peopleOnStep4(page, 2);
    // The blocks come first, their photos as they are read back from the store.
    const kept = await pollUntil(async () => {
      const ps = await photosOnPage(page);
      return ps.length >= 2 && ps;
    }, { timeout: 30_000, what: async () => `two photos listed (found ${JSON.stringify(await photosOnPage(page))})` });
    assert.deepEqual(kept.map((p) => p.id).sort(), [mine, teos].sort(), 'Iris\'s photo went with her');

    await next(page);
    await page.locator('[data-testid=review-photos] li').nth(1).waitFor();
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['delivered'], 180_000);
    const receipt = await receiptOnScreen(page);
    const caseId = new URL(page.url()).pathname.split('/').pop();

    const [stored] = (await dumpCases(w.dataDir)).filter((c) => c.case_id === caseId);
    assert.equal(stored.case.form_id, 'legal-aid');
    const childId = stored.case.answers.children[0].child_id;
    assert.equal(stored.case.answers.children.length, 1);
    assert.equal(people[1], childId, "the child's photo block is keyed by the entry's UUID");
    const refs = Object.fromEntries(stored.case.photos.map((p) => [p.photo_id, p]));
    assert.deepEqual(Object.keys(refs).sort(), [mine, teos].sort());
    assert.equal(refs[mine].member_id ?? null, null);
    assert.equal(refs[mine].kind, 'court_letter');
    assert.equal(refs[teos].member_id, childId);
    assert.equal(refs[teos].kind, 'passport');
    // The browser sealed it for the organisation (crypto.getRandomValues, HPKE in the sync worker).
    const stored_line = w.server.logs().split('\n').find((l) => l.includes('"case stored"') && l.includes(caseId));
    assert.match(stored_line ?? '', /"sealed":true/, `the case arrived sealed: ${stored_line}`);
    const onServer = (await dumpPhotos(w.dataDir)).filter((p) => p.case_id === caseId);
    assert.equal(onServer.length, 2, 'the server holds both photos');

    // The export: one CSV for the form, one for its repeat, and the photos.
    await createStaffUser(w.dataDir, 'ines', 'admin', 'a long staff password 42');
    const staff = await w.context.newPage();
    await staff.goto(`${w.server.url}/staff/login`);
    const login = staff.locator('form[action="/staff/login"]');
    await login.locator('input[name=username]').fill('ines');
    await login.locator('input[name=password]').fill('a long staff password 42');
    await login.getByRole('button', { name: 'Log in' }).click();
    await staff.waitForURL(`${w.server.url}/staff/cases`);
    const today = new Date().toISOString().slice(0, 10);
    const exportForm = staff.locator('form[action="/staff/export"]');
    await exportForm.locator('input[name=from]').fill(stored.received_at.slice(0, 10));
    await exportForm.locator('input[name=to]').fill(today);
    const [download] = await Promise.all([
      staff.waitForEvent('download', { timeout: 120_000 }),
      exportForm.getByRole('button', { name: 'Download ZIP' }).click(),
    ]);
    const zipFile = path.join(w.root, 'export.zip');
    await download.saveAs(zipFile);
    const zip = readZip(await fs.readFile(zipFile));
    const names = zip.names();
    for (const name of ['legal-aid.csv', 'legal-aid-children.csv', 'cases.json']) assert.ok(names.includes(name), `the ZIP holds ${name}: ${names.join(', ')}`);
    assert.equal(names.filter((n) => n.startsWith(`photos/${receipt}/`)).length, 2, `the two photos under photos/${receipt}/`);
    const form = csvRecords(zip.read('legal-aid.csv'), 'legal-aid.csv').records;
    assert.equal(form.length, 1);
    assert.equal(form[0].receipt_code, receipt);
    assert.equal(form[0].full_name, 'Marta Díaz');
    assert.equal(form[0].photos, '2');
    const children = csvRecords(zip.read('legal-aid-children.csv'), 'legal-aid-children.csv').records;
    assert.equal(children.length, 1);
    assert.equal(children[0].receipt_code, receipt);
    assert.equal(children[0].child_name, 'Teo');
    assert.equal(children[0].child_id, childId);
    w.log(`delivered ${receipt} with 2 photos; exported: ${names.join(', ')}`);
  });
});

test('the household definition itself, drawn by the renderer of defined forms, is filled, refused once, corrected and delivered', { timeout: TEST_TIMEOUT }, async (t) => {
  await withWorld(t, 'household-as-definition', async (w) => {
    const household = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'protocol', 'forms', 'household-intake.json'), 'utf8'));
    household.form_id = 'household-copy';
    const file = path.join(w.root, 'household-copy.json');
    await fs.writeFile(file, JSON.stringify(household));
    await serverCommand(['forms', 'publish', file], w.dataDir);
    const memberName = household.pages[2].items[0].items.find((i) => i.name === 'name').label.en;

    const page = await w.openBrowser();
    await page.goto(`${w.proxy.url}/`);
    await setLanguage(page, 'en');
    const start = '[data-testid=new-form-case][data-form=household-copy][data-version="1"]';
    await page.locator(start).waitFor({ timeout: 60_000 });
    await page.locator(start).click();
    await page.locator('form.defined[data-form=household-copy]').waitFor();

    await page.locator(`${field('applicant.name')} input`).fill('Rosa Martínez');
    await fillDate(page, field('applicant.date_of_birth'), '1990-04-17');
    // The built-in countries: a search box filters the list, as on the household's own screens.
    const country = page.locator(field('applicant.country_of_origin'));
    await typeInto(country.locator('input[type=search]'), 'Hond');
    assert.ok((await country.locator('input[type=radio]').count()) < 5, 'typing filters the countries');
    await country.locator('input[value=HN]').check();
    await axeClean(page, 'the about page drawn from the household definition');
    await next(page);
    const languages = page.locator(field('applicant.languages'));
    await typeInto(languages.locator('input[type=search]'), 'Espa');
    await languages.locator('input[value=es]').check();
    await page.locator(`${field('applicant.needs')} input[value=shelter]`).check();
    await next(page);
    await page.locator('[data-testid=add-entry]').click();
    await page.locator(`${field('members.0.name')} input`).fill('Luis Martínez');
    await fillDate(page, field('members.0.date_of_birth'), '2015-09-03');
    await page.locator(`${field('members.0.relationship')} input[value=child]`).check();
    await waitSaved(page);
    await next(page);
    const people = await peopleOnStep4(page, 2);
    const mine = await addPhoto(page, 'applicant', 'id_document', pictures.files[0]);
    const his = await addPhoto(page, people[1], 'birth_certificate', pictures.files[1]);
    for (const id of [mine, his]) await expectPhotoReady(page, id);
    await next(page);

    // The server refuses it once, naming the member's name: the form says so and leads there.
    const refusal = JSON.stringify({
      error: { code: 'validation_failed', message: 'refused', fields: [{ field: 'members.0.name', code: 'too_long' }] },
    });
    const rule = w.proxy.setRule({
      match: CASE_PUT,
      actions: [{ type: 'status', status: 422, body: refusal, headers: { 'content-type': 'application/json' } }, 'pass'],
    });
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['rejected'], 60_000);
    rule.remove();
    await page.locator('[data-testid=correct-again]').click();
    const said = page.locator('[data-testid=server-problem]');
    await said.waitFor();
    const words = unisolated(await said.textContent());
    assert.ok(words.includes(memberName), `the refusal names the member's ${memberName}: ${words}`);
    await said.locator('button').first().click();
    await pollUntil(async () => (await page.locator('#step-title').textContent()).trim() === household.pages[2].label.en, { what: 'the family page' });
    await pollUntil(async () => (await page.evaluate(() => document.activeElement?.id)) === 'f-members-0-name', {
      what: async () => `the focus on the member's name (on ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120))})`,
    });
    await page.locator(`${field('members.0.name')} input`).fill('Luis Martínez Soto');
    await waitSaved(page);
    for (let i = 0; i < 2; i++) await next(page);
    await page.locator(sel.submit).click();
    await expectCaseState(page, ['delivered'], 180_000);
    const caseId = new URL(page.url()).pathname.split('/').pop();

    const [stored] = (await dumpCases(w.dataDir)).filter((c) => c.case_id === caseId);
    assert.equal(stored.case.form_id, 'household-copy');
    const { applicant, members } = stored.case.answers;
    assert.deepEqual(applicant, {
      name: 'Rosa Martínez',
      date_of_birth: '1990-04-17',
      country_of_origin: 'HN',
      languages: ['es'],
      needs: ['shelter'],
    });
    assert.equal(members.length, 1);
    assert.deepEqual({ ...members[0], member_id: undefined }, { member_id: undefined, name: 'Luis Martínez Soto', date_of_birth: '2015-09-03', relationship: 'child' });
    const refs = Object.fromEntries(stored.case.photos.map((p) => [p.photo_id, p]));
    assert.equal(refs[his].member_id, members[0].member_id, "the member's photo points at the member");
    assert.equal(refs[mine].member_id ?? null, null);
    w.log(`household-copy delivered with 2 photos after one refusal`);
  });
});
