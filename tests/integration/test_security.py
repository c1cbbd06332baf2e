"""The policy of docs/security.md on the real engine: each attack works with the operator's leave, fails without.

Every row first proves the attack does what it claims in a pod started with -allow-privileged (the
component lists the host's files, talks to the socket, has the capability...), then shows that a controller
without the flag ends with exit code 2 and one error line, having created nothing.
"""

import json
import os
import shutil
import tempfile
import time

import docker as docker_sdk
import pytest
from helpers_engine import EngineEndpoint
from conftest import (
    BASE,
    BUSYBOX,
    CONTROLLER_IMAGE,
    SOCKET,
    component_names,
    containers,
    docker,
    docker_result,
    inspect,
    pod_logs,
    run_pod,
    wait_pod_running,
    wait_until,
)

pytestmark = pytest.mark.engine

TALK_TO_SOCKET = (
    "python3 -c \"import socket; s = socket.socket(socket.AF_UNIX); s.connect('/s'); "
    "s.sendall(b'GET /_ping HTTP/1.0\\r\\n\\r\\n'); print('ping', s.recv(12).decode())\""
)
# A packet socket on the pod's loopback reads every member's traffic there, the controller's included.
PACKET_SOCKET = (
    "python3 -c \"import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW).bind(('lo', 0)); "
    "print('packet-socket-open')\" 2>&1 | tail -1"
)
SYS_ADMIN_BIT = "c=$(awk '/CapEff/ {print $2}' /proc/self/status); [ $(( 0x$c >> 21 & 1 )) = 1 ] && echo has-sys-admin"


def shell(script):
    """A command value (YAML) that runs script, then stays up so the pod keeps running."""
    return json.dumps(["sh", "-c", script + "; sleep 300"])


