// Resguardo service worker: keeps the app shell (HTML, JS, wasm, CSS, icons)
// in Cache Storage so the app starts offline. Form data lives in IndexedDB,
// which this worker never touches.
//
// The three placeholders on the next lines are filled in at build time by
// scripts/post_build.sh (Trunk post_build hook): the version is a hash of
// every built file, so any change yields a new cache and a new worker; the
// integrity map gives each precached URL the SHA-256 of the file it must be.
'use strict';

const VERSION = "__RESGUARDO_VERSION__";
const PRECACHE = __RESGUARDO_PRECACHE__;
const INTEGRITY = __RESGUARDO_INTEGRITY__;

const CACHE_PREFIX = 'resguardo-shell-';
const CACHE_NAME = CACHE_PREFIX + VERSION;
// "/" is index.html: one download serves both keys (the page has just
// fetched "/", so that one is a cheap revalidation).
const ROOT_IS_INDEX = PRECACHE.includes('/') && PRECACHE.includes('/index.html') &&
  INTEGRITY['/'] !== undefined && INTEGRITY['/'] === INTEGRITY['/index.html'];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE_NAME);
    await Promise.all(PRECACHE.map(async (url) => {
      if (url === '/index.html' && ROOT_IS_INDEX) return; // stored with "/"
      const response = await precacheFetch(url);
      if (!response.ok) {
        // Failing the install keeps the previous worker and cache in charge.
        throw new Error(`precache ${url}: HTTP ${response.status}`);
      }
      const stored = response.redirected ? await unredirect(response) : response;
      if (url === '/' && ROOT_IS_INDEX) {
        await cache.put('/index.html', await unredirect(stored.clone()));
      }
      await cache.put(url, stored);
    }));
    // Updates wait until the user accepts "a new version is ready" (the page
    // then posts SKIP_WAITING). On the very first install there is nothing to
    // replace, so take over immediately.
    if (!self.registration.active) {
      await self.skipWaiting();
    }
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    // Drop shells of older versions only; other caches are not ours to manage.
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'SKIP_WAITING') {
    self.skipWaiting();
  } else if (data.type === 'GET_VERSION' && event.ports && event.ports[0]) {
    event.ports[0].postMessage({ version: VERSION });
  }
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  // Chrome DevTools can issue these; fetch() would throw on them.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;

  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // API traffic always goes straight to the network and is never cached: the
  // app decides itself what to do when the server is unreachable.
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return;
  // The staff pages are the server's, hold personal data and must never come from (or go into)
  // the app's cache, even on a tablet where the app is installed.
  if (url.pathname === '/staff' || url.pathname.startsWith('/staff/')) return;
  // A receipt's public page (`/r/{code}`) is the server's too: always as it stands now.
  if (url.pathname.startsWith('/r/')) return;

  if (request.mode === 'navigate') {
    event.respondWith(shellForNavigation(request));
  } else if (url.pathname.startsWith('/fonts/')) {
    event.respondWith(keptOnFirstUse(request));
  } else {
    event.respondWith(cacheFirst(request));
  }
});

// Single-page app: every route renders from index.html, so any navigation
// gets the cached shell (works offline); the network is only a fallback.
async function shellForNavigation(request) {
  const cache = await caches.open(CACHE_NAME);
  const cached = await cache.match('/index.html');
  return cached || fetch(request);
}

// Built files have content-hashed names or are covered by VERSION, so the
// copy in this version's cache is always right. Runtime responses are not
// stored: only the precache list (and fonts once used) is available offline.
async function cacheFirst(request) {
  const cache = await caches.open(CACHE_NAME);
  // ignoreSearch: cache-busting query strings must not cause misses offline.
  // ignoreVary: each URL is stored once, so Vary headers can only cause misses.
  const cached = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
  return cached || fetch(request);
}

// Fonts are not precached (only the app in Arabic needs its font): the first
// time one is needed it comes from the network and is kept in this version's
// cache, so it is there offline from then on.
async function keptOnFirstUse(request) {
  const cache = await caches.open(CACHE_NAME);
  const cached = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

// The first visit has just downloaded most of the shell over what may be a 2G
// link; installing must not download it again. So:
// - a content-hashed file (name-<16 hex>.ext, name-<16 hex>_bg.wasm: the rule
//   of server/src/http/static_files.rs::is_hashed_asset) never changes under
//   its name, and the server lets the HTTP cache keep it for a year: take it
//   from there ('default'), the network only if it is not there;
// - any other file ('/', index.html, the manifest, icons) is revalidated with
//   the server ('no-cache': a conditional request, a 304 when unchanged).
// Either way the body must be the file this worker was built with (the
// integrity map, checked by fetch itself). If it is not (a copy that is
// somehow stale, a deploy caught half-way), it is fetched again with
// 'reload', bypassing the HTTP cache, and that answer is taken as it is:
// never worse than always using 'reload', which is what this worker did.
async function precacheFetch(url) {
  const cache = isHashed(url) ? 'default' : 'no-cache';
  const integrity = INTEGRITY[url];
  if (integrity) {
    try {
      return await fetch(new Request(url, { cache, integrity }));
    } catch (e) {
      // An integrity mismatch (or a network error): one more try, below.
    }
    return fetch(new Request(url, { cache: 'reload' }));
  }
  return fetch(new Request(url, { cache }));
}

// Trunk's content hash: the file name's stem (up to its first '.', without a
// trailing "_bg") ends in "-" and 16 hex digits.
function isHashed(url) {
  const file = new URL(url, self.location.href).pathname.split('/').pop();
  let stem = file.split('.')[0];
  if (stem.endsWith('_bg')) stem = stem.slice(0, -3);
  const dash = stem.lastIndexOf('-');
  return dash >= 0 && /^[0-9a-fA-F]{16}$/.test(stem.slice(dash + 1));
}

// Browsers refuse a response flagged as redirected for a navigation, so
// store a plain copy (same body, status and headers) instead.
async function unredirect(response) {
  return new Response(await response.blob(), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
