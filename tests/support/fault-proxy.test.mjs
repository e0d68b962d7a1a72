// Unit tests of the fault proxy against a tiny local upstream server: `node --test tests/support/`.

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { once } from 'node:events';

import { startFaultProxy, parseAction, parseLink } from './fault-proxy.mjs';

// ---- the upstream: records what reached it, and whether each body arrived whole --------------

const seen = []; // { method, url, headers, bytes, sha256, ended, aborted, finishedAt }
let upstream;
let upstreamUrl;

function startUpstream() {
  const server = http.createServer((req, res) => {
    const rec = { method: req.method, url: req.url, headers: req.headers, bytes: 0, ended: false, aborted: false };
    seen.push(rec);
    const hash = createHash('sha256');
    req.on('data', (c) => {
      rec.bytes += c.length;
      hash.update(c);
    });
    req.on('error', () => {});
    req.on('close', () => {
      if (!rec.ended) rec.aborted = true;
    });
    req.on('end', async () => {
      rec.ended = true;
      rec.sha256 = hash.digest('hex');
      const u = new URL(req.url, 'http://x');
      if (u.pathname === '/big') {
        // 1 MiB in 64 KiB pieces, streamed without a content-length.
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-upstream': 'yes' });
        for (let i = 0; i < 16; i++) {
          if (!res.write(Buffer.alloc(65536, i))) await once(res, 'drain');
        }
        res.end();
        return;
      }
      const wait = Number(u.searchParams.get('wait') ?? 0);
      if (wait) await new Promise((r) => setTimeout(r, wait));
      const status = Number(u.searchParams.get('status') ?? (req.method === 'PUT' ? 201 : 200));
      const body = JSON.stringify({ method: req.method, url: req.url, bytes: rec.bytes, sha256: rec.sha256 });
      res.on('finish', () => {
        rec.finishedAt = Date.now();
      });
      res.writeHead(status, { 'content-type': 'application/json', 'x-upstream': 'yes', 'set-cookie': ['a=1', 'b=2'] });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---- a client that reports either the full answer or the error -----------------------------------

function request(url, { method = 'GET', headers = {}, body, agent = false, chunks } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
      res.on('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
    });
    req.on('error', reject);
    if (chunks) {
      // A streamed (chunked) body, written piece by piece.
      (async () => {
        for (const c of chunks) {
          if (req.destroyed) return;
          if (!req.write(c)) await once(req, 'drain').catch(() => {});
          await new Promise((r) => setImmediate(r));
        }
        req.end();
      })();
    } else {
      req.end(body);
    }
  });
}

const json = (r) => JSON.parse(r.body.toString('utf8'));
const sha = (buf) => createHash('sha256').update(buf).digest('hex');
const isNetworkError = (err) =>
  ['ECONNRESET', 'EPIPE', 'ECONNREFUSED'].includes(err.code) || /socket hang up/.test(err.message);

async function eventually(fn, ms = 2000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return fn();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

let proxy;

before(async () => {
  upstream = await startUpstream();
  upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;
});
after(async () => {
  await proxy?.close();
  await new Promise((r) => upstream.close(r));
});
beforeEach(async () => {
  await proxy?.close();
  proxy = await startFaultProxy({ target: upstreamUrl });
  seen.length = 0;
});

// ---- pass ------------------------------------------------------------------------------------------

test('pass forwards method, path, query, headers and a streamed body, and streams the answer back', async () => {
  const chunks = Array.from({ length: 20 }, (_, i) => Buffer.alloc(10_000, i));
  const whole = Buffer.concat(chunks);
  const r = await request(`${proxy.url}/api/v1/cases/abc?x=1`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-resguardo-client': '0.1.0' },
    chunks,
  });
  assert.equal(r.status, 201);
  assert.equal(r.headers['x-upstream'], 'yes');
  assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2']);
  assert.deepEqual(json(r), { method: 'PUT', url: '/api/v1/cases/abc?x=1', bytes: whole.length, sha256: sha(whole) });
  assert.equal(seen.length, 1);
  assert.equal(seen[0].headers['x-resguardo-client'], '0.1.0');
  assert.equal(seen[0].headers.host, new URL(proxy.url).host, 'the Host header is kept (absolute URLs point at the proxy)');
  assert.equal(proxy.stats.requests, 1);
  assert.equal(proxy.stats.bytesForwarded, whole.length);
  assert.deepEqual(proxy.stats.byPrefix, { '/api/v1/cases/': 1 });
  assert.deepEqual(proxy.stats.actions, ['pass']);
  assert.equal(proxy.stats.log[0].status, 201);
  assert.equal(proxy.stats.log[0].outcome, 'responded');
});

test('pass streams a large response intact, and a fixed-length body too', async () => {
  const r = await request(`${proxy.url}/big`);
  assert.equal(r.status, 200);
  assert.equal(r.body.length, 16 * 65536);
  for (let i = 0; i < 16; i++) assert.equal(r.body[i * 65536 + 100], i);

  const body = Buffer.from(JSON.stringify({ hello: 'wörld' }));
  const r2 = await request(`${proxy.url}/echo`, { method: 'POST', headers: { 'content-length': body.length }, body });
  assert.equal(json(r2).sha256, sha(body));
  assert.deepEqual(proxy.stats.byPrefix, { '/': 2 });
});

// ---- down ------------------------------------------------------------------------------------------

test('down resets new connections and drops open keep-alive ones; pass brings it back', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const ok = await request(`${proxy.url}/before`, { agent });
    assert.equal(ok.status, 200);
    proxy.setMode('down');
    await assert.rejects(request(`${proxy.url}/during`, { agent }), isNetworkError);
    await assert.rejects(request(`${proxy.url}/during-fresh`), isNetworkError);
    assert.ok(proxy.stats.connectionsRefused >= 1);
    assert.deepEqual(
      seen.map((s) => s.url),
      ['/before'],
      'nothing reached the server while down',
    );
    proxy.setMode('pass');
    const back = await request(`${proxy.url}/after`, { agent });
    assert.equal(back.status, 200);
  } finally {
    agent.destroy();
  }
});