# id: (definition lines, proof, refusal) - proof is ("log", text the component prints) or ("inspect", check).
ROWS = {
    "socket": (
        "image: %s\nvolumes: ['/var/run/docker.sock:/s']\ncommand: %s" % (BASE, shell(TALK_TO_SOCKET)),
        ("log", "ping HTTP/1.0 200"),
        'key "volumes": the engine socket /var/run/docker.sock is reachable through host path /var/run/docker.sock',
    ),
    "socket-spelled": (
        "image: %s\nvolumes: ['//var/run/./docker.sock:/s']\ncommand: %s" % (BASE, shell(TALK_TO_SOCKET)),
        ("log", "ping HTTP/1.0 200"),
        'key "volumes": the engine socket /var/run/docker.sock is reachable through host path /var/run/docker.sock',
    ),
    "socket-dotdot": (
        "image: %s\nvolumes: [{type: bind, source: /var/run/../run/docker.sock, target: /s}]\ncommand: %s"
        % (BASE, shell(TALK_TO_SOCKET)),
        ("log", "ping HTTP/1.0 200"),
        'key "volumes": the engine socket /var/run/docker.sock is reachable through host path /var/run/docker.sock',
    ),
    "host-root": (
        "image: %s\nvolumes: ['/:/host:ro']\ncommand: %s"
        % (BUSYBOX, shell("test -S /host/run/docker.sock && echo root")),
        ("log", "root"),
        'key "volumes": the engine socket /var/run/docker.sock is reachable through host path /',
    ),
    "host-proc": (
        "image: %s\nvolumes: ['/proc:/hostproc:ro']\ncommand: %s"
        % (BUSYBOX, shell("test -d /hostproc/1/ns && ls /hostproc | grep -c '^[0-9]' | sed s/^/pids-/")),
        ("log", "pids-"),
        'key "volumes": host path /proc reaches the node\'s /proc',
    ),
    "bind-volume": (
        "image: %s\nvolumes: ['{volume}:/host:ro']\ncommand: %s"
        % (BUSYBOX, shell("test -S /host/run/docker.sock && echo bound-root")),
        ("log", "bound-root"),
        'key "volumes": the engine socket /var/run/docker.sock is reachable through host path /',
    ),
    "engine-sockets": (
        "image: %s\nvolumes: ['/var/run/docker:/d:ro']\ncommand: %s"
        % (BUSYBOX, shell("test -S /d/metrics.sock && echo engine-sockets")),
        ("log", "engine-sockets"),
        'key "volumes": the engine\'s sockets in /var/run/docker are reachable through host path /var/run/docker',
    ),
    "no-new-privileges-false": (
        "image: %s\nsecurity_opt: ['no-new-privileges=false']\ncommand: %s" % (BUSYBOX, shell("true")),
        ("inspect", lambda c: "no-new-privileges=false" in c["HostConfig"]["SecurityOpt"]),
        'key "security_opt": security option no-new-privileges=false is not allowed',
    ),
    "cap-sys-admin": (
        "image: %s\ncap_add: [SYS_ADMIN]\ncommand: %s" % (BUSYBOX, shell(SYS_ADMIN_BIT)),
        ("log", "has-sys-admin"),
        'key "cap_add": capability SYS_ADMIN is outside the baseline set',
    ),
    "cap-spelled": (
        "image: %s\ncap_add: [cap_sys_admin]\ncommand: %s" % (BUSYBOX, shell(SYS_ADMIN_BIT)),
        ("log", "has-sys-admin"),
        'key "cap_add": capability SYS_ADMIN is outside the baseline set',
    ),
    "cap-net-raw": (
        "image: %s\ncap_add: [NET_RAW]\ncommand: %s" % (BASE, shell(PACKET_SOCKET)),
        ("log", "packet-socket-open"),
        'key "cap_add": capability NET_RAW is outside the baseline set',
    ),
    "devices": (
        "image: %s\ndevices: ['/dev/null:/dev/hostnull']\ncommand: %s"
        % (BUSYBOX, shell("test -c /dev/hostnull && echo device")),
        ("log", "device"),
        'key "devices": host devices are not allowed',
    ),
    "device-cgroup-rules": (
        "image: %s\ndevice_cgroup_rules: ['c 10:200 rwm']\ncommand: %s" % (BUSYBOX, shell("true")),
        ("inspect", lambda c: c["HostConfig"]["DeviceCgroupRules"] == ["c 10:200 rwm"]),
        'key "device_cgroup_rules": device cgroup rules are not allowed',
    ),
    "seccomp-unconfined": (
        "image: %s\nsecurity_opt: ['seccomp=unconfined']\ncommand: %s"
        % (BUSYBOX, shell("grep -E '^Seccomp:\\s+0$' /proc/self/status && echo no-seccomp")),
        ("log", "no-seccomp"),
        'key "security_opt": security option seccomp=unconfined is not allowed',
    ),
    "apparmor-unconfined": (
        "image: %s\nsecurity_opt: ['apparmor:unconfined']\ncommand: %s" % (BUSYBOX, shell("true")),
        ("inspect", lambda c: "apparmor:unconfined" in c["HostConfig"]["SecurityOpt"]),
        'key "security_opt": security option apparmor:unconfined is not allowed',
    ),
    "unsafe-sysctl": (
        "image: %s\nsysctls: {kernel.msgmax: 65000}\ncommand: %s"
        % (BUSYBOX, shell("sed s/^/msgmax-/ /proc/sys/kernel/msgmax")),
        ("log", "msgmax-65000"),
        'key "sysctls": sysctl kernel.msgmax is outside the safe set',
    ),
    "remote-logging": (
        "image: %s\nlogging: {driver: gelf, options: {gelf-address: 'udp://127.0.0.1:12201'}}\ncommand: %s"
        % (BUSYBOX, shell("true")),
        ("inspect", lambda c: c["HostConfig"]["LogConfig"]["Type"] == "gelf" and c["State"]["Running"]),
        'key "logging": log driver gelf sends output off the node',
    ),
    "userns-host": (
        "image: %s\nuserns_mode: host\ncommand: %s" % (BUSYBOX, shell("true")),
        ("inspect", lambda c: c["HostConfig"]["UsernsMode"] == "host"),
        "key \"userns_mode\": the namespace setting UsernsMode='host' joins",
    ),
    "oom-kill-disable": (
        "image: %s\noom_kill_disable: true\ncommand: %s" % (BUSYBOX, shell("true")),
        ("inspect", lambda c: c["HostConfig"]["OomKillDisable"] is True),
        'key "oom_kill_disable": disabling the OOM killer',
    ),
}


@pytest.fixture(scope="module")
def bind_volume():
    """A stack-style named volume whose driver options bind the host's root."""
    name = "itsec-root-" + os.urandom(4).hex()
    docker("volume", "create", "--opt", "type=none", "--opt", "o=bind", "--opt", "device=/", name)
    yield name
    docker("volume", "rm", "-f", name, check=False)


@pytest.fixture(scope="module")
def allowed_pod(bind_volume):
    """One pod with every attack, started by an operator who allowed privileges: the proofs of the table."""
    pod = "itsec-allowed-" + os.urandom(4).hex()
    labels = dict(("pod.component." + row, ROWS[row][0].replace("{volume}", bind_volume)) for row in ROWS)
    try:
        assert run_pod(pod, labels, flags=["-allow-privileged", "-ipc=false"]).returncode == 0
        try:
            wait_pod_running(pod, timeout=60)
        except AssertionError:
            raise AssertionError("the pod with every attack did not start: %s" % pod_logs(pod)[-3000:])
        yield pod
    finally:
        docker("rm", "-f", pod, check=False)
        for name in containers("label=podlike.pod=%s" % pod):
            docker("rm", "-f", name, check=False)


