#!/usr/bin/env bash
# Deploy (or with --remove, remove) the demo pod stack on the local one-node Swarm.
set -euo pipefail
cd "$(dirname "$0")/.."
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-/tmp/podlike-collections-$(id -u)}
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
if [ "${1:-}" = "--remove" ]; then
  docker stack rm podlike-demo
  echo "demo: removed the stack podlike-demo"
  exit 0
fi
ansible-playbook -i localhost, playbooks/demo/site.yml
