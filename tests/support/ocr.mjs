// Reading a picture with Tesseract (Debian's `tesseract-ocr`, English), and scoring what it read
// against the known text: character accuracy = 1 − Levenshtein distance / length of the known
// text, after folding every run of white space into one space.
//
//   const text = await ocr(pngBytes);
//   const { accuracy, byGroup } = scoreOcr(DOCUMENT_LINES, text);

import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const TESSERACT = process.env.TESSERACT_PATH ?? 'tesseract';

/** Throws a clear error unless Tesseract and its English data are installed. */
export function assertTesseract() {
  let langs;
  try {
    langs = execFileSync(TESSERACT, ['--list-langs'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`Tesseract is missing (${e.message}); install Debian's tesseract-ocr (scripts/setup.sh test does)`);
  }
  if (!/^eng$/m.test(langs)) throw new Error(`Tesseract has no English data (tesseract --list-langs: ${langs.trim()})`);
}

/** Tesseract's text for one picture (PNG or JPEG bytes), page segmentation `psm`. */
export async function ocr(bytes, { psm = 4 } = {}) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ocr-'));
  const file = path.join(dir, 'in.png');
  try {
    await fs.writeFile(file, bytes);
    return await new Promise((resolve, reject) => {
      execFile(
        TESSERACT,
        [file, 'stdout', '-l', 'eng', '--psm', String(psm)],
        // One thread: the two cores are shared with Chromium, and the result does not depend on it.
        { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, env: { ...process.env, OMP_THREAD_LIMIT: '1' } },
        (err, stdout, stderr) => (err ? reject(new Error(`tesseract failed: ${err.message}\n${stderr}`)) : resolve(stdout)),
      );
    });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export const normalise = (s) => s.replace(/\s+/g, ' ').trim();

/** Levenshtein distance between two strings (characters as UTF-16 units; ours are ASCII). */
export function levenshtein(a, b) {
  if (a === b) return 0;
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      cur[j] = Math.min(sub, prev[j] + 1, cur[j - 1] + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/**
 * The smallest Levenshtein distance between `needle` and any substring of `hay` (free start and
 * end in `hay`): how well one known line was read wherever Tesseract put it.
 */
export function bestSubstringDistance(needle, hay) {
  let prev = new Uint32Array(hay.length + 1); // row 0: a match may start anywhere
  let cur = new Uint32Array(hay.length + 1);
  for (let i = 1; i <= needle.length; i++) {
    cur[0] = i;
    const c = needle.charCodeAt(i - 1);
    for (let j = 1; j <= hay.length; j++) {
      const sub = prev[j - 1] + (c === hay.charCodeAt(j - 1) ? 0 : 1);
      cur[j] = Math.min(sub, prev[j] + 1, cur[j - 1] + 1);
    }
    [prev, cur] = [cur, prev];
  }
  let best = needle.length;
  for (let j = 0; j <= hay.length; j++) best = Math.min(best, prev[j]);
  return best;
}

/**
 * Scores OCR output against the known lines:
 *   accuracy   1 − Levenshtein(known text, read text) / length of the known text (white space
 *              folded; the whole page in reading order, so lines read out of order cost too)
 *   byGroup    per group of lines (font size): 1 − Σ best-substring distance / Σ length, which
 *              does not depend on the order Tesseract read the lines in
 * Both are clamped at 0.
 */
export function scoreOcr(lines, text) {
  const known = normalise(lines.map((l) => l.text).join('\n'));
  const read = normalise(text);
  const accuracy = Math.max(0, 1 - levenshtein(known, read) / known.length);
  const groups = new Map();
  for (const l of lines) {
    const t = normalise(l.text);
    const g = groups.get(l.group) ?? { size: l.size, chars: 0, dist: 0 };
    g.chars += t.length;
    g.dist += bestSubstringDistance(t, read);
    groups.set(l.group, g);
  }
  const byGroup = {};
  for (const [name, g] of groups) byGroup[name] = { size: g.size, accuracy: Math.max(0, 1 - g.dist / g.chars) };
  return { accuracy, byGroup };
}

/**
 * Reads each line on its own (`crops[i]` holds `lines[i]`, as PNG bytes; Tesseract's single-line
 * mode) and scores it: 1 − Σ Levenshtein / Σ length, overall and per group of lines.
 * @returns {Promise<{accuracy: number, byGroup: Record<string, {size: number, accuracy: number}>,
 *   read: string[]}>}
 */
export async function readLines(lines, crops) {
  const read = [];
  for (const crop of crops) read.push(normalise(await ocr(crop, { psm: 7 })));
  let chars = 0;
  let dist = 0;
  const groups = new Map();
  lines.forEach((l, i) => {
    const t = normalise(l.text);
    const e = levenshtein(t, read[i]);
    chars += t.length;
    dist += e;
    const g = groups.get(l.group) ?? { size: l.size, chars: 0, dist: 0 };
    g.chars += t.length;
    g.dist += e;
    groups.set(l.group, g);
  });
  const byGroup = {};
  for (const [name, g] of groups) byGroup[name] = { size: g.size, accuracy: Math.max(0, 1 - g.dist / g.chars) };
  return { accuracy: Math.max(0, 1 - dist / chars), byGroup, read };
}