def assert_refused(pod, labels, message, flags=(), extra=()):
    """The controller exits 2 with one error line holding message, and leaves no component behind."""
    result = run_pod(pod, labels, flags=flags, extra=["--rm"] + list(extra), detach=False)
    output = result.stdout + result.stderr
    errors = [line for line in output.splitlines() if line.startswith("podlike: error:")]
    assert result.returncode == 2, output
    assert len(errors) == 1 and message in errors[0], output
    assert "Traceback" not in output
    assert component_names(pod) == []
    return errors[0]


@pytest.mark.parametrize("row", sorted(ROWS))
def test_attack_works_only_with_leave(row, allowed_pod, bind_volume, unique, cleanup):
    definition, (kind, proof), message = ROWS[row]
    if kind == "log":
        line = "%s | %s" % (row, proof)
        wait_until(lambda: line in pod_logs(allowed_pod), timeout=30, message="%s proof in the pod's output" % row)
    else:
        assert proof(inspect(allowed_pod + ".podlike." + row)), row

    pod = unique + "-" + row
    cleanup["containers"].append(pod)
    labels = {"pod.component.app": definition.replace("{volume}", bind_volume)}
    error = assert_refused(pod, labels, 'component "app": ' + message)
    assert error.endswith("; start the controller with -allow-privileged to permit it")


@pytest.mark.parametrize(
    "extra, message",
    [
        ("volumes: /var/run/docker.sock:/var/run/docker.sock", 'key "volumes": expected a list, got a string'),
        ("security_opt: seccomp=unconfined", 'key "security_opt": expected a list, got a string'),
        ("cap_add: SYS_ADMIN", 'key "cap_add": expected a list, got a string'),
        ('privileged: "TRUE"', 'key "privileged": expected true or false (a YAML boolean), got a string'),
        ("privileged: 1", 'key "privileged": expected true or false (a YAML boolean), got a number'),
        ("network_mode: host", 'key "network_mode": unsupported in a component'),
        ("pid: host", 'key "pid": unsupported in a component'),
        ("ipc: host", 'key "ipc": unsupported in a component'),
        ("volumes_from: [other]", 'key "volumes_from": unsupported in a component'),
        ("cgroup_parent: /", 'key "cgroup_parent": unsupported in a component'),
        ("uts: host", 'key "uts": unknown Compose key'),
    ],
    ids=["volumes", "security_opt", "cap_add", "privileged-text", "privileged-number"]
    + ["network_mode", "pid", "ipc", "volumes_from", "cgroup_parent", "uts"],
)
def test_spellings_and_pod_owned_keys_are_refused_even_with_leave(extra, message, unique, cleanup):
    pod = unique + "-spell"
    cleanup["containers"].append(pod)
    labels = {"pod.component.app": "image: %s\ncommand: sleep 300\n%s" % (BUSYBOX, extra)}
    assert_refused(pod, labels, 'component "app": ' + message, flags=["-allow-privileged"])


@pytest.mark.parametrize(
    "definition, evidence, message",
    [
        (
            "runtime: podlike-no-such-runtime",
            # Past the policy, the engine itself refuses the unknown runtime.
            ["Unknown runtime specified podlike-no-such-runtime"],
            'key "runtime": runtime podlike-no-such-runtime is not the engine\'s default',
        ),
        (
            "privileged: true\ncommand: %s" % shell("mount -t tmpfs none /mnt && echo mounted"),
            # A privileged mount works; an engine that itself runs in a container cannot grant the
            # device rule of privileged mode ("a *:* rwm"), which also shows the setting reached it.
            ["app | mounted", "a *:* rwm"],
            'key "privileged": privileged mode is not allowed',
        ),
        (
            "ulimits: {rtprio: 99}\nimage: %s\ncommand: %s"
            % (
                BASE,
                shell(
                    "python3 -c 'import os; os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(50))' && echo realtime"
                ),
            ),
            # Real-time priority where the engine may raise the limit; where it may not (this engine), runc says so.
            ["app | realtime", "error setting rlimit type 14"],
            'key "ulimits": ulimit rtprio lets the component take real-time priority and starve the node',
        ),
        (
            "tmpfs: ['/t:rbind']",
            # The engine binds a path of the host (the container's bundle directory) instead of mounting a tmpfs.
            ['/tmpfs" to rootfs at "/t"'],
            'key "tmpfs": tmpfs option rbind (/t) is not allowed',
        ),
    ],
    ids=["runtime", "privileged", "rtprio", "tmpfs-rbind"],
)
def test_settings_reach_the_engine_only_with_leave(definition, evidence, message, unique, cleanup):
    pod = unique + "-eng"
    cleanup["containers"].append(pod)
    labels = {"pod.component.app": definition if "image:" in definition else "image: %s\n%s" % (BUSYBOX, definition)}
    if "command:" not in definition:
        labels["pod.component.app"] += "\ncommand: sleep 300"
    assert run_pod(pod, labels, flags=["-allow-privileged"]).returncode == 0
    wait_until(lambda: any(text in pod_logs(pod) for text in evidence), timeout=30, message="the engine's answer")
    docker("rm", "-f", pod)
    wait_until(lambda: component_names(pod) == [], timeout=30, message="pod removed")
    error = assert_refused(pod, labels, 'component "app": ' + message)
    assert error.endswith("; start the controller with -allow-privileged to permit it")


