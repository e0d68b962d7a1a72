// One small driving interface over three browser engines, for the cross-browser core flow:
//
//   chromium  Debian's Chromium through playwright-core (as tests/support/harness.mjs does)
//   firefox   Debian's firefox-esr through puppeteer-core over WebDriver BiDi
//   webkit    WebKitGTK (Safari's engine) through WebKitWebDriver, over plain W3C WebDriver
//             (HTTP, no client library), in its own Xvfb: WebKitGTK has no headless mode
//
//   const b = await launchEngine('firefox', { profileDir });
//   await b.goto(url); await b.typeKeys('#applicant-name', 'María'); await b.close();
//
// Every engine offers the same methods: goto, reload, url, evaluate(fn, ...args) (fn is sent as
// source and run in the page; arguments and result must be JSON), click, typeKeys (key by key,
// as a keyboard does; never setting `.value`), selectOption, setFile, screenshot, close, and
// `consoleLines` (what the page printed, errors included). `persistentProfile` says whether a
// relaunch on the same `profileDir` keeps the site's data; where it is false `restartReason`
// says why.
//
// Environment overrides (optional): CHROMIUM_PATH, FIREFOX_PATH, WEBKIT_DRIVER_PATH,
// WEBKIT_BROWSER_PATH.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';

import { CHROMIUM, freePort, launchBrowser, firstPage } from '../support/harness.mjs';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
export const WEBKIT_BROWSER = process.env.WEBKIT_BROWSER_PATH ?? findMiniBrowser();
export const ENGINES = ['chromium', 'firefox', 'webkit'];

const VIEWPORT = { width: 360, height: 740 };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function findMiniBrowser() {
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/libexec', '/usr/lib']) {
    for (const api of ['webkit2gtk-4.1', 'webkit2gtk-4.0', 'webkitgtk-6.0']) {
      const p = `${dir}/${api}/MiniBrowser`;
      if (existsSync(p)) return p;
    }
  }
  return '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
}

/** What each engine needs on disk; [] when all there. */
export function missingFor(engine) {
  const need = {
    chromium: [[CHROMIUM, 'apt-get install chromium']],
    firefox: [[FIREFOX, 'apt-get install firefox-esr']],
    webkit: [
      [WEBKIT_DRIVER, 'apt-get install webkit2gtk-driver'],
      [WEBKIT_BROWSER, 'apt-get install webkit2gtk-driver (MiniBrowser)'],
      ['/usr/bin/Xvfb', 'apt-get install xvfb'],
    ],
  }[engine];
  return need.filter(([p]) => !existsSync(p)).map(([p, how]) => `${p} (${how})`);
}

/** The expression that calls `fn` (a function or its source) with `args`, for any engine. */
function callExpression(fn, args) {
  return `(${typeof fn === 'function' ? fn.toString() : fn})(...${JSON.stringify(args)})`;
}

export async function launchEngine(engine, { profileDir }) {
  const missing = missingFor(engine);
  if (missing.length) throw new Error(`${engine} is not installed: ${missing.join(', ')} (scripts/setup.sh test installs it)`);
  if (engine === 'chromium') return launchChromium(profileDir);
  if (engine === 'firefox') return launchFirefox(profileDir);
  if (engine === 'webkit') return launchWebKit(profileDir);
  throw new Error(`unknown engine ${engine}`);
}

// ---- Chromium (playwright-core) --------------------------------------------------------------------

async function launchChromium(profileDir) {
  const context = await launchBrowser(profileDir, { viewport: VIEWPORT });
  const page = await firstPage(context);
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  const version = context.browser()?.version() ?? execFileSync(CHROMIUM, ['--version']).toString().trim();
  return {
    engine: 'chromium',
    version: `Chromium ${String(version).replace(/^Chromium\s*/, '')}`,
    persistentProfile: true,
    consoleLines,
    goto: (url) => page.goto(url).then(() => {}),
    reload: () => page.reload().then(() => {}),
    url: async () => page.url(),
    evaluate: (fn, ...args) => page.evaluate(callExpression(fn, args)),
    click: (selector) => page.locator(selector).first().click(),
    async typeKeys(selector, text) {
      const field = page.locator(selector).first();
      await field.click();
      await field.press('ControlOrMeta+a');
      await field.press('Delete');
      await field.pressSequentially(text);
    },
    selectOption: (selector, value) => page.locator(selector).first().selectOption(value).then(() => {}),
    setFile: (selector, file) => page.locator(selector).first().setInputFiles(file),
    screenshot: (file) => page.screenshot({ path: file, fullPage: true }).then(() => {}),
    close: () => context.close(),
  };
}

