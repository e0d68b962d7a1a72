#!/usr/bin/env bash
# Trunk post_build hook, first of all (see after_build.sh): splits the page's wasm into the
# first download and the chunks that come after it (frontend/src/ui/lazy.rs), in place of the
# page's files Trunk wrote.
#
# Trunk cannot split (its hooks run after wasm-bindgen, which drops the relocations splitting
# needs), so this takes cargo's own output for the page (linked with --emit-relocs, see
# frontend/build.rs) and does the rest again:
#   1. wasm-split-cli: the main module, one wasm per split point and chunks of what several
#      share, and the loader (JS) the main module imports to fetch them;
#   2. wasm-bindgen --keep-lld-exports on the main module (the chunks import its memory, table
#      and functions by those exports);
#   3. in release builds, wasm-opt -Oz on the main module and every chunk, and terser on the
#      JS glue and the loader (Trunk minifies its own JS);
#   4. names the main module, the glue, every chunk and the loader after their content
#      (frontend-<part>-<16 hex>, which browsers may keep for good) and points the loader and
#      the glue at each other's names;
#   5. writes them into the build in place of Trunk's page files, with their new names and
#      integrity hashes in index.html (Trunk's loader there starts the page as before);
#   6. checks the sync worker (built by Trunk, not split) reaches no split point.
# Needs wasm-split-cli (scripts/setup.sh installs it), wasm-bindgen and, for release, wasm-opt
# and terser (npm).
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "page_build.sh: error: $*" >&2; exit 1; }

STAGE="${TRUNK_STAGING_DIR:?this script runs as a Trunk post_build hook}"
PROFILE="${TRUNK_PROFILE:-debug}"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
if [[ "$PROFILE" == debug ]]; then
  INPUT="$TARGET_DIR/wasm32-unknown-unknown/debug/frontend.wasm"
else
  INPUT="$TARGET_DIR/wasm32-unknown-unknown/wasm-release/frontend.wasm"
fi
[[ -f "$INPUT" ]] || die "cargo's output for the page, $INPUT, is missing"
command -v wasm-split-cli >/dev/null || die "wasm-split-cli is missing: run scripts/setup.sh"

