#!/usr/bin/env bash
# Run every role's Molecule scenario (converge, idempotence, verify) against the local engine.
set -euo pipefail
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-/tmp/podlike-collections-$(id -u)}
# Molecule and ansible-compat keep scenario state and installed collections under the cache: not the user's.
export ANSIBLE_HOME=${ANSIBLE_HOME:-/tmp/podlike-ansible-home-$(id -u)}
export XDG_CACHE_HOME=$ANSIBLE_HOME/cache
cd "$(dirname "$0")/.."
found=0
for scenario_dir in roles/*/molecule/default; do
  [ -d "$scenario_dir" ] || continue
  found=1
  role_dir=${scenario_dir%/molecule/default}
  echo "molecule: $role_dir" >&2
  (cd "$role_dir" && molecule test --scenario-name default)
done
[ "$found" = 1 ] || echo "molecule: no scenarios yet" >&2