// ---- Firefox ESR (puppeteer-core, WebDriver BiDi) -------------------------------------------------

async function launchFirefox(profileDir) {
  const { default: puppeteer } = await import('puppeteer-core');
  await fs.mkdir(profileDir, { recursive: true });
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profileDir,
    defaultViewport: VIEWPORT,
    protocolTimeout: 120_000,
    extraPrefsFirefox: { 'intl.accept_languages': 'en-US, en', 'intl.locale.requested': 'en-US' },
  });
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  page.setDefaultTimeout(30_000);
  page.setDefaultNavigationTimeout(60_000);
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  const version = (await browser.version()).replace(/^firefox\//i, 'Firefox ESR ');
  return {
    engine: 'firefox',
    version,
    persistentProfile: true,
    consoleLines,
    goto: (url) => page.goto(url).then(() => {}),
    reload: () => page.reload().then(() => {}),
    url: async () => page.url(),
    evaluate: (fn, ...args) => page.evaluate(callExpression(fn, args)),
    async click(selector) {
      const el = await page.waitForSelector(selector, { visible: true });
      await el.click();
      await el.dispose();
    },
    async typeKeys(selector, text) {
      const el = await page.waitForSelector(selector, { visible: true });
      await el.click();
      await page.keyboard.down('Control');
      await page.keyboard.press('a');
      await page.keyboard.up('Control');
      await page.keyboard.press('Backspace');
      await page.keyboard.type(text);
      await el.dispose();
    },
    async selectOption(selector, value) {
      await page.waitForSelector(selector);
      const chosen = await page.select(selector, value);
      if (!chosen.includes(value)) throw new Error(`${selector} has no option ${value}`);
    },
    async setFile(selector, file) {
      const el = await page.waitForSelector(selector);
      await el.uploadFile(file);
      await el.dispose();
    },
    screenshot: (file) => page.screenshot({ path: file, fullPage: true }).then(() => {}),
    close: () => browser.close(),
  };
}

// ---- WebKitGTK (WebKitWebDriver, W3C WebDriver over HTTP) ------------------------------------------

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
const children = new Set();
process.on('exit', () => {
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

function spawnGroup(cmd, args, options) {
  // Its own process group, so that what it starts (MiniBrowser and its web processes) ends with it.
  const child = spawn(cmd, args, { ...options, detached: true });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

async function stopGroup(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)])) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  await exited;
}