// ---- status ----------------------------------------------------------------------------------------

test('status answers the given status with the JSON error body, without forwarding', async () => {
  proxy.setMode('status:503');
  const body = Buffer.alloc(5000, 1);
  const r = await request(`${proxy.url}/api/v1/cases/x`, { method: 'PUT', body });
  assert.equal(r.status, 503);
  assert.match(r.headers['content-type'], /^application\/json/);
  assert.deepEqual(json(r), { error: { code: 'unavailable', message: 'injected' } });
  proxy.setMode({ type: 'status', status: 500 });
  const r2 = await request(`${proxy.url}/y`);
  assert.equal(r2.status, 500);
  assert.equal(seen.length, 0);
  assert.equal(proxy.stats.bytesForwarded, 0);
  assert.deepEqual(proxy.stats.actions, ['status:503', 'status:500']);
});

// ---- reset -----------------------------------------------------------------------------------------

test('reset drops the client connection without forwarding', async () => {
  proxy.setMode('reset');
  await assert.rejects(request(`${proxy.url}/api/v1/cases/x`, { method: 'PUT', body: '{}' }), isNetworkError);
  assert.equal(seen.length, 0);
  assert.equal(proxy.stats.log[0].outcome, 'reset');
});

// ---- lose-response ---------------------------------------------------------------------------------

test('lose-response lets the server finish, then the client hears nothing', async () => {
  proxy.setMode('lose-response');
  const body = Buffer.from('{"a":1}');
  let upstreamDoneWhenClientFailed;
  await assert.rejects(
    request(`${proxy.url}/api/v1/cases/x?wait=200`, { method: 'PUT', body }).catch((e) => {
      upstreamDoneWhenClientFailed = seen[0]?.finishedAt !== undefined;
      throw e;
    }),
    isNetworkError,
  );
  assert.equal(upstreamDoneWhenClientFailed, true, 'the server had sent its whole answer before the client was cut');
  assert.equal(seen.length, 1);
  assert.equal(seen[0].ended, true);
  assert.equal(seen[0].bytes, body.length);
  assert.equal(proxy.stats.log[0].status, 201, 'the status the server answered is recorded');
  assert.equal(proxy.stats.log[0].outcome, 'lost');
});