def test_the_engine_default_runtime_named_by_a_component_needs_no_leave(unique, cleanup):
    """The policy asks the engine for its default runtime (GET /info) only when a component names one."""
    pod = unique + "-rt"
    cleanup["containers"].append(pod)
    labels = {"pod.component.app": "image: %s\ncommand: sleep 300\nruntime: runc" % BUSYBOX}
    assert run_pod(pod, labels).returncode == 0
    wait_pod_running(pod, timeout=60)
    app = inspect(pod + ".podlike.app")
    assert app["HostConfig"]["Runtime"] == "runc"


@pytest.fixture
def host_dir():
    path = tempfile.mkdtemp(prefix="podlike-it-")
    with open(os.path.join(path, "greeting"), "w") as handle:
        handle.write("hello-from-the-host\n")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_host_paths_need_allow_host_path_and_never_reach_the_socket(host_dir, unique, cleanup):
    pod = unique + "-hp"
    cleanup["containers"].append(pod)
    reader = "image: %s\nvolumes: ['%s/./:/data:ro']\ncommand: %s" % (BUSYBOX, host_dir, shell("cat /data/greeting"))
    assert_refused(
        pod,
        {"pod.component.app": reader},
        'component "app": key "volumes": host path %s is not allowed; '
        "start the controller with -allow-host-path %s to permit it" % (host_dir, host_dir),
    )
    parent = os.path.dirname(host_dir)
    assert run_pod(pod, {"pod.component.app": reader}, flags=["-allow-host-path", parent + "//"]).returncode == 0
    wait_until(lambda: "app | hello-from-the-host" in pod_logs(pod), timeout=30, message="host file read")
    docker("rm", "-f", pod)
    wait_until(lambda: component_names(pod) == [], timeout=30, message="pod removed")

    for source, prefix, reached in (
        ("/var/run/docker.sock", "/", "the engine socket /var/run/docker.sock is"),
        ("/var/run/docker/metrics.sock", "/var/run/docker", "the engine's sockets in /var/run/docker are"),
    ):
        socket_reader = "image: %s\nvolumes: ['%s:/s']\ncommand: sleep 300" % (BUSYBOX, source)
        assert_refused(
            pod,
            {"pod.component.app": socket_reader},
            'component "app": key "volumes": %s reachable through host path %s' % (reached, source),
            flags=["-allow-host-path", prefix],
        )


def test_baseline_settings_need_no_leave(unique, cleanup):
    pod = unique + "-base"
    cleanup["containers"].append(pod)
    definition = (
        "image: %s\ncap_drop: [ALL]\ncap_add: [chown, CAP_SETUID, Kill]\nsecurity_opt: ['no-new-privileges:true']\n"
        "logging: {driver: local}\ntmpfs: [/run]\nvolumes: [{type: tmpfs, target: /t}]\nread_only: true\n"
        "command: %s" % (BUSYBOX, shell("echo baseline-ok"))
    )
    assert run_pod(pod, {"pod.component.app": definition}).returncode == 0
    wait_until(lambda: "app | baseline-ok" in pod_logs(pod), timeout=30, message="baseline component ran")
    host = inspect(pod + ".podlike.app")["HostConfig"]
    assert host["CapAdd"] == ["chown", "CAP_SETUID", "Kill"] and host["ReadonlyRootfs"] is True


def alias_bomb():
    """Under 1 KB of YAML whose command expands to 9**9 strings."""
    items = ["&l0 [%s]" % ", ".join(["lol"] * 9)]
    items += ["&l%d [%s]" % (level, ", ".join(["*l%d" % (level - 1)] * 9)) for level in range(1, 9)]
    return "image: %s\ncommand: [%s]" % (BUSYBOX, ", ".join(items))


def text_bomb():
    """68 KB of YAML whose labels repeat one 10 000-character string 4 900 times: 49 MB, in few nodes."""
    labels = "  l0: &a '%s'\n" % ("<" * 10000) + "".join("  l%d: *a\n" % index for index in range(1, 4900))
    return "image: %s\ncommand: sleep 300\nlabels:\n%s" % (BUSYBOX, labels)


