// Many processes, one truth: two real server processes on one PostgreSQL and one S3-compatible
// bucket (s3s-fs), behind a round-robin balancer (the fault proxy), so consecutive requests of
// one device, and consecutive chunks of one upload, reach different processes.
//
//   node --test tests/scale/     (after cargo build --release -p server and trunk build)
//
// The file starts its own PostgreSQL cluster and s3s-fs (tests/support/scale.mjs) on free ports
// under tests/.tmp/two-processes/ and stops them after. What is checked:
//   1. tus-js-client uploads a photo in small chunks through the balancer: the PATCHes reach
//      both processes, the photo is stored once, and `verify-photos` reads it back from the
//      bucket with the announced SHA-256;
//   2. the core loop in Chromium through the balancer: a household with a document photo is
//      typed, sealed (to the organisation's keys, which both processes read from the database),
//      sent and delivered; `dump-cases` run against either process's settings prints the
//      same cases, with the receipt the person was shown;
//   3. one process is killed (SIGKILL) while a chunk is on its way to it: the balancer takes it
//      out, and the upload finishes through the other from the offset the database kept (after
//      the dead process's lease on the upload runs out).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';

import * as tus from 'tus-js-client';

import {
  assertBuilt,
  firstPage,
  freshTmpRoot,
  launchBrowser,
  makeDir,
  pollUntil,
  registerDevice,
  serverCommand,
  waitForServiceWorker,
} from '../support/harness.mjs';
import { HOUSEHOLD, REVIEW_STEP, fillHousehold, goToStep, receiptOnScreen, sel, setLanguage, startNewCase, DOCUMENTS_STEP } from '../support/app.mjs';
import { addPhoto, expectPhotoReady, makeTestPictures, peopleOnStep4, statusNow } from '../support/photos.mjs';
import { startBackends, startCluster } from '../support/scale.mjs';

const TMP = await freshTmpRoot(import.meta.url);
const TEST_TIMEOUT = 240_000;
const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');

const world = { backends: null, cluster: null, servers: [], dirs: [], lb: null };

/** Runs a server command with the shared back ends (and the first process's data directory). */
const command = (args, dataDir = world.dirs[0]) => serverCommand(args, dataDir, { env: world.cluster.env });

before(async () => {
  assertBuilt();
  world.backends = await startBackends(TMP);
  world.cluster = await startCluster(TMP, 'two-processes', world.backends);
  ({ servers: world.servers, dirs: world.dirs, lb: world.lb } = world.cluster);
});

after(async () => {
  await world.cluster?.stop();
  await world.backends?.stop();
});

const serverLogs = () => world.cluster.logs();
const upstreamsOf = (method) => new Set(world.lb.stats.log.filter((e) => e.method === method).map((e) => e.upstream));

function tusUpload(data, { endpoint, token, metadata, chunkSize }) {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(data, {
      endpoint,
      chunkSize,
      retryDelays: [0, 500, 1000, 2000, 4000],
      metadata,
      headers: { Authorization: `Bearer ${token}` },
      onSuccess: () => resolve(upload.url),
      onError: reject,
    });
    upload.start();
  });
}

