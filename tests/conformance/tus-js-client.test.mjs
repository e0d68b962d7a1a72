// Conformance: tus-js-client (npm, pinned in package.json), a tus client nobody here wrote,
// uploading to our real server's tus 1.0.0 endpoint at /api/v1/uploads/ from Node.
//
//   node --test tests/conformance/        (after cargo build --release -p server)
//   npm run test:conformance              (the same)
//
// Only target/release/server is needed (no browser, no dist/ beyond what --static-dir wants).
// RESGUARDO_SERVER_BIN points the harness at another binary. Every test starts its own server on
// a free port with its own data directory under tests/.tmp/tus-js-client/ (and, where a fault is
// injected, its own fault proxy), and removes that directory when it passes; a failed test leaves
// it for inspection (the next run empties tests/.tmp/tus-js-client/ first).
//
// What is checked, each with plain tus (creation, then PATCHes) and with creation-with-upload
// (the first chunk rides on the POST):
//   a. 10 MiB of random bytes in 1 MiB chunks arrives whole: dump-photos lists it with the
//      metadata sent and the stored file's bytes hash to the sha256 the client announced;
//   b. the fault proxy cuts the connection once, ~3.5 MiB into the body bytes: the client resumes
//      (HEAD, then PATCH from the server's offset) instead of restarting, so the body bytes that
//      reach the server stay under 10 MiB + 1 MiB (at most one chunk sent again);
//   c. creating again with the same photo_id returns the existing upload (the same URL) and the
//      server still holds exactly one photo: after a complete upload, after a half-done upload,
//      and when the answer to the first POST is lost on the way back (the "lost 201");
//   d. the same photo_id with a different sha256 is refused with 409 and nothing is overwritten.
// Nothing here fails for being slow within the per-test timeouts; timings are printed as
// diagnostics.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';

import * as tus from 'tus-js-client';

import { startFaultProxy } from '../support/fault-proxy.mjs';
import { dumpPhotos, freshTmpRoot, makeDir, registerDevice, serverCommand, startServer } from '../support/harness.mjs';
import { startBackends, startCluster } from '../support/scale.mjs';

const TMP = await freshTmpRoot(import.meta.url);

// RESGUARDO_CONFORMANCE_SCALE=1 (make test-scale): every test runs against two server processes
// on PostgreSQL + S3 behind a round-robin balancer, which is also the fault proxy.
const SCALE = process.env.RESGUARDO_CONFORMANCE_SCALE === '1';
let backends = null;
before(async () => {
  if (SCALE) backends = await startBackends(TMP);
});
after(async () => {
  await backends?.stop();
});

const MiB = 1024 * 1024;
const CHUNK = MiB;
const FILE_SIZE = 10 * MiB;
const UPLOADS = '/api/v1/uploads/';
const RETRY_DELAYS = [0, 200, 500, 1000];
const UPLOAD_TIMEOUT = 60_000;
const TEST_TIMEOUT = 180_000;
// Where the proxy cuts the body stream (b): after 3.5 MiB of upload body bytes.
const CUT_AT = 3.5 * MiB;
// HTTP framing is not counted in the proxy's body bytes, so the slack only covers rounding.
const RESUME_SLACK = 64 * 1024;

/** A test diagnostic of several lines (node:test escapes a newline inside one). */
const diag = (t, text) => text.split('\n').forEach((line) => t.diagnostic(line));

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

/** A random "photo": its bytes, their sha256 and the tus metadata our server requires. */
function makePhoto(size = FILE_SIZE, caseId = crypto.randomUUID()) {
  const data = crypto.randomBytes(size);
  const hash = sha256(data);
  return {
    data,
    sha256: hash,
    metadata: { photo_id: crypto.randomUUID(), case_id: caseId, sha256: hash, content_type: 'image/jpeg' },
  };
}

