#!/usr/bin/env bash
# Refresh the console's vendored front-end assets from the npm registry (a build-time step; nothing is
# fetched at run time). Pinned versions; the checksums in vendor/SHA256SUMS must be updated with them.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/xiaobao/web/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent htmx.org@2.0.11 echarts@5.6.0 >/dev/null)
tar xzf "$tmp/htmx.org-2.0.11.tgz" -C "$tmp" package/dist/htmx.min.js package/LICENSE
cp "$tmp/package/dist/htmx.min.js" "$dest/htmx.min.js" && cp "$tmp/package/LICENSE" "$dest/htmx.LICENSE"
rm -rf "$tmp/package"
tar xzf "$tmp/echarts-5.6.0.tgz" -C "$tmp" package/dist/echarts.min.js package/LICENSE package/NOTICE
cp "$tmp/package/dist/echarts.min.js" "$dest/echarts.min.js"
cp "$tmp/package/LICENSE" "$dest/echarts.LICENSE" && cp "$tmp/package/NOTICE" "$dest/echarts.NOTICE"
(cd "$dest" && sha256sum -c SHA256SUMS)
