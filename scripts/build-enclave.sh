#!/usr/bin/env bash
# Builds the enclave image file (EIF) and records its measurements (DESIGN §5, §9):
#   1. scripts/compile.sh signer           -> dist/bin/signer        (skip with --skip-compile)
#   2. scripts/fetch-libsecp256k1.sh      -> dist/lib/libsecp256k1.so.1 (Debian's, checked against the Dockerfile's pins)
#   3. docker build -f signer/Dockerfile   -> image nitro-signer-enclave:<tag>  (context: dist/)
#   4. nitro-cli build-enclave             -> dist/enclave/signer.eif, dist/enclave/build.json
#   5. scripts/write_pcrs.mjs              -> dist/enclave/pcrs.json { "PCR0", "PCR1", "PCR2", "EifSizeBytes" }
#      (deploy/ binds the key policy to PCR0 and checks the enclave memory against the EIF's size)
# Needs Docker and the Nitro CLI with its build blobs (aws-nitro-enclaves-cli and aws-nitro-enclaves-cli-devel;
# any x86_64 Linux with Docker, not only a Nitro instance), Node and `npm ci` for step 1.
#
# Usage: scripts/build-enclave.sh [--dist DIR] [--tag TAG] [--skip-compile]
# Environment: DOCKER (default docker), NITRO_CLI (default nitro-cli), SOURCE_DATE_EPOCH (default: the last
# commit's time; the binary's mtime, so rebuilding one commit reproduces the image and its PCR0).
set -euo pipefail
cd "$(dirname "$0")/.."

dist=dist
tag=""
compile=1
while [ $# -gt 0 ]; do
  case "$1" in
    --help|-h) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --dist) [ $# -ge 2 ] || { echo "build-enclave.sh: --dist needs a directory" >&2; exit 2; }; dist=$2; shift 2 ;;
    --tag) [ $# -ge 2 ] || { echo "build-enclave.sh: --tag needs a value" >&2; exit 2; }; tag=$2; shift 2 ;;
    --skip-compile) compile=0; shift ;;
    *) echo "build-enclave.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
docker=${DOCKER:-docker}
nitro_cli=${NITRO_CLI:-nitro-cli}
for tool in "$docker" "$nitro_cli" node; do
  command -v "$tool" >/dev/null || { echo "build-enclave.sh: $tool not found (install Docker, aws-nitro-enclaves-cli and aws-nitro-enclaves-cli-devel)" >&2; exit 1; }
done
if [ -z "$tag" ]; then tag=$(git rev-parse --short=12 HEAD 2>/dev/null || echo local); fi
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

if [ "$compile" = 1 ]; then scripts/compile.sh --dist "$dist" signer; fi
[ -x "$dist/bin/signer" ] || { echo "build-enclave.sh: $dist/bin/signer is missing (run scripts/compile.sh signer)" >&2; exit 1; }
touch -h -d "@$epoch" "$dist/bin/signer"
scripts/fetch-libsecp256k1.sh --dist "$dist"
touch -h -d "@$epoch" "$dist/lib/libsecp256k1.so.1"
mkdir -p "$dist/enclave"

image="nitro-signer-enclave:$tag"
echo "build-enclave.sh: docker build $image from $dist/bin/signer" >&2
SOURCE_DATE_EPOCH=$epoch "$docker" build --platform linux/amd64 --file signer/Dockerfile --tag "$image" "$dist"

echo "build-enclave.sh: nitro-cli build-enclave -> $dist/enclave/signer.eif" >&2
"$nitro_cli" build-enclave --docker-uri "$image" --output-file "$dist/enclave/signer.eif" > "$dist/enclave/build.json"
node scripts/write_pcrs.mjs "$dist/enclave/pcrs.json" --eif "$dist/enclave/signer.eif" < "$dist/enclave/build.json" > /dev/null
echo "build-enclave.sh: wrote $dist/enclave/signer.eif and $dist/enclave/pcrs.json (PCRs and the EIF's size):" >&2
cat "$dist/enclave/pcrs.json"