// ---- cut-after-bytes -------------------------------------------------------------------------------

test('cut-after-bytes delivers exactly N body bytes upstream, then cuts both sides', async () => {
  const N = 25_000;
  proxy.setMode(`cut-after-bytes:${N}`);
  const chunks = Array.from({ length: 10 }, () => Buffer.alloc(10_000, 7));
  await assert.rejects(request(`${proxy.url}/api/v1/uploads/p1`, { method: 'PATCH', chunks }), isNetworkError);
  await eventually(() => assert.equal(seen[0]?.aborted, true, 'the server saw the connection drop'));
  assert.equal(seen[0].ended, false);
  assert.equal(seen[0].bytes, N);
  assert.equal(proxy.stats.bytesForwarded, N);
  assert.equal(proxy.stats.log[0].reqBytes, N);
  assert.equal(proxy.stats.log[0].outcome, 'cut');
});

test('cut-after-bytes with a content-length body, cut at 0, and a body shorter than N', async () => {
  proxy.setMode({ type: 'cut-after-bytes', bytes: 1000 });
  const body = Buffer.alloc(50_000, 3);
  await assert.rejects(
    request(`${proxy.url}/a`, { method: 'PUT', headers: { 'content-length': body.length }, body }),
    isNetworkError,
  );
  await eventually(() => assert.equal(seen[0]?.aborted, true));
  assert.equal(seen[0].bytes, 1000);

  proxy.setMode('cut-after-bytes:0');
  await assert.rejects(request(`${proxy.url}/b`, { method: 'PUT', body }), isNetworkError);
  await eventually(() => assert.equal(seen[1]?.aborted, true));
  assert.equal(seen[1].bytes, 0);

  proxy.setMode('cut-after-bytes:100000');
  const r = await request(`${proxy.url}/c`, { method: 'PUT', body });
  assert.equal(r.status, 201);
  assert.equal(json(r).sha256, sha(body));
});

// ---- delay -----------------------------------------------------------------------------------------

test('delay waits before forwarding', async () => {
  proxy.setMode('delay:300');
  const t0 = Date.now();
  const r = await request(`${proxy.url}/slow`);
  assert.equal(r.status, 200);
  assert.ok(Date.now() - t0 >= 290, 'the answer cannot come before the delay');
  assert.equal(seen.length, 1);
});

// ---- rules -----------------------------------------------------------------------------------------

test('a rule scripts matching requests (the last action repeats); others follow the mode', async () => {
  const rule = proxy.setRule({
    match: (req) => req.method === 'PUT' && req.url.startsWith('/api/v1/cases/'),
    actions: ['status:500', 'reset', 'reset', 'pass'],
  });
  const put = () => request(`${proxy.url}/api/v1/cases/c1`, { method: 'PUT', body: '{"x":1}' });
  const outcomes = [];
  for (let i = 0; i < 5; i++) {
    outcomes.push(await put().then((r) => r.status, (e) => (isNetworkError(e) ? 'reset' : e)));
    // Requests the rule does not match pass untouched in between.
    assert.equal((await request(`${proxy.url}/api/v1/health`)).status, 200);
    assert.equal((await request(`${proxy.url}/api/v1/cases/c1`)).status, 200);
  }
  assert.deepEqual(outcomes, [500, 'reset', 'reset', 201, 201]);
  assert.equal(rule.hits, 5);
  assert.equal(proxy.stats.matched, 5);
  assert.equal(proxy.stats.count({ method: 'PUT', prefix: '/api/v1/cases/' }), 5);
  assert.equal(proxy.stats.count({ prefix: '/api/v1/health' }), 5);
  assert.equal(proxy.stats.byPrefix['/api/v1/cases/'], 10);
  assert.equal(proxy.stats.byPrefix['/api/v1/'], 5);
  assert.deepEqual(
    proxy.stats.log.filter((e) => e.method === 'PUT').map((e) => e.action),
    ['status:500', 'reset', 'reset', 'pass', 'pass'],
  );
  assert.equal(seen.filter((s) => s.method === 'PUT').length, 2, 'only the passed PUTs reached the server');
});

