#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection laid out as ansible_collections/podlike/swarm.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${PODLIKE_SANITY_ROOT:-/tmp/podlike-sanity}/ansible_collections/podlike/swarm
rm -rf "$root" && mkdir -p "$root"
git ls-files -co --exclude-standard -z | xargs -0 -I{} cp --parents -d {} "$root"/ 2>/dev/null || true
# ansible-test keeps its cache and virtual environments in ~/.ansible/test: give it a home of its own.
export HOME=${ANSIBLE_HOME:-/tmp/podlike-ansible-home-$(id -u)}/ansible-test-home
mkdir -p "$HOME"
# ansible-test downloads a pip bootstrap script from a host of its own; seed its cache when that fails.
for version in 24.2 24.3 25.0 25.1 25.2 25.3; do
  cache=~/.ansible/test/cache/get_pip_${version//./_}.py
  [ -f "$cache" ] || { mkdir -p "$(dirname "$cache")"; cp scripts/get_pip_offline.py "$cache"; }
done
python=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
cd "$root"
# --requirements installs what each sanity test needs; --local runs them on this machine.
ansible-test sanity --local --python "$python" --requirements ${PODLIKE_SANITY_TESTS:-} "$@"
