#!/usr/bin/env bash
# Trunk post_build hook (see Trunk.toml). Runs on the finished build in
# $TRUNK_STAGING_DIR, before Trunk moves it to dist/:
#   1. fills the placeholders in sw.js: the precache list (every built file
#      except sw.js, *.map and fonts/, plus "/"), a version hashed from the content
#      of those files, so any change produces a new service worker and cache,
#      and the integrity map {url: "sha256-<base64>"} of every precached URL
#      ("/" is index.html), which the worker checks what it installs against;
#   2. writes csp-script-hashes.txt: the CSP 'sha256-...' sources of every
#      inline <script> in index.html (Trunk's wasm loader), space separated,
#      for the server's Content-Security-Policy;
#   3. in release builds (any TRUNK_PROFILE but "debug"), last, precompresses:
#      beside every file ending in .wasm .js .mjs .css .html .json
#      .webmanifest .svg .txt or .xml (sw.js, index.html and the CSP file
#      included; fonts and images are compressed already) it writes
#      <file>.br (Brotli, quality 11, window 2^24, text mode but for wasm,
#      size hint) and <file>.gz (gzip level 9, no name or time in the
#      header), each only if smaller than the file itself, with the file's
#      modification time, for a server that serves them as they are (tower-http
#      ServeDir::precompressed_br().precompressed_gzip()). Each is decompressed
#      again and compared before it is kept. Needs node (Node's zlib).
#      Any later step that changes a file must run before this one.
set -euo pipefail

die() { echo "post_build.sh: error: $*" >&2; exit 1; }

STAGE="${TRUNK_STAGING_DIR:-}"
[[ -n "$STAGE" ]] || die "TRUNK_STAGING_DIR is not set (this script is meant to run as a Trunk post_build hook)"
[[ -d "$STAGE" ]] || die "staging dir '$STAGE' does not exist"
SW="$STAGE/sw.js"
INDEX="$STAGE/index.html"
CSP="$STAGE/csp-script-hashes.txt"
[[ -f "$SW" ]] || die "$SW is missing: copy public/sw.js into the build (<link data-trunk rel=\"copy-file\" href=\"public/sw.js\"/>)"
[[ -f "$INDEX" ]] || die "$INDEX is missing"
if [[ -n "${TRUNK_PUBLIC_URL:-}" && "${TRUNK_PUBLIC_URL}" != "/" ]]; then
  echo "post_build.sh: warning: public URL is '$TRUNK_PUBLIC_URL' but sw.js assumes the app is served at /" >&2
fi

# Temp files sit next to their targets so the final mv is an atomic rename;
# the python step is told to leave them out of the precache list.
TMP_SW="$SW.tmp.$$"
TMP_CSP="$CSP.tmp.$$"
trap 'rm -f "$TMP_SW" "$TMP_CSP"' EXIT

SUMMARY="$(python3 - "$STAGE" "$TMP_SW" "$TMP_CSP" <<'PY'
import base64, hashlib, json, os, sys, urllib.parse
from html.parser import HTMLParser

stage, tmp_sw, tmp_csp = sys.argv[1:4]
skip = {os.path.abspath(p) for p in (tmp_sw, tmp_csp)}

def fail(msg):
    sys.exit(f"post_build.sh: error: {msg}")

def sha256_file(path, digest=False):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.digest() if digest else h.hexdigest()

# --- precache list and version -------------------------------------------
files = []  # (url, path)
for root, dirs, names in os.walk(stage):
    for name in names:
        path = os.path.join(root, name)
        rel = os.path.relpath(path, stage).replace(os.sep, "/")
        if (rel in ("sw.js", "csp-script-hashes.txt") or rel.endswith(".map")
                or os.path.abspath(path) in skip or not os.path.isfile(path)):
            continue
        # Precompressed copies of another file (from an earlier run) are not the app's files.
        if (rel.endswith(".br") or rel.endswith(".gz")) and os.path.isfile(path[:-3]):
            continue
        # Percent-encode only what the URL parser would, so cache keys match
        # the URLs the browser actually requests.
        files.append(("/" + urllib.parse.quote(rel, safe="/!$&'()*+,-.:;=@[]^_|~"), path))
files.sort()
if not files:
    fail(f"no files found in {stage}")

sw_path = os.path.join(stage, "sw.js")
with open(sw_path, encoding="utf-8") as f:
    sw = f.read()
# Version = hash over (url, content hash) of every precached file, plus the
# sw.js template itself so a change to the worker's logic also bumps it.
digest = hashlib.sha256()
for url, path in files + [("/sw.js", sw_path)]:
    digest.update(f"{url}\t{sha256_file(path)}\n".encode("utf-8"))
version = digest.hexdigest()[:16]
# Fonts are fetched when a language needs them (the Arabic one, for the app in Arabic) and the
# worker keeps them then; precaching would make everyone download them. Still in the version.
on_demand = lambda url: url.startswith("/fonts/")
files = [(url, path) for url, path in files if not on_demand(url)]
precache = sorted(["/"] + [url for url, _ in files])
# Subresource Integrity strings for the worker's fetch(): "/" is the page.
sri = lambda path: "sha256-" + base64.b64encode(sha256_file(path, digest=True)).decode()
integrity = {url: sri(path) for url, path in files}
integrity["/"] = sri(os.path.join(stage, "index.html"))
integrity = dict(sorted(integrity.items()))

