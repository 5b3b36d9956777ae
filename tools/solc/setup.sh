#!/usr/bin/env bash
# Makes the pinned solc (version from brownie-config.yaml) available to py-solc-x/brownie in
# .solc/ (SOLCX_BINARY_PATH): a native solc of that version when the machine has one, else
# an adapter over solc-js from node_modules.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
version="$(sed -n 's/^ *version: *\([0-9][0-9.]*\).*/\1/p' "$root/brownie-config.yaml" | head -n 1)"
[ -n "$version" ] || { echo "setup.sh: no compiler.solc.version in brownie-config.yaml" >&2; exit 1; }
mkdir -p "$root/.solc"
target="$root/.solc/solc-v$version"
if command -v solc >/dev/null 2>&1 && solc --version | grep -q "Version: $version+"; then
  ln -sf "$(command -v solc)" "$target"
  echo "solc $version: native $(command -v solc)"
else
  js_version="$(node -p "require('$root/node_modules/solc/package.json').version")"
  if [ "$js_version" != "$version" ]; then
    echo "setup.sh: brownie-config.yaml pins solc $version but node_modules has solc-js $js_version" >&2
    exit 1
  fi
  printf '#!/bin/sh\nexec node "%s/tools/solc/solcjs-adapter.js" "$@"\n' "$root" > "$target"
  chmod +x "$target"
  echo "solc $version: solc-js adapter"
fi
