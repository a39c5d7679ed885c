#!/usr/bin/env bash
# Compiles the three services into single binaries with `deno compile` (DESIGN §3), using the Deno that
# package-lock.json pins (node_modules/.bin/deno, from `npm ci`):
#   dist/bin/signer      the enclave's only program (copied into the image by signer/Dockerfile)
#   dist/bin/host-agent  /opt/nitro-signer/bin/host-agent on the instance
#   dist/bin/rpc-proxy   /opt/nitro-signer/bin/rpc-proxy on the instance
# Permissions are fixed at compile time (deno compile bakes them in) and kept to what each service uses.
#
# Usage: scripts/compile.sh [--dist DIR] [signer|host-agent|rpc-proxy ...]   (default: all three)
# Environment: DENO (the deno binary), TARGET (default x86_64-unknown-linux-gnu). `deno compile` downloads the
# matching `denort` runtime from dl.deno.land unless DENORT_BIN points at one (air-gapped builds: unpack
# denort-<target>.zip of the same Deno version and set DENORT_BIN).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
dist=dist
services=()
while [ $# -gt 0 ]; do
  case "$1" in
    --help|-h) usage; exit 0 ;;
    --dist) [ $# -ge 2 ] || { echo "compile.sh: --dist needs a directory" >&2; exit 2; }; dist=$2; shift 2 ;;
    signer|host-agent|rpc-proxy) services+=("$1"); shift ;;
    *) echo "compile.sh: unknown argument $1 (expected signer, host-agent, rpc-proxy, --dist DIR)" >&2; exit 2 ;;
  esac
done
[ ${#services[@]} -gt 0 ] || services=(signer host-agent rpc-proxy)

deno=${DENO:-node_modules/.bin/deno}
target=${TARGET:-x86_64-unknown-linux-gnu}
if ! [ -x "$deno" ] && ! command -v "$deno" >/dev/null; then
  echo "compile.sh: no deno at $deno: run npm ci first" >&2
  exit 1
fi
mkdir -p "$dist/bin"

# deno compile embeds the whole node_modules directory (nodeModulesDir "manual"), ~600 MB with the dev tools.
# None of these is loaded at run time by any service (build tools, test tools, type declarations, CommonJS
# copies of ESM packages), and the enclave holds its image in RAM, so they stay out of every binary.
exclude=()
for path in .bin @deno deno @foundry-rs aws-cdk-lib aws-cdk @aws-cdk cdk-nag constructs typescript tsx @esbuild esbuild \
  ethers uvu @types viem/_types viem/_cjs ox/_types ox/_cjs; do
  [ -e "node_modules/$path" ] && exclude+=(--exclude "node_modules/$path")
done

for service in "${services[@]}"; do
  case "$service" in
    # The signer: vsock, /dev/nsm through FFI (libc ioctl), the system CA bundle for KMS TLS; nothing else.
    # Worker entry points are loaded by URL at run time; deno compile only embeds them when told (--include).
    signer) flags=(--unstable-vsock --allow-net --allow-read --allow-env --allow-ffi --allow-sys) entry=signer/main_deno.ts
      flags+=(--include signer/workers/signing_worker_deno.ts) ;;
    # The host-agent: vsock to the signer, IMDS/Secrets Manager over HTTP(S), runs nitro-cli, writes its status file.
    host-agent) flags=(--unstable-vsock --allow-net --allow-read --allow-write --allow-env --allow-run --allow-sys) entry=host-agent/main_deno.ts ;;
    # The rpc-proxy: HTTP in, vsock to the signer, HTTP(S) to the Ethereum node, reads the host-agent's status file.
    # Without V8's memory reducer: the GC it runs once the process goes quiet after a busy spell left the proxy
    # about 0.15 ms slower per request for the rest of its life (docs/performance.md, "Passthrough").
    rpc-proxy) flags=(--unstable-vsock --allow-net --allow-read --allow-env --allow-sys --v8-flags=--no-memory-reducer) entry=rpc-proxy/main_deno.ts ;;
  esac
  echo "compile.sh: $entry -> $dist/bin/$service ($target)" >&2
  "$deno" compile --quiet --target "$target" "${flags[@]}" "${exclude[@]}" --output "$dist/bin/$service" "$entry"
done
