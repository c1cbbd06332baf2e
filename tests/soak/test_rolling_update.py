"""A full stack update, one pod at a time: no pod left half-started, no orphan at the end."""

import json
import os
import tempfile
import time

from soakutil import NODE_SOCKET, NODES, controllers, dk, orphans, running_components, wait_pods, wait_until

WEB = ("app", "proxy", "logs")
WORKER = ("job", "metrics", "logs")
REPLICAS = {"web": 3, "worker": 2}
NAMES = {"web": WEB, "worker": WORKER}
HALF_STARTED_AFTER = 15.0


def compose(stack):
    services = {}
    for service, names in NAMES.items():
        services[service] = {
            "image": "podlike/controller:latest",
            "stop_grace_period": "2s",
            "volumes": [{"type": "bind", "source": NODE_SOCKET, "target": "/var/run/docker.sock", "read_only": True}],
            "labels": {"pod.component.%s" % n: "image: podlike/busybox:latest\ncommand: sleep 3600\n" for n in names},
            "deploy": {
                "replicas": REPLICAS[service],
                "endpoint_mode": "dnsrr",
                "update_config": {"parallelism": 1, "delay": "1s", "order": "stop-first"},
                "restart_policy": {"condition": "any", "delay": "1s"},
                "placement": {"preferences": [{"spread": "node.id"}]},
            },
        }
    return {"version": "3.8", "services": services}


def snapshot(service):
    """{controller id: (node, running component names)} of the running controllers of service."""
    found = {}
    for node in NODES:
        for cid in controllers(node, service):
            found[cid] = (node, running_components(node, cid))
    return found


def test_stack_update_replaces_every_pod_without_half_started_ones(cluster, results, unique):
    """Repetitions: 1 stack (web: 3 replicas, worker: 2 replicas; 3 components each), every service
    force-updated with parallelism 1, so 5 pods replaced one by one. Sampled twice a second during the
    update: every running controller has all its components within 15 s of being first seen, and
    keeps them; at the end every pod is new and complete and no node holds an orphan."""
    stack = unique
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
        json.dump(compose(stack), handle)  # JSON is YAML
        path = handle.name
    figures = {}
    try:
        dk(1, "stack", "deploy", "--resolve-image", "never", "-c", path, stack)
        for service, names in NAMES.items():
            wait_pods("%s_%s" % (stack, service), names, REPLICAS[service], timeout=180)
        for service, names in NAMES.items():
            full = "%s_%s" % (stack, service)
            expected = sorted(set(names))
            before = set(snapshot(full))
            started = time.time()
            dk(1, "service", "update", "-d", "--force", "--update-parallelism", "1", full)
            first_seen, complete_at, samples, steps = {}, {}, 0, []
            while True:
                now = time.time()
                current = snapshot(full)
                samples += 1
                for cid, (node, running) in current.items():
                    first_seen.setdefault(cid, now)
                    if running == expected:
                        complete_at.setdefault(cid, now)
                    elif cid not in before:
                        waited = now - first_seen[cid]
                        assert waited < HALF_STARTED_AFTER, "pod %s on node%d half-started for %.1fs: %s" % (
                            cid[:12],
                            node,
                            waited,
                            running,
                        )
                new_complete = len([cid for cid in current if cid not in before and cid in complete_at])
                if not steps or steps[-1] != new_complete:
                    steps.append(new_complete)
                state = dk(
                    1, "service", "inspect", "--format", "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}", full
                )
                if state == "completed" and new_complete == REPLICAS[service]:
                    break
                assert state in ("updating", "completed", ""), "update of %s: %s" % (full, state)
                assert now - started < 300, "update of %s took too long" % full
                time.sleep(0.5)
            duration = time.time() - started
            after = wait_pods(full, names, REPLICAS[service], timeout=60)
            after_ids = {cid for ids in after.values() for cid in ids}
            assert not after_ids & before, "pods not replaced: %s" % (after_ids & before)
            start_to_complete = [complete_at[c] - first_seen[c] for c in complete_at if c not in before]
            figures[service] = {
                "replicas": REPLICAS[service],
                "update_s": round(duration, 1),
                "samples": samples,
                "pods_replaced": len(after_ids),
                "max_seen_to_complete_s": round(max(start_to_complete), 2),
                "complete_new_pods_by_step": steps,
            }
        wait_until(lambda: not orphans(), timeout=30, message="no orphans after the update")
        results.record("stack_update", repetitions=1, services=figures)
    finally:
        dk(1, "stack", "rm", stack, check=False)
        wait_until(
            lambda: not any(controllers(n, "%s_%s" % (stack, s)) for n in NODES for s in NAMES) and not orphans(),
            timeout=90,
            message="stack removed",
        )
        os.unlink(path)