def run_limited(name, labels, flags=()):
    """Create and run a controller under a 64 MB memory limit through the API (a 1 MB label is too long for
    the docker command line); return its final state and output."""
    client = docker_sdk.from_env()
    try:
        container = client.containers.run(
            CONTROLLER_IMAGE,
            name=name,
            labels=labels,
            command=list(flags) or None,
            volumes=[SOCKET],
            mem_limit="64m",
            memswap_limit="64m",
            detach=True,
        )
        container.wait(timeout=120)
        container.reload()
        return container.attrs["State"], container.logs().decode()
    finally:
        client.close()


@pytest.mark.parametrize(
    "labels, message",
    [
        (
            {"pod.component.app": alias_bomb()},
            'component "app": key "pod.component.app": not valid YAML: the document has more than 10000 nodes',
        ),
        (
            {"pod.component.app": text_bomb()},
            'component "app": key "pod.component.app": not valid YAML: the document\'s aliases repeat more than '
            "1048576 characters of text",
        ),
        (
            {"pod.component.app": "image: %s\ncommand: ['%s']" % (BUSYBOX, "x" * (1024 * 1024))},
            'component "app": key "pod.component.app": the value is larger than 1048576 bytes',
        ),
        (
            {"pod.component.app": "image: %s\ncommand: sleep 300" % BUSYBOX, "pod.copy.app": "/dev/zero:/tmp/z"},
            'component "app": key "pod.copy.app": /dev/zero is a character device: only regular files and '
            "directories are copied",
        ),
        (
            {"pod.component.app": "image: %s\ncommand: sleep 300\nenv_file: /dev/zero" % BUSYBOX},
            'component "app": key "env_file": /dev/zero is a character device: only a regular file is read',
        ),
    ],
    ids=["alias-bomb", "text-bomb", "1mb-label", "dev-zero-copy", "dev-zero-env-file"],
)
def test_hostile_input_ends_in_one_line_within_64_mb(labels, message, unique, cleanup):
    """With -allow-privileged, so that what stops a device is the bound on what is read, not the mount rule."""
    assert len(alias_bomb()) < 1024
    pod = unique + "-mem"
    cleanup["containers"].append(pod)
    state, output = run_limited(pod, labels, flags=["-allow-privileged"])
    errors = [line for line in output.splitlines() if line.startswith("podlike: error:")]
    assert state["OOMKilled"] is False and state["ExitCode"] == 2, (state, output)
    assert len(errors) == 1 and errors[0].startswith("podlike: error: " + message), output
    assert component_names(pod) == []


def test_volume_sharing_gives_every_mount_but_the_socket(unique, cleanup):
    """rycus86/podlike's volume example: -volumes=true, a pids volume on /var/run under the socket mount."""
    pod = unique + "-vol"
    cleanup["containers"].append(pod)
    cleanup["volumes"].extend([pod + "-pids", pod + "-logs"])
    labels = {
        "pod.component.writer": "image: %s\ncommand: %s"
        % (BUSYBOX, shell("echo $$ > /var/run/writer.pid; echo logged > /var/log/app.log")),
        "pod.component.reader": "image: %s\ncommand: %s"
        % (
            BUSYBOX,
            shell(
                "while [ ! -s /var/log/app.log ]; do sleep 0.2; done; cat /var/log/app.log /var/run/writer.pid >/dev/null"
                " && echo shared-ok; test -S /var/run/docker.sock || echo no-socket"
            ),
        ),
    }
    extra = ["-v", pod + "-pids:/var/run", "-v", pod + "-logs:/var/log"]
    assert run_pod(pod, labels, flags=["-logs", "-volumes=true"], extra=extra).returncode == 0
    wait_until(lambda: "reader | no-socket" in pod_logs(pod), timeout=60, message="reader ran")
    assert "reader | shared-ok" in pod_logs(pod)
    assert "/var/run/docker.sock is not shared with the components" in pod_logs(pod)
    host = inspect(pod + ".podlike.reader")["HostConfig"]
    assert not host.get("VolumesFrom")
    assert sorted((mount["Source"], mount["Target"]) for mount in host["Mounts"]) == [
        (pod + "-logs", "/var/log"),
        (pod + "-pids", "/var/run"),
    ]
    result = docker_result("exec", pod + ".podlike.reader", "ls", "/var/run")
    assert "writer.pid" in result.stdout


