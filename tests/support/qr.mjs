// QR codes on the app's screens, read back: the SVG as the browser paints it, decoded with jsQR (a
// decoder nobody here wrote), so a test checks what a phone's camera would read.

import jsQR from 'jsqr';

/** The QR code `svg` as the browser paints it, decoded: its text, or null. */
export async function decodeQr(svg) {
  const { width, height, data } = await svg.evaluate(async (el) => {
    const side = 400;
    const xml = new XMLSerializer().serializeToString(el);
    const img = new Image();
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(xml)}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = side;
    canvas.height = side;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, side, side);
    ctx.drawImage(img, 0, 0, side, side);
    const pixels = ctx.getImageData(0, 0, side, side);
    return { width: side, height: side, data: [...pixels.data] };
  });
  return jsQR(Uint8ClampedArray.from(data), width, height)?.data ?? null;
}

