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
//   actions             the label of the action applied to each request, in order ('status:500')
//   log                 one entry per request: { n, method, path, action, rule, status,
//                       reqBytes, outcome, error?, hookError? } where status is the status the
//                       client got or (for lose-response) the one the server answered, and
//                       outcome is one of
//                       'pending' | 'responded' | 'injected' | 'reset' | 'lost' | 'cut' |
//                       'upstream-error' | 'client-aborted'
//   count(filter)       entries matching { method?, prefix?, action?, outcome? } or a function
//   reset()             zero everything (rules' hit counters are kept)
//
// `proxy.setTarget(url)` points it at another server (one restarted on a new port).
//
// OPTIONS of startFaultProxy: `target` (required), `port` (0: any free one), `host`
// ('127.0.0.1'), `upstreamError`, `clientKeepAlive` and `onRequest` (below).
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

function newStats() {
  const stats = {
    requests: 0,
    connectionsRefused: 0,
    byPrefix: {},
    matched: 0,
    bytesForwarded: 0,
    actions: [],
    log: [],
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
      stats.actions = [];
      stats.log = [];
    },
  };
  return stats;
}

/**
 * Starts the proxy on 127.0.0.1 (`port` 0 picks a free one) in front of `target`.
 * @returns {Promise<{url: string, port: number, stats: object, setMode: Function,
 *   setRule: Function, addRule: Function, clearRules: Function, close: () => Promise<void>}>}
 */
export async function startFaultProxy({
  target,
  port = 0,
  host = '127.0.0.1',
  upstreamError = 'reset',
  clientKeepAlive = true,
  onRequest = null,
} = {}) {
  if (!target) throw new TypeError('fault proxy: target is required, e.g. http://127.0.0.1:8080');
  let upstream = new URL(target);
  if (upstream.protocol !== 'http:') throw new TypeError('fault proxy: only http:// targets');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set();
  const stats = newStats();
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
    socket.on('close', () => sockets.delete(socket));
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
      outcome: 'pending',
    };
    stats.log.push(entry);
    if (!clientKeepAlive) res.shouldKeepAlive = false;
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
        res.writeHead(action.status, { ...action.headers, 'content-length': body.length });
        res.end(body);
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

  function forward(req, res, entry, { lose = false, cutAfter = null }) {
    const clientSocket = req.socket;
    let settled = false; // the proxy itself decided how this request ends
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
    req.on('data', (chunk) => {
      if (cut) return;
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
        return;
      }
      sent += chunk.length;
      entry.reqBytes += chunk.length;
      stats.bytesForwarded += chunk.length;
      if (!up.write(chunk)) {
        req.pause();
        up.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      if (!cut) up.end();
    });

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
      res.writeHead(ures.statusCode, ures.statusMessage, withoutHopByHop(ures.headers, ['transfer-encoding']));
      ures.pipe(res);
      ures.on('end', () => {
        if (entry.outcome === 'pending') entry.outcome = 'responded';
      });
      ures.on('error', () => {
        if (!settled) {
          settled = true;
          entry.outcome = 'upstream-error';
          rst(clientSocket);
        }
      });
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
        res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
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
    /** Points the proxy at another server (one restarted on a new port); open connections stay. */
    setTarget(next) {
      const url = new URL(next);
      if (url.protocol !== 'http:') throw new TypeError('fault proxy: only http:// targets');
      upstream = url;
      agent.destroy();
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
