"""A component that crashes in a loop: the controller restarts it with a doubling back-off."""

import datetime
import re
import subprocess

from soakutil import CONTROLLER_IMAGE, SOCKET_VOLUME, dk, orphans, pod_labels, socket, wait_until

RESTARTS = 4
EXPECTED_DELAYS = [0.0, 1.0, 2.0, 4.0]
CRASH = 'restart: always\ncommand: ["sh", "-c", "sleep 0.5; exit 3"]\n'
RESTARTING = re.compile(r"crash exited with code 3; restarting in ([0-9.]+)s \(restart (\d+)\)")
STARTING = re.compile(r"starting crash\b")


def stamp(line):
    """Seconds since the epoch of a `docker logs -t` line."""
    text = line.split(" ", 1)[0]
    whole, _sep, fraction = text.rstrip("Z").partition(".")
    moment = datetime.datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp() + float("0." + (fraction or "0"))


def test_crash_loop_backs_off_and_reports_unhealthy(cluster, results, unique):
    """Repetitions: 1 pod on node1, its component `crash` (restart: always) exits 0.5 s after each
    start, observed through 4 restarts: the announced delays are 0, 1, 2, 4 s, each next start comes
    no sooner than the delay (and less than 2 s after it), and `podlike health` says
    `pod <name>: unhealthy` while the component is down."""
    node = 1
    name = unique
    dk(
        node,
        "run",
        "-d",
        "--name",
        name,
        "-v",
        SOCKET_VOLUME,
        *pod_labels(("steady", "crash"), extra={"crash": CRASH}, flag="--label"),
        CONTROLLER_IMAGE,
    )
    try:

        def logs():
            result = subprocess.run(
                ["docker", "-H", socket(node), "logs", "-t", name], capture_output=True, text=True, check=False
            )
            return result.stdout + "\n" + result.stderr

        # While the 2 s back-off runs, the component is down: the pod must say so.
        wait_until(lambda: "(restart 3)" in logs(), timeout=60, message="third restart announced")
        health = dk(node, "exec", name, "podlike", "health", check=False)
        first_line = health.splitlines()[0] if health else ""
        assert first_line == "pod %s: unhealthy" % name, health

        wait_until(
            lambda: len([ln for ln in logs().splitlines() if STARTING.search(ln)]) >= RESTARTS + 1,
            timeout=60,
            message="fourth restart done",
        )
        events = []
        for line in sorted(set(logs().splitlines())):
            match = RESTARTING.search(line)
            if match:
                events.append(("restarting", stamp(line), float(match.group(1)), int(match.group(2))))
            elif STARTING.search(line):
                events.append(("starting", stamp(line), None, None))
        events.sort(key=lambda event: event[1])
        announced = [e for e in events if e[0] == "restarting"][:RESTARTS]
        assert [e[2] for e in announced] == EXPECTED_DELAYS, events
        assert [e[3] for e in announced] == list(range(1, RESTARTS + 1)), events
        gaps = []
        for event in announced:
            following = [e for e in events if e[0] == "starting" and e[1] >= event[1]]
            assert following, "no start after %r" % (event,)
            gap = following[0][1] - event[1]
            gaps.append(round(gap, 2))
            assert event[2] - 0.05 <= gap <= event[2] + 2.0, (event, gap, events)
        results.record(
            "crash_loop",
            repetitions=1,
            restarts_observed=RESTARTS,
            announced_delays_s=[e[2] for e in announced],
            measured_gaps_s=gaps,
            health_while_down=first_line,
        )
    finally:
        dk(node, "rm", "-f", name, check=False)
        wait_until(lambda: not orphans((node,)), timeout=30, message="no orphans on node1")
