#!/usr/bin/env bash
# Makes public/fonts/noto-sans-arabic-subset.woff2, the Arabic-script font the app serves itself
# (never from a third party): Noto Sans Arabic (SIL Open Font License 1.1, from Debian's
# fonts-noto-core) cut down to the Arabic letters, marks, digits and punctuation people type and
# the app shows, with the shaping features Arabic needs, as WOFF2. The result is committed, so
# builds need none of this; run it again only to change the subset.
#   needs: fonts-noto-core (Debian), and fonttools + brotli (PyPI) in $VENV (default /tmp/fonttools)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-/tmp/fonttools}
SRC=/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf
[ -f "$SRC" ] || { echo "missing $SRC: apt-get install fonts-noto-core" >&2; exit 1; }
[ -x "$VENV/bin/pyftsubset" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q fonttools brotli; }
"$VENV/bin/pyftsubset" "$SRC" \
  --unicodes="U+0020-0040,U+005B-0060,U+007B-007E,U+00A0,U+00AB,U+00BB,U+0600-06FF,U+0750-077F,U+FB50-FDFF,U+FE70-FEFF,U+200C-200F,U+2010-2027,U+2066-2069" \
  --layout-features='*' --flavor=woff2 --no-hinting --desubroutinize \
  --output-file=public/fonts/noto-sans-arabic-subset.woff2
ls -l public/fonts/noto-sans-arabic-subset.woff2
