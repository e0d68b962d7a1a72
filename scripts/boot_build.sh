#!/usr/bin/env bash
# Trunk post_build hook (before post_build.sh, see after_build.sh): writes each language's
# compiled catalog into the build as locales/app-<lang>-<16 hex of its content>.json (so browsers
# and the service worker may keep them for good), and fills the boot script of index.html:
#   - the likely language (the one chosen before, else the browser's, else Spanish) is known
#     before the app loads, its catalog is fetched at once, <html lang dir> are set, and the
#     boot screen says "Loading…" in it;
#   - window.__resguardoLocales maps each language to its catalog's URL for the app;
#   - window.__resguardoSyncWorker is the address of the sync worker's loader.
# The catalogs come from `locales build` (the locales crate checks every language against
# English first and fails the build on any problem).
set -euo pipefail
cd "$(dirname "$0")/.."
STAGE="${TRUNK_STAGING_DIR:?this script runs as a Trunk post_build hook}"
OUT="$STAGE/locales"
rm -rf "$OUT"
cargo run --quiet --release -p locales --bin locales -- build --out "$OUT"
python3 - "$STAGE" <<'PY'
import hashlib, json, os, sys

stage = sys.argv[1]
out = os.path.join(stage, "locales")
boot = json.load(open(os.path.join(out, "boot.json"), encoding="utf-8"))
os.remove(os.path.join(out, "boot.json"))
urls, rtl = {}, []
for name in sorted(os.listdir(out)):
    if not (name.startswith("app.") and name.endswith(".json")):
        continue
    lang = name[len("app."):-len(".json")]
    data = open(os.path.join(out, name), "rb").read()
    hashed = f"app-{lang}-{hashlib.sha256(data).hexdigest()[:16]}.json"
    os.rename(os.path.join(out, name), os.path.join(out, hashed))
    urls[lang] = f"/locales/{hashed}"
    if json.loads(data).get("lang") == "ar":
        rtl.append(lang)
# Trunk names a worker's files after its binary (sync-worker_loader.js), with a hash if it ever
# adds one (sync-worker-<hash>_loader.js).
loaders = [n for n in os.listdir(stage) if n.startswith("sync-worker") and n.endswith("_loader.js")]
if len(loaders) != 1:
    sys.exit(f"boot_build.sh: expected one sync-worker*_loader.js in the build, found {loaders}")
data = json.dumps({"urls": urls, "boot": boot, "rtl": rtl}, ensure_ascii=False, separators=(",", ":"))
script = (
    "(function(){var L=" + data + ";"
    "function pick(){try{var s=localStorage.getItem('resguardo.lang');if(s&&L.urls[s])return s}catch(e){}"
    "var w=navigator.languages||[navigator.language||''];"
    "for(var i=0;i<w.length;i++){var p=String(w[i]||'').toLowerCase().split(/[-_]/)[0];if(L.urls[p])return p}"
    "return 'es'}"
    "var lang=pick();window.__resguardoLocales=L.urls;window.__resguardoCatalogLang=lang;"
    "window.__resguardoSyncWorker=" + json.dumps("/" + loaders[0]) + ";"
    "window.__resguardoCatalog=fetch(L.urls[lang]).then(function(r){if(!r.ok)throw new Error(r.status);return r.text()});"
    "window.__resguardoCatalog.catch(function(){});"
    "var h=document.documentElement;h.lang=lang;h.dir=L.rtl.indexOf(lang)>=0?'rtl':'ltr';"
    "var t=document.getElementById('boot-text');if(t)t.textContent=L.boot[lang]||'';})();"
)
index = os.path.join(stage, "index.html")
html = open(index, encoding="utf-8").read()
marker = "/*__RESGUARDO_BOOT__*/"
if marker not in html:
    sys.exit("boot_build.sh: the boot script's placeholder is not in index.html")
open(index, "w", encoding="utf-8").write(html.replace(marker, script))
print(f"boot_build.sh: {len(urls)} catalogs: {', '.join(sorted(urls))}; sync worker {loaders[0]}")
PY
