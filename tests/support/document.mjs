// A photographed identity document with known text, for measuring what the photo worker does to
// legibility: drawn in Chromium on a canvas at phone-camera resolution (4000×3000), the page seen
// in slight perspective on a table, with a guilloche background like a passport's, camera optics
// (a little blur), light falling off across the page, sensor noise, and the camera's own JPEG.
// Then read back with Tesseract (see ./ocr.mjs).
//
//   await page.evaluate(installDocumentKit);                   // once per page
//   const { base64 } = await page.evaluate((o) => window.docKit.makePhoto(o), { blur: 0, ev: 0 });
//
// Everything here is deterministic: the same options give the same bytes in the same Chromium.
// The known text is DOCUMENT_LINES (in reading order); `size` is the font size in pixels on the
// 3400 px wide page, which fills 85 % of the photo's width, so the processed photo (long edge
// 2048) shows it at about 0.435 × size.

/** The document's text, in reading order, with the font size (px on the page) of each line. */
export const DOCUMENT_LINES = [
  { text: 'REPUBLIC OF EXAMPLE', size: 96, weight: 'bold', group: 'heading' },
  { text: 'PASSPORT / PASAPORTE / PASSEPORT', size: 64, weight: 'bold', group: 'heading' },
  { text: 'Surname / Apellidos', size: 34, group: 'label' },
  { text: 'GARCIA LOPEZ', size: 72, weight: 'bold', group: 'field' },
  { text: 'Given names / Nombres', size: 34, group: 'label' },
  { text: 'MARIA ELENA', size: 72, weight: 'bold', group: 'field' },
  { text: 'Date of birth / Fecha de nacimiento', size: 34, group: 'label' },
  { text: '14 MAR 1987', size: 64, group: 'field' },
  { text: 'Place of birth / Lugar de nacimiento', size: 34, group: 'label' },
  { text: 'SAN PEDRO SULA', size: 64, group: 'field' },
  { text: 'Date of issue 02 JUN 2019    Date of expiry 01 JUN 2029', size: 44, group: 'field' },
  { text: 'Passport No. P4829174    Authority DGME 0571', size: 44, group: 'field' },
  { text: 'The bearer of this passport is a citizen of the Republic of Example and is entitled', size: 32, group: 'print-32' },
  { text: 'to travel under its protection. Issued under law 17-2004, article 38, paragraph 2.', size: 32, group: 'print-32' },
  { text: 'Any alteration of this page voids the document. Report loss within 30 days to 800-2741.', size: 27, group: 'print-27' },
  { text: 'This document remains the property of the State and must be returned on request.', size: 27, group: 'print-27' },
  { text: 'Serial 0048-7731-2295 printed by the National Mint, batch 11/2018, security level C.', size: 23, group: 'print-23' },
  { text: 'Holder signature verified 02/06/2019 at office 14, counter 3, file 88412-B.', size: 23, group: 'print-23' },
  { text: 'Not valid for travel to any territory not recognised by the issuing State, ref 5521.', size: 20, group: 'print-20' },
  { text: 'Control 7730-11-42 / 2019 lot 5586 sheet 27 of 48, reprint forbidden under art. 112.', size: 17, group: 'print-17' },
  { text: 'Microprint 3391 0275 8846 SECURITY PAPER WATERMARK 1996 GUILLOCHE 44-B 6027 RX.', size: 14, group: 'print-14' },
  { text: 'P<EXMGARCIA<LOPEZ<<MARIA<ELENA<<<<<<<<<<<<<<', size: 84, mono: true, group: 'mrz' },
  { text: 'P48291748EXM8703149F2906015<<<<<<<<<<<<<<06', size: 84, mono: true, group: 'mrz' },
];

/** The whole known text, one line per entry. */
export const DOCUMENT_TEXT = DOCUMENT_LINES.map((l) => l.text).join('\n');

export const PHOTO_WIDTH = 4000;
export const PHOTO_HEIGHT = 3000;