/** Xvfb on a display number it picks itself (-displayfd). */
async function startXvfb() {
  const child = spawnGroup('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const display = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb gave no display within 20 s\n${stderr}`)), 20_000);
    child.stdio[3].setEncoding('utf8').on('data', (d) => {
      out += d;
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code}) before giving a display\n${stderr}`));
    });
  });
  return { display, stop: () => stopGroup(child) };
}

async function launchWebKit(profileDir) {
  await fs.mkdir(profileDir, { recursive: true });
  const xvfb = await startXvfb();
  const port = await freePort();
  let driverLog = '';
  const driver = spawnGroup(WEBKIT_DRIVER, [`--port=${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // C.UTF-8 always exists; GTK warns about locales the C library lacks, and WebKit then
    // reports navigator.language as en-US.
    env: { ...process.env, DISPLAY: xvfb.display, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', XDG_DATA_HOME: profileDir, XDG_CACHE_HOME: profileDir },
  });
  const keep = (d) => (driverLog = (driverLog + d).slice(-20_000));
  driver.stdout.setEncoding('utf8').on('data', keep);
  driver.stderr.setEncoding('utf8').on('data', keep);
  const base = `http://127.0.0.1:${port}`;

  async function wd(method, path, body) {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(330_000),
    });
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`WebKitWebDriver ${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
    }
    if (!res.ok) {
      const v = json.value ?? {};
      const e = new Error(`WebKitWebDriver ${method} ${path}: ${v.error ?? res.status}: ${v.message ?? text.slice(0, 500)}`);
      e.wdError = v.error;
      throw e;
    }
    return json.value;
  }

  const started = Date.now();
  for (;;) {
    try {
      if ((await wd('GET', '/status')).ready !== false) break;
    } catch (e) {
      if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited (${driver.exitCode})\n${driverLog}`);
      if (Date.now() - started > 30_000) throw new Error(`WebKitWebDriver did not answer /status in 30 s: ${e.message}\n${driverLog}`);
    }
    await sleep(100);
  }
  let session;
  try {
    session = await wd('POST', '/session', {
      capabilities: {
        alwaysMatch: {
          'webkitgtk:browserOptions': { binary: WEBKIT_BROWSER, args: ['--automation'] },
          timeouts: { script: 120_000, pageLoad: 120_000, implicit: 0 },
        },
      },
    });
  } catch (e) {
    await stopGroup(driver);
    await xvfb.stop();
    throw new Error(`${e.message}\n${driverLog}`);
  }
  const s = `/session/${session.sessionId}`;
  await wd('POST', `${s}/window/rect`, VIEWPORT).catch(() => {});
  const consoleLines = [];

  // WebKitWebDriver has no log endpoint: a hook installed by every script we run records what
  // the page prints from then on (what it printed before the first script is not seen).
  const HOOK = `(() => {
    if (!window.__resguardoConsole) {
      const out = (window.__resguardoConsole = []);
      for (const k of ['log', 'info', 'warn', 'error', 'debug']) {
        const orig = console[k].bind(console);
        console[k] = (...a) => { out.push('[' + k + '] ' + a.map((x) => { try { return typeof x === 'string' ? x : (x instanceof Error ? String(x.stack || x) : JSON.stringify(x)); } catch { return String(x); } }).join(' ')); orig(...a); };
      }
      addEventListener('error', (e) => out.push('[pageerror] ' + (e.message || e.type) + (e.filename ? ' (' + e.filename + ':' + e.lineno + ')' : '')), true);
      addEventListener('unhandledrejection', (e) => out.push('[unhandledrejection] ' + String(e.reason && (e.reason.stack || e.reason))));
    }
    return window.__resguardoConsole.splice(0);
  })()`;
  const drain = (lines) => Array.isArray(lines) && consoleLines.push(...lines);

  async function evaluate(fn, ...args) {
    const script = `const done = arguments[arguments.length - 1];
      let logs = [];
      try { logs = ${HOOK}; } catch (e) {}
      Promise.resolve().then(() => ${callExpression(fn, args)}).then(
        (value) => done({ ok: true, value: value === undefined ? null : value, logs }),
        (e) => done({ ok: false, error: String((e && e.stack) || e), logs }));`;
    const r = await wd('POST', `${s}/execute/async`, { script, args: [] });
    drain(r?.logs);
    if (!r?.ok) throw new Error(`in WebKitGTK: ${r?.error}`);
    return r.value;
  }
  const collect = () => evaluate(() => null).catch(() => {});
  async function find(selector) {
    const el = await wd('POST', `${s}/element`, { using: 'css selector', value: selector });
    return el[ELEMENT];
  }
  let closed = false;

  return {
    engine: 'webkit',
    version: `WebKitGTK ${session.capabilities.browserVersion}`,
    persistentProfile: false,
    restartReason:
      'WebKitWebDriver runs MiniBrowser with --automation, which keeps website data in an ephemeral (in-memory) session: ' +
      'a relaunch starts empty, so the restart is checked as a new window in the same browser instead',
    consoleLines,
    driverLog: () => driverLog,
    async goto(url) {
      await collect();
      await wd('POST', `${s}/url`, { url });
      await collect();
    },
    async reload() {
      await collect();
      await wd('POST', `${s}/refresh`, {});
      await collect();
    },
    url: () => wd('GET', `${s}/url`),
    evaluate,
    async click(selector) {
      await wd('POST', `${s}/element/${await find(selector)}/click`, {});
    },
    async typeKeys(selector, text) {
      const id = await find(selector);
      await wd('POST', `${s}/element/${id}/click`, {});
      await wd('POST', `${s}/element/${id}/clear`, {});
      // Element Send Keys dispatches one key down/up per character.
      await wd('POST', `${s}/element/${id}/value`, { text });
    },
    async selectOption(selector, value) {
      // As a person does: the option is clicked (WebDriver's way to choose from a <select>).
      await wd('POST', `${s}/element/${await find(`${selector} option[value="${value}"]`)}/click`, {});
    },
    async setFile(selector, file) {
      // Element Send Keys on <input type=file> with a path.
      await wd('POST', `${s}/element/${await find(selector)}/value`, { text: file });
    },
    async screenshot(file) {
      const png = await wd('GET', `${s}/screenshot`);
      await fs.writeFile(file, Buffer.from(png, 'base64'));
    },
    /** A new window (tab) in the same browser, then the old one closed: what can stand in for a
     * restart when the profile is not kept. */
    async reopenWindow() {
      await collect();
      const old = await wd('GET', `${s}/window`);
      const { handle } = await wd('POST', `${s}/window/new`, { type: 'window' });
      await wd('DELETE', `${s}/window`);
      await wd('POST', `${s}/window`, { handle });
      return { old, handle };
    },
    async close() {
      if (closed) return;
      closed = true;
      await collect();
      await wd('DELETE', s).catch(() => {});
      await stopGroup(driver);
      await xvfb.stop();
    },
  };
}
