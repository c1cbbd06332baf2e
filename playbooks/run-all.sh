#!/usr/bin/env bash
# Run every use-case playbook (and the Kubernetes versions in kube/) with the locally built images, then remove
# its stack and volumes.
set -euo pipefail
cd "$(dirname "$0")/.."
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-/tmp/podlike-collections-$(id -u)}
images/examples/build.sh
status=0
for site in playbooks/[0-9][0-9]-*/site.yml playbooks/kube/[0-9][0-9]-*.yml; do
  example=$(basename "$(dirname "$site")")
  [ "$example" != kube ] || example=kube/$(basename "$site" .yml)
  stack=$(sed -n 's/^ *example_stack: *//p' "$site" | head -1)
  [ -n "$stack" ] || { echo "run-all: $example: no stack yet, skipped" >&2; continue; }
  start=$(date +%s)
  if ansible-playbook "$site" -e @playbooks/vars/images-local.yml; then
    echo "run-all: $example passed in $(( $(date +%s) - start ))s" >&2
  else
    echo "run-all: $example FAILED" >&2; status=1
  fi
  ansible localhost -c local -m podlike.swarm.podlike_stack -a "name=$stack state=absent wait_timeout=120" >/dev/null
  docker volume ls -q --filter "label=com.docker.stack.namespace=$stack" | xargs -r docker volume rm >/dev/null
done
exit $status
