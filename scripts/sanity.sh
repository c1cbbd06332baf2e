#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection laid out as ansible_collections/podlike/swarm.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${PODLIKE_SANITY_ROOT:-/tmp/podlike-sanity}/ansible_collections/podlike/swarm
rm -rf "$root" && mkdir -p "$root"
git ls-files -co --exclude-standard -z | xargs -0 -I{} cp --parents -d {} "$root"/ 2>/dev/null || true
python=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
cd "$root"
# --requirements installs what each sanity test needs; --local runs them on this machine.
ansible-test sanity --local --python "$python" --requirements ${PODLIKE_SANITY_TESTS:-} "$@"
