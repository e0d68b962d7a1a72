// A fault-injecting HTTP/1.1 reverse proxy for the end-to-end tests.
//
// This machine's kernel has no `tc netem`, so faults are injected at the HTTP level: the browser
// talks only to this proxy, the proxy talks to the real server, and each request is either
// forwarded untouched (method, path, headers and a streamed body, with the response streamed back)
// or broken in one of the ways below.
//
//   const proxy = await startFaultProxy({ target: 'http://127.0.0.1:8080' });
//   proxy.url                      // 'http://127.0.0.1:<port>': point the browser here
//
// ACTIONS — what happens to one request. A string, or an object with a `type`:
//
//   'pass'                 forward and stream the answer back (the default)
//   'down'                 destroy the socket at once (TCP RST). As the *mode* it also drops every
//                          open connection and resets every new one on accept, so the browser sees
//                          the server as gone (net::ERR_CONNECTION_RESET / ERR_EMPTY_RESPONSE)
//   'reset'                destroy the client socket (RST) without forwarding anything
//   'status:503'           answer 503 without forwarding, with the JSON body
//                          {"error":{"code":"unavailable","message":"injected"}}
//                          ({ type: 'status', status, body?, headers? } for another body/headers)
//   'lose-response'        forward the request, read the complete upstream response, then reset
//                          the client socket without sending a byte of it (the server committed;
//                          the client never hears)
//   'cut-after-bytes:N'    forward, but once N request-body bytes have gone upstream destroy both
//                          sides (the server sees N bytes and then the connection drop; the client
//                          sees a reset). A body shorter than N passes whole, answer included.
//   'delay:MS'             wait MS milliseconds, then forward as 'pass'
//
// MODE — the action for every request that no rule matches:
//
//   proxy.setMode('status:500')                       one action for all
//   proxy.setMode((req, n) => n % 2 ? 'reset' : 'pass') chosen per request; `req` is the incoming
//                                                      http.IncomingMessage (method, url, headers),
//                                                      `n` the 0-based index of the request since
//                                                      the proxy started
//
// RULES — scoped scripts, checked before the mode, in the order added; the first match wins:
//
//   const rule = proxy.setRule({                    // setRule replaces all rules; addRule appends
//     match: (req) => req.method === 'PUT' && req.url.startsWith('/api/v1/cases/'),
//     // or: match: { method: 'PUT', prefix: '/api/v1/cases/' }
//     actions: ['status:500', 'reset', 'reset', 'pass'],
//   });
//   // Each matching request consumes the next action; the last one repeats for ever after.
//   rule.hits                                          // how many requests it matched
//   rule.remove();  proxy.clearRules();
//
// STATS — `proxy.stats`, live:
//
//   requests            requests seen (not counting connections reset on accept while 'down')
//   connectionsRefused  connections reset on accept while the mode was 'down'
//   byPrefix            { '/api/v1/cases/': 3, '/': 1, ... }: requests per path prefix (the path
//                       without its query, up to and including its last '/')
//   matched             requests that matched a rule
//   bytesForwarded      request-body bytes written to the upstream server
//   bytesToClient       every byte written to client sockets: status lines, headers, bodies
//                       (chunked framing included) and injected answers; what the browser
//                       downloaded, for benchmarks that report transfer sizes
//   actions             the label of the action applied to each request, in order ('status:500')
//   log                 one entry per request: { n, method, path, action, rule, status,
//                       reqBytes, resBytes, outcome, error?, hookError? } where resBytes counts
//                       the bytes of its answer written to the client (head and body), status is
//                       the status the client got or (for lose-response) the one the server
//                       answered, and outcome is one of
//                       'pending' | 'responded' | 'injected' | 'reset' | 'lost' | 'cut' |
//                       'upstream-error' | 'client-aborted'
//   count(filter)       entries matching { method?, prefix?, action?, outcome? } or a function
//   reset()             zero everything (rules' hit counters are kept)
//
// LINK — a slow link between the client and the server (this machine has no `tc netem`):
//
//   const proxy = await startFaultProxy({ target, link: { kbps: 250, rttMs: 400 } });
//   proxy.setLink({ kbps: 250, rttMs: 400, shared: true });   proxy.setLink(null)  // no shaping
//   proxy.link                                                // the current one, or null
//
//   kbps     bandwidth in kbit/s (1 kbit = 1000 bit) in each direction. Everything written to the
//            client (status line, headers and body, chunked framing and injected answers
//            included) leaves no faster than this, in slices of about 20 ms; so do request bodies
//            on their way upstream (the request head is charged to the uplink too, before it is
//            forwarded). Paced per connection: each TCP connection has its own downlink and
//            uplink. `shared: true` makes every connection share one downlink and one uplink, as
//            the single radio of a phone does (parallel downloads then split the bandwidth).
//            Up to 50 ms of idle link may be caught up (so timer lateness does not slow it).
//   rttMs    round-trip delay. A new TCP connection waits one RTT (the handshake) before its
//            first request is handled; every request then waits rttMs/2 before its action is
//            applied (before the onRequest hook, a rule's action or forwarding: the request is on
//            its way) and rttMs/2 before its answer's head is sent (the answer on its way back).
//            A connection opened while no RTT was set has no handshake to wait for.
//
//   Either may be 0 or left out. A change applies to what is sent or handled from then on;
//   `'down'`, `'reset'` and `'lose-response'` send nothing and so are not slowed down beyond the
//   request's half RTT. Without a link (the default) nothing is delayed or sliced: requests and
//   answers stream exactly as before.
//
// `proxy.setTarget(url)` points it at another server (one restarted on a new port).
// `proxy.setTargets([url, ...])` (or `target: [url, ...]`) makes it a round-robin load balancer:
// each request goes to the next server in turn, so consecutive chunks of one upload reach
// different processes. Taking a server out of the list is what a balancer's health check does.
//
// OPTIONS of startFaultProxy: `target` (required), `port` (0: any free one), `host`
// ('127.0.0.1'), `link` (above), `upstreamError`, `clientKeepAlive` and `onRequest` (below).
//
// `onRequest(req, entry)` (also `proxy.setOnRequest(fn)`; null removes it) is called for every
// request once its log entry exists and its action is chosen, before the action is applied. It
// may note things on `entry` (e.g. `entry.offset = req.headers['upload-offset']`: the log keeps
// no headers of its own). If it returns a promise the request waits for it, body unread, as with
// 'delay' (a test can hold one request until something has happened elsewhere). A hook that
// throws or rejects does not change the request's fate: the message is kept as `entry.hookError`.
//
// When the upstream server cannot be reached the client socket is reset, as if there were no
// proxy (pass `upstreamError: 'bad-gateway'` to answer 502 instead).
//
// `clientKeepAlive: false` answers every request with `Connection: close`, so each request
// arrives on a fresh connection. Use it when a test must see the *app* retry: Chromium itself
// silently resends a request once when a *reused* keep-alive connection dies before any response
// byte ('reset', 'lose-response'), which would otherwise hide whether the app retries. Upgrades (WebSocket) and
// HTTP/2 are not supported; nothing in the app uses them.