def test_volume_sharing_leaves_out_credentials_and_volumes_reaching_the_socket(bind_volume, host_dir, unique, cleanup):
    """-volumes shares the pod's material, not a registry config on the controller nor a volume binding the host's /."""
    pod = unique + "-volcred"
    cleanup["containers"].append(pod)
    config_dir = tempfile.mkdtemp(prefix="podlike-docker-config-")
    with open(os.path.join(config_dir, "config.json"), "w") as handle:
        handle.write('{"auths": {"registry.example": {"auth": "c2VjcmV0LXRva2Vu"}}}\n')
    labels = {
        "pod.component.app": "image: %s\ncommand: %s"
        % (
            BUSYBOX,
            shell(
                "cat /data/greeting; cat /root/.docker/config.json 2>/dev/null | grep -o c2VjcmV0LXRva2Vu;"
                " test -e /rootfs/run || echo no-host-root"
            ),
        )
    }
    mounts = ["-v", config_dir + ":/root/.docker:ro", "-v", bind_volume + ":/rootfs:ro", "-v", host_dir + ":/data:ro"]
    try:
        for flags, stolen in ((["-volumes=true"], False), (["-volumes=true", "-allow-privileged"], True)):
            assert run_pod(pod, labels, flags=flags, extra=mounts).returncode == 0
            wait_until(lambda: "app | no-host-root" in pod_logs(pod), timeout=60, message="the component ran")
            logs = pod_logs(pod)
            assert "app | hello-from-the-host" in logs
            assert ("app | c2VjcmV0LXRva2Vu" in logs) is stolen, logs
            assert "/rootfs is not shared with the components: the engine's socket is reachable through it" in logs
            if not stolen:
                assert "/root/.docker is not shared with the components: it holds /root/.docker/config.json" in logs
            docker("rm", "-f", pod)
            wait_until(lambda: component_names(pod) == [], timeout=30, message="pod removed")
    finally:
        shutil.rmtree(config_dir, ignore_errors=True)


@pytest.fixture
def controller_files_dir():
    """On the host: a registry credential and the pod's own configuration, to mount on a controller."""
    directory = tempfile.mkdtemp(prefix="podlike-files-")
    with open(os.path.join(directory, "auth.json"), "w") as handle:
        handle.write('{"auths": {"registry.example": {"auth": "c2VjcmV0LXRva2Vu"}}}\n')
    os.mkdir(os.path.join(directory, "conf"))
    with open(os.path.join(directory, "conf", "app.conf"), "w") as handle:
        handle.write("pod-material\n")
    with open(os.path.join(directory, "conf", "app.env"), "w") as handle:
        handle.write("GREETING=from-a-mount\n")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


# id: (labels of the component "app", its command, what it prints where allowed, the refusal's start and middle)
FILE_ATTACKS = {
    "copy-registry-credentials": (
        {"pod.copy.app": "/var/run/secrets/podlike/dockerregistryauth.json:/stolen.json"},
        "cat /stolen.json",
        "c2VjcmV0LXRva2Vu",
        (
            'key "pod.copy.app": /var/run/secrets/podlike/dockerregistryauth.json holds ',
            "/secrets/podlike/dockerregistryauth.json, the controller's own credentials",
        ),
    ),
    "env-file-of-the-image": (
        {"env_file": "/etc/os-release"},
        "echo id=$ID",
        "id=debian",
        (
            'key "env_file": /etc/os-release',
            "is not in a volume, bind mount, config or secret mounted on the controller",
        ),
    ),
}


@pytest.mark.parametrize("attack", sorted(FILE_ATTACKS))
def test_the_controllers_own_files_reach_a_component_only_with_leave(attack, controller_files_dir, unique, cleanup):
    """A definition reads the files mounted on the controller for the pod; its credentials and image need leave."""
    extra_labels, command, proof, message = FILE_ATTACKS[attack]
    definition = "image: %s\ncommand: %s" % (BASE, shell(command))
    labels = {"pod.component.app": definition}
    for key, value in extra_labels.items():
        if key.startswith("pod."):
            labels[key] = value
        else:
            labels["pod.component.app"] += "\n%s: %s" % (key, value)
    mounts = ["-v", "%s/auth.json:/var/run/secrets/podlike/dockerregistryauth.json:ro" % controller_files_dir]

    allowed = unique + "-allowed"
    cleanup["containers"].append(allowed)
    assert run_pod(allowed, labels, flags=["-allow-privileged"], extra=mounts).returncode == 0
    wait_until(
        lambda: any(line.startswith("app | ") and proof in line for line in pod_logs(allowed).splitlines()),
        timeout=60,
        message="the attack's proof",
    )

    refused = unique + "-refused"
    cleanup["containers"].append(refused)
    error = assert_refused(refused, labels, 'component "app": ' + message[0], extra=mounts)
    assert message[1] in error and error.endswith("; start the controller with -allow-privileged to permit it")


