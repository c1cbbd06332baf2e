"""A node lost, and a Docker daemon restarted, while pods of a Swarm service run."""

import time

from soakutil import (
    components,
    create_service,
    daemon_ready,
    multinode,
    orphans,
    remove_service,
    restore_node,
    wait_pods,
    wait_until,
)

NAMES = ("a", "b", "c")


def test_node_down_reschedules_pods_and_leaves_no_orphans(cluster, results, unique):
    """Repetitions: 1. A 3-replica pod service (3 components each, stop_grace_period 2s), one pod per
    node; node3's dockerd gets SIGTERM: its pod is rescheduled on node1/node2 and all 3 pods run with
    all their components; node3's dockerd is started again: none of its old components remain and no
    node holds a component whose controller is not running."""
    service = unique
    create_service(service, NAMES, extra_args=["--placement-pref", "spread=node.id"])
    try:
        started = time.time()
        placed = wait_pods(service, NAMES, 3, spread=True)
        first_up = time.time() - started
        assert sorted(placed) == [1, 2, 3], placed
        old = set(placed[3])
        old_components = {c[0] for c in components(3) if c[2] in old}
        old_members = [c for c in components(3, "label=podlike.role=component") if c[2] in old]
        assert len(old_members) == len(NAMES), old_members

        started = time.time()
        multinode("stop", "3")
        stopped = time.time() - started
        placed = wait_pods(service, NAMES, 3, nodes=(1, 2), timeout=180)
        rescheduled = time.time() - started

        started = time.time()
        multinode("start", "3")
        wait_until(lambda: daemon_ready(3), timeout=120, interval=1, message="node3 Ready")
        rejoined = time.time() - started

        def clean():
            leftover = [c for c in components(3) if c[2] in old or c[0] in old_components]
            return not leftover and not orphans()

        wait_until(clean, timeout=60, interval=0.5, message="no old components on node3, no orphans")
        cleaned = time.time() - started
        # The pods still run, all of them complete, after node3 is back.
        wait_pods(service, NAMES, 3, timeout=60)
        results.record(
            "node_down",
            repetitions=1,
            first_pods_up_s=round(first_up, 1),
            dockerd_stop_s=round(stopped, 1),
            rescheduled_s=round(rescheduled, 1),
            node_back_ready_s=round(rejoined, 1),
            no_orphans_after_restart_s=round(cleaned, 1),
        )
    finally:
        restore_node(3)
        remove_service(service)


RESTARTS = 2


def test_daemon_restart_brings_pods_back_without_orphans(cluster, results, unique):
    """Repetitions: 2 restarts of node2's dockerd (SIGTERM, then started again) under a 3-replica pod
    service (3 components each): after each, all 3 pods run again with all components (Swarm restarts
    the tasks) and no node holds a component whose controller is not running."""
    service = unique
    create_service(service, NAMES, extra_args=["--placement-pref", "spread=node.id"])
    figures = []
    try:
        wait_pods(service, NAMES, 3, spread=True)
        for _round in range(RESTARTS):
            started = time.time()
            multinode("stop", "2")
            multinode("start", "2")
            wait_until(lambda: daemon_ready(2), timeout=120, interval=1, message="node2 Ready")
            back = time.time() - started
            wait_pods(service, NAMES, 3, timeout=180)
            running = time.time() - started
            wait_until(lambda: not orphans(), timeout=60, interval=0.5, message="no orphans")
            clean = time.time() - started
            figures.append(
                {"daemon_back_s": round(back, 1), "pods_running_s": round(running, 1), "no_orphans_s": round(clean, 1)}
            )
            # Every pod stays complete and orphan-free a little later too.
            time.sleep(3)
            assert not orphans()
            wait_pods(service, NAMES, 3, timeout=30)
        results.record("daemon_restart", repetitions=RESTARTS, runs=figures)
    finally:
        restore_node(2)
        remove_service(service)