/**
 * Runs one tus.Upload of `data` to completion. Resolves with `{ url, requests, ms }` where
 * `requests` lists every HTTP exchange the client made ('POST /api/v1/uploads/ → 201', ...).
 * Rejects on the client's error (its message names the last response) or after `timeout` ms
 * (the upload is aborted first). `stopAfter` (bytes) aborts the upload once a chunk completes at
 * or past that offset and resolves with `{ aborted: true, offset }` instead.
 */
function runUpload(data, { endpoint, metadata, uploadDataDuringCreation, retryDelays = RETRY_DELAYS, stopAfter, timeout = UPLOAD_TIMEOUT }) {
  const requests = [];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let timer;
    const finish = (fn, value) => {
      clearTimeout(timer);
      fn(value);
    };
    const upload = new tus.Upload(data, {
      endpoint,
      chunkSize: CHUNK,
      retryDelays,
      metadata,
      uploadDataDuringCreation,
      headers: { Authorization: `Bearer ${deviceToken}` },
      onBeforeRequest(req) {
        requests.push(`${req.getMethod()} ${new URL(req.getURL()).pathname}`);
      },
      onAfterResponse(req, res) {
        const i = requests.findLastIndex((r) => r === `${req.getMethod()} ${new URL(req.getURL()).pathname}`);
        if (i >= 0) requests[i] += ` → ${res.getStatus()}`;
      },
      onShouldRetry(err, attempt, options) {
        // Name the network error on the request that got no answer, then decide as tus-js-client
        // would by default.
        const i = requests.findLastIndex((r) => !r.includes(' → ') && !r.includes(' ✗ '));
        const cause = err.causingError;
        if (i >= 0 && cause) requests[i] += ` ✗ ${cause.code ?? cause.message}`;
        return tus.defaultOptions.onShouldRetry(err, attempt, options);
      },
      onChunkComplete(_size, offset) {
        if (stopAfter !== undefined && offset >= stopAfter) {
          upload.abort(false).then(
            () => finish(resolve, { aborted: true, offset, url: upload.url, requests, ms: Date.now() - started }),
            (e) => finish(reject, e),
          );
        }
      },
      onSuccess() {
        finish(resolve, { url: upload.url, requests, ms: Date.now() - started });
      },
      onError(err) {
        finish(reject, new Error(`tus-js-client failed: ${err.message}\nrequests:\n  ${requests.join('\n  ')}`, { cause: err }));
      },
    });
    timer = setTimeout(() => {
      upload.abort(false).catch(() => {});
      reject(new Error(`the upload did not finish within ${timeout / 1000} s\nrequests:\n  ${requests.join('\n  ')}`));
    }, timeout);
    upload.start();
  });
}