import http from 'node:http';

const INJECTED_BODY = JSON.stringify({ error: { code: 'unavailable', message: 'injected' } });

// Headers that describe one connection, not the message (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
]);

/** Normalises an action given as a string or object; throws on anything unknown. */
export function parseAction(action) {
  if (typeof action === 'string') {
    const i = action.indexOf(':');
    const type = i < 0 ? action : action.slice(0, i);
    const arg = i < 0 ? undefined : action.slice(i + 1);
    switch (type) {
      case 'pass':
      case 'down':
      case 'reset':
      case 'lose-response':
        if (arg !== undefined) break;
        return { type, label: type };
      case 'status':
        return parseAction({ type, status: arg === undefined ? 503 : Number(arg) });
      case 'cut-after-bytes':
        return parseAction({ type, bytes: Number(arg) });
      case 'delay':
        return parseAction({ type, ms: Number(arg) });
    }
    throw new TypeError(`fault proxy: unknown action ${JSON.stringify(action)}`);
  }
  if (action && typeof action === 'object') {
    const { type } = action;
    switch (type) {
      case 'pass':
      case 'down':
      case 'reset':
      case 'lose-response':
        return { type, label: type };
      case 'status': {
        const status = action.status ?? 503;
        if (!Number.isInteger(status) || status < 200 || status > 599) break;
        return {
          type,
          status,
          body: action.body ?? INJECTED_BODY,
          headers: action.headers ?? { 'content-type': 'application/json' },
          label: `status:${status}`,
        };
      }
      case 'cut-after-bytes':
        if (!Number.isInteger(action.bytes) || action.bytes < 0) break;
        return { type, bytes: action.bytes, label: `cut-after-bytes:${action.bytes}` };
      case 'delay':
        if (!Number.isFinite(action.ms) || action.ms < 0) break;
        return { type, ms: action.ms, label: `delay:${action.ms}` };
    }
  }
  throw new TypeError(`fault proxy: unknown action ${JSON.stringify(action)}`);
}

