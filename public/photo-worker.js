// Photo processing off the main thread, so typing never freezes while a 12 MP photo is handled.
//
// In:  postMessage({ id, blob })
// Out: { id, ok: true, photo: Blob(image/jpeg), thumbnail: Blob(image/jpeg), width, height, sha256 }
//      { id, ok: false, error }
//
// createImageBitmap applies the EXIF orientation ('from-image'); drawing onto a canvas and
// re-encoding as JPEG drops every EXIF field, GPS position included, which is the point: a
// person's location must not travel inside a photo.

const LONG_EDGE = 2048;
const QUALITY = 0.8;
const THUMB_EDGE = 320;
const THUMB_QUALITY = 0.7;

async function encode(bitmap, longEdge, quality) {
  const scale = Math.min(1, longEdge / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, width, height);
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
  return { blob, width, height };
}

async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

self.onmessage = async (event) => {
  const { id, blob } = event.data || {};
  try {
    const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
    try {
      const photo = await encode(bitmap, LONG_EDGE, QUALITY);
      const thumbnail = await encode(bitmap, THUMB_EDGE, THUMB_QUALITY);
      const sha256 = await sha256Hex(photo.blob);
      self.postMessage({ id, ok: true, photo: photo.blob, thumbnail: thumbnail.blob, width: photo.width, height: photo.height, sha256 });
    } finally {
      bitmap.close();
    }
  } catch (e) {
    self.postMessage({ id, ok: false, error: String((e && e.message) || e) });
  }
};