/** Asserts dump-photos lists `photo` exactly once, as sent, and that its stored bytes match. */
async function assertStored(dataDir, photo) {
  const photos = await dumpPhotos(dataDir);
  const mine = photos.filter((p) => p.photo_id === photo.metadata.photo_id);
  assert.equal(mine.length, 1, `dump-photos should list photo ${photo.metadata.photo_id} exactly once: ${JSON.stringify(photos)}`);
  const [stored] = mine;
  assert.equal(stored.sha256, photo.sha256, 'dump-photos sha256');
  assert.equal(stored.size, photo.data.length, 'dump-photos size');
  assert.equal(stored.case_id, photo.metadata.case_id, 'dump-photos case_id');
  assert.equal(stored.content_type, photo.metadata.content_type, 'dump-photos content_type');
  if (SCALE) {
    // In the bucket: the server reads every photo back and checks it against the database.
    assert.match(stored.path, /^s3:\/\//, 'dump-photos names the object');
    const report = JSON.parse(await serverCommand(['verify-photos'], dataDir));
    assert.deepEqual(report.problems, [], 'verify-photos');
    return photos;
  }
  assert.ok(typeof stored.path === 'string' && stored.path.startsWith('/'), `dump-photos path should be absolute: ${stored.path}`);
  const bytes = await fs.readFile(stored.path);
  assert.equal(bytes.length, photo.data.length, `size of the stored file ${stored.path}`);
  assert.equal(sha256(bytes), photo.sha256, `sha256 of the stored file ${stored.path}`);
  return photos;
}

/**
 * Gives `fn` a fresh server (and, with `proxy: true`, a fault proxy in front of it) on a data
 * directory of its own; stops them afterwards, and removes the directory if `fn` succeeded. On
 * failure the server's log is appended to the error.
 */
/** The bearer token of the device the current test registered (our server requires one). */
let deviceToken = '';

async function withServer(name, options = {}, fn) {
  if (SCALE) return withCluster(name, options, fn);
  const { proxy: wantProxy = false, proxyOptions = {} } = options;
  const dataDir = await makeDir(TMP, name);
  const server = await startServer({ dataDir });
  let proxy = null;
  try {
    deviceToken = await registerDevice(server.url);
    if (wantProxy) proxy = await startFaultProxy({ target: server.url, ...proxyOptions });
    await fn({ server, proxy, dataDir, endpoint: `${(proxy ?? server).url}${UPLOADS}` });
  } catch (e) {
    const logs = server.logs();
    e.message += `\n${logs.length > 8000 ? `…${logs.slice(-8000)}` : logs}`;
    throw e;
  } finally {
    await proxy?.close();
    await server.stop();
  }
  await fs.rm(dataDir, { recursive: true, force: true });
}

/**
 * As withServer, on a cluster: the balancer stands where the proxy would (a test that wants a
 * proxy gets the balancer, with its fault rules); `dataDir` is the first process's, and the
 * back ends' settings are in the environment for the commands the test runs.
 */
async function withCluster(name, { proxyOptions = {} } = {}, fn) {
  const cluster = await startCluster(TMP, name, backends, { proxyOptions });
  const saved = { ...process.env };
  Object.assign(process.env, cluster.env);
  try {
    deviceToken = await registerDevice(cluster.lb.url);
    await fn({ server: cluster.servers[0], proxy: cluster.lb, dataDir: cluster.dirs[0], endpoint: `${cluster.lb.url}${UPLOADS}` });
  } catch (e) {
    e.message += `\n${cluster.logs()}`;
    throw e;
  } finally {
    for (const k of Object.keys(cluster.env)) {
      if (k in saved) process.env[k] = saved[k];
      else delete process.env[k];
    }
    await cluster.stop();
  }
}

/** tus Upload-Metadata: comma-separated `key base64(value)` pairs. */
const encodeMetadata = (m) => Object.entries(m).map(([k, v]) => `${k} ${Buffer.from(String(v)).toString('base64')}`).join(',');

/** A request that carries upload bytes: a PATCH, or a creation-with-upload POST. */
const carriesUploadBody = (req) =>
  req.url.startsWith(UPLOADS) &&
  (req.method === 'PATCH' || (req.method === 'POST' && req.headers['content-type'] === 'application/offset+octet-stream'));

for (const uploadDataDuringCreation of [false, true]) {
  const mode = uploadDataDuringCreation ? 'creation-with-upload' : 'creation + PATCH';
  const tag = uploadDataDuringCreation ? 'cwu' : 'plain';

  test(`a (${mode}): 10 MiB in 1 MiB chunks is stored whole with the announced sha256`, { timeout: TEST_TIMEOUT }, async (t) => {
    await withServer(`a-${tag}`, {}, async ({ endpoint, dataDir }) => {
      const photo = makePhoto();
      const result = await runUpload(photo.data, { endpoint, metadata: photo.metadata, uploadDataDuringCreation });
      t.diagnostic(`${result.ms} ms, ${result.requests.length} requests`);
      assert.ok(result.url?.includes(UPLOADS), `upload URL ${result.url}`);
      const bodyRequests = result.requests.filter((r) => r.startsWith('PATCH') || (uploadDataDuringCreation && r.startsWith('POST')));
      assert.equal(bodyRequests.length, FILE_SIZE / CHUNK, `one request per 1 MiB chunk:\n  ${result.requests.join('\n  ')}`);
      await assertStored(dataDir, photo);
    });
  });

  test(`b (${mode}): a connection cut ~3.5 MiB in resumes from the server's offset`, { timeout: TEST_TIMEOUT }, async (t) => {
    await withServer(`b-${tag}`, { proxy: true }, async ({ endpoint, dataDir, proxy }) => {
      // The proxy's cut-after-bytes counts the body of one request, and each body-carrying
      // request holds one 1 MiB chunk: so pass the first three and cut the fourth half-way.
      const rule = proxy.setRule({
        name: 'cut-once-3.5MiB-in',
        match: carriesUploadBody,
        actions: [...Array(Math.floor(CUT_AT / CHUNK)).fill('pass'), `cut-after-bytes:${CUT_AT % CHUNK}`, 'pass'],
      });
      const photo = makePhoto();
      const result = await runUpload(photo.data, { endpoint, metadata: photo.metadata, uploadDataDuringCreation });

      const log = proxy.stats.log;
      const summary = () => log.map((e) => `${e.method} ${e.path} ${e.action} → ${e.status ?? '-'} ${e.outcome} (${e.reqBytes} B)`).join('\n  ');
      diag(t, `${result.ms} ms; proxy saw:\n  ${summary()}`);
      assert.ok(rule.hits > Math.floor(CUT_AT / CHUNK) + 1, `the rule should have matched the cut request and later ones (${rule.hits} hits)`);
      assert.equal(proxy.stats.count({ outcome: 'cut' }), 1, `exactly one request cut:\n  ${summary()}`);
      const cutIndex = log.findIndex((e) => e.outcome === 'cut');
      assert.ok(
        log.slice(cutIndex + 1).some((e) => e.method === 'HEAD' && e.path.startsWith(UPLOADS)),
        `after the cut the client should ask the server's offset with HEAD:\n  ${summary()}`,
      );
      assert.equal(proxy.stats.count({ method: 'POST', prefix: UPLOADS }), 1, `one creation only (resume, not a new upload):\n  ${summary()}`);
      const bodyBytes = log.filter((e) => e.path.startsWith(UPLOADS)).reduce((n, e) => n + e.reqBytes, 0);
      t.diagnostic(`upload body bytes forwarded: ${bodyBytes} (${(bodyBytes / MiB).toFixed(2)} MiB) for a ${FILE_SIZE / MiB} MiB file`);
      assert.ok(bodyBytes >= FILE_SIZE, `at least the whole file must have passed (${bodyBytes} B)`);
      assert.ok(
        bodyBytes < FILE_SIZE + CHUNK + RESUME_SLACK,
        `resumed rather than restarted: ${bodyBytes} body bytes forwarded, limit ${FILE_SIZE + CHUNK + RESUME_SLACK}:\n  ${summary()}`,
      );
      await assertStored(dataDir, photo);
    });
  });

  test(`c1 (${mode}): creating again after completion returns the same upload, one photo`, { timeout: TEST_TIMEOUT }, async () => {
    await withServer(`c1-${tag}`, {}, async ({ endpoint, dataDir }) => {
      const photo = makePhoto();
      const first = await runUpload(photo.data, { endpoint, metadata: photo.metadata, uploadDataDuringCreation });
      // A fresh tus.Upload with the same metadata and no stored URL (Node's default URL storage
      // stores nothing): it must POST again.
      const again = await runUpload(photo.data, { endpoint, metadata: photo.metadata, uploadDataDuringCreation });
      assert.match(again.requests[0], /^POST /, `the second upload starts with a creation POST:\n  ${again.requests.join('\n  ')}`);
      // (A server that answers a creation-with-upload POST before reading its body makes the
      // kernel reset the connection, and the client sees no answer at all: read or drain the body
      // first.)
      assert.match(again.requests[0], /→ 20[01]$/, `creation with a known photo_id answers 201 or 200:\n  ${again.requests.join('\n  ')}`);
      assert.equal(again.url, first.url, 'the second creation should get the existing upload\'s Location');
      const photos = await assertStored(dataDir, photo);
      assert.equal(photos.length, 1, `the server should hold exactly one photo: ${JSON.stringify(photos)}`);
    });
  });

  test(`c2 (${mode}): creating again after a half-done upload continues it, one photo`, { timeout: TEST_TIMEOUT }, async () => {
    await withServer(`c2-${tag}`, {}, async ({ endpoint, dataDir }) => {
      const photo = makePhoto();
      const first = await runUpload(photo.data, { endpoint, metadata: photo.metadata, uploadDataDuringCreation, stopAfter: 4 * MiB });
      assert.ok(first.aborted && first.url, 'the first upload was stopped part-way');
      assert.equal((await dumpPhotos(dataDir)).length, 0, 'a half-done upload is not a stored photo');
      const again = await runUpload(photo.data, { endpoint, metadata: photo.metadata, uploadDataDuringCreation });
      assert.equal(again.url, first.url, 'the second creation should get the existing upload\'s Location');
      const photos = await assertStored(dataDir, photo);
      assert.equal(photos.length, 1, `the server should hold exactly one photo: ${JSON.stringify(photos)}`);
    });
  });

  test(`c3 (${mode}): a lost answer to the creation POST makes no second upload`, { timeout: TEST_TIMEOUT }, async (t) => {
    await withServer(`c3-${tag}`, { proxy: true }, async ({ endpoint, dataDir, proxy }) => {
      const rule = proxy.setRule({ name: 'lose-first-201', match: { method: 'POST', prefix: UPLOADS }, actions: ['lose-response', 'pass'] });
      const photo = makePhoto();
      const result = await runUpload(photo.data, { endpoint, metadata: photo.metadata, uploadDataDuringCreation });
      diag(t, `requests:\n  ${result.requests.join('\n  ')}`);
      assert.equal(proxy.stats.count({ outcome: 'lost' }), 1, 'the first creation answer was lost');
      assert.ok(rule.hits >= 2, `the client created again (${rule.hits} POSTs)`);
      // The client never saw the first Location; a plain creation POST with the same metadata
      // names the server's one upload for this photo_id, which must be the one that completed.
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'Tus-Resumable': '1.0.0',
          'Upload-Length': String(photo.data.length),
          'Upload-Metadata': encodeMetadata(photo.metadata),
          Authorization: `Bearer ${deviceToken}`,
        },
      });
      await res.arrayBuffer();
      assert.ok(res.status === 200 || res.status === 201, `creation POST with a known photo_id: ${res.status}`);
      assert.equal(new URL(res.headers.get('location'), endpoint).href, result.url, 'the Location of the one upload for this photo_id');
      const photos = await assertStored(dataDir, photo);
      assert.equal(photos.length, 1, `the server should hold exactly one photo: ${JSON.stringify(photos)}`);
    });
  });
}

test('d: the same photo_id with a different sha256 is a 409 conflict, never an overwrite', { timeout: TEST_TIMEOUT }, async () => {
  await withServer('d', {}, async ({ endpoint, dataDir }) => {
    const photo = makePhoto(2 * MiB);
    await runUpload(photo.data, { endpoint, metadata: photo.metadata, uploadDataDuringCreation: false });
    const other = crypto.randomBytes(photo.data.length);
    const metadata = { ...photo.metadata, sha256: sha256(other) };
    // No retries: tus-js-client would retry a 409 by creating again, and get 409 again.
    const err = await runUpload(other, { endpoint, metadata, uploadDataDuringCreation: false, retryDelays: null }).then(
      () => null,
      (e) => e,
    );
    assert.ok(err, 'the conflicting upload must fail');
    assert.equal(err.cause?.originalResponse?.getStatus(), 409, `status of the conflicting creation: ${err.message}`);
    const photos = await assertStored(dataDir, photo);
    assert.equal(photos.length, 1, `the server should hold exactly one photo: ${JSON.stringify(photos)}`);
  });
});
