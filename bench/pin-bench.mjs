// What opening a locked form costs: PBKDF2-SHA256 from the PIN, then AES-GCM unwrapping of the
// case key — exactly the WebCrypto calls of frontend/src/vault.rs — at several iteration counts,
// in Debian's Chromium, unthrottled and at 4× CPU throttle (Chrome DevTools' "mid-tier mobile").
//
//   node bench/pin-bench.mjs [--runs N]      (from the repo root; N defaults to 3)
//
// Prints the median time per count and the count that makes unlocking take about a second at 4×
// throttle: the figure `vault::PIN_ITERATIONS` is chosen from (its value and this machine's
// figures are in the README). A benchmark, not a test: it never fails on speed.
//
// Measured here: DevTools' CPU throttling does not slow WebCrypto's PBKDF2 (it runs natively, off
// the page's thread, so both columns come out alike). The suggestion therefore takes a phone to be
// 4× slower than this machine unthrottled: the count that takes a quarter of TARGET_MS here.

import http from 'node:http';

import { CHROMIUM, CHROMIUM_ARGS } from '../tests/support/harness.mjs';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const COUNTS = [100_000, 600_000, 1_000_000, 2_000_000];
const TARGET_MS = 1000;

const server = http.createServer((_, res) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('<!doctype html><title>pin bench</title>');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  await page.goto(url);
  const cdp = await page.context().newCDPSession(page);
  const table = {};
  for (const rate of [1, 4]) {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    for (const iterations of COUNTS) {
      const times = await page.evaluate(
        async ({ iterations, runs }) => {
          const enc = new TextEncoder();
          const gcm = { name: 'AES-GCM', length: 256 };
          const derive = async (salt) => {
            const base = await crypto.subtle.importKey('raw', enc.encode('482913'), 'PBKDF2', false, ['deriveKey']);
            return crypto.subtle.deriveKey({ name: 'PBKDF2', salt, iterations, hash: 'SHA-256' }, base, gcm, false, ['wrapKey', 'unwrapKey']);
          };
          const salt = crypto.getRandomValues(new Uint8Array(16));
          const iv = crypto.getRandomValues(new Uint8Array(12));
          const caseKey = await crypto.subtle.generateKey(gcm, true, ['encrypt', 'decrypt']);
          const wrapped = await crypto.subtle.wrapKey('raw', caseKey, await derive(salt), { name: 'AES-GCM', iv });
          const out = [];
          for (let i = 0; i < runs; i++) {
            const t0 = performance.now();
            const key = await derive(salt);
            await crypto.subtle.unwrapKey('raw', wrapped, key, { name: 'AES-GCM', iv }, gcm, true, ['encrypt', 'decrypt']);
            out.push(performance.now() - t0);
          }
          return out;
        },
        { iterations, runs },
      );
      times.sort((a, b) => a - b);
      (table[iterations] ??= {})[`${rate}×`] = times[Math.floor(times.length / 2)];
    }
  }
  console.log(`Unlocking a form (PBKDF2-SHA256 + AES-GCM unwrap), median of ${runs}, ms:`);
  console.log('iterations'.padStart(12), '1×'.padStart(10), '4×'.padStart(10));
  for (const n of COUNTS) {
    console.log(String(n).padStart(12), table[n]['1×'].toFixed(0).padStart(10), table[n]['4×'].toFixed(0).padStart(10));
  }
  // Linear in the count: from the largest measurement, unthrottled, with a phone 4× slower.
  const top = COUNTS[COUNTS.length - 1];
  const perIteration = (4 * table[top]['1×']) / top;
  const suggested = Math.round(TARGET_MS / perIteration / 50_000) * 50_000;
  const slowed = table[top]['4×'] / table[top]['1×'];
  console.log(`throttling slowed PBKDF2 ${slowed.toFixed(1)}× (WebCrypto runs natively, off the page's thread)`);
  console.log(`about ${TARGET_MS} ms on a phone 4× slower than this machine: ${suggested.toLocaleString('en')} iterations`);
} finally {
  await browser.close();
  server.close();
}