/**
 * Runs in the page: defines `window.docKit` with
 *   makePhoto({ lines, blur = 0, ev = 0, brightness = 1, seed = 1, quality = 0.92, grain = 4,
 *     blotch = 8 }) → { base64, size, width, height, boxes, page }: the camera JPEG (about
 *     3.6 MB, like a 12 MP phone photo; JPEG 0.8 at 2048 px makes about 500 kB of it). `blur` is
 *     an extra Gaussian blur (px at 4000×3000, on top of the optics' 0.8 px); `ev` an exposure
 *     change in stops, applied in linear light; `brightness` a plain multiplier on the sRGB values
 *     (like CSS brightness()); `grain` and `blotch` the sensor noise (below); `motion` a sideways
 *     smear of that many px (a shaken hand). `boxes` and `page` are for cutLines.
 *   toBlob(base64, type) → Blob
 *   toPngBase64(blob) → { base64, width, height }: decodes any picture and re-encodes it as PNG
 *     (so Tesseract reads exactly the pixels a browser would show)
 *   encodeLikeBefore(blob, { type = 'image/jpeg', quality = 0.8, longEdge = 2048 }) → { base64,
 *     size, type, width, height }: what photo-worker.js did before this change (createImageBitmap
 *     'from-image', drawImage with high smoothing to a 2048 px long edge, convertToBlob)
 *   worker(url) → { call(blob, accept?) → the worker's answer, terminate() }
 */
