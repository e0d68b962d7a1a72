// Resguardo service worker: keeps the app shell (HTML, JS, wasm, CSS, icons)
// in Cache Storage so the app starts offline. Form data lives in IndexedDB,
// which this worker never touches.
//
// The two placeholders on the next lines are filled in at build time by
// scripts/post_build.sh (Trunk post_build hook): the version is a hash of
// every built file, so any change yields a new cache and a new worker.
'use strict';

const VERSION = "__RESGUARDO_VERSION__";
const PRECACHE = __RESGUARDO_PRECACHE__;

const CACHE_PREFIX = 'resguardo-shell-';
const CACHE_NAME = CACHE_PREFIX + VERSION;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE_NAME);
    await Promise.all(PRECACHE.map(async (url) => {
      // 'reload' bypasses the HTTP cache, so a stale copy of a file can never
      // end up in a cache labelled with the new version.
      const response = await fetch(new Request(url, { cache: 'reload' }));
      if (!response.ok) {
        // Failing the install keeps the previous worker and cache in charge.
        throw new Error(`precache ${url}: HTTP ${response.status}`);
      }
      await cache.put(url, response.redirected ? await unredirect(response) : response);
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

  if (request.mode === 'navigate') {
    event.respondWith(shellForNavigation(request));
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
// stored: only the precache list defines what is available offline.
async function cacheFirst(request) {
  const cache = await caches.open(CACHE_NAME);
  // ignoreSearch: cache-busting query strings must not cause misses offline.
  // ignoreVary: each URL is stored once, so Vary headers can only cause misses.
  const cached = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
  return cached || fetch(request);
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
