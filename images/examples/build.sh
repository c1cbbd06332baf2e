#!/usr/bin/env bash
# Build, offline, the local stand-ins of the example images (see playbooks/vars/images-local.yml).
# Needs podlike/base:bookworm and podlike/busybox:latest (scripts/build-images.sh).
set -euo pipefail
cd "$(dirname "$0")"
for dir in */; do
  name=${dir%/}
  docker build -q -t "podlike/example-$name:local" "$name" >/dev/null 2>&1 \
    || docker build -t "podlike/example-$name:local" "$name"
  printf 'examples: built podlike/example-%s:local\n' "$name" >&2
done
