"""Benchmarks of the pod controller against the direct Docker API: prints a table, writes it to results/.

    python3 benchmarks/run.py [--runs N] [--only GROUP[,GROUP]] [--quick] [--no-scale] [--no-fail]

Groups: start (pod start and stop, N=1, 3, 8), health, failure, memory, boot, render, ansible, scale, trace;
idle (engine CPU of 20 idle pods, with and without health checks) only when named with --only.
A target missed (MISS) or a group that failed (ERROR) makes the exit code 1, unless --no-fail.
"""

import argparse
import datetime
import io
import json
import os
import signal
import statistics
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import docker
import pod_bench
import template_bench
from events import EventWatcher

DEFAULT_GROUPS = ("start", "health", "failure", "memory", "boot", "render", "ansible", "scale", "trace")
QUICK_GROUPS = ("start", "failure", "memory", "render", "trace")
ALL_GROUPS = DEFAULT_GROUPS + ("idle",)
MB = 1024 * 1024


# targets -------------------------------------------------------------------------------------------
def within_ratio(limit):
    return f"<= {limit:.2f}x baseline", lambda pod, base: pod <= base * limit


def within_offset(seconds):
    return f"<= baseline + {seconds * 1000:.0f} ms", lambda pod, base: pod <= base + seconds


def under(value, unit):
    text = f"< {_format(value, unit)}"
    return text, lambda pod, base: pod < value


def at_most(value, unit):
    text = f"<= {_format(value, unit)}"
    return text, lambda pod, base: pod <= value


class Figure:
    """One row of the table: samples of the pod and of its baseline, and an optional target."""

    def __init__(self, key, title, unit, target=None, note=""):
        self.key = key
        self.title = title
        self.unit = unit
        self.target = target
        self.note = note
        self.pod = []
        self.baseline = []
        self.error = None

    def as_dict(self):
        pod, base = _summary(self.pod), _summary(self.baseline)
        row = {"key": self.key, "title": self.title, "unit": self.unit, "pod": pod, "baseline": base, "note": self.note}
        if pod and base and base["median"]:
            row["ratio"] = pod["median"] / base["median"]
        if self.target and pod:
            text, check = self.target
            row["target"] = text
            row["status"] = "PASS" if check(pod["median"], base["median"] if base else None) else "MISS"
        if self.error:
            row["error"] = self.error
        return row


def _summary(samples):
    samples = [s for s in samples if s is not None]
    if not samples:
        return None
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "runs": len(samples),
        "samples": samples,
    }


def _format(value, unit):
    if value is None:
        return "-"
    if unit == "s":
        return "%.0f ms" % (value * 1000) if value < 10 else f"{value:.1f} s"
    if unit == "bytes":
        return "%.1f MB" % (value / MB)
    return f"{value} {unit}"


def _cell(summary, unit):
    if not summary:
        return "-"
    return "{} [{}-{}]".format(
        _format(summary["median"], unit), _format(summary["min"], unit).split()[0], _format(summary["max"], unit)
    )