def test_the_pods_own_files_on_a_mount_need_no_leave(controller_files_dir, unique, cleanup):
    pod = unique + "-material"
    cleanup["containers"].append(pod)
    labels = {
        "pod.component.app": "image: %s\nenv_file: /etc/podconf/app.env\ncommand: %s"
        % (BASE, shell("cat /etc/app.conf; echo greeting=$GREETING")),
        "pod.copy.app": "/etc/podconf/app.conf:/etc/app.conf",
    }
    extra = ["-v", "%s/conf:/etc/podconf:ro" % controller_files_dir]
    assert run_pod(pod, labels, extra=extra).returncode == 0
    wait_until(lambda: "app | greeting=from-a-mount" in pod_logs(pod), timeout=60, message="the pod's files read")
    assert "app | pod-material" in pod_logs(pod)


def test_a_component_writing_without_newlines_does_not_exhaust_the_controller(unique, cleanup):
    """50 MB on one line, from a component of a controller limited to 64 MB: passed on in 64 KiB pieces."""
    pod = unique + "-flood"
    cleanup["containers"].append(pod)
    flood = "head -c 50000000 /dev/zero | tr '\\0' x; echo; echo flood-done"
    labels = {"pod.component.app": "image: %s\ncommand: %s" % (BUSYBOX, shell(flood))}
    assert run_pod(pod, labels, extra=["--memory", "64m", "--memory-swap", "64m"]).returncode == 0
    wait_until(
        lambda: "app | flood-done" in docker_result("logs", "--tail", "3", pod).stdout,
        timeout=120,
        message="the flood passed on",
    )
    state = inspect(pod)["State"]
    assert state["Running"] and not state["OOMKilled"]
    # The engine stores a long line in 16 KiB entries, which --tail counts: 20 of them hold 4 lines of 64 KiB.
    pieces = docker_result("logs", "--tail", "20", pod).stdout.splitlines()
    assert "app | " + "x" * 65536 in pieces and max(len(line) for line in pieces) == len("app | ") + 65536


def _swap_for_a_host_root_bind(volume):
    """Replace a named volume, free between a component's death and its delayed restart, by one binding the host's /."""
    if docker_result("volume", "rm", volume).returncode != 0:
        return False  # still in use: the dead component is not removed yet
    docker("volume", "create", "--opt", "type=none", "--opt", "o=bind", "--opt", "device=/", volume)
    return True


@pytest.mark.parametrize("flags, reached", [([], False), (["-allow-privileged"], True)], ids=["refused", "with-leave"])
def test_a_volume_swapped_before_a_restart_is_checked_again(flags, reached, unique, cleanup):
    """A plain volume at start, replaced by a bind of the host's / while its component waits to restart."""
    pod = unique + "-swap"
    volume = pod + "-data"
    cleanup["containers"].append(pod)
    cleanup["volumes"].append(volume)
    docker("volume", "create", volume)
    command = shell("test -e /data/etc/hostname && echo sees-the-host-root || echo plain-volume; sleep 0.5; exit 3")
    labels = {
        "pod.component.app": "image: %s\nvolumes: ['%s:/data']\nrestart: always\ncommand: %s"
        % (BUSYBOX, volume, command.replace("; sleep 300", ""))
    }
    assert run_pod(pod, labels, flags=flags).returncode == 0
    # The first restart is at once, the second after 1 s, then 2 s, 4 s: the volume is free in those waits.
    wait_until(lambda: "(restart 2)" in pod_logs(pod), timeout=60, message="a delayed restart")
    wait_until(lambda: _swap_for_a_host_root_bind(volume), timeout=30, message="the volume swapped")
    if reached:
        wait_until(lambda: "app | sees-the-host-root" in pod_logs(pod), timeout=30, message="the host's / reached")
        return
    wait_until(lambda: not inspect(pod)["State"]["Running"], timeout=30, message="the pod ended")
    logs = pod_logs(pod)
    errors = [line for line in logs.splitlines() if line.startswith("podlike: error:")]
    expected = 'component "app": key "volumes": the engine socket /var/run/docker.sock is reachable through host path /'
    assert len(errors) == 1 and expected in errors[0], logs
    assert "app | sees-the-host-root" not in logs and "Traceback" not in logs
    assert inspect(pod)["State"]["ExitCode"] == 2
    assert component_names(pod) == []


