#!/usr/bin/env bash
# docs/claims.md must be exactly what `repro claims --format=md` prints: the
# claims, sources and rules the verdict engine applies (issue 16).
set -euo pipefail
repro="$1"
committed="$2"
generated="$(mktemp)"
trap 'rm -f "$generated"' EXIT
"$repro" claims --format=md > "$generated"
if ! diff -u "$committed" "$generated"; then
  echo "docs/claims.md differs from \`repro claims --format=md\`;" >&2
  echo "regenerate it: bazel run //docs:regenerate_claims" >&2
  exit 1
fi
echo "docs/claims.md matches the claim specs"
