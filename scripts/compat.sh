#!/usr/bin/env bash
# make compat: the engine-facing tests (pytest -m compat) against a current Docker engine, in cgroup v1
# and then cgroup v2 mode (scripts/current-engine.sh), each run named by engine version, negotiated API
# version, cgroup version and driver. The main engine is only read from (the images to load).
#   PODLIKE_COMPAT_MODES="v1 v2"   the modes to run (default both)
# The module tests (podlike_pod, podlike_stack through ansible-playbook) speak the same API in both
# modes and run in v1 only; what cgroup v2 changes is in the controller's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf 'compat: %s\n' "$*" >&2; }

PYTHON=${PYTHON:-python3}
status=0
trap 'scripts/current-engine.sh stop >/dev/null 2>&1 || true' EXIT
scripts/current-engine.sh stop >/dev/null 2>&1  # one left by an interrupted run

for mode in ${PODLIKE_COMPAT_MODES:-v1 v2}; do
  host=$(scripts/current-engine.sh start "$mode" | tail -n 1)
  export "${host?}"
  # The engine's own CLI: the docker() helper of the tests and podlike_stack run `docker`.
  export PATH=/run/podlike-current/bin:$PATH
  summary=$("$PYTHON" - <<'EOF'
import sys
sys.path.insert(0, "tests")
import conftest  # noqa: F401 - makes the collection importable
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerClient

client = DockerClient()
info = client.info()
print("Docker %s, %s, cgroup v%s (%s driver)" % (
    info["ServerVersion"], client.describe_api(), info.get("CgroupVersion"), info.get("CgroupDriver")))
EOF
)
  log "$mode: $summary"
  only_v1=()
  [ "$mode" = v1 ] || only_v1=(--ignore=tests/integration/test_podlike_pod.py --ignore=tests/integration/test_podlike_stack.py)
  PODLIKE_COMPAT_CGROUP=$mode "$PYTHON" -m pytest tests/integration -m compat -q -p no:cacheprovider "${only_v1[@]}" \
    || { status=1; log "$mode: FAILED ($summary)"; }
  scripts/current-engine.sh stop
  unset DOCKER_HOST
done
exit $status
