#!/usr/bin/env bash
# Rewrites docs/claims.md from the claim specs (`repro claims --format=md`).
set -euo pipefail
repro="$(pwd)/$1"
cd "${BUILD_WORKSPACE_DIRECTORY:?run me with bazel run //docs:regenerate_claims}"
tmp="docs/.claims.md.tmp.$$"
"$repro" claims --format=md > "$tmp"
mv "$tmp" docs/claims.md
echo "wrote docs/claims.md"