# Trunk's names for the page's files, frontend-<hash>.js (the glue) and
# frontend-<other hash>_bg.wasm; both are replaced, under names of their new content.
shopt -s nullglob
wasm=("$STAGE"/frontend-*_bg.wasm)
js=("$STAGE"/frontend-*.js)
[[ ${#wasm[@]} -eq 1 && ${#js[@]} -eq 1 ]] ||
  die "expected one frontend-*.js and one frontend-*_bg.wasm in the build: $(cd "$STAGE" && ls | tr '\n' ' ')"
NAME="$(basename "${js[0]}" .js)"
TRUNK_WASM="$(basename "${wasm[0]}")"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/split" "$WORK/bindgen"

wasm-split-cli "$INPUT" "$WORK/split" --target web --out-name "$NAME" >"$WORK/split.log" 2>&1 ||
  { cat "$WORK/split.log" >&2; die "wasm-split-cli failed"; }
[[ -f "$WORK/split/$NAME.wasm" ]] || die "wasm-split-cli wrote no main module ($NAME.wasm)"

wasm-bindgen --target web --no-typescript --keep-lld-exports \
  --out-dir "$WORK/bindgen" --out-name "$NAME" "$WORK/split/$NAME.wasm"

chunks=()
for f in "$WORK/split"/*.wasm; do
  [[ "$(basename "$f")" == "$NAME.wasm" ]] || chunks+=("$f")
done
[[ ${#chunks[@]} -gt 0 ]] || die "wasm-split-cli found no split points (is the split feature on?)"

if [[ "$PROFILE" != debug ]]; then
  for f in "$WORK/bindgen/${NAME}_bg.wasm" "${chunks[@]}"; do
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$f" -o "$f.opt" || die "wasm-opt failed on $(basename "$f")"
    mv -f "$f.opt" "$f"
  done
fi

python3 - "$STAGE" "$WORK" "$NAME" "$TRUNK_WASM" "$PROFILE" <<'PY'
import base64, glob, hashlib, os, re, shutil, subprocess, sys

stage, work, name, trunk_wasm, profile = sys.argv[1:6]
split_dir, bindgen_dir = os.path.join(work, "split"), os.path.join(work, "bindgen")

def fail(msg):
    sys.exit(f"page_build.sh: error: {msg}")

def hex16(data):
    return hashlib.sha256(data).hexdigest()[:16]

def minified(js):
    """Release builds: the JS minified as Trunk minifies its own (terser, from npm)."""
    if profile == "debug":
        return js
    out = subprocess.run(
        ["node_modules/.bin/terser", "--module", "--ecma", "2020", "--compress", "--mangle"],
        input=js, capture_output=True, text=True)
    if out.returncode != 0 or not out.stdout.strip():
        fail(f"terser failed: {out.stderr.strip()}")
    return out.stdout

links = [p for p in glob.glob(os.path.join(split_dir, "*.js"))]
if len(links) != 1:
    fail(f"expected one loader .js from wasm-split-cli, found {[os.path.basename(p) for p in links]}")
link_old = os.path.basename(links[0])
link = open(links[0], encoding="utf-8").read()

# Chunks, named after their content; the loader fetches them by these names.
sizes = []
for path in sorted(glob.glob(os.path.join(split_dir, "*.wasm"))):
    old = os.path.basename(path)
    if old == f"{name}.wasm":
        continue
    data = open(path, "rb").read()
    part = re.sub(r"[^a-z0-9]+", "_", old[:-len(".wasm")].lower()).strip("_")[:40] or "chunk"
    new = f"frontend-{part}-{hex16(data)}.wasm"
    quoted = [q + "./" + old + q for q in ('"', "'")]
    if not any(q in link for q in quoted):
        fail(f"the loader does not name {old}")
    for q in ('"', "'"):
        link = link.replace(f"{q}./{old}{q}", f"{q}./{new}{q}")
    shutil.copyfile(path, os.path.join(stage, new))
    sizes.append((new, len(data)))

# The glue imports the loader as an ES module, and the loader imports the glue (for the main
# module's exports): name the glue after its content with that import left out, then the loader
# after its content, then write the loader's name into the glue. (Only the ES import changes,
# not the import object's key, which must stay the wasm's module name.)
glue = open(os.path.join(bindgen_dir, f"{name}.js"), encoding="utf-8").read()
pattern = re.compile(r"""(from\s*)(["'])\./""" + re.escape(link_old) + r"""\2""")
placeholder = "__RESGUARDO_LOADER__"
glue, count = pattern.subn(lambda m: f"{m.group(1)}{m.group(2)}./{placeholder}{m.group(2)}", glue)
if count < 1:
    fail(f"the glue does not import ./{link_old}")
glue = minified(glue)
glue_new = f"frontend-{hex16(glue.encode('utf-8'))}.js"

if f"./{name}.js" not in link:
    fail(f"the loader does not import ./{name}.js (wasm-split-cli's --out-name)")
link = minified(link.replace(f"./{name}.js", f"./{glue_new}"))
link_new = f"frontend-split-{hex16(link.encode('utf-8'))}.js"
open(os.path.join(stage, link_new), "w", encoding="utf-8").write(link)
if glue.count(placeholder) != count:
    fail("the minifier changed the glue's import of the loader")
open(os.path.join(stage, glue_new), "w", encoding="utf-8").write(glue.replace(placeholder, link_new))
os.remove(os.path.join(stage, f"{name}.js"))

main_data = open(os.path.join(bindgen_dir, f"{name}_bg.wasm"), "rb").read()
main_wasm = f"frontend-{hex16(main_data)}_bg.wasm"
os.remove(os.path.join(stage, trunk_wasm))
open(os.path.join(stage, main_wasm), "wb").write(main_data)

# Trunk's index.html loads both files by their old names and preloads them with their
# integrity (sha384): give the new names and hashes.
index_path = os.path.join(stage, "index.html")
html = open(index_path, encoding="utf-8").read()
for old, new in ((trunk_wasm, main_wasm), (f"{name}.js", glue_new)):
    if f"/{old}" not in html:
        fail(f"index.html does not name /{old}")
    html = html.replace(f"/{old}", f"/{new}")
for file in (glue_new, main_wasm):
    data = open(os.path.join(stage, file), "rb").read()
    sri = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
    # The page is minified: attribute values may be quoted or not.
    tag = re.compile(r"<link\b[^>]*\bhref=\"?/" + re.escape(file) + r"[\"\s>][^>]*>")
    tags = tag.findall(html)
    if not tags:
        fail(f"index.html does not preload /{file}")
    for t in tags:
        fixed, n = re.subn(r'integrity=("?)[^"\s>]*\1', f'integrity="{sri}"', t)
        if n != 1:
            fail(f"no integrity attribute in {t}")
        html = html.replace(t, fixed)
open(index_path, "w", encoding="utf-8").write(html)

print(f"page_build.sh: {main_wasm} {len(main_data) / 1000:.1f} kB, glue {glue_new}, loader {link_new}, "
      + ", ".join(f"{n} {s / 1000:.1f} kB" for n, s in sizes))
PY

# Only the page is split: a split point the sync worker reached would leave it importing a
# module that does not exist, and it would never start.
for f in "$STAGE"/sync-worker*_bg.wasm; do
  if grep -q __wasm_split_placeholder__ "$f"; then
    die "$(basename "$f") reaches a split point (ui::lazy): split points belong to the page's UI only"
  fi
done