for placeholder in ('"__RESGUARDO_VERSION__"', "__RESGUARDO_PRECACHE__", "__RESGUARDO_INTEGRITY__"):
    if placeholder not in sw:
        fail(f"placeholder {placeholder} not found in {sw_path} (already processed, or not public/sw.js?)")
sw = sw.replace('"__RESGUARDO_VERSION__"', json.dumps(version))
sw = sw.replace("__RESGUARDO_PRECACHE__", json.dumps(precache, separators=(",", ":")))
sw = sw.replace("__RESGUARDO_INTEGRITY__", json.dumps(integrity, separators=(",", ":")))
with open(tmp_sw, "w", encoding="utf-8", newline="") as f:
    f.write(sw)

# --- CSP hashes of inline scripts -----------------------------------------
index_path = os.path.join(stage, "index.html")
with open(index_path, "rb") as f:
    html = f.read().decode("utf-8")
# Browsers normalise CRLF/CR to LF before parsing, and hash what they parsed.
html = html.replace("\r\n", "\n").replace("\r", "\n")

class InlineScripts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.current, self.bodies = None, []
    def handle_starttag(self, tag, attrs):
        if tag == "script":
            # Scripts with src are not inline: their content is ignored.
            self.current = None if any(k == "src" for k, _ in attrs) else []
    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)
    def handle_endtag(self, tag):
        if tag == "script" and self.current is not None:
            self.bodies.append("".join(self.current))
            self.current = None

parser = InlineScripts()
parser.feed(html)
parser.close()
hashes = []
for body in parser.bodies:
    if body not in html:  # script text is raw: must be a verbatim slice
        fail("inline script text does not match index.html byte for byte")
    h = "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
    if h not in hashes:
        hashes.append(h)
if not hashes:
    print("post_build.sh: warning: no inline <script> found in index.html", file=sys.stderr)
with open(tmp_csp, "w", encoding="ascii", newline="") as f:
    f.write(" ".join(hashes))  # no trailing newline: goes into a header value

print(f"{len(files)} {version} {len(hashes)}")
PY
)" || die "python step failed (see message above)"

read -r COUNT VERSION NHASHES <<<"$SUMMARY"
mv -f "$TMP_SW" "$SW"
mv -f "$TMP_CSP" "$CSP"
echo "post_build.sh (${TRUNK_PROFILE:-unknown profile}): precached $COUNT files + \"/\", version $VERSION, $NHASHES inline script hash(es)"

# --- precompressed copies (release builds), last: they must see every file final -----------------
if [[ "${TRUNK_PROFILE:-}" == "debug" ]]; then
  exit 0
fi
command -v node >/dev/null || die "node is needed to precompress the release build (Node's zlib); run scripts/setup.sh"
node - "$STAGE" <<'JS' || die "precompressing failed (see message above)"
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const stage = process.argv[2];
const COMPRESSIBLE = new Set(['.wasm', '.js', '.mjs', '.css', '.html', '.json', '.webmanifest', '.svg', '.txt', '.xml']);
const { constants: Z } = zlib;

function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(p);
    else if (entry.isFile()) yield p;
  }
}

// Written next to the target and renamed, with the original's times.
function keep(target, data, stat) {
  const tmp = `${target}.tmp.${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.utimesSync(tmp, stat.atime, stat.mtime);
  fs.renameSync(tmp, target);
}

let files = 0, raw = 0, brTotal = 0, gzTotal = 0, written = 0;
for (const file of [...walk(stage)].sort()) {
  if (!COMPRESSIBLE.has(path.extname(file).toLowerCase())) continue;
  const data = fs.readFileSync(file);
  const stat = fs.statSync(file);
  const br = zlib.brotliCompressSync(data, {
    params: {
      [Z.BROTLI_PARAM_QUALITY]: Z.BROTLI_MAX_QUALITY,
      [Z.BROTLI_PARAM_LGWIN]: Z.BROTLI_MAX_WINDOW_BITS,
      [Z.BROTLI_PARAM_MODE]: file.endsWith('.wasm') ? Z.BROTLI_MODE_GENERIC : Z.BROTLI_MODE_TEXT,
      [Z.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  const gz = zlib.gzipSync(data, { level: 9, memLevel: 9 });
  if (!zlib.brotliDecompressSync(br).equals(data) || !zlib.gunzipSync(gz).equals(data)) {
    throw new Error(`${file}: a compressed copy does not decompress to the file`);
  }
  files += 1;
  raw += data.length;
  for (const [ext, out] of [['.br', br], ['.gz', gz]]) {
    const target = file + ext;
    if (out.length < data.length) {
      keep(target, out, stat);
      written += 1;
      if (ext === '.br') brTotal += out.length;
      else gzTotal += out.length;
    } else {
      fs.rmSync(target, { force: true });
      if (ext === '.br') brTotal += data.length;
      else gzTotal += data.length;
    }
  }
}
const kB = (n) => `${(n / 1000).toFixed(1)} kB`;
console.log(`post_build.sh: precompressed ${files} files (${written} .br/.gz written): ${kB(raw)} -> brotli ${kB(brTotal)}, gzip ${kB(gzTotal)}`);
JS