function pathPrefix(url) {
  const path = url.split('?')[0];
  return path.slice(0, path.lastIndexOf('/') + 1) || '/';
}

function compileMatch(match) {
  if (typeof match === 'function') return match;
  if (match && typeof match === 'object') {
    const { method, prefix } = match;
    return (req) =>
      (method === undefined || req.method === method.toUpperCase()) &&
      (prefix === undefined || req.url.startsWith(prefix));
  }
  throw new TypeError('fault proxy: a rule needs match: a function or { method?, prefix? }');
}

function withoutHopByHop(headers, extra = []) {
  const out = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(name) && !extra.includes(name) && value !== undefined) out[name] = value;
  }
  return out;
}

/** Tears a socket down with a TCP RST (what a dying network or server looks like). */
function rst(socket) {
  if (!socket || socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the slow link -------------------------------------------------------------------------------

const SLICE_MS = 20; // bytes leave in slices of about this much link time
const CATCH_UP_MS = 50; // a link idle for less than this is treated as still busy (timer lateness)
const kPipes = Symbol('fault proxy: per-connection link');
const kHandshakeDue = Symbol('fault proxy: handshake done at');

/** Normalises a link given to startFaultProxy/setLink (null: none); throws on anything else. */
export function parseLink(link) {
  if (link === null || link === undefined) return null;
  if (typeof link !== 'object') throw new TypeError(`fault proxy: link must be { kbps?, rttMs?, shared? } or null`);
  const { kbps = 0, rttMs = 0, shared = false } = link;
  if (typeof kbps !== 'number' || !Number.isFinite(kbps) || kbps < 0) {
    throw new TypeError(`fault proxy: link.kbps must be a number >= 0, not ${JSON.stringify(kbps)}`);
  }
  if (typeof rttMs !== 'number' || !Number.isFinite(rttMs) || rttMs < 0) {
    throw new TypeError(`fault proxy: link.rttMs must be a number >= 0, not ${JSON.stringify(rttMs)}`);
  }
  if (typeof shared !== 'boolean') throw new TypeError('fault proxy: link.shared must be a boolean');
  return Object.freeze({ kbps, rttMs, shared });
}

const newPipe = () => ({ freeAt: 0 });

/** Takes the pipe for `bytes` at `kbps` (after whatever is queued on it) and waits until they are through. */
async function transmit(pipe, bytes, kbps) {
  if (!(kbps > 0) || !(bytes > 0)) return;
  const now = performance.now();
  const start = pipe.freeAt > now - CATCH_UP_MS ? pipe.freeAt : now;
  pipe.freeAt = start + (bytes * 8) / kbps; // 1 kbit/s = 1 bit per ms
  const wait = pipe.freeAt - performance.now();
  if (wait > 0) await sleep(wait);
}

/** The size of a request head as it came over the wire (near enough: node keeps no raw copy). */
function requestHeadBytes(req) {
  let n = Buffer.byteLength(`${req.method} ${req.url} HTTP/${req.httpVersion}\r\n\r\n`);
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    n += Buffer.byteLength(req.rawHeaders[i]) + Buffer.byteLength(req.rawHeaders[i + 1]) + 4;
  }
  return n;
}

/** Resolves true once `res` may be written again, false if it closed first. */
function drained(res) {
  return new Promise((resolve) => {
    const done = (ok) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

function newStats(totalToClient) {
  let toClientBase = 0;
  const stats = {
    requests: 0,
    connectionsRefused: 0,
    byPrefix: {},
    matched: 0,
    bytesForwarded: 0,
    actions: [],
    log: [],
    get bytesToClient() {
      return totalToClient() - toClientBase;
    },
    count(filter = {}) {
      const f =
        typeof filter === 'function'
          ? filter
          : (e) =>
              (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
              (filter.prefix === undefined || e.path.startsWith(filter.prefix)) &&
              (filter.action === undefined || e.action === filter.action) &&
              (filter.outcome === undefined || e.outcome === filter.outcome);
      return stats.log.filter(f).length;
    },
    reset() {
      stats.requests = 0;
      stats.connectionsRefused = 0;
      stats.byPrefix = {};
      stats.matched = 0;
      stats.bytesForwarded = 0;
      toClientBase = totalToClient();
      stats.actions = [];
      stats.log = [];
    },
  };
  return stats;
}

/**
 * Starts the proxy on 127.0.0.1 (`port` 0 picks a free one) in front of `target`.
 * @returns {Promise<{url: string, port: number, stats: object, setMode: Function,
 *   setRule: Function, addRule: Function, clearRules: Function, setLink: Function,
 *   close: () => Promise<void>}>}
 */
export async function startFaultProxy({
  target,
  port = 0,
  host = '127.0.0.1',
  upstreamError = 'reset',
  clientKeepAlive = true,
  onRequest = null,
  link: linkOption = null,
} = {}) {
  if (!target) throw new TypeError('fault proxy: target is required, e.g. http://127.0.0.1:8080');
  const toUrl = (t) => {
    const url = new URL(t);
    if (url.protocol !== 'http:') throw new TypeError('fault proxy: only http:// targets');
    return url;
  };
  let upstreams = (Array.isArray(target) ? target : [target]).map(toUrl);
  let turn = 0;
  const nextUpstream = () => upstreams[turn++ % upstreams.length];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set();
  let closedToClient = 0; // bytes written to client sockets that have closed since
  const totalToClient = () => {
    let n = closedToClient;
    for (const s of sockets) n += s.bytesWritten;
    return n;
  };
  const stats = newStats(totalToClient);
  let link = parseLink(linkOption);
  const sharedPipes = { up: newPipe(), down: newPipe() };
  const pipesOf = (socket) => (link?.shared ? sharedPipes : (socket[kPipes] ??= { up: newPipe(), down: newPipe() }));
  let mode = parseAction('pass');
  let modeFn = null;
  let rules = [];
  let seq = 0;
  if (onRequest !== null && typeof onRequest !== 'function') throw new TypeError('fault proxy: onRequest must be a function');
  let hook = onRequest;

  const modeIsDown = () => !modeFn && mode.type === 'down';

  const server = http.createServer();
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    if (modeIsDown()) {
      stats.connectionsRefused += 1;
      rst(socket);
      return;
    }
    sockets.add(socket);
    if (link?.rttMs) socket[kHandshakeDue] = performance.now() + link.rttMs;
    socket.on('close', () => {
      if (sockets.delete(socket)) closedToClient += socket.bytesWritten;
    });
    socket.on('error', () => {});
  });
  server.on('clientError', (_err, socket) => rst(socket));
  server.on('request', (req, res) => {
    handle(req, res).catch((err) => {
      // A bug in here must not hang a test: fail the one request loudly.
      console.error('fault proxy: internal error', err);
      rst(req.socket);
    });
  });

  function chooseAction(req, n) {
    for (const rule of rules) {
      if (rule.matches(req)) {
        stats.matched += 1;
        return { action: rule.next(), rule: rule.name };
      }
    }
    return { action: modeFn ? parseAction(modeFn(req, n)) : mode, rule: null };
  }

  async function handle(req, res) {
    const n = seq++;
    stats.requests += 1;
    const prefix = pathPrefix(req.url);
    stats.byPrefix[prefix] = (stats.byPrefix[prefix] ?? 0) + 1;
    const { action, rule } = chooseAction(req, n);
    stats.actions.push(action.label);
    const entry = {
      n,
      method: req.method,
      path: req.url,
      action: action.label,
      rule,
      status: null,
      reqBytes: 0,
      resBytes: 0,
      outcome: 'pending',
    };
    stats.log.push(entry);
    countAnswer(req.socket, res, entry);
    if (!clientKeepAlive) res.shouldKeepAlive = false;
    if (link) {
      // The request crosses the link before anything (hook, action, server) sees it.
      await inbound(req);
      if (req.socket.destroyed) {
        entry.outcome = 'client-aborted';
        return;
      }
    }
    if (hook) {
      try {
        await hook(req, entry);
      } catch (err) {
        entry.hookError = err?.message ?? String(err);
      }
      if (req.socket.destroyed) {
        entry.outcome = 'client-aborted';
        return;
      }
    }

    switch (action.type) {
      case 'down':
      case 'reset':
        entry.outcome = 'reset';
        rst(req.socket);
        return;
      case 'status': {
        req.resume();
        entry.status = action.status;
        entry.outcome = 'injected';
        const body = Buffer.from(action.body);
        const headers = { ...action.headers, 'content-length': body.length };
        if (link) {
          await answerPaced(res, action.status, headers, body);
        } else {
          res.writeHead(action.status, headers);
          res.end(body);
        }
        return;
      }
      case 'delay':
        await sleep(action.ms);
        if (req.socket.destroyed) {
          entry.outcome = 'client-aborted';
          return;
        }
        forward(req, res, entry, {});
        return;
      case 'pass':
        forward(req, res, entry, {});
        return;
      case 'lose-response':
        forward(req, res, entry, { lose: true });
        return;
      case 'cut-after-bytes':
        forward(req, res, entry, { cutAfter: action.bytes });
        return;
    }
  }

  /** Keeps `entry.resBytes` = the bytes of this answer written to the client socket. */
  function countAnswer(socket, res, entry) {
    const before = socket.bytesWritten;
    let finished = false;
    res.once('finish', () => {
      finished = true;
      entry.resBytes = socket.bytesWritten - before;
    });
    res.once('close', () => {
      if (!finished) entry.resBytes = socket.bytesWritten - before;
    });
  }

  /** The way in: the TCP handshake of a new connection, the request head on the uplink, RTT/2. */
  async function inbound(req) {
    const socket = req.socket;
    const due = socket[kHandshakeDue];
    if (due) {
      socket[kHandshakeDue] = 0;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    if (link?.kbps) await transmit(pipesOf(socket).up, requestHeadBytes(req), link.kbps);
    if (link?.rttMs) await sleep(link.rttMs / 2);
  }

  /**
   * The way back: RTT/2, then the head, paced; false if the client went away meanwhile (nothing
   * was written then).
   */
  async function headOut(res, status, statusMessage, headers) {
    if (link?.rttMs) await sleep(link.rttMs / 2);
    if (res.destroyed) return false;
    if (statusMessage) res.writeHead(status, statusMessage, headers);
    else res.writeHead(status, headers);
    if (link?.kbps) {
      // writeHead only stores the head (node's `_header`); it leaves with the first write, so
      // charge it to the link first and then send it on its own.
      await transmit(pipesOf(res.socket ?? res.req.socket).down, Buffer.byteLength(res._header ?? ''), link.kbps);
      if (res.destroyed) return false;
      res.flushHeaders();
    }
    return true;
  }

  /** Writes `chunk` in slices no faster than the link; false if the client went away. */
  async function bodyOut(res, chunk) {
    if (!link?.kbps) {
      if (res.destroyed) return false;
      return res.write(chunk) || drained(res);
    }
    const socket = res.socket ?? res.req.socket;
    for (let i = 0; i < chunk.length; ) {
      const kbps = link?.kbps;
      if (!kbps) return bodyOut(res, chunk.subarray(i));
      const size = Math.max(64, Math.floor((kbps * SLICE_MS) / 8));
      const slice = chunk.subarray(i, i + size);
      i += slice.length;
      // Chunked framing ("<hex length>\r\n" ... "\r\n") crosses the link too.
      const framing = res.chunkedEncoding ? slice.length.toString(16).length + 4 : 0;
      await transmit(pipesOf(socket).down, slice.length + framing, kbps);
      if (res.destroyed) return false;
      if (!res.write(slice) && !(await drained(res))) return false;
    }
    return true;
  }

  /** A whole answer of the proxy's own (an injected status, a 502) over the link. */
  async function answerPaced(res, status, headers, body) {
    if (!(await headOut(res, status, undefined, headers))) return;
    if (!(await bodyOut(res, body))) return;
    res.end();
  }

  function forward(req, res, entry, { lose = false, cutAfter = null }) {
    const clientSocket = req.socket;
    let settled = false; // the proxy itself decided how this request ends
    const upstream = nextUpstream();
    entry.upstream = upstream.origin;
    const up = http.request({
      host: upstream.hostname,
      port: upstream.port || 80,
      method: req.method,
      path: req.url,
      headers: withoutHopByHop(req.headers),
      agent,
    });

    // The client went away before its answer was complete: a real network would cut the
    // server's side too, so do that.
    res.on('close', () => {
      if (!settled && !res.writableFinished) {
        settled = true;
        if (entry.outcome === 'pending') entry.outcome = 'client-aborted';
        up.destroy();
      }
    });

    let sent = 0;
    let cut = false;
    const doCut = () => {
      cut = true;
      settled = true;
      entry.outcome = 'cut';
      req.pause();
      up.destroy();
      rst(clientSocket);
    };
    // Sends one piece of the body upstream (or cuts there); false when upstream wants a pause.
    const pass = (chunk) => {
      if (cutAfter !== null && sent + chunk.length >= cutAfter) {
        const part = chunk.subarray(0, cutAfter - sent);
        sent += part.length;
        entry.reqBytes += part.length;
        stats.bytesForwarded += part.length;
        req.pause();
        cut = true;
        if (part.length === 0) {
          // Nothing of the body may pass, but the server should still see the request begin.
          up.flushHeaders();
          const whenSent = (sock) =>
            sock.connecting ? sock.once('connect', () => setImmediate(doCut)) : setImmediate(doCut);
          if (up.socket) whenSent(up.socket);
          else up.once('socket', whenSent);
        } else {
          up.write(part, () => setImmediate(doCut));
        }
        return true;
      }
      sent += chunk.length;
      entry.reqBytes += chunk.length;
      stats.bytesForwarded += chunk.length;
      return up.write(chunk);
    };
    if (!link?.kbps) {
      req.on('data', (chunk) => {
        if (cut) return;
        if (!pass(chunk)) {
          req.pause();
          up.once('drain', () => req.resume());
        }
      });
      req.on('end', () => {
        if (!cut) up.end();
      });
    } else {
      // Over the link: each piece waits for its time on the uplink, in order.
      let queue = Promise.resolve();
      const paced = async (chunk) => {
        for (let i = 0; i < chunk.length; ) {
          const kbps = link?.kbps ?? 0;
          const slice = kbps ? chunk.subarray(i, i + Math.max(64, Math.floor((kbps * SLICE_MS) / 8))) : chunk.subarray(i);
          i += slice.length;
          await transmit(pipesOf(clientSocket).up, slice.length, kbps);
          if (cut || settled) return;
          if (!pass(slice) && !(await drained(up))) return;
        }
        if (!cut && !settled) req.resume();
      };
      req.on('data', (chunk) => {
        if (cut) return;
        req.pause();
        queue = queue.then(() => paced(chunk));
      });
      req.on('end', () => {
        queue = queue.then(() => {
          if (!cut && !settled) up.end();
        });
      });
    }

    up.on('response', (ures) => {
      if (settled) {
        ures.resume();
        return;
      }
      entry.status = ures.statusCode;
      if (lose) {
        // Read all of it (so the server has finished its side), then drop the client.
        ures.resume();
        ures.on('end', () => {
          settled = true;
          entry.outcome = 'lost';
          rst(clientSocket);
        });
        ures.on('error', () => {});
        return;
      }
      const failed = () => {
        if (!settled) {
          settled = true;
          entry.outcome = 'upstream-error';
          rst(clientSocket);
        }
      };
      const headers = withoutHopByHop(ures.headers, ['transfer-encoding']);
      if (link) {
        // Over the link: RTT/2, then head and body no faster than the downlink.
        ures.on('error', failed);
        (async () => {
          if (!(await headOut(res, ures.statusCode, ures.statusMessage, headers))) {
            ures.destroy();
            return;
          }
          for await (const chunk of ures) {
            if (!(await bodyOut(res, chunk))) return;
          }
          if (entry.outcome === 'pending') entry.outcome = 'responded';
          res.end();
        })().catch(failed);
        return;
      }
      res.writeHead(ures.statusCode, ures.statusMessage, headers);
      ures.pipe(res);
      ures.on('end', () => {
        if (entry.outcome === 'pending') entry.outcome = 'responded';
      });
      ures.on('error', failed);
    });

    up.on('error', (err) => {
      if (settled) return;
      settled = true;
      entry.outcome = 'upstream-error';
      entry.error = err.code ?? err.message;
      if (upstreamError === 'bad-gateway' && !res.headersSent) {
        const body = JSON.stringify({ error: { code: 'bad_gateway', message: `upstream: ${entry.error}` } });
        entry.status = 502;
        req.resume();
        const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
        if (link) {
          answerPaced(res, 502, headers, Buffer.from(body)).catch(() => rst(clientSocket));
        } else {
          res.writeHead(502, headers);
          res.end(body);
        }
      } else {
        rst(clientSocket);
      }
    });
  }

  function makeRule({ match, actions, name }) {
    const list = (Array.isArray(actions) ? actions : [actions]).map(parseAction);
    if (list.length === 0) throw new TypeError('fault proxy: a rule needs at least one action');
    const rule = {
      name: name ?? `rule${rules.length + 1}`,
      matches: compileMatch(match),
      hits: 0,
      next() {
        const a = list[Math.min(rule.hits, list.length - 1)];
        rule.hits += 1;
        return a;
      },
      remove() {
        rules = rules.filter((r) => r !== rule);
      },
    };
    return rule;
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const boundPort = server.address().port;

  return {
    url: `http://${host}:${boundPort}`,
    port: boundPort,
    stats,
    /** The current mode: a normalised action, or the function given. */
    get mode() {
      return modeFn ?? mode;
    },
    setMode(next) {
      if (typeof next === 'function') {
        modeFn = next;
      } else {
        mode = parseAction(next);
        modeFn = null;
      }
      if (modeIsDown()) for (const s of sockets) rst(s);
    },
    /** The link being emulated ({ kbps, rttMs, shared }), or null. */
    get link() {
      return link;
    },
    /** Emulates a slow link from now on ({ kbps?, rttMs?, shared? }), or (null) none. */
    setLink(next) {
      link = parseLink(next);
    },
    /** Points the proxy at another server (one restarted on a new port); open connections stay. */
    setTarget(next) {
      upstreams = [toUrl(next)];
      agent.destroy();
    },
    /** Balances round-robin over these servers from now on. */
    setTargets(next) {
      if (!next.length) throw new TypeError('fault proxy: at least one target');
      upstreams = next.map(toUrl);
    },
    /** Replaces every rule with this one; returns the rule (`hits`, `remove()`). */
    setRule(spec) {
      const rule = makeRule(spec);
      rules = [rule];
      return rule;
    },
    /** Adds a rule after the existing ones; returns it. */
    addRule(spec) {
      const rule = makeRule(spec);
      rules = [...rules, rule];
      return rule;
    },
    clearRules() {
      rules = [];
    },
    /** Sets (or with null removes) the `onRequest(req, entry)` hook. */
    setOnRequest(fn) {
      if (fn !== null && typeof fn !== 'function') throw new TypeError('fault proxy: onRequest must be a function or null');
      hook = fn;
    },
    /** Drops every open client connection (keep-alive included) with a reset. */
    dropConnections() {
      for (const s of sockets) rst(s);
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) rst(s);
        agent.destroy();
      });
    },
  };
}