def test_a_pre_stop_hook_writing_without_end_holds_neither_memory_nor_the_stop(unique, cleanup):
    """100 MB, then a line every 0.2 s for ever, from a pre_stop of a controller limited to 64 MB: stopped in its grace."""
    pod = unique + "-prestop"
    cleanup["containers"].append(pod)
    hook = json.dumps(["sh", "-c", "head -c 100000000 /dev/zero; while true; do echo still-here; sleep 0.2; done"])
    labels = {
        "pod.controller.grace-period": "4s",
        "pod.component.app": "image: %s\ncommand: sleep 300\npre_stop: %s" % (BUSYBOX, hook),
    }
    assert run_pod(pod, labels, extra=["--memory", "64m", "--memory-swap", "64m"]).returncode == 0
    wait_pod_running(pod)
    docker("kill", "--signal", "TERM", pod)  # the engine kills nothing after this: the controller must end itself
    wait_until(lambda: not inspect(pod)["State"]["Running"], timeout=15, message="the pod stopped within its grace")
    state = inspect(pod)["State"]
    assert not state["OOMKilled"] and state["ExitCode"] == 0, (state, pod_logs(pod)[-2000:])
    assert "app pre_stop | still-here" in pod_logs(pod)
    assert component_names(pod) == []


def test_a_label_named_exitcode_stands_in_for_the_exit_code_in_the_engines_events(unique, cleanup):
    """Why such labels are refused (test_controller_bad_input.py, exit-code-label): the event lies, inspect does not."""
    name = unique + "-exitcode"
    cleanup["containers"].append(name)
    docker("run", "-d", "--name", name, "--label", "exitCode=0", BUSYBOX, "sleep", "300")
    since = str(int(time.time()) - 1)
    docker("kill", name)
    wait_until(lambda: not inspect(name)["State"]["Running"], timeout=30, message="the container ended")
    died = docker(
        "events",
        "--since",
        since,
        "--until",
        str(int(time.time()) + 1),
        "--filter",
        "container=" + name,
        "--filter",
        "event=die",
        "--format",
        "{{json .Actor.Attributes}}",
    )
    assert json.loads(died.splitlines()[0])["exitCode"] == "0"
    assert inspect(name)["State"]["ExitCode"] == 137


def test_a_component_has_no_raw_sockets_unless_it_asks(unique, cleanup):
    """NET_RAW, which the engine grants by default, is dropped: the attack of the cap-net-raw row needs the leave."""
    pod = unique + "-raw"
    cleanup["containers"].append(pod)
    assert run_pod(pod, {"pod.component.app": "image: %s\ncommand: %s" % (BASE, shell(PACKET_SOCKET))}).returncode == 0
    wait_until(lambda: "Operation not permitted" in pod_logs(pod), timeout=60, message="the component tried")
    assert "packet-socket-open" not in pod_logs(pod)
    assert "NET_RAW" in inspect(pod + ".podlike.app")["HostConfig"]["CapDrop"]


@pytest.fixture
def engine_over_tcp():
    """The engine served over plain TCP on the bridge's gateway, which every container reaches."""
    gateway = docker("network", "inspect", "bridge", "--format", "{{(index .IPAM.Config 0).Gateway}}")
    endpoint = EngineEndpoint(gateway)
    yield endpoint.url
    endpoint.close()


def test_an_engine_over_tcp_without_a_client_certificate_needs_leave(engine_over_tcp, unique, cleanup):
    """Every component shares the controller's network namespace: the engine the controller reaches, they reach."""
    pod = unique + "-tcp"
    cleanup["containers"].append(pod)
    url = "http://%s/_ping" % engine_over_tcp.split("://", 1)[1]
    labels = {
        "pod.component.app": "image: %s\ncommand: %s"
        % (BUSYBOX, shell("timeout 5 wget -qO- %s >/dev/null && echo engine-reached" % url))
    }
    extra = ["-e", "DOCKER_HOST=" + engine_over_tcp]
    assert run_pod(pod, labels, flags=["-allow-privileged"], extra=extra).returncode == 0
    wait_until(lambda: "app | engine-reached" in pod_logs(pod), timeout=60, message="the component reached the engine")
    docker("stop", pod)  # over TCP the pod has no guard: the controller removes its components itself
    docker("rm", "-f", pod)
    wait_until(lambda: component_names(pod) == [], timeout=30, message="pod removed")
    assert_refused(pod, labels, 'key "DOCKER_HOST": the engine at %s is reached without' % engine_over_tcp, extra=extra)


def test_a_components_output_cannot_pass_for_the_controllers_lines(unique, cleanup):
    """A carriage return and an erase sequence would hide `app | ` in a terminal: they are shown, not obeyed."""
    pod = unique + "-forge"
    cleanup["containers"].append(pod)
    forged = "printf 'ok\\r\\033[2Kpodlike: error: component db: forged\\n'"
    assert run_pod(pod, {"pod.component.app": "image: %s\ncommand: %s" % (BUSYBOX, shell(forged))}).returncode == 0
    wait_until(lambda: "forged" in pod_logs(pod), timeout=60, message="the component's line")
    lines = [line for line in pod_logs(pod).splitlines() if "forged" in line]
    assert lines == ["app | ok\\x0d\\x1b[2Kpodlike: error: component db: forged"], lines
