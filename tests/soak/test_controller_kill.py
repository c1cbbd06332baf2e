"""SIGKILL of a pod's controller: its components must go with it (shared PID namespace, AutoRemove)."""

import statistics
import time

from soakutil import (
    CONTROLLER_IMAGE,
    LABEL_CONTROLLER_ID,
    SOCKET_VOLUME,
    components,
    dk,
    orphans,
    pod_labels,
    running_components,
    wait_until,
)

KILLS = 50
NAMES = ("a", "b")
CLEAN_WITHIN = 10.0


def test_sigkill_of_controller_leaves_no_orphans(cluster, results, unique):
    """Repetitions: 50 pods run on node1 with docker run (2 components each), each controller killed
    with SIGKILL once it runs: within 10 s no component of it remains and node1 holds no orphan.
    Records the time from the kill to the last component gone (max, mean, median)."""
    node = 1
    expected = sorted(NAMES)
    cleaned = []
    started_in = []
    try:
        for i in range(KILLS):
            name = "%s-%02d" % (unique, i)
            t0 = time.time()
            cid = dk(
                node,
                "run",
                "-d",
                "--name",
                name,
                "-v",
                SOCKET_VOLUME,
                *pod_labels(NAMES, flag="--label"),
                CONTROLLER_IMAGE,
            )
            wait_until(
                lambda cid=cid: running_components(node, cid) == expected,
                timeout=60,
                message="pod %s running" % name,
            )
            started_in.append(time.time() - t0)
            t1 = time.time()
            dk(node, "kill", "-s", "KILL", name)
            wait_until(
                lambda cid=cid: not components(node, "label=%s=%s" % (LABEL_CONTROLLER_ID, cid)),
                timeout=CLEAN_WITHIN,
                interval=0.1,
                message="components of killed pod %s gone (iteration %d)" % (name, i + 1),
            )
            cleaned.append(time.time() - t1)
            assert not orphans((node,)), "orphans after kill %d" % (i + 1)
            dk(node, "rm", "-f", name)
        assert not orphans()
        results.record(
            "controller_sigkill",
            repetitions=KILLS,
            clean_max_s=round(max(cleaned), 2),
            clean_mean_s=round(statistics.mean(cleaned), 2),
            clean_median_s=round(statistics.median(cleaned), 2),
            pod_start_mean_s=round(statistics.mean(started_in), 2),
            pod_start_max_s=round(max(started_in), 2),
        )
    finally:
        names = dk(node, "ps", "-aq", "--filter", "name=%s-" % unique, check=False).split()
        if names:
            dk(node, "rm", "-f", *names, check=False)