test('rules: object matchers, first match wins, addRule/remove/clearRules, setRule replaces', async () => {
  proxy.setMode('status:503');
  const a = proxy.addRule({ match: { method: 'GET', prefix: '/a/' }, actions: 'pass' });
  proxy.addRule({ match: { prefix: '/a/' }, actions: ['status:418'] });
  assert.equal((await request(`${proxy.url}/a/1`)).status, 200);
  assert.equal((await request(`${proxy.url}/a/1`, { method: 'POST', body: 'x' })).status, 418);
  assert.equal((await request(`${proxy.url}/b`)).status, 503, 'no rule: the mode applies');
  a.remove();
  assert.equal((await request(`${proxy.url}/a/1`)).status, 418);
  proxy.setRule({ match: { prefix: '/b' }, actions: ['pass'] });
  assert.equal((await request(`${proxy.url}/a/1`)).status, 503, 'setRule replaced the others');
  assert.equal((await request(`${proxy.url}/b`)).status, 200);
  proxy.clearRules();
  assert.equal((await request(`${proxy.url}/b`)).status, 503);
});

test('a mode function chooses per request, given the request and its index', async () => {
  const calls = [];
  proxy.setMode((req, n) => {
    calls.push([req.method, req.url, n]);
    return n % 2 === 0 ? 'pass' : 'status:500';
  });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await request(`${proxy.url}/m${i}`)).status);
  assert.deepEqual(statuses, [200, 500, 200, 500]);
  assert.deepEqual(calls, [
    ['GET', '/m0', 0],
    ['GET', '/m1', 1],
    ['GET', '/m2', 2],
    ['GET', '/m3', 3],
  ]);
});

// ---- onRequest -------------------------------------------------------------------------------------

test('onRequest sees each request and may annotate its log entry; no hook changes nothing', async () => {
  const p = await startFaultProxy({
    target: upstreamUrl,
    onRequest: (req, entry) => {
      entry.offset = req.headers['upload-offset'] ?? null;
    },
  });
  try {
    p.setRule({ match: { method: 'PATCH' }, actions: ['status:401', 'pass'] });
    const patch = (offset) =>
      request(`${p.url}/api/v1/uploads/u1`, { method: 'PATCH', headers: { 'upload-offset': String(offset) }, body: Buffer.alloc(1000, 7) });
    assert.equal((await patch(0)).status, 401);
    assert.equal((await patch(0)).status, 200);
    assert.equal((await patch(1000)).status, 200);
    assert.equal((await request(`${p.url}/other`)).status, 200);
    assert.deepEqual(
      p.stats.log.map((e) => [e.method, e.offset, e.action, e.status, e.reqBytes]),
      [
        ['PATCH', '0', 'status:401', 401, 0],
        ['PATCH', '0', 'pass', 200, 1000],
        ['PATCH', '1000', 'pass', 200, 1000],
        ['GET', null, 'pass', 200, 0],
      ],
    );
    assert.equal(seen.length, 3, 'the hook changed no request\'s fate');
    // Removed: entries are as before.
    p.setOnRequest(null);
    await request(`${p.url}/again`);
    assert.equal('offset' in p.stats.log.at(-1), false);
    assert.throws(() => p.setOnRequest('nope'), TypeError);
  } finally {
    await p.close();
  }
  // The default proxy has no hook: its entries carry no extra fields.
  await request(`${proxy.url}/plain`);
  assert.deepEqual(Object.keys(proxy.stats.log[0]).sort(), ['action', 'method', 'n', 'outcome', 'path', 'reqBytes', 'resBytes', 'rule', 'status', 'upstream']);
});