def print_table(rows, out=sys.stdout):
    header = ("figure", "podlike (median [min-max])", "baseline (median [min-max])", "ratio", "target", "")
    lines = [header]
    for row in rows:
        ratio = "{:.2f}x".format(row["ratio"]) if row.get("ratio") else "-"
        status = row.get("status", "") if not row.get("error") else "ERROR"
        lines.append(
            (
                row["title"],
                _cell(row["pod"], row["unit"]),
                _cell(row["baseline"], row["unit"]),
                ratio,
                row.get("target", ""),
                status,
            )
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    for index, line in enumerate(lines):
        out.write("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(line)).rstrip() + "\n")
        if index == 0:
            out.write("  ".join("-" * width for width in widths) + "\n")
    for row in rows:
        if row.get("error"):
            out.write("ERROR {}: {}\n".format(row["title"], row["error"]))


# the suite -----------------------------------------------------------------------------------------
class Suite:
    def __init__(self, runs, groups, counts=(1, 3, 8), scale_runs=2, sweeper=True):
        self.sweeper = sweeper
        self.runs = runs
        self.groups = groups
        self.counts = counts
        self.scale_runs = scale_runs
        self.client = docker.from_env(max_pool_size=256, timeout=300)
        self.api = self.client.api
        self.watcher = EventWatcher(docker.from_env().api)
        self.controllers = pod_bench.Controllers(self.api, self.watcher)
        self.figures = []
        self.profile = {}
        self.noise = []

    def figure(self, *args, **kwargs):
        figure = Figure(*args, **kwargs)
        self.figures.append(figure)
        return figure

    def interleaved(self, pod_sample, baseline_sample, warmup=True, baseline_first=False, runs=None):
        """Alternate pod and baseline samples so that both see the same engine noise."""
        if warmup:  # one sample of each, not kept: the first of a run pays for cold caches
            kept = [(figure, len(figure.pod), len(figure.baseline)) for figure in self.figures]
            pod_sample()
            baseline_sample()
            for figure, pods, baselines in kept:
                del figure.pod[pods:], figure.baseline[baselines:]
        for index in range(runs or self.runs):
            pod_turn = (index + baseline_first) % 2 == 0
            first, second = (pod_sample, baseline_sample) if pod_turn else (baseline_sample, pod_sample)
            first()
            second()
            self.watcher.forget(time.time() - 120)
        self.noise.append(pod_bench.engine_noise(self.api))

    def run(self):
        """Every group, with a node sweeper running as the `swarm` role deploys one (so pods have no guard)."""
        sweeper = pod_bench.NodeSweeper(self.api) if self.sweeper else None
        if sweeper:
            sweeper.start()
        try:
            self._run_groups()
        finally:
            if sweeper:
                sweeper.remove()

    def _run_groups(self):
        self.noise.append(pod_bench.engine_noise(self.api))
        for group in self.groups:
            started = time.time()
            figures_before = len(self.figures)
            try:
                getattr(self, "group_" + group)()
            except Exception as exc:  # noqa: BLE001 - one group's failure should not hide the others
                traceback.print_exc()
                for figure in self.figures[figures_before:] or [self.figure(group, group, "s")]:
                    figure.error = figure.error or f"{type(exc).__name__}: {exc}"
            sys.stderr.write(f"bench: {group} done in {time.time() - started:.0f} s\n")
        self.watcher.close()

    # groups ----------------------------------------------------------------------------------------
    def group_start(self):
        targets = {1: within_ratio(1.2), 3: within_ratio(1.1), 8: within_ratio(1.1)}
        for count in self.counts:
            start = self.figure(
                f"start_n{count}",
                f"pod start, N={count}",
                "s",
                targets[count],
                note="start event of the unit's first container -> start event of its last component",
            )
            stop = self.figure(
                f"stop_n{count}",
                f"pod stop, N={count}",
                "s",
                within_ratio(1.1),
                note="stop call -> destroy of the unit's last container",
            )
            wall = self.figure(
                f"start_wall_n{count}",
                f"  wall clock: start call -> N-th start, N={count}",
                "s",
                note="pod: includes the controller container's start and boot; baseline: its infra's create and start",
            )
            cpu = self.figure(
                f"start_cpu_n{count}",
                f"  controller CPU (user+sys, start-up child included) of a start, N={count}",
                "s",
                note="/proc/PID/stat of the controller when its last component started",
            )

            # A pod of one component has no infra (its namespaces are shared with nobody): no such row for N=1.
            boundary = None
            if count > 1:
                boundary = self.figure(
                    f"start_boundary_n{count}",
                    f"  start against a baseline with a PID holder, N={count}",
                    "s",
                    note="the same pod samples; the baseline starts a second container for the members' PID and IPC "
                    "namespaces before them, as a pod's infra",
                )

            def pod_sample(count=count, start=start, stop=stop, wall=wall, cpu=cpu):
                sample = pod_bench.pod_start_stop(self.controllers, count)
                start.pod.append(sample.start)
                stop.pod.append(sample.stop)
                wall.pod.append(sample.start_wall)
                cpu.pod.append(sample.cpu)

            def baseline_sample(count=count, start=start, stop=stop, wall=wall, boundary=boundary):
                sample = pod_bench.baseline_start_stop(self.api, self.watcher, count)
                start.baseline.append(sample.start)
                stop.baseline.append(sample.stop)
                wall.baseline.append(sample.start_wall)
                if boundary:
                    boundary.baseline.append(
                        pod_bench.baseline_start_stop(self.api, self.watcher, count, pid_holder=True).start
                    )

            self.interleaved(pod_sample, baseline_sample, warmup=count == self.counts[0])
            if boundary:
                boundary.pod = list(start.pod)

    def group_health(self):
        healthy = self.figure(
            "healthy_n3",
            "pod healthy, N=3 (interval 1s)",
            "s",
            note="first container's start event -> third healthy; API 1.41 has no start_interval, the first probe "
            "runs one interval after start",
        )

        def pod_sample():
            healthy.pod.append(pod_bench.pod_start_stop(self.controllers, 3, healthy=True).healthy)

        def baseline_sample():
            healthy.baseline.append(pod_bench.baseline_start_stop(self.api, self.watcher, 3, healthy=True).healthy)

        self.interleaved(pod_sample, baseline_sample, warmup=False)

    def group_failure(self):
        first = self.figure(
            "failure_reaction_n3",
            "failure reaction, N=3: die -> first stop of another",
            "s",
            under(0.150, "s"),
            note="component die -> the engine's first kill event on another component (the controller's reaction)",
        )
        reaction = self.figure(
            "failure_pod_down_n3",
            "  failure: die -> pod down, N=3",
            "s",
            note="component die -> controller die, after the others were stopped (graceful) and removed",
        )

        def pod_sample():
            exited, acted, timeline = pod_bench.pod_failure(self.controllers)
            reaction.pod.append(exited)
            first.pod.append(acted)
            self.profile["failure_events"] = timeline

        def baseline_sample():
            events_client = docker.from_env().api
            try:
                exited, acted = pod_bench.baseline_failure(self.api, events_client, self.watcher)
            finally:
                events_client.close()
            reaction.baseline.append(exited)
            first.baseline.append(acted)

        self.interleaved(pod_sample, baseline_sample, warmup=False)

        acting = self.figure(
            "restart_acting_n3",
            "failure reaction, restart: always: die -> new create",
            "s",
            under(0.150, "s"),
            note="component die -> the create event of its new container (the controller's reaction)",
        )
        restarted = self.figure(
            "restart_started_n3",
            "  restart: component die -> running again",
            "s",
            note="component die -> its new container started",
        )
        for _sample in range(self.runs):
            created, started = pod_bench.pod_restart(self.controllers)
            acting.pod.append(created)
            restarted.pod.append(started)

    def group_memory(self):
        rss = self.figure(
            "controller_rss_n3",
            "controller RSS, 3 components",
            "bytes",
            at_most(11.0 * MB, "bytes"),
            note="1 s after the third component started; baseline: an idle python3 in the controller image",
        )
        cpu = self.figure(
            "controller_cpu_n3",
            "controller CPU (user+sys, start-up child included), 1 s after a start, N=3",
            "s",
            note="/proc/PID/stat of the controller",
        )
        size = self.figure("controller_image", "controller image size", "bytes", note="baseline: its base image")

        def pod_sample():
            memory, seconds = pod_bench.pod_memory(self.controllers)
            rss.pod.append(memory)
            cpu.pod.append(seconds)

        self.interleaved(
            pod_sample, lambda: rss.baseline.append(pod_bench.interpreter_memory(self.controllers)), warmup=False
        )
        controller_size, base_size = pod_bench.image_sizes(self.api)
        size.pod.append(controller_size)
        size.baseline.append(base_size)

    def group_boot(self):
        first_call = self.figure(
            "boot_first_call",
            "controller boot: start call -> 1st API call",
            "s",
            note="baseline: python3 -c sending one request",
        )
        to_ready = self.figure(
            "boot_to_running_n3",
            "controller: start call -> 3 components started",
            "s",
            note="no baseline: see pod start for the comparison",
        )
        probe = pod_bench.BootProbe(self.controllers)
        timelines = []
        try:

            def pod_sample():
                first, ready, requests = probe.controller()
                first_call.pod.append(first)
                to_ready.pod.append(ready)
                timelines.append(requests)

            self.interleaved(pod_sample, lambda: first_call.baseline.append(probe.interpreter()), warmup=False)
        finally:
            probe.close()
        self.profile["api_timeline"] = _median_timeline(timelines)
        self.profile["imports"] = pod_bench.import_profile()

    def group_trace(self):
        self.profile["trace"] = pod_bench.controller_trace(self.controllers)

    def group_render(self):
        render = self.figure(
            "render_500",
            "render_stack, 500 services",
            "s",
            under(0.3, "s"),
            note="baseline: yaml.safe_dump of each component and of the stack",
        )
        self.interleaved(
            lambda: render.pod.append(template_bench.render_seconds(500)),
            lambda: render.baseline.append(template_bench.baseline_render_seconds(500)),
        )

    def group_ansible(self):
        task = self.figure(
            "podlike_stack_unchanged_20",
            "podlike_stack, unchanged 20 services: the task",
            "s",
            under(2.0, "s"),
            note="ansible's junit callback: task start -> result; baseline: a command task running docker stack deploy",
        )
        play = self.figure(
            "podlike_stack_unchanged_20_play",
            "  wall clock: ansible-playbook with that one task",
            "s",
            note="the whole ansible-playbook run, its own start included (see the floors)",
        )
        empty = self.figure(
            "ansible_empty_play",
            "  both sides' floor: a play without tasks",
            "s",
            note="ansible-playbook's own start, with the same inventory and settings",
        )
        ping = self.figure(
            "ansible_ping_play",
            "  both sides' floor: one ansible.builtin.ping task",
            "s",
            note="a module that does nothing: packed, sent and run",
        )
        ping_task = self.figure(
            "ansible_ping_task",
            "  both sides' floor: the ansible.builtin.ping task",
            "s",
            note="ansible's junit callback, as for the podlike_stack task",
        )
        stack = template_bench.AnsibleStack(pod_bench.unique("ansible"))

        def module_sample():
            elapsed, seconds = stack.unchanged_seconds()
            play.pod.append(elapsed)
            task.pod.append(seconds)

        def baseline_and_floor():
            elapsed, _output, seconds = stack.run("plain.yml")
            play.baseline.append(elapsed)
            task.baseline.append(seconds)
            empty.pod.append(stack.run("empty.yml")[0])
            elapsed, _output, seconds = stack.run("ping.yml")
            ping.pod.append(elapsed)
            ping_task.pod.append(seconds)

        try:
            stack.run("module.yml")
            stack.run("plain.yml")
            self.interleaved(module_sample, baseline_and_floor, warmup=False)
        finally:
            stack.remove()

    def group_idle(self):
        """Not in the default run (about 6 minutes): what idle pods cost the engine, health checks above all."""
        idle = self.figure(
            "idle_engine_cpu_20",
            "engine CPU per second, 20 idle pods x 3 (the image's HEALTHCHECK)",
            "s",
            note="dockerd, containerd and shims over 30 s, 30 s after the last start; baseline: 20 baseline pods",
        )
        plain = self.figure(
            "idle_engine_cpu_20_plain_probe",
            "  the same, a check every 3 s that does not watch",
            "s",
            note="--health-cmd reading the state file, as the image did before its check watched",
        )
        unprobed = self.figure(
            "idle_engine_cpu_20_no_healthcheck",
            "  the same, controller HEALTHCHECK off",
            "s",
            note="--no-healthcheck",
        )

        def pod_sample():
            idle.pod.append(pod_bench.idle_pods_engine_cpu(self.controllers))
            plain.pod.append(pod_bench.idle_pods_engine_cpu(self.controllers, service_args=pod_bench.PLAIN_PROBE))
            unprobed.pod.append(pod_bench.idle_pods_engine_cpu(self.controllers, service_args=["--no-healthcheck"]))

        self.interleaved(
            pod_sample,
            lambda: idle.baseline.append(pod_bench.baseline_idle_engine_cpu(self.api)),
            warmup=False,
            runs=1,
        )

    def group_scale(self):
        part = Figure(
            "scale_50_part",
            "scale: the pods' part (above minus plain)",
            "s",
            within_ratio(1.3),
            note="per run: 50 pods minus 50 plain tasks; baseline: 50 baseline pods minus 50 plain containers",
        )
        scale = self.figure(
            "scale_50x3",
            "scale: 50 pods x 3 components running",
            "s",
            either(within_ratio(1.3), part),
            note="service create (dnsrr, restart none) -> 150th component start; baseline: 50 x (infra + 3) "
            "through the API, first call -> 150th component start",
        )
        plain = self.figure(
            "scale_50_plain",
            "scale: 50 plain containers (no pods)",
            "s",
            note="Swarm's own share: a service of 50 replicas of sleep, create -> 50th start; baseline: 50 "
            "containers through the API",
        )
        self.figures.append(part)
        unprobed = self.figure(
            "scale_50x3_no_healthcheck",
            "  scale: the same 50 pods, controller HEALTHCHECK off",
            "s",
            note="--no-healthcheck: what the image's health check (an exec in each controller every 3 s, ~18 s once "
            "healthy) costs",
        )
        memory = self.figure("scale_50_rss", "scale: total controller RSS, 50 pods", "bytes")

        def pod_sample():
            seconds, rss = pod_bench.scale_service(self.controllers)
            scale.pod.append(seconds)
            memory.pod.append(rss)
            plain.pod.append(pod_bench.swarm_only_scale(self.controllers))
            part.pod.append(scale.pod[-1] - plain.pod[-1])
            unprobed.pod.append(pod_bench.scale_service(self.controllers, healthcheck=False)[0])

        def baseline_sample():
            scale.baseline.append(pod_bench.baseline_scale(self.api, self.watcher))
            plain.baseline.append(pod_bench.baseline_scale(self.api, self.watcher, count=0))
            part.baseline.append(scale.baseline[-1] - plain.baseline[-1])

        self.interleaved(pod_sample, baseline_sample, warmup=False, baseline_first=True, runs=self.scale_runs)


def either(target, other):
    """The target, or else the other figure's target: "1.3x, or the pods' part 1.3x"."""
    text, check = target

    def passes(pod, base):
        return check(pod, base) or other.as_dict().get("status") == "PASS"

    return f"{text}, or the pods' part", passes


def _median_timeline(timelines):
    """Per position in the controller's request sequence, the median offset from launch (when the runs agree)."""
    if not timelines:
        return []
    shortest = min(len(t) for t in timelines)
    rows = []
    for index in range(shortest):
        calls = {(t[index][1], t[index][2]) for t in timelines}
        offsets = [t[index][0] for t in timelines]
        method, path = timelines[-1][index][1], timelines[-1][index][2]
        rows.append(
            {"offset": statistics.median(offsets), "method": method, "path": path, "same_in_all_runs": len(calls) == 1}
        )
    return rows


def print_profile(profile, out=sys.stdout):
    if profile.get("trace"):
        out.write("\ncontroller trace of one N=1 start (PODLIKE_TRACE=1; ms since the process started):\n")
        for line in profile["trace"]:
            out.write(f"  {line}\n")
    if profile.get("api_timeline"):
        out.write("\ncontroller API calls, median offset from the start call (N=3):\n")
        for row in profile["api_timeline"]:
            out.write(f"  {row['offset'] * 1000:7.1f} ms  {row['method']:<6} {row['path']}\n")
    if profile.get("failure_events"):
        out.write("\nevents after a component's death (last failure run), offset from its die event:\n")
        for offset, action, name in profile["failure_events"]:
            out.write(f"  {offset * 1000:7.1f} ms  {action:<10} {name}\n")
    if profile.get("imports"):
        imports = profile["imports"]
        out.write(
            f"\ncontroller imports (python3 -X importtime, which inflates them): the controller's modules take "
            f"{imports['total_us'] / 1000:.1f} ms; heaviest packages (cumulative):\n"
        )
        for row in imports["heaviest"]:
            out.write(f"  {row['cumulative_us'] / 1000:7.1f} ms  {row['module']}\n")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=None, help="samples per figure (default 7; 3 with --quick)")
    parser.add_argument("--scale-runs", type=int, default=2, help="samples of the 50-pod scale figures (default 2)")
    parser.add_argument("--only", default=None, help="comma-separated groups: {}".format(", ".join(ALL_GROUPS)))
    parser.add_argument("--quick", action="store_true", help="N=1 and 3, 3 runs: {}".format(", ".join(QUICK_GROUPS)))
    parser.add_argument("--no-scale", action="store_true", help="leave out the 50-pod scale figures")
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when a target is missed")
    parser.add_argument(
        "--no-sweeper",
        action="store_true",
        help="run no node sweeper, so that every pod has its guard container (the default runs one, as the swarm role)",
    )
    parser.add_argument("--results", default=os.path.join(HERE, "results"), help="directory for the run's table")
    args = parser.parse_args(argv)
    if args.only:
        groups = tuple(g.strip() for g in args.only.split(",") if g.strip())
        unknown = [g for g in groups if g not in ALL_GROUPS]
        if unknown:
            parser.error("unknown group(s) {}; known: {}".format(", ".join(unknown), ", ".join(ALL_GROUPS)))
    else:
        groups = QUICK_GROUPS if args.quick else DEFAULT_GROUPS
        if args.no_scale:
            groups = tuple(g for g in groups if g != "scale")
    args.groups = groups
    args.counts = (1, 3) if args.quick else (1, 3, 8)
    args.runs = args.runs or (3 if args.quick else 7)
    return args


def load_text():
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


SWEEPER_MODES = {True: "running, so pods have no guard", False: "none, so every pod has a guard"}


def write_results(directory, results, table):
    """results/<UTC date>.txt (the table and how it was taken) and results/latest.json (every sample)."""
    os.makedirs(directory, exist_ok=True)
    stamp = results["date"][:19].replace(":", "")
    path = os.path.join(directory, f"{stamp}Z.txt")
    engine = results["engine"]
    header = (
        f"date: {results['date']}\n"
        f"engine: Docker {engine['version']} (API {engine['api']}); machine: {engine['cpus']} cores\n"
        f"load average (1, 5, 15 min): {results['load']['before']} before, {results['load']['after']} after\n"
        f"runs: {results['runs']} per figure ({results['scale_runs']} for scale); groups: "
        f"{', '.join(results['groups'])}; {results['duration_s']:.0f} s\n"
        f"node sweeper: {SWEEPER_MODES[results['node_sweeper']]}\n\n"
    )
    with open(path, "w") as handle:
        handle.write(header + table)
    with open(os.path.join(directory, "latest.json"), "w") as handle:
        json.dump(results, handle, indent=2)
    return path


def main(argv=None):
    args = parse_args(argv)
    # A run ended by SIGTERM (timeout, CI) still removes what it made, its node sweeper first of all.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    load_before = load_text()
    suite = Suite(args.runs, args.groups, counts=args.counts, scale_runs=args.scale_runs, sweeper=not args.no_sweeper)
    started = time.time()
    suite.run()
    rows = [figure.as_dict() for figure in suite.figures]
    table = io.StringIO()
    print_table(rows, table)
    print_profile(suite.profile, table)
    sys.stdout.write(table.getvalue())
    version = suite.api.version()
    results = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(),
        "runs": args.runs,
        "scale_runs": args.scale_runs,
        "groups": list(args.groups),
        "node_sweeper": not args.no_sweeper,
        "duration_s": time.time() - started,
        "engine": {"version": version.get("Version"), "api": version.get("ApiVersion"), "cpus": os.cpu_count()},
        "load": {"before": load_before, "after": load_text()},
        "noise": suite.noise,
        "figures": rows,
        "profile": suite.profile,
    }
    path = write_results(args.results, results, table.getvalue())
    foreign = max(n["foreign_containers"] for n in suite.noise)
    missed = [row["title"].strip() for row in rows if row.get("error") or row.get("status") == "MISS"]
    sys.stdout.write(
        f"\n{args.runs} runs per figure in {results['duration_s']:.0f} s; up to {foreign} containers of others "
        f"running on the engine; load average {load_before} before, {results['load']['after']} after; "
        f"table in {os.path.relpath(path)}\n"
    )
    if missed:
        sys.stdout.write("missed or failed: {}\n".format("; ".join(missed)))
    return 1 if missed and not args.no_fail else 0


if __name__ == "__main__":
    sys.exit(main())
