// Photo processing off the main thread, so typing never freezes while a 12 MP photo is handled.
//
// In:  postMessage({ id, blob, accept })
//        accept  the content types the caller can store and label, in its order of preference,
//                e.g. ['image/webp', 'image/jpeg']. Absent (callers that predate `type`): JPEG
//                at 0.8 exactly as before.
// Out: { id, ok: true, photo: Blob, type, thumbnail: Blob(image/jpeg), width, height, sha256,
//        encoderQuality, quality: { dark, blurry, brightness, sharpness, white } }
//      { id, ok: false, error }
//
// createImageBitmap applies the EXIF orientation ('from-image'); drawing onto a canvas and
// re-encoding drops every EXIF field, GPS position included, which is the point: a person's
// location must not travel inside a photo.
//
// The photo (long edge 2048 px) must fit a 2G link and stay legible. Measured on a photographed
// passport-like page with known text read back by Tesseract (tests/e2e/photo-quality.test.mjs,
// bench/photo-bench.mjs): WebP at 0.8 reads as well as JPEG at 0.8 in about two thirds of the
// bytes, so WebP is used where the caller accepts it and the browser really encodes it (Chromium,
// Firefox; Safari/WebKit answers a PNG instead, which is detected by the returned type). Either
// format steps its quality down only while the photo is over BUDGET bytes, never below the last
// step.
//
// `quality` is a plain check of the picture, never of anyone's face or identity: is it too dark
// or too blurred to read? It only ever leads to a suggestion to take the photo again.

const LONG_EDGE = 2048;
const BUDGET = 400_000;
const LADDERS = {
  'image/webp': [0.8, 0.7, 0.6],
  'image/jpeg': [0.8, 0.7, 0.6, 0.5],
};
const LEGACY = { type: 'image/jpeg', quality: 0.8 };
const THUMB_EDGE = 320;
const THUMB_QUALITY = 0.7;

// The quality check (see assess) works on a grayscale copy with this long edge. Thresholds
// measured on the test document (tests/e2e/photo-quality.test.mjs): sharp and well lit it has
// white 0.95, brightness 0.67, sharpness 0.82 (0.80 with twice the sensor noise); 1.5 stops
// under-exposed, white 0.60 (still read well); 2 stops, 0.52; 2.5 stops, 0.44 (dark); out of
// focus by 2 px (Tesseract reads 76 % of it), sharpness 0.65, by 3 px (56 %), 0.52 (blurry);
// shaken sideways by 8 px (78 %), 0.70, by 14 px (47 %), 0.49.
const ANALYSIS_EDGE = 1024;
const EDGE_SHARE = 0.995;
const DARK_WHITE = 0.5;
const DARK_MEAN = 0.2;
const BLURRY = 0.7;

function scaled(source, longEdge) {
  const scale = Math.min(1, longEdge / Math.max(source.width, source.height));
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, 0, 0, width, height);
  return canvas;
}

// Whether this browser encodes `type` (WebKit answers image/png for types it cannot write),
// asked once per type with a tiny canvas.
const encodes = new Map();
function canEncode(type) {
  if (type === 'image/jpeg') return Promise.resolve(true);
  if (!encodes.has(type)) {
    const probe = new OffscreenCanvas(2, 2);
    probe.getContext('2d').fillRect(0, 0, 1, 1);
    encodes.set(
      type,
      probe
        .convertToBlob({ type, quality: 0.8 })
        .then((b) => b.type === type)
        .catch(() => false),
    );
  }
  return encodes.get(type);
}

/** Encodes down the type's quality ladder until the blob fits BUDGET (or the ladder ends). */
async function encodeWithin(canvas, type) {
  let blob;
  let quality;
  for (quality of LADDERS[type]) {
    blob = await canvas.convertToBlob({ type, quality });
    if (blob.type !== type) return null; // cannot encode it after all
    if (blob.size <= BUDGET) break;
  }
  return { blob, type, quality };
}