test('a promise from onRequest holds the request, body unread, until it settles; a failing hook is noted', async () => {
  let release;
  const gate = new Promise((r) => (release = r));
  proxy.setOnRequest((req) => (req.url === '/held' ? gate : undefined));
  const t0 = Date.now();
  const held = request(`${proxy.url}/held`, { method: 'PUT', body: Buffer.alloc(50_000, 3) });
  assert.equal((await request(`${proxy.url}/free`)).status, 200, 'other requests are not held');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(seen.filter((x) => x.url === '/held').length, 0, 'nothing of the held request reached the server');
  assert.equal(proxy.stats.log.find((e) => e.path === '/held').outcome, 'pending');
  release();
  const r = await held;
  assert.equal(r.status, 201);
  assert.equal(json(r).bytes, 50_000, 'the whole body went through after the hold');
  assert.ok(Date.now() - t0 >= 190);

  proxy.setOnRequest(async () => {
    throw new Error('hook broke');
  });
  assert.equal((await request(`${proxy.url}/after`)).status, 200, 'a failing hook leaves the request to its action');
  assert.equal(proxy.stats.log.at(-1).hookError, 'hook broke');

  // A client that gives up while held: the request is never forwarded.
  proxy.setOnRequest(() => new Promise((r) => setTimeout(r, 300)));
  const gone = http.request(`${proxy.url}/abandoned`, { method: 'PUT', agent: false });
  gone.on('error', () => {});
  gone.write(Buffer.alloc(1000));
  await eventually(() => assert.ok(proxy.stats.log.some((e) => e.path === '/abandoned')));
  gone.destroy();
  await eventually(() => assert.equal(proxy.stats.log.find((e) => e.path === '/abandoned').outcome, 'client-aborted'), 3000);
  assert.equal(seen.filter((x) => x.url === '/abandoned').length, 0);
});

// ---- edges -----------------------------------------------------------------------------------------

test('unknown actions are refused up front', () => {
  assert.throws(() => proxy.setMode('explode'), TypeError);
  assert.throws(() => proxy.setMode('status:abc'), TypeError);
  assert.throws(() => proxy.setMode('cut-after-bytes:-1'), TypeError);
  assert.throws(() => proxy.setRule({ match: () => true, actions: [] }), TypeError);
  assert.throws(() => proxy.setRule({ match: () => true, actions: ['pass', 'nope'] }), TypeError);
  assert.deepEqual(parseAction('delay:25'), { type: 'delay', ms: 25, label: 'delay:25' });
});

test('an unreachable upstream looks like a reset to the client (or a 502 when asked)', async () => {
  const dead = http.createServer();
  await new Promise((r) => dead.listen(0, '127.0.0.1', r));
  const deadUrl = `http://127.0.0.1:${dead.address().port}`;
  await new Promise((r) => dead.close(r));

  const p1 = await startFaultProxy({ target: deadUrl });
  const p2 = await startFaultProxy({ target: deadUrl, upstreamError: 'bad-gateway' });
  try {
    await assert.rejects(request(`${p1.url}/x`), isNetworkError);
    assert.equal(p1.stats.log[0].outcome, 'upstream-error');
    assert.equal(p1.stats.log[0].error, 'ECONNREFUSED');
    const r = await request(`${p2.url}/x`);
    assert.equal(r.status, 502);
    assert.equal(json(r).error.code, 'bad_gateway');
  } finally {
    await p1.close();
    await p2.close();
  }
});

test('a client that goes away mid-upload cuts the server side too', async () => {
  const req = http.request(`${proxy.url}/up`, { method: 'PUT', agent: false });
  req.on('error', () => {});
  req.write(Buffer.alloc(10_000, 1));
  await eventually(() => assert.equal(seen[0]?.bytes, 10_000));
  req.destroy();
  await eventually(() => assert.equal(seen[0].aborted, true));
  await eventually(() => assert.equal(proxy.stats.log[0].outcome, 'client-aborted'));
});

