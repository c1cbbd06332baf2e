"""Compose keys of a component translated to Docker create settings, and refused keys."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import (
    container_settings,
    parse_component,
    parse_depends_on,
    parse_restart,
)

TRANSLATIONS = [
    ({"command": "sh -c 'echo hi'"}, {"Cmd": ["sh", "-c", "echo hi"]}, {}),
    ({"entrypoint": ["/bin/app", "--x"]}, {"Entrypoint": ["/bin/app", "--x"]}, {}),
    (
        {"working_dir": "/srv", "user": "1000", "stop_signal": "SIGQUIT"},
        {"WorkingDir": "/srv", "User": "1000", "StopSignal": "SIGQUIT"},
        {},
    ),
    ({"tty": True, "stdin_open": True}, {"Tty": True, "OpenStdin": True}, {}),
    ({"privileged": False, "read_only": True}, {}, {"Privileged": False, "ReadonlyRootfs": True}),
    (
        {"mem_limit": "64m", "memswap_limit": "1g", "mem_reservation": "32m"},
        {},
        {"Memory": 64 * 1024**2, "MemorySwap": 1024**3, "MemoryReservation": 32 * 1024**2},
    ),
    (
        {"cpus": 0.5, "cpu_shares": 512, "pids_limit": 100},
        {},
        {"NanoCpus": 500000000, "CpuShares": 512, "PidsLimit": 100},
    ),
    ({"stop_grace_period": "1m30s"}, {"StopTimeout": 90}, {}),
    ({"labels": ["a=1", "b"]}, {"Labels": {"a": "1", "b": ""}}, {}),
    ({"labels": {"a": 1, "b": True}}, {"Labels": {"a": "1", "b": "true"}}, {}),
    ({"tmpfs": "/run:size=64m"}, {}, {"Tmpfs": {"/run": "size=64m"}}),
    ({"tmpfs": ["/a", "/b:mode=1777"]}, {}, {"Tmpfs": {"/a": "", "/b": "mode=1777"}}),
    ({"sysctls": ["net.core.somaxconn=1024"]}, {}, {"Sysctls": {"net.core.somaxconn": "1024"}}),
    (
        {"ulimits": {"nofile": {"soft": 1024, "hard": 2048}, "nproc": 64}},
        {},
        {"Ulimits": [{"Name": "nofile", "Soft": 1024, "Hard": 2048}, {"Name": "nproc", "Soft": 64, "Hard": 64}]},
    ),
    ({"cap_add": ["NET_ADMIN"], "cap_drop": ["ALL"]}, {}, {"CapAdd": ["NET_ADMIN"], "CapDrop": ["ALL"]}),
    (
        {"logging": {"driver": "json-file", "options": {"max-size": "1m"}}},
        {},
        {"LogConfig": {"Type": "json-file", "Config": {"max-size": "1m"}}},
    ),
    (
        {
            "blkio_config": {
                "device_read_iops": [{"path": "/dev/sda", "rate": 100}],
                "device_write_bps": [{"path": "/dev/sda", "rate": "1m"}],
            }
        },
        {},
        {
            "BlkioDeviceReadIOps": [{"Path": "/dev/sda", "Rate": 100}],
            "BlkioDeviceWriteBps": [{"Path": "/dev/sda", "Rate": 1024**2}],
        },
    ),
    (
        {"healthcheck": {"test": "wget -q localhost", "interval": "2s", "retries": 3}},
        {"Healthcheck": {"Test": ["CMD-SHELL", "wget -q localhost"], "Interval": 2000000000, "Retries": 3}},
        {},
    ),
    ({"healthcheck": {"disable": True}}, {"Healthcheck": {"Test": ["NONE"]}}, {}),
    (
        {"volumes": ["data:/data:ro", "/host:/in", "/anon"]},
        {},
        {
            "Mounts": [
                {"Type": "volume", "Source": "data", "Target": "/data", "ReadOnly": True},
                {"Type": "bind", "Source": "/host", "Target": "/in", "ReadOnly": False},
                {"Type": "volume", "Target": "/anon"},
            ]
        },
    ),
    (
        {"volumes": [{"type": "tmpfs", "target": "/t", "tmpfs": {"size": "1m"}}]},
        {},
        {"Mounts": [{"Type": "tmpfs", "Target": "/t", "ReadOnly": False, "TmpfsOptions": {"SizeBytes": 1024**2}}]},
    ),
]


@pytest.mark.parametrize("definition, config, host", TRANSLATIONS)
def test_translation(definition, config, host):
    assert container_settings("app", definition) == (config, host)


@pytest.mark.parametrize(
    "definition, message",
    [
        ({"image": "x", "ports": ["80:80"]}, 'component "app": key "ports": unsupported in a component'),
        ({"image": "x", "deploy": {}}, 'component "app": key "deploy": unsupported in a component'),
        ({"image": "x", "colour": "red"}, 'component "app": key "colour": unknown Compose key'),
        ({"command": "true"}, 'component "app": key "image": an image is required'),
        ({"image": "x", "mem_limit": "lots"}, 'component "app": key "mem_limit": \'lots\' is not a size'),
        ({"image": "x", "stop_grace_period": "soon"}, 'component "app": key "stop_grace_period"'),
        ({"image": "x", "restart": "sometimes"}, 'component "app": key "restart": must be no, on-failure[:N]'),
        ({"image": "x", "healthcheck": {"tset": "x"}}, 'component "app": key "healthcheck": unknown healthcheck key'),
        ({"image": "x", "environment": {"A": {"b": 1}}}, 'component "app": key "environment": values must be strings'),
        ({"image": "x", "labels": ["a=1", ["b"]]}, 'component "app": key "labels": expected a string'),
        ("image: x", 'component "app": the definition must be a mapping'),
    ],
)
def test_refused_definitions(definition, message):
    with pytest.raises(SpecError) as error:
        parse_component("app", definition)
    assert str(error.value).startswith(message)


def test_compose_file_components_ignore_compose_only_keys():
    component = parse_component("web", {"image": "x", "ports": ["80:80"], "networks": ["a"]}, strict=False)
    assert component.definition == {"image": "x"}


@pytest.mark.parametrize(
    "name", ["", "-bad", "a b", "a/b", None, "b.podlike._guard", "podlike.x", "x.podlike", "podlike"]
)
def test_bad_component_names(name):
    with pytest.raises(SpecError):
        parse_component(name, {"image": "x"})


def test_names_near_the_separator_are_component_names():
    for name in ("podlike-proxy", "my.podlike2", "apodlike.b"):
        assert parse_component(name, {"image": "x"}).name == name


@pytest.mark.parametrize(
    "labels",
    [
        {"com.docker.stack.namespace": "prod"},
        ["podlike.stack=prod"],
        {"podlike.controller.id": "0" * 64},
        {" com.docker.swarm.service.id": "x"},
        {"COM.DOCKER.COMPOSE.project": "x"},
        {"exitCode": "0"},
        ["signal=15"],
    ],
)
def test_labels_the_pod_and_swarm_own_are_refused(labels):
    with pytest.raises(SpecError) as error:
        parse_component("app", {"image": "x", "labels": labels})
    assert str(error.value).startswith('component "app": key "labels": label ')
    assert "is reserved" in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, {}),
        (["db", "cache"], {"db": "service_started", "cache": "service_started"}),
        (
            {"db": None, "cache": {"condition": "service_healthy"}},
            {"db": "service_started", "cache": "service_healthy"},
        ),
        ({"job": {"condition": "service_completed_successfully"}}, {"job": "service_completed_successfully"}),
    ],
)
def test_depends_on_forms(value, expected):
    assert parse_depends_on("app", value) == expected


def test_depends_on_unknown_condition():
    with pytest.raises(SpecError, match="condition must be one of"):
        parse_depends_on("app", {"db": {"condition": "service_ready"}})


@pytest.mark.parametrize(
    "value, exit_code, restarts, expected",
    [
        (None, 1, 0, False),
        ("no", 1, 0, False),
        ("always", 0, 100, True),
        ("unless-stopped", 0, 0, True),
        ("on-failure", 0, 0, False),
        ("on-failure", 2, 50, True),
        ("on-failure:2", 2, 1, True),
        ("on-failure:2", 2, 2, False),
    ],
)
def test_restart_policy(value, exit_code, restarts, expected):
    assert parse_restart("app", value).should_restart(exit_code, restarts) is expected


def test_probes_are_parsed():
    component = parse_component(
        "web",
        {
            "image": "x",
            "liveness_probe": {"http_get": {"path": "healthz", "port": 8080}, "interval": "2s", "failure_threshold": 2},
            "readiness_probe": {"tcp_socket": {"port": 5432}},
            "startup_probe": {"exec": "test -f /ready"},
        },
    )
    probes = component.probes
    assert probes["liveness"].target == {"host": "127.0.0.1", "port": 8080, "path": "/healthz"}
    assert (probes["liveness"].interval, probes["liveness"].failure_threshold) == (2.0, 2)
    assert probes["readiness"].action == "tcp_socket"
    assert probes["startup"].target == ["test", "-f", "/ready"]


@pytest.mark.parametrize(
    "probe, message",
    [
        ({"interval": "1s"}, "needs exactly one of http_get, tcp_socket, exec"),
        ({"tcp_socket": {}}, "tcp_socket needs a port"),
        ({"tcp_socket": {"port": 70000}}, "out of range"),
        ({"exec": "true", "period": "1s"}, "unknown probe option(s): period"),
        ("curl localhost", "expected a mapping"),
        ({"http_get": {"port": 80, "host": "a b"}}, "host 'a b' is not an IP address or a DNS name"),
        ({"tcp_socket": {"port": 80, "host": "a" * 64}}, "is not an IP address or a DNS name"),
        ({"http_get": {"port": 80, "path": "/x HTTP/1.0\r\nX: y"}}, "holds a space, a control character"),
    ],
)
def test_bad_probes(probe, message):
    with pytest.raises(SpecError) as error:
        parse_component("web", {"image": "x", "liveness_probe": probe})
    assert str(error.value).startswith('component "web": key "liveness_probe": ')
    assert message in str(error.value)


@pytest.mark.parametrize("restarts, delay", [(0, 0.0), (1, 1.0), (2, 2.0), (3, 4.0), (10, 30.0)])
def test_restart_back_off(restarts, delay):
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.runtime import restart_delay

    assert restart_delay(restarts) == delay


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("volumes", "/var/run/docker.sock:/var/run/docker.sock", "expected a list, got a string"),
        ("security_opt", "seccomp=unconfined", "expected a list, got a string"),
        ("cap_add", "SYS_ADMIN", "expected a list, got a string"),
        ("cap_drop", "ALL", "expected a list, got a string"),
        ("devices", "/dev/mem", "expected a list, got a string"),
        ("device_cgroup_rules", "a *:* rwm", "expected a list, got a string"),
        ("group_add", "root", "expected a list, got a string"),
        ("environment", "A=1", "expected a list, got a string"),
        ("cap_add", [["SYS_ADMIN"]], "expected a string"),
        ("volumes", [{"target": "/x", "read_only": "yes"}], "expected true or false (a YAML boolean), got a string"),
        ("volumes", [{"target": "/x", "colour": 1}], "unknown volume key(s): colour"),
        ("logging", {"driver": "json-file", "opts": {}}, "unknown logging key(s): opts"),
        ("cpus", True, "expected a number of CPUs"),
        ("healthcheck", {"disable": "true"}, "expected true or false (a YAML boolean), got a string"),
    ]
    + [
        (key, value, "expected true or false (a YAML boolean), got %s" % kind)
        for key in ("privileged", "read_only", "init", "tty", "stdin_open", "oom_kill_disable")
        for value, kind in (("TRUE", "a string"), ("true", "a string"), ("yes", "a string"), (1, "a number"))
    ],
)
def test_strict_types(key, value, message):
    """A string where a list is required, or a boolean spelled as text, is an error naming the key."""
    with pytest.raises(SpecError) as error:
        parse_component("app", {"image": "x", key: value})
    assert str(error.value) == 'component "app": key "%s": %s' % (key, message)


def test_tmpfs_and_commands_may_be_strings():
    config, host = container_settings("app", {"command": "sleep 1", "entrypoint": "sh -c", "tmpfs": "/run"})
    assert config == {"Cmd": ["sleep", "1"], "Entrypoint": ["sh", "-c"]} and host == {"Tmpfs": {"/run": ""}}
