#!/usr/bin/env bash
# Puts the enclave's native secp256k1 library into the image's build context (issue 19), checked against the pins
# in signer/Dockerfile (the line "#   pin: libsecp256k1-1=VERSION deb-sha256=… so-sha256=…"):
#   DIST/lib/libsecp256k1.so.1   the library file of Debian bookworm's libsecp256k1-1, amd64
# Kept as is when already there with the pinned hash; refused (exit 1) when there with another. Otherwise the
# .deb comes from LIBSECP256K1_DEB (a local file), else `apt-get download` (a Debian host with bookworm sources),
# else deb.debian.org's pool (curl); its sha256 must match deb-sha256 and the extracted library so-sha256, or
# nothing is written. Needs dpkg-deb, or ar and tar, to unpack.
#
# Usage: scripts/fetch-libsecp256k1.sh [--dist DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

dist=dist
while [ $# -gt 0 ]; do
  case "$1" in
    --help|-h) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --dist) [ $# -ge 2 ] || { echo "fetch-libsecp256k1.sh: --dist needs a directory" >&2; exit 2; }; dist=$2; shift 2 ;;
    *) echo "fetch-libsecp256k1.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

pin=$(sed -n 's/^#   pin: //p' signer/Dockerfile)
[[ "$pin" =~ ^libsecp256k1-1=([^ ]+)\ deb-sha256=([0-9a-f]{64})\ so-sha256=([0-9a-f]{64})$ ]] \
  || { echo "fetch-libsecp256k1.sh: no '#   pin: libsecp256k1-1=… deb-sha256=… so-sha256=…' line in signer/Dockerfile" >&2; exit 1; }
version=${BASH_REMATCH[1]} deb_sha=${BASH_REMATCH[2]} so_sha=${BASH_REMATCH[3]}
target="$dist/lib/libsecp256k1.so.1"
sha() { sha256sum "$1" | cut -d' ' -f1; }

if [ -e "$target" ]; then
  [ "$(sha "$target")" = "$so_sha" ] || { echo "fetch-libsecp256k1.sh: $target is not the pinned library (sha256 $(sha "$target"), expected $so_sha)" >&2; exit 1; }
  echo "fetch-libsecp256k1.sh: $target is the pinned libsecp256k1-1 $version" >&2
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
deb="$work/libsecp256k1-1_${version}_amd64.deb"
if [ -n "${LIBSECP256K1_DEB:-}" ]; then
  cp "$LIBSECP256K1_DEB" "$deb"
elif command -v apt-get >/dev/null && (cd "$work" && apt-get download -q "libsecp256k1-1:amd64=$version" >/dev/null 2>&1); then
  mv "$work"/libsecp256k1-1_*_amd64.deb "$deb" 2>/dev/null || true
else
  curl -fsSL -o "$deb" "https://deb.debian.org/debian/pool/main/libs/libsecp256k1/libsecp256k1-1_${version}_amd64.deb" \
    || { echo "fetch-libsecp256k1.sh: cannot download libsecp256k1-1 $version (set LIBSECP256K1_DEB to a local .deb)" >&2; exit 1; }
fi
[ "$(sha "$deb")" = "$deb_sha" ] || { echo "fetch-libsecp256k1.sh: the .deb is not the pinned libsecp256k1-1 $version (sha256 $(sha "$deb"), expected $deb_sha)" >&2; exit 1; }
mkdir -p "$work/root"
if command -v dpkg-deb >/dev/null; then
  dpkg-deb -x "$deb" "$work/root"
else
  (cd "$work" && ar x "$deb" && tar -xf data.tar.* -C root)
fi
lib=$(find "$work/root/usr/lib/x86_64-linux-gnu" -name 'libsecp256k1.so.1.*' -type f | head -n 1)
[ -n "$lib" ] && [ "$(sha "$lib")" = "$so_sha" ] || { echo "fetch-libsecp256k1.sh: the library in the .deb does not have the pinned sha256 $so_sha" >&2; exit 1; }
mkdir -p "$dist/lib"
install -m 0644 "$lib" "$target"
echo "fetch-libsecp256k1.sh: wrote $target (libsecp256k1-1 $version, sha256 $so_sha)" >&2