test('clientKeepAlive: false closes every client connection after its answer', async () => {
  const p = await startFaultProxy({ target: upstreamUrl, clientKeepAlive: false });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const r1 = await request(`${p.url}/k1`, { agent });
    assert.equal(r1.headers.connection, 'close');
    p.setMode('status:500');
    const r2 = await request(`${p.url}/k2`, { agent });
    assert.equal(r2.status, 500);
    assert.equal(r2.headers.connection, 'close');
    const keep = new http.Agent({ keepAlive: true });
    const r3 = await request(`${proxy.url}/k3`, { agent: keep });
    keep.destroy();
    assert.equal(r3.headers.connection, 'keep-alive', 'the default keeps connections open');
  } finally {
    agent.destroy();
    await p.close();
  }
});

test('stats.reset() zeroes the counters', async () => {
  await request(`${proxy.url}/z`);
  assert.equal(proxy.stats.requests, 1);
  proxy.stats.reset();
  assert.equal(proxy.stats.requests, 0);
  assert.deepEqual(proxy.stats.byPrefix, {});
  assert.deepEqual(proxy.stats.log, []);
  assert.equal(proxy.stats.count(), 0);
});


// ---- bytes to the client ---------------------------------------------------------------------------

/** GET (or `method`) on a connection of its own; resolves with the answer and every raw byte read. */
function rawRequest(url, { method = 'GET', body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => {
        // The socket has read the whole answer once the body has ended.
        resolve({ status: res.statusCode, body: Buffer.concat(parts), wireBytes: res.socket.bytesRead, at: Date.now() });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('bytesToClient and each entry\'s resBytes count every byte the client read (head and body)', async () => {
  const a = await rawRequest(`${proxy.url}/big`); // chunked: framing counts too
  const b = await rawRequest(`${proxy.url}/small`);
  proxy.setMode('status:503');
  const c = await rawRequest(`${proxy.url}/injected`);
  proxy.setMode('reset');
  await assert.rejects(rawRequest(`${proxy.url}/gone`), isNetworkError);
  assert.equal(a.body.length, 16 * 65536);
  await eventually(() => assert.equal(proxy.stats.bytesToClient, a.wireBytes + b.wireBytes + c.wireBytes));
  assert.deepEqual(
    proxy.stats.log.map((e) => e.resBytes),
    [a.wireBytes, b.wireBytes, c.wireBytes, 0],
  );
  assert.ok(a.wireBytes > 16 * 65536, 'the head and the chunked framing are counted');
  proxy.stats.reset();
  assert.equal(proxy.stats.bytesToClient, 0);
  proxy.setMode('pass');
  const d = await rawRequest(`${proxy.url}/after-reset`);
  await eventually(() => assert.equal(proxy.stats.bytesToClient, d.wireBytes));
});

// ---- link ------------------------------------------------------------------------------------------

test('link: parseLink normalises, refuses nonsense; setLink/link; null means none', () => {
  assert.equal(proxy.link, null);
  assert.deepEqual(parseLink({ kbps: 250 }), { kbps: 250, rttMs: 0, shared: false });
  assert.equal(parseLink(null), null);
  for (const bad of [{ kbps: -1 }, { kbps: '250' }, { rttMs: Infinity }, { rttMs: -5 }, { shared: 'yes' }, 250]) {
    assert.throws(() => proxy.setLink(bad), TypeError, JSON.stringify(bad));
  }
  proxy.setLink({ kbps: 250, rttMs: 400, shared: true });
  assert.deepEqual(proxy.link, { kbps: 250, rttMs: 400, shared: true });
  proxy.setLink(null);
  assert.equal(proxy.link, null);
});

test('link: a response body cannot arrive faster than the bandwidth, and arrives gradually', async () => {
  // 1 MiB at 8000 kbit/s (1 MB/s): at least 1.05 s.
  proxy.setLink({ kbps: 8000 });
  const t0 = Date.now();
  let firstByteAt = null;
  const r = await new Promise((resolve, reject) => {
    http
      .get(`${proxy.url}/big`, { agent: false }, (res) => {
        const parts = [];
        res.on('data', (c) => {
          firstByteAt ??= Date.now();
          parts.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(parts) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
  const took = Date.now() - t0;
  assert.equal(r.status, 200);
  assert.equal(r.body.length, 16 * 65536);
  for (let i = 0; i < 16; i++) assert.equal(r.body[i * 65536 + 100], i, 'the body arrives intact');
  const minimum = (16 * 65536 * 8) / 8000; // ms
  assert.ok(took >= minimum - 5, `1 MiB at 8000 kbit/s took ${took} ms, less than ${minimum} ms`);
  assert.ok(firstByteAt - t0 < took / 2, `the body streams (first byte after ${firstByteAt - t0} ms of ${took})`);
  assert.equal(proxy.stats.log[0].outcome, 'responded');
});

test('link: RTT — a handshake per new connection, half before forwarding, half before the answer', async () => {
  proxy.setLink({ rttMs: 300 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const t0 = Date.now();
    const first = await request(`${proxy.url}/first`, { agent });
    const t1 = Date.now();
    assert.equal(first.status, 200);
    // Connection (300) + the way in (150) before the server saw it; the way back (150) after.
    assert.ok(seen[0].finishedAt - t0 >= 450 - 5, `the server saw it ${seen[0].finishedAt - t0} ms after the start`);
    assert.ok(t1 - seen[0].finishedAt >= 150 - 5, `the answer came back ${t1 - seen[0].finishedAt} ms after the server sent it`);
    assert.ok(t1 - t0 >= 600 - 5, `a first request on a new connection took ${t1 - t0} ms`);
    // The same connection again: no handshake, one RTT.
    const again = await request(`${proxy.url}/again`, { agent });
    const t2 = Date.now();
    assert.equal(again.status, 200);
    assert.ok(t2 - t1 >= 300 - 5, `a request on an open connection took ${t2 - t1} ms`);
    assert.ok(seen[1].finishedAt - t1 >= 150 - 5);
    // Injected answers travel too.
    proxy.setMode('status:503');
    const injected = await request(`${proxy.url}/injected`, { agent });
    assert.equal(injected.status, 503);
    assert.ok(Date.now() - t2 >= 300 - 5);
  } finally {
    agent.destroy();
  }
});

test('link: a request body goes upstream no faster than the bandwidth, intact', async () => {
  // 100 kB at 800 kbit/s (100 kB/s): at least 1 s before the server has it all.
  proxy.setLink({ kbps: 800 });
  const chunks = Array.from({ length: 10 }, (_, i) => Buffer.alloc(10_000, i));
  const whole = Buffer.concat(chunks);
  const t0 = Date.now();
  const r = await request(`${proxy.url}/api/v1/uploads/p1`, { method: 'PATCH', chunks });
  assert.equal(r.status, 200);
  assert.deepEqual(json(r), { method: 'PATCH', url: '/api/v1/uploads/p1', bytes: whole.length, sha256: sha(whole) });
  assert.ok(seen[0].finishedAt - t0 >= 1000 - 5, `the server had the whole body after ${seen[0].finishedAt - t0} ms`);
  assert.equal(proxy.stats.bytesForwarded, whole.length);

  // A fixed-length body too.
  const body = Buffer.alloc(20_000, 9);
  const t1 = Date.now();
  const r2 = await request(`${proxy.url}/put`, { method: 'PUT', headers: { 'content-length': body.length }, body });
  assert.equal(json(r2).sha256, sha(body));
  assert.ok(Date.now() - t1 >= 200 - 5);
});

test('link: paced per connection by default; shared: true splits one link between connections', async () => {
  // Two 1 MiB downloads at once at 16000 kbit/s (2 MB/s): ~0.52 s each on their own links,
  // ~1.05 s for both on a shared one.
  const both = () => Promise.all([rawRequest(`${proxy.url}/big`), rawRequest(`${proxy.url}/big`)]);
  const minimum = (16 * 65536 * 8) / 16000;
  proxy.setLink({ kbps: 16000 });
  let t0 = Date.now();
  let [a, b] = await both();
  const perConnection = Math.max(a.at, b.at) - t0;
  assert.ok(perConnection >= minimum - 5, `each connection is held to the bandwidth (${perConnection} ms)`);
  assert.ok(perConnection < 1.6 * minimum + 300, `each connection has its own link (${perConnection} ms for both)`);

  proxy.setLink({ kbps: 16000, shared: true });
  t0 = Date.now();
  [a, b] = await both();
  const shared = Math.max(a.at, b.at) - t0;
  assert.ok(shared >= 2 * minimum - 5, `one shared link carries both (${shared} ms)`);
  assert.equal(a.body.length + b.body.length, 2 * 16 * 65536);
});

test('link: the faults behave as without it (cut, lose-response, status, down, 502)', async () => {
  proxy.setLink({ kbps: 20000, rttMs: 20 });
  proxy.setMode('cut-after-bytes:25000');
  const chunks = Array.from({ length: 10 }, () => Buffer.alloc(10_000, 7));
  await assert.rejects(request(`${proxy.url}/api/v1/uploads/p1`, { method: 'PATCH', chunks }), isNetworkError);
  await eventually(() => assert.equal(seen[0]?.aborted, true));
  assert.equal(seen[0].bytes, 25_000);
  assert.equal(proxy.stats.log[0].outcome, 'cut');

  proxy.setMode('lose-response');
  await assert.rejects(request(`${proxy.url}/api/v1/cases/x`, { method: 'PUT', body: '{"a":1}' }), isNetworkError);
  assert.equal(proxy.stats.log[1].outcome, 'lost');
  assert.equal(proxy.stats.log[1].status, 201);

  proxy.setMode('status:503');
  const r = await request(`${proxy.url}/y`, { method: 'PUT', body: Buffer.alloc(5000) });
  assert.equal(r.status, 503);
  assert.deepEqual(json(r), { error: { code: 'unavailable', message: 'injected' } });

  proxy.setMode('down');
  await assert.rejects(request(`${proxy.url}/z`), isNetworkError);
  proxy.setMode('pass');
  const big = await request(`${proxy.url}/big`);
  assert.equal(big.body.length, 16 * 65536);

  const dead = http.createServer();
  await new Promise((res) => dead.listen(0, '127.0.0.1', res));
  const deadUrl = `http://127.0.0.1:${dead.address().port}`;
  await new Promise((res) => dead.close(res));
  const p = await startFaultProxy({ target: deadUrl, upstreamError: 'bad-gateway', link: { kbps: 1000, rttMs: 50 } });
  try {
    assert.deepEqual(p.link, { kbps: 1000, rttMs: 50, shared: false });
    const bad = await request(`${p.url}/x`);
    assert.equal(bad.status, 502);
    assert.equal(json(bad).error.code, 'bad_gateway');
  } finally {
    await p.close();
  }
});

test('link: a client that goes away mid-download cuts the server side, and is logged so', async () => {
  proxy.setLink({ kbps: 1000 });
  const req = http.get(`${proxy.url}/big`, { agent: false }, (res) => {
    res.once('data', () => req.destroy());
  });
  req.on('error', () => {});
  await eventually(() => assert.equal(proxy.stats.log[0]?.outcome, 'client-aborted'), 5000);
  // Nowhere near the whole MiB was sent.
  await eventually(() => assert.ok(proxy.stats.log[0].resBytes < 100_000, `${proxy.stats.log[0].resBytes} bytes`));
});

test('with several targets it balances round-robin, and a target taken out gets nothing more', async () => {
  const second = await startUpstream();
  const secondUrl = `http://127.0.0.1:${second.address().port}`;
  const lb = await startFaultProxy({ target: [upstreamUrl, secondUrl] });
  try {
    for (let i = 0; i < 4; i++) assert.equal((await request(`${lb.url}/n${i}`)).status, 200);
    assert.deepEqual(
      lb.stats.log.map((e) => e.upstream),
      [upstreamUrl, secondUrl, upstreamUrl, secondUrl],
    );
    lb.setTargets([secondUrl]);
    for (let i = 0; i < 2; i++) await request(`${lb.url}/m${i}`);
    assert.deepEqual(lb.stats.log.slice(4).map((e) => e.upstream), [secondUrl, secondUrl]);
  } finally {
    await lb.close();
    await new Promise((r) => second.close(r));
  }
});