test('1. tus-js-client chunks through the balancer reach both processes and the photo is stored once', { timeout: TEST_TIMEOUT }, async () => {
  try {
    const token = await registerDevice(world.lb.url);
    const data = crypto.randomBytes(1_200_000);
    const metadata = { photo_id: crypto.randomUUID(), case_id: crypto.randomUUID(), sha256: sha256(data), content_type: 'image/jpeg' };
    await tusUpload(data, { endpoint: `${world.lb.url}/api/v1/uploads/`, token, metadata, chunkSize: 256 * 1024 });
    assert.equal(upstreamsOf('PATCH').size, 2, 'the PATCHes of one upload reached both processes');
    const photos = JSON.parse(await command(['dump-photos']));
    const mine = photos.filter((p) => p.photo_id === metadata.photo_id);
    assert.equal(mine.length, 1, 'stored once');
    assert.equal(mine[0].sha256, metadata.sha256);
    assert.match(mine[0].path, /^s3:\/\/resguardo-test\/two-processes-\d+\/photos\//);
    const report = JSON.parse(await command(['verify-photos']));
    assert.deepEqual(report.problems, [], 'every stored photo reads back from the bucket as recorded');
    assert.ok(report.verified >= 1);
  } catch (e) {
    e.message += `\n${serverLogs()}`;
    throw e;
  }
});

test('2. the core loop in Chromium through the balancer, and dump-cases the same from either process', { timeout: TEST_TIMEOUT }, async () => {
  const profile = await makeDir(TMP, 'profile');
  const pictures = await makeTestPictures(await makeDir(TMP, 'images'), { count: 1 });
  const context = await launchBrowser(profile);
  try {
    const page = await firstPage(context);
    await page.goto(`${world.lb.url}/`);
    await waitForServiceWorker(page);
    await setLanguage(page, 'en');
    const caseId = await startNewCase(page);
    await fillHousehold(page);
    await goToStep(page, DOCUMENTS_STEP);
    const people = await peopleOnStep4(page, 1 + HOUSEHOLD.members.length);
    const photoId = await addPhoto(page, people[0], 'id_document', pictures.files[0]);
    await expectPhotoReady(page, photoId);
    await goToStep(page, REVIEW_STEP);
    await page.locator(sel.submit).click();
    await pollUntil(async () => (await statusNow(page)).state === 'delivered', {
      timeout: 120_000,
      what: async () => `the case to be delivered (status ${JSON.stringify(await statusNow(page))})`,
    });
    const receipt = await receiptOnScreen(page);
    const [fromA, fromB] = [JSON.parse(await command(['dump-cases'], world.dirs[0])), JSON.parse(await command(['dump-cases'], world.dirs[1]))];
    assert.deepEqual(fromA, fromB, 'dump-cases prints the same from either process');
    const mine = fromA.filter((c) => c.case_id === caseId);
    assert.equal(mine.length, 1, 'the case is stored once');
    assert.equal(mine[0].receipt_code, receipt, 'with the receipt the person was shown');
    assert.deepEqual(mine[0].case.photos.map((p) => p.photo_id), [photoId]);
    const report = JSON.parse(await command(['verify-photos']));
    assert.deepEqual(report.problems, []);
  } catch (e) {
    e.message += `\n${serverLogs()}`;
    throw e;
  } finally {
    await context.close();
  }
});

/** A PATCH straight to `url` whose body is sent in part and then held open; resolves when sent. */
function hangingPatch(url, token, offset, bytes) {
  const req = http.request(url, {
    method: 'PATCH',
    headers: {
      'tus-resumable': '1.0.0',
      authorization: `Bearer ${token}`,
      'content-type': 'application/offset+octet-stream',
      'upload-offset': String(offset),
      'content-length': String(bytes.length),
    },
  });
  req.on('error', () => {});
  req.write(bytes.subarray(0, bytes.length / 2));
  return req;
}

test('3. a process killed mid-upload: the upload finishes through the other one', { timeout: TEST_TIMEOUT }, async (t) => {
  const [a, b] = world.servers;
  try {
    const token = await registerDevice(world.lb.url);
    const data = crypto.randomBytes(600_000);
    const meta = { photo_id: crypto.randomUUID(), case_id: crypto.randomUUID(), sha256: sha256(data), content_type: 'image/jpeg' };
    const encoded = Object.entries(meta).map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`).join(',');
    const tusHeaders = { 'tus-resumable': '1.0.0', authorization: `Bearer ${token}` };
    const created = await fetch(`${a.url}/api/v1/uploads/`, {
      method: 'POST',
      headers: { ...tusHeaders, 'upload-length': String(data.length), 'upload-metadata': encoded },
    });
    assert.equal(created.status, 201);
    const uploadPath = new URL(created.headers.get('location'), a.url).pathname;
    // The first 200 kB go to process a and are committed there.
    const first = await fetch(`${a.url}${uploadPath}`, {
      method: 'PATCH',
      headers: { ...tusHeaders, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
      body: data.subarray(0, 200_000),
    });
    assert.equal(first.status, 204);
    // The next chunk is on its way to a when a dies.
    const hanging = hangingPatch(`${a.url}${uploadPath}`, token, 200_000, data.subarray(200_000, 400_000));
    await new Promise((r) => setTimeout(r, 500));
    await a.kill();
    hanging.destroy();
    world.lb.setTargets([b.url]);
    // Through the balancer (now b only): the offset the database kept, then the rest.
    const head = await fetch(`${world.lb.url}${uploadPath}`, { method: 'HEAD', headers: tusHeaders });
    assert.equal(head.status, 200);
    const offset = Number(head.headers.get('upload-offset'));
    assert.equal(offset, 200_000, 'what a committed is known to b');
    const started = Date.now();
    const statuses = [];
    const done = await pollUntil(
      async () => {
        const r = await fetch(`${world.lb.url}${uploadPath}`, {
          method: 'PATCH',
          headers: { ...tusHeaders, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
          body: data.subarray(offset),
        });
        statuses.push(r.status);
        return r.status === 204 && r;
      },
      { timeout: 90_000, interval: 1_000, what: () => `b to take the upload over (answers so far: ${statuses.join(', ')})` },
    );
    assert.equal(done.headers.get('upload-offset'), String(data.length));
    assert.ok(statuses.every((s) => s === 204 || s === 409), `only "locked" until a's lease ran out: ${statuses.join(', ')}`);
    t.diagnostic(`b finished the upload ${((Date.now() - started) / 1000).toFixed(1)} s after a died (answers: ${statuses.join(', ')})`);
    const photos = JSON.parse(await command(['dump-photos'], world.dirs[1]));
    const mine = photos.filter((p) => p.photo_id === meta.photo_id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0].sha256, meta.sha256);
    const report = JSON.parse(await command(['verify-photos'], world.dirs[1]));
    assert.deepEqual(report.problems, []);
  } catch (e) {
    e.message += `\n${serverLogs()}`;
    throw e;
  }
});