export function installDocumentKit() {
  const mulberry32 = (a) => () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const toBase64 = async (blob) => {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const fromBase64 = (b64, type) => {
    const s = atob(b64);
    const bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    return new Blob([bytes], { type });
  };

  // Where the page's corners land in the 4000×3000 scene: a little turned, a little keystoned.
  const QUAD = [
    [330, 250],
    [3700, 330],
    [3740, 2760],
    [270, 2700],
  ];

  /** The flat page (3400×2400): paper, guilloche, portrait box, text. */
  function drawPage(lines) {
    const W = 3400;
    const H = 2400;
    const c = new OffscreenCanvas(W, H);
    const g = c.getContext('2d');
    const paper = g.createLinearGradient(0, 0, W, H);
    paper.addColorStop(0, '#f3efe4');
    paper.addColorStop(0.5, '#eef1ea');
    paper.addColorStop(1, '#f1e9e6');
    g.fillStyle = paper;
    g.fillRect(0, 0, W, H);
    // Guilloche: fine pale interlaced curves all over the page, as on a passport's data page.
    g.lineWidth = 2.2;
    for (let k = 0; k < 46; k++) {
      g.strokeStyle = k % 2 ? 'rgba(120,150,200,0.28)' : 'rgba(200,130,150,0.24)';
      g.beginPath();
      for (let x = 0; x <= W; x += 6) {
        const y = (k * H) / 40 - 120 + 70 * Math.sin(x / 97 + k * 0.7) + 40 * Math.sin(x / 41 + k * 1.3);
        if (x === 0) g.moveTo(x, y);
        else g.lineTo(x, y);
      }
      g.stroke();
    }
    for (let k = 0; k < 24; k++) {
      g.strokeStyle = 'rgba(110,170,150,0.22)';
      g.beginPath();
      for (let a = 0; a <= Math.PI * 2 + 0.01; a += 0.01) {
        const r = 380 + 60 * Math.sin(a * 9 + k * 0.26);
        const x = 2700 + r * Math.cos(a) * (1 + k * 0.018);
        const y = 900 + r * Math.sin(a) * (1 + k * 0.018);
        if (a === 0) g.moveTo(x, y);
        else g.lineTo(x, y);
      }
      g.stroke();
    }
    // The portrait area: a plain tinted box (no face: nothing here looks at faces).
    const box = g.createLinearGradient(120, 330, 880, 1350);
    box.addColorStop(0, '#b9c3cc');
    box.addColorStop(1, '#8f9aa6');
    g.fillStyle = box;
    g.fillRect(120, 330, 760, 1020);
    // The text: heading full width, fields right of the portrait, then print and the MRZ below.
    g.fillStyle = '#1b1b22';
    g.textBaseline = 'alphabetic';
    let y = 150;
    const boxes = [];
    for (const [i, line] of lines.entries()) {
      const family = line.mono ? '"DejaVu Sans Mono", monospace' : '"Noto Sans", sans-serif';
      g.font = `${line.weight ?? 'normal'} ${line.size}px ${family}`;
      const prev = lines[i - 1]?.group;
      const beside = line.group === 'label' || line.group === 'field';
      if (beside && !(prev === 'label' || prev === 'field')) y = Math.max(y, 330) + 30;
      if (line.group.startsWith('print') && !prev?.startsWith('print')) y = Math.max(y, 1380) + 40;
      if (line.group.startsWith('print') && prev?.startsWith('print') && prev !== line.group) y += line.size * 0.6;
      if (line.group === 'mrz' && prev !== 'mrz') y = Math.max(y + 60, 2010);
      y += line.size * (line.group === 'label' ? 1.1 : line.group === 'field' ? 1.25 : 1.4);
      const x = beside ? 980 : 120;
      g.fillText(line.text, x, y);
      boxes.push({ x, y, width: g.measureText(line.text).width, size: line.size });
      if (line.group === 'field') y += 26;
    }
    return { canvas: c, boxes };
  }

  /** Draws `page` onto `ctx` mapped to the quad tl, tr, br, bl (row strips: a keystone warp). */
  function warp(ctx, page, [tl, tr, br, bl]) {
    const W = page.width;
    const H = page.height;
    const step = 2;
    for (let sy = 0; sy < H; sy += step) {
      const t = sy / H;
      const t2 = Math.min(1, (sy + step) / H);
      const L = [tl[0] + (bl[0] - tl[0]) * t, tl[1] + (bl[1] - tl[1]) * t];
      const R = [tr[0] + (br[0] - tr[0]) * t, tr[1] + (br[1] - tr[1]) * t];
      const L2 = [tl[0] + (bl[0] - tl[0]) * t2, tl[1] + (bl[1] - tl[1]) * t2];
      const a = (R[0] - L[0]) / W;
      const b = (R[1] - L[1]) / W;
      const c = (L2[0] - L[0]) / (t2 * H - sy || 1);
      const d = (L2[1] - L[1]) / (t2 * H - sy || 1);
      ctx.setTransform(a, b, c, d, L[0], L[1]);
      ctx.drawImage(page, 0, sy, W, step + 1, 0, 0, W, step + 1);
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
  }

  async function makePhoto({ lines, blur = 0, ev = 0, brightness = 1, seed = 1, quality = 0.92, grain = 4, blotch = 8, motion = 0 } = {}) {
    const w = 4000;
    const h = 3000;
    const rand = mulberry32(seed * 7919 + 17);
    const { canvas: page, boxes } = drawPage(lines);
    // The page, sharp, on a dark table.
    const scene = new OffscreenCanvas(w, h);
    const s = scene.getContext('2d');
    const table = s.createLinearGradient(0, 0, w, h);
    table.addColorStop(0, '#5b4636');
    table.addColorStop(1, '#3b2c22');
    s.fillStyle = table;
    s.fillRect(0, 0, w, h);
    s.strokeStyle = 'rgba(30,20,10,0.25)';
    s.lineWidth = 5;
    for (let i = 0; i < 90; i++) {
      const y0 = rand() * h;
      s.beginPath();
      s.moveTo(0, y0);
      s.bezierCurveTo(w / 3, y0 + (rand() - 0.5) * 120, (2 * w) / 3, y0 + (rand() - 0.5) * 120, w, y0 + (rand() - 0.5) * 80);
      s.stroke();
    }
    s.imageSmoothingQuality = 'high';
    warp(s, page, QUAD);
    // Camera optics (and any extra blur), then exposure with light falling off across the page.
    const photo = new OffscreenCanvas(w, h);
    const p = photo.getContext('2d');
    p.filter = `blur(${0.8 + blur}px)`;
    p.drawImage(scene, 0, 0);
    p.filter = 'none';
    // A shaken hand: the scene smeared sideways over `motion` px.
    if (motion > 0) {
      const copy = new OffscreenCanvas(w, h);
      copy.getContext('2d').drawImage(photo, 0, 0);
      const steps = Math.max(2, Math.ceil(motion));
      for (let k = 1; k < steps; k++) {
        p.globalAlpha = 1 / (k + 1);
        p.drawImage(copy, (k * motion) / (steps - 1) - motion / 2, 0);
      }
      p.globalAlpha = 1;
    }
    const img = p.getImageData(0, 0, w, h);
    const d = img.data;
    const toLin = new Float32Array(256);
    for (let i = 0; i < 256; i++) {
      const v = i / 255;
      toLin[i] = v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    }
    const toSrgb = (l) => {
      const v = l <= 0.0031308 ? l * 12.92 : 1.055 * l ** (1 / 2.4) - 0.055;
      return 255 * Math.min(1, Math.max(0, v));
    };
    // A table from linear light to sRGB bytes (4096 steps is finer than 8 bits everywhere used).
    const N = 4096;
    const back = new Float32Array(N + 1);
    for (let i = 0; i <= N; i++) back[i] = toSrgb(i / N);
    const gain = 2 ** ev;
    // Sensor noise as a phone's processed output has it: fine grain (luminance sigma `grain`
    // levels, a little chroma) plus the blotchy, spatially correlated noise that demosaicing and
    // noise reduction leave (sigma `blotch`, about 3 px across), which survives downscaling.
    const gauss = () => {
      const u = Math.max(1e-9, rand());
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
    };
    const bw = Math.ceil(w / 3);
    const bh = Math.ceil(h / 3);
    const small = new OffscreenCanvas(bw, bh);
    const sctx = small.getContext('2d');
    const sImg = sctx.createImageData(bw, bh);
    for (let i = 0; i < sImg.data.length; i += 4) {
      const l = gauss();
      sImg.data[i] = 128 + 32 * (l + 0.35 * gauss());
      sImg.data[i + 1] = 128 + 32 * (l + 0.35 * gauss());
      sImg.data[i + 2] = 128 + 32 * (l + 0.35 * gauss());
      sImg.data[i + 3] = 255;
    }
    sctx.putImageData(sImg, 0, 0);
    const big = new OffscreenCanvas(w, h);
    const bctx = big.getContext('2d');
    bctx.imageSmoothingQuality = 'high';
    bctx.drawImage(small, 0, 0, w, h);
    const nb = bctx.getImageData(0, 0, w, h).data;
    const bk = blotch / 32;
    for (let yy = 0; yy < h; yy++) {
      for (let xx = 0; xx < w; xx++) {
        const i = (yy * w + xx) * 4;
        const dx = (xx - w * 0.42) / w;
        const dy = (yy - h * 0.4) / h;
        const light = gain * (1.02 - 0.35 * (dx * dx + dy * dy));
        const n = gauss() * grain;
        for (let ch = 0; ch < 3; ch++) {
          const l = toLin[d[i + ch]] * light;
          const v = back[Math.min(N, Math.max(0, Math.round(l * N)))];
          d[i + ch] = v * brightness + n + gauss() * grain * 0.4 + (nb[i + ch] - 128) * bk;
        }
      }
    }
    p.putImageData(img, 0, 0);
    const blob = await photo.convertToBlob({ type: 'image/jpeg', quality });
    return { base64: await toBase64(blob), size: blob.size, width: w, height: h, boxes, page: [page.width, page.height] };
  }

  /**
   * Each line of the document, cut out of `blob` (a photo of the scene at any scale) and turned
   * straight again (the inverse of the warp at the line's middle), at the photo's own
   * resolution: [{ base64 (PNG), width, height }]. So each line can be read on its own, and a
   * misread is the picture's fault, not page layout analysis's.
   */
  async function cutLines(blob, boxes, [W, H]) {
    const bmp = await createImageBitmap(blob);
    const k = bmp.width / 4000; // photo pixels per scene pixel
    const [tl, tr, br, bl] = QUAD;
    const at = (px, py) => {
      const t = py / H;
      const L = [tl[0] + (bl[0] - tl[0]) * t, tl[1] + (bl[1] - tl[1]) * t];
      const R = [tr[0] + (br[0] - tr[0]) * t, tr[1] + (br[1] - tr[1]) * t];
      return [k * (L[0] + ((R[0] - L[0]) * px) / W), k * (L[1] + ((R[1] - L[1]) * px) / W)];
    };
    const out = [];
    for (const b of boxes) {
      const x0 = b.x - 0.4 * b.size;
      const x1 = b.x + b.width + 0.4 * b.size;
      const y0 = b.y - 1.25 * b.size;
      const y1 = b.y + 0.55 * b.size;
      // The page → photo map near this line, as an affine one: origin, x step, y step.
      const o = at(x0, y0);
      const ex = at(x1, y0);
      const ey = at(x0, y1);
      // The crop keeps the photo's resolution: as many pixels as the line spans in the photo.
      const cw = Math.max(1, Math.round(Math.hypot(ex[0] - o[0], ex[1] - o[1])));
      const ch = Math.max(1, Math.round(Math.hypot(ey[0] - o[0], ey[1] - o[1])));
      // crop (u, v) ↔ photo o + u/cw·(ex − o) + v/ch·(ey − o); drawImage needs photo → crop.
      const a = (ex[0] - o[0]) / cw;
      const bb = (ex[1] - o[1]) / cw;
      const c = (ey[0] - o[0]) / ch;
      const d = (ey[1] - o[1]) / ch;
      const det = a * d - bb * c;
      const ia = d / det;
      const ib = -bb / det;
      const ic = -c / det;
      const id = a / det;
      const ie = -(ia * o[0] + ic * o[1]);
      const iff = -(ib * o[0] + id * o[1]);
      const canvas = new OffscreenCanvas(cw, ch);
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, cw, ch);
      ctx.imageSmoothingQuality = 'high';
      ctx.setTransform(ia, ib, ic, id, ie, iff);
      ctx.drawImage(bmp, 0, 0);
      const png = await canvas.convertToBlob({ type: 'image/png' });
      out.push({ base64: await toBase64(png), width: cw, height: ch });
    }
    bmp.close();
    return out;
  }

  async function toPngBase64(blob) {
    const bmp = await createImageBitmap(blob);
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    c.getContext('2d').drawImage(bmp, 0, 0);
    const out = { width: bmp.width, height: bmp.height };
    bmp.close();
    const png = await c.convertToBlob({ type: 'image/png' });
    return { ...out, base64: await toBase64(png) };
  }

  async function encodeLikeBefore(blob, { type = 'image/jpeg', quality = 0.8, longEdge = 2048 } = {}) {
    const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
    const scale = Math.min(1, longEdge / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, width, height);
    bitmap.close();
    const t0 = performance.now();
    const out = await canvas.convertToBlob({ type, quality });
    const ms = performance.now() - t0;
    return { blob: out, size: out.size, type: out.type, width, height, ms };
  }

  function worker(url) {
    const w = new Worker(url);
    const pending = new Map();
    let failure = null;
    let next = 1;
    w.onmessage = (e) => {
      const p = pending.get(e.data?.id);
      if (p) {
        pending.delete(e.data.id);
        p.resolve(e.data);
      }
    };
    w.onerror = (e) => {
      failure = new Error(`worker error: ${e.message || `failed to load ${url}`}`);
      for (const p of pending.values()) p.reject(failure);
      pending.clear();
    };
    return {
      call(blob, accept, timeout = 120_000) {
        const id = next++;
        return new Promise((resolve, reject) => {
          if (failure) return reject(failure);
          const timer = setTimeout(() => {
            pending.delete(id);
            reject(new Error(`${url} did not answer within ${timeout / 1000} s`));
          }, timeout);
          pending.set(id, {
            resolve: (v) => (clearTimeout(timer), resolve(v)),
            reject: (e) => (clearTimeout(timer), reject(e)),
          });
          w.postMessage(accept === undefined ? { id, blob } : { id, blob, accept });
        });
      },
      terminate: () => w.terminate(),
    };
  }

  window.docKit = { makePhoto, cutLines, toPngBase64, encodeLikeBefore, worker, toBase64, toBlob: fromBase64 };
}