async function encodePhoto(canvas, accept) {
  if (!Array.isArray(accept)) {
    const blob = await canvas.convertToBlob(LEGACY);
    return { blob, type: blob.type, quality: LEGACY.quality };
  }
  for (const type of accept) {
    if (!LADDERS[type] || !(await canEncode(type))) continue;
    const out = await encodeWithin(canvas, type);
    if (out) return out;
  }
  // Nothing the caller named can be written here: JPEG, which every browser writes.
  return encodeWithin(canvas, 'image/jpeg');
}

/**
 * Exposure and sharpness, measured on a grayscale copy (long edge ANALYSIS_EDGE):
 *   brightness  mean luminance, 0 (black) to 1 (white)
 *   white       the 95th percentile of luminance: how bright the paper is (a document is
 *               mostly paper, whatever the table around it)
 *   sharpness   how steep the steepest edges are: the 99.5th percentile of the luminance step
 *               across two pixels, horizontally and vertically (the smaller of the two, so a
 *               blur in one direction, like a shaken hand's, counts too), divided by the
 *               picture's contrast (1st to 99th percentile of luminance). 0.8 to 0.9 for a
 *               sharp photo whatever its exposure, lower the more blurred, and not fooled by
 *               sensor noise, which is far smaller than a letter's edge.
 *   dark        white < DARK_WHITE or brightness < DARK_MEAN
 *   blurry      sharpness < BLURRY
 */
function assess(canvas) {
  const small = scaled(canvas, ANALYSIS_EDGE);
  const w = small.width;
  const h = small.height;
  const rgba = small.getContext('2d', { willReadFrequently: true }).getImageData(0, 0, w, h).data;
  const n = w * h;
  const y = new Uint8Array(n);
  const hist = new Uint32Array(256);
  let sum = 0;
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const v = Math.round(0.2126 * rgba[p] + 0.7152 * rgba[p + 1] + 0.0722 * rgba[p + 2]);
    y[i] = v;
    sum += v;
    hist[v]++;
  }
  const percentile = (histogram, total, q) => {
    let acc = 0;
    for (let i = 0; i < histogram.length; i++) {
      acc += histogram[i];
      if (acc >= q * total) return i;
    }
    return histogram.length - 1;
  };
  const gx = new Uint32Array(256);
  const gy = new Uint32Array(256);
  let steps = 0;
  for (let r = 1; r < h - 1; r++) {
    for (let c = 1; c < w - 1; c++) {
      const i = r * w + c;
      gx[Math.abs(y[i + 1] - y[i - 1])]++;
      gy[Math.abs(y[i + w] - y[i - w])]++;
      steps++;
    }
  }
  const brightness = sum / n / 255;
  const white = percentile(hist, n, 0.95) / 255;
  const contrast = Math.max(1, percentile(hist, n, 0.99) - percentile(hist, n, 0.01));
  const edge = steps ? Math.min(percentile(gx, steps, EDGE_SHARE), percentile(gy, steps, EDGE_SHARE)) : 0;
  const sharpness = edge / contrast;
  const round = (x) => Math.round(x * 1000) / 1000;
  return {
    dark: white < DARK_WHITE || brightness < DARK_MEAN,
    blurry: sharpness < BLURRY,
    brightness: round(brightness),
    sharpness: round(sharpness),
    white: round(white),
  };
}

async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

self.onmessage = async (event) => {
  const { id, blob, accept } = event.data || {};
  try {
    const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
    let canvas;
    let thumbCanvas;
    try {
      canvas = scaled(bitmap, LONG_EDGE);
      thumbCanvas = scaled(bitmap, THUMB_EDGE);
    } finally {
      bitmap.close();
    }
    const photo = await encodePhoto(canvas, accept);
    const thumbnail = await thumbCanvas.convertToBlob({ type: 'image/jpeg', quality: THUMB_QUALITY });
    const quality = assess(canvas);
    const sha256 = await sha256Hex(photo.blob);
    self.postMessage({
      id,
      ok: true,
      photo: photo.blob,
      type: photo.type,
      encoderQuality: photo.quality,
      thumbnail,
      width: canvas.width,
      height: canvas.height,
      sha256,
      quality,
    });
  } catch (e) {
    self.postMessage({ id, ok: false, error: String((e && e.message) || e) });
  }
};
