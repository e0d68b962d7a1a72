#!/usr/bin/env python3
"""Generate the Resguardo PWA icons (standard library only: zlib + struct).

Mark: a white shield with a teal check mark cut out, on teal #0b5d4b.
Shapes are signed distance fields: the distance to an edge (in pixels) gives
the pixel's coverage, i.e. anti-aliasing without slow pure-Python supersampling.

Usage: python3 scripts/make_icons.py [output_dir]   (default: public/icons)
"""
import math
import os
import struct
import sys
import zlib

TEAL = (0x0B, 0x5D, 0x4B)
WHITE = (0xFF, 0xFF, 0xFF)

# Shield geometry in "mark units" (y grows downwards, origin on the seam
# between the straight-sided top and the pointed bottom).
HALF_W = 0.62            # half width of the shield
TOP, SEAM, TIP = -0.72, 0.0, 0.85
CORNER = 0.14            # rounding of the two top corners
# Two circles (centres (+-A, SEAM), radius R) form the pointed bottom: each
# passes through the opposite side at the seam (vertical tangent) and the tip.
A = (TIP * TIP - HALF_W * HALF_W) / (2 * HALF_W)
R = HALF_W + A
Y_SHIFT = (TOP + TIP) / 2  # re-centre vertically
CHECK = [(-0.30, 0.03), (-0.07, 0.27), (0.32, -0.19)]
CHECK_HALF = 0.085       # half stroke width of the check mark


def sd_round_box(px, py, hx, hy, r):
    qx, qy = abs(px) - hx + r, abs(py) - hy + r
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - r


def sd_segment(px, py, ax, ay, bx, by):
    pax, pay, bax, bay = px - ax, py - ay, bx - ax, by - ay
    h = max(0.0, min(1.0, (pax * bax + pay * bay) / (bax * bax + bay * bay)))
    return math.hypot(pax - bax * h, pay - bay * h)


def sd_shield(x, y):
    # Above the seam: a box whose lower corners sit past the seam (so they are
    # not rounded); below it: the lens, which has the same width at the seam.
    # Picking one field per half (not min/max) avoids a hairline at the seam.
    if y < SEAM:
        low = SEAM + 2 * CORNER
        return sd_round_box(x, y - (TOP + low) / 2, HALF_W, (low - TOP) / 2, CORNER)
    return max(math.hypot(x - A, y - SEAM) - R, math.hypot(x + A, y - SEAM) - R)


def sd_check(x, y):
    (ax, ay), (bx, by), (cx, cy) = CHECK
    d = min(sd_segment(x, y, ax, ay, bx, by), sd_segment(x, y, bx, by, cx, cy))
    return d - CHECK_HALF


def cover(d_px):
    """Signed distance in pixels -> coverage in [0, 1]."""
    return max(0.0, min(1.0, 0.5 - d_px))


def render(size, mark_scale, bg_radius):
    """mark_scale: pixels per mark unit as a fraction of size.
    bg_radius: corner radius of the background as a fraction of size, or
    None for a full-bleed opaque square (maskable / Apple touch icon)."""
    unit = mark_scale * size
    c = size / 2.0
    rows = []
    for j in range(size):
        row = bytearray([0])  # filter type 0 (None)
        py = j + 0.5 - c
        for i in range(size):
            px = i + 0.5 - c
            alpha = 1.0 if bg_radius is None else cover(
                sd_round_box(px, py, c, c, bg_radius * size))
            x, y = px / unit, py / unit + Y_SHIFT  # to shield coordinates
            s = cover(sd_shield(x, y) * unit)
            k = cover(sd_check(x, y) * unit) if s > 0 else 0.0
            w = s * (1.0 - k)  # white amount: shield minus the check cut-out
            rgb = [round(t + (h - t) * w) for t, h in zip(TEAL, WHITE)]
            row += bytes(rgb) + bytes([round(alpha * 255)])
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(w, h, raw):
    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


ICONS = {
    # name: (size, mark scale, background corner radius or None)
    "icon-192.png": (192, 0.36, 0.20),
    "icon-512.png": (512, 0.36, 0.20),
    # Maskable: full bleed; the shield's farthest point (~0.95 units from the
    # centre) stays at ~0.30*size, well inside the 0.40*size safe-zone circle.
    "maskable-512.png": (512, 0.32, None),
    # iOS renders transparency as black and applies its own mask: full bleed.
    "apple-touch-icon.png": (180, 0.33, None),
}

if __name__ == "__main__":
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "public", "icons")
    os.makedirs(out_dir, exist_ok=True)
    for name, (size, scale, radius) in ICONS.items():
        data = render(size, scale, radius)
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
        print(f"{name}: {size}x{size}, {len(data)} bytes")
