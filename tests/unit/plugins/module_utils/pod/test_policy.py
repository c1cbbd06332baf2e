"""The policy on the container settings a component sends to the engine, and the operator's flags that widen it."""

import os
import socket

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.pod import policy
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import parse_flags, resolve
from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import parse_component

PRIVILEGED = policy.Allowances(privileged=True)
DEFAULT = policy.Allowances()


def check(extra, allowances=DEFAULT, inspect_volume=None):
    component = parse_component("app", dict({"image": "x"}, **extra))
    policy.check_pod([component], allowances, inspect_volume)


def refusal(extra, allowances=DEFAULT, inspect_volume=None):
    with pytest.raises(SpecError) as error:
        check(extra, allowances, inspect_volume)
    return str(error.value)


NEEDS_PRIVILEGED = [
    ({"privileged": True}, "privileged", "privileged mode is not allowed"),
    ({"cap_add": ["SYS_ADMIN"]}, "cap_add", "capability SYS_ADMIN is outside the baseline set"),
    ({"cap_add": ["all"]}, "cap_add", "capability ALL is outside the baseline set"),
    ({"cap_add": ["cap_net_admin"]}, "cap_add", "capability NET_ADMIN is outside the baseline set"),
    ({"devices": ["/dev/fuse"]}, "devices", "host devices are not allowed"),
    ({"devices": [{"source": "/dev/mem"}]}, "devices", "host devices are not allowed"),
    ({"device_cgroup_rules": ["c 1:3 mr"]}, "device_cgroup_rules", "device cgroup rules are not allowed"),
    ({"userns_mode": "host"}, "userns_mode", "joins the host's or another container's namespace"),
    ({"security_opt": ["seccomp=unconfined"]}, "security_opt", "security option seccomp=unconfined"),
    ({"security_opt": ["seccomp:unconfined"]}, "security_opt", "security option seccomp:unconfined"),
    ({"security_opt": ["seccomp=/tmp/profile.json"]}, "security_opt", "security option seccomp=/tmp/profile.json"),
    ({"security_opt": ["apparmor=unconfined"]}, "security_opt", "security option apparmor=unconfined"),
    ({"security_opt": ["apparmor:my-profile"]}, "security_opt", "security option apparmor:my-profile"),
    ({"security_opt": ["label=disable"]}, "security_opt", "security option label=disable"),
    ({"security_opt": ["label:type:spc_t"]}, "security_opt", "security option label:type:spc_t"),
    ({"security_opt": ["systempaths=unconfined"]}, "security_opt", "security option systempaths=unconfined"),
    ({"sysctls": {"kernel.core_pattern": "|/x"}}, "sysctls", "sysctl kernel.core_pattern is outside the safe set"),
    ({"sysctls": ["net.ipv4.ip_forward=1"]}, "sysctls", "sysctl net.ipv4.ip_forward is outside the safe set"),
    ({"logging": {"driver": "syslog"}}, "logging", "log driver syslog sends output off the node"),
    ({"logging": {"driver": "gelf"}}, "logging", "log driver gelf sends output off the node"),
    ({"logging": {"driver": "fluentd"}}, "logging", "log driver fluentd sends output off the node"),
    ({"logging": {"driver": "splunk"}}, "logging", "log driver splunk sends output off the node"),
    ({"logging": {"driver": "awslogs"}}, "logging", "log driver awslogs sends output off the node"),
    ({"runtime": "runsc"}, "runtime", "runtime runsc is not the engine's default"),
    ({"isolation": "hyperv"}, "isolation", "isolation hyperv is not allowed"),
    ({"oom_kill_disable": True}, "oom_kill_disable", "disabling the OOM killer"),
    ({"oom_score_adj": -500}, "oom_score_adj", "a negative OOM score"),
    ({"cpu_rt_runtime": 950000}, "cpu_rt_runtime", "real-time scheduling"),
    ({"ulimits": {"rtprio": 99}}, "ulimits", "ulimit rtprio lets the component take real-time priority"),
    ({"ulimits": {"RTPRIO": {"soft": 0, "hard": 1}}}, "ulimits", "ulimit rtprio lets the component take"),
    ({"security_opt": ["no-new-privileges=false"]}, "security_opt", "security option no-new-privileges=false"),
    ({"security_opt": ["no-new-privileges:false"]}, "security_opt", "security option no-new-privileges:false"),
    ({"tmpfs": ["/run:rbind"]}, "tmpfs", "tmpfs option rbind (/run) is not allowed"),
    ({"tmpfs": ["/run:size=1m,rshared"]}, "tmpfs", "tmpfs option rshared (/run) is not allowed"),
    ({"storage_opt": {"dm.basesize": "20G"}}, "storage_opt", "storage option(s) dm.basesize are not allowed"),
    ({"volumes": ["/var/run/docker.sock:/var/run/docker.sock"]}, "volumes", "the engine socket /var/run/docker.sock"),
    ({"volumes": ["/run:/host-run:ro"]}, "volumes", "the engine socket /run/docker.sock is reachable through"),
    ({"volumes": ["/proc:/host-proc"]}, "volumes", "host path /proc reaches the node's /proc"),
    ({"volumes": ["/sys/fs/cgroup:/c"]}, "volumes", "host path /sys/fs/cgroup reaches the node's /sys"),
    ({"volumes": ["/dev:/dev"]}, "volumes", "host path /dev reaches the node's /dev"),
    ({"volumes": ["/srv/a/../b:/b"]}, "volumes", "host path /srv/a/../b steps back with '..'"),
    ({"volumes": ["/srv/../etc:/b"]}, "volumes", "host path /srv/../etc steps back with '..'"),
    ({"volumes": [{"type": "bind", "source": "/srv/run/../../etc", "target": "/b"}]}, "volumes", "steps back"),
    (
        {"volumes": [{"type": "bind", "source": "/srv/a", "target": "/a", "bind": {"propagation": "rshared"}}]},
        "volumes",
        "bind propagation rshared shares mounts with the node",
    ),
]


@pytest.mark.parametrize("extra, key, reason", NEEDS_PRIVILEGED)
def test_refused_by_default_and_allowed_by_allow_privileged(extra, key, reason):
    message = refusal(extra, policy.Allowances(host_paths=["/srv"]))
    assert message.startswith('component "app": key "%s": ' % key)
    assert reason in message
    assert message.endswith("; start the controller with -allow-privileged to permit it")
    assert "\n" not in message
    check(extra, PRIVILEGED)


SOCKET_SPELLINGS = [
    "/var/run/docker.sock",
    "//var/run/./docker.sock",
    "/var/run/../run/docker.sock",
    "/var//run/docker.sock/",
    "/run/docker.sock",
    "/var/./run",
    "/var",
    "/",
    "///",
    "/run/containerd/containerd.sock",
    "/run/containerd",
    "/run/containerd/containerd.sock.ttrpc",
    "/var/run/containerd/s/0123abcd",
    "/var/run/docker/containerd/containerd.sock",
    "/run/docker/swarm/control.sock",
    "/var/run/docker/plugins",
    "/var/run/docker",
    "/run/user/1000/docker.sock",
    "/var/run/user/1000/docker/containerd/containerd.sock",
    "/run/user/1000",
    "/run/user",
]


@pytest.mark.parametrize("source", SOCKET_SPELLINGS)
@pytest.mark.parametrize("form", ["short", "long"])
def test_the_socket_is_refused_however_spelled_even_under_an_allowed_prefix(source, form):
    volume = source + ":/s" if form == "short" else {"type": "bind", "source": source, "target": "/s"}
    message = refusal({"volumes": [volume]}, policy.Allowances(host_paths=["/"]))
    assert "reachable through host path" in message and message.endswith("-allow-privileged to permit it")
    assert "the engine socket " in message or "the engine's sockets in " in message
    check({"volumes": [volume]}, PRIVILEGED)


def test_the_socket_the_controller_was_given_is_refused_wherever_the_operator_keeps_it():
    allowances = policy.Allowances(host_paths=["/srv"], engine_sockets=["/srv/engine//docker.sock"])
    for source in ("/srv/engine/docker.sock", "/srv/engine"):
        message = refusal({"volumes": [source + ":/s"]}, allowances)
        assert "the engine socket /srv/engine/docker.sock is reachable through host path %s;" % source in message
    check({"volumes": ["/srv/data:/data"]}, allowances)


@pytest.mark.parametrize("source", ["/run/user/1000/app", "/run/users", "/var/run/dockerd", "/run/containerd-data"])
def test_neighbours_of_the_engine_sockets_are_plain_host_paths(source):
    check({"volumes": [source + ":/s"]}, policy.Allowances(host_paths=["/run", "/var/run"]))


@pytest.mark.parametrize(
    "source, normalized",
    [
        ("/etc", "/etc"),
        ("/srvx/data", "/srvx/data"),
        ("/tmp/x", "/tmp/x"),
        ("//home/./user", "/home/user"),
    ],
)
def test_host_paths_outside_the_allowed_prefixes_are_refused(source, normalized):
    message = refusal({"volumes": [source + ":/in"]}, policy.Allowances(host_paths=["/srv"]))
    assert message == (
        'component "app": key "volumes": host path %s is not allowed; '
        "start the controller with -allow-host-path %s to permit it" % (normalized, normalized)
    )
    check({"volumes": [source + ":/in"]}, policy.Allowances(host_paths=[normalized]))


@pytest.mark.parametrize("source", ["/srv", "/srv/data", "/srv//data/./x", "/srv/a/./b/"])
@pytest.mark.parametrize("prefix", ["/srv", "/srv/", "//srv/."])
def test_host_paths_under_an_allowed_prefix_pass(source, prefix):
    check({"volumes": [source + ":/in:ro"]}, policy.Allowances(host_paths=[prefix]))
    check({"volumes": [{"type": "bind", "source": source, "target": "/in"}]}, policy.Allowances(host_paths=[prefix]))


def test_ordinary_components_pass():
    check(
        {
            "volumes": ["data:/data", "/anon", {"type": "tmpfs", "target": "/t"}],
            "tmpfs": ["/run"],
            "cap_drop": ["ALL"],
            "cap_add": ["chown", "CAP_NET_BIND_SERVICE", "Kill", "sys_chroot"],
            "security_opt": ["no-new-privileges:true", "no-new-privileges"],
            "sysctls": {"net.ipv4.ip_unprivileged_port_start": 0, "net/ipv4/tcp_syncookies": 1},
            "logging": {"driver": "local", "options": {"max-size": "1m"}},
            "read_only": True,
            "privileged": False,
            "init": True,
            "mem_limit": "64m",
            "cpus": 0.5,
            "ulimits": {"nofile": 1024},
            "oom_score_adj": 100,
            "runtime": "runc",
            "storage_opt": {"size": "1G"},
        }
    )


@pytest.mark.parametrize("driver", sorted(policy.LOCAL_LOG_DRIVERS))
def test_log_drivers_that_keep_output_on_the_node_pass(driver):
    check({"logging": {"driver": driver}})


@pytest.mark.parametrize("capability", sorted(policy.SAFE_CAPABILITIES))
def test_the_baseline_capabilities_pass(capability):
    check({"cap_add": [capability, "cap_" + capability.lower()]})


@pytest.mark.parametrize("name", sorted(policy.SAFE_SYSCTLS))
def test_the_safe_sysctls_pass(name):
    check({"sysctls": {name: "1"}})


def test_limits_tmpfs_options_and_no_new_privileges_pass():
    check(
        {
            "ulimits": {"nofile": {"soft": 1024, "hard": 4096}, "nproc": 512, "memlock": -1, "rtprio": 0},
            "tmpfs": ["/run:size=64m,mode=1777,uid=1,gid=1,noexec,nosuid,nodev", "/cache"],
            "security_opt": ["no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"],
        }
    )


def test_a_tmpfs_mount_with_options_beyond_size_and_mode_is_refused():
    mount = {"Type": "tmpfs", "Target": "/t", "TmpfsOptions": {"SizeBytes": 1, "Options": [["exec"]]}}
    found = policy.refusals({"Image": "x", "HostConfig": {"Mounts": [mount]}}, DEFAULT)
    assert [(item.key, item.reason) for item in found] == [("volumes", "tmpfs option(s) Options are not allowed")]
    assert (
        policy.refusals({"Image": "x", "HostConfig": {"Mounts": [dict(mount, TmpfsOptions={"Mode": 1})]}}, DEFAULT)
        == []
    )


def volumes(**by_name):
    return by_name.get


@pytest.mark.parametrize(
    "volume, reason",
    [
        ({"Driver": "local", "Options": {"type": "none", "o": "bind", "device": "/etc"}}, "host path /etc"),
        ({"Driver": "local", "Options": {"o": "ro,rbind", "device": "/var/run"}}, "the engine socket"),
        ({"Driver": "local", "Options": {"type": "ext4", "device": "/dev/sda1"}}, "mounts the node's device"),
        ({"Driver": "local-persist", "Options": {"mountpoint": "/"}}, "uses the local-persist driver"),
    ],
)
def test_named_volumes_that_mount_host_paths_are_refused(volume, reason):
    inspect = volumes(shared=dict(volume, Name="shared"))
    message = refusal({"volumes": ["shared:/data"]}, inspect_volume=inspect)
    assert message.startswith('component "app": key "volumes": ') and reason in message
    check({"volumes": ["shared:/data"]}, PRIVILEGED, inspect)


@pytest.mark.parametrize(
    "volume",
    [
        None,
        {"Driver": "local", "Options": None},
        {"Driver": "local", "Options": {"type": "tmpfs", "device": "tmpfs", "o": "size=1m"}},
        {"Driver": "local", "Options": {"type": "nfs", "o": "addr=10.0.0.1", "device": ":/export"}},
        {"Driver": "local", "Options": {"type": "none", "o": "bind", "device": "/srv/data"}},
    ],
)
def test_plain_named_volumes_pass(volume):
    check({"volumes": ["shared:/data"]}, policy.Allowances(host_paths=["/srv"]), volumes(shared=volume))


def body(**host):
    return {"Image": "x", "HostConfig": host}


@pytest.mark.parametrize(
    "config, key",
    [
        (body(PortBindings={"80/tcp": [{"HostPort": "80"}]}), "PortBindings"),
        (body(NetworkMode="host"), "network_mode"),
        (body(PidMode="host"), "pid"),
        (body(IpcMode="container:abc"), "ipc"),
        (body(UTSMode="host"), "uts"),
        (body(CgroupnsMode="host"), "cgroup"),
        (body(CgroupParent="/"), "cgroup_parent"),
        (body(VolumesFrom=["other"]), "volumes_from"),
        (body(Binds=["/:/host"]), "volumes"),
        (body(Binds=["/var/run/docker.sock:/s:ro"]), "volumes"),
        (body(Mounts=[{"Type": "npipe", "Source": "x", "Target": "/x"}]), "volumes"),
        (body(DeviceRequests=[{"Count": -1}]), "DeviceRequests"),
        (dict(body(), Volumes={"/x": {}}, Domainname="x"), "Domainname"),
    ],
)
def test_unknown_and_host_reaching_fields_of_the_create_body_are_refused(config, key):
    with pytest.raises(SpecError) as error:
        policy.check("app", config, DEFAULT)
    assert str(error.value).startswith('component "app": key "%s": ' % key)
    policy.check("app", config, PRIVILEGED)


def test_fields_left_empty_are_not_refusals():
    assert policy.refusals(body(AutoRemove=False, NetworkMode="", Devices=[]), DEFAULT) == []


def test_the_engine_default_runtime_is_allowed():
    check({"runtime": "sysbox-runc"}, policy.Allowances(default_runtime="sysbox-runc"))


def test_the_engine_is_asked_for_its_default_runtime_only_when_a_component_names_one():
    asked = []

    def ask():
        asked.append(1)
        return "sysbox-runc"

    allowances = policy.Allowances(default_runtime=ask)
    check({"user": "1000"}, allowances)
    assert asked == []
    check({"runtime": "sysbox-runc"}, allowances)
    assert "runtime runc is not the engine's default" in refusal({"runtime": "runc"}, allowances)
    assert asked == [1]


def test_allowances_come_from_the_controller_command_only():
    assert policy.allowances_from_command("-logs -allow-host-path /srv -allow-host-path=/data/").host_paths == (
        "/srv",
        "/data",
    )
    assert policy.allowances_from_command(["-allow-privileged"]).privileged is True
    assert policy.allowances_from_command(None).privileged is False
    assert policy.allowances_from_command("-nosuchflag").host_paths == ()


def test_operator_flags_cannot_be_set_by_labels():
    for name, value in (("allow-privileged", "true"), ("allow-host-path", "/"), ("copy-limit", "1g"), ("volumes", "1")):
        with pytest.raises(SpecError, match='key "pod.controller.%s": can only be set as a flag' % name):
            resolve({}, {name: value})
    settings = resolve(parse_flags(["-allow-privileged", "-allow-host-path", "/srv/", "--allow-host-path=//x/."]), {})
    assert settings.allow_privileged is True and settings.allow_host_path == ["/srv", "/x"]
    assert resolve(parse_flags(["-copy-limit=1g"]), {}).copy_limit == 1024**3
    assert resolve({}, {}).copy_limit == 64 * 1024**2 and resolve({}, {}).allow_host_path == []


@pytest.mark.parametrize(
    "argv, message",
    [
        (["-allow-host-path"], "flag -allow-host-path needs a value"),
        (["-allow-host-path=srv"], "expected an absolute path"),
        (["-copy-limit=lots"], "is not a size"),
    ],
)
def test_bad_operator_flags(argv, message):
    with pytest.raises(SpecError, match=message):
        parse_flags(argv)


@pytest.mark.parametrize(
    "path, normalized",
    [("/a/./b//c/", "/a/b/c"), ("//a", "/a"), ("///", "/"), ("/a/../../b", "/b"), ("a/b", None), ("", None)],
)
def test_normalize_path(path, normalized):
    assert policy.normalize_path(path) == normalized


@pytest.fixture
def engine_socket(tmp_path):
    """A directory holding a listening unix socket, standing for the controller's engine socket."""
    directory = tmp_path / "run"
    directory.mkdir()
    path = str(directory / "engine.sock")
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    yield path
    server.close()


def test_volume_sharing_leaves_out_every_mount_that_reaches_the_socket(engine_socket, tmp_path):
    run = os.path.dirname(engine_socket)
    alias = tmp_path / "alias"
    os.symlink(run, str(alias))
    data = tmp_path / "data"
    data.mkdir()
    mounts = [
        {"Type": "bind", "Source": "/somewhere", "Destination": run, "RW": True},
        {"Type": "bind", "Source": "/elsewhere", "Destination": str(alias), "RW": True},
        {"Type": "bind", "Source": "/run", "Destination": "/host-run", "RW": False},
        {"Type": "bind", "Source": "/srv/conf", "Destination": str(data), "RW": False},
        {"Type": "volume", "Name": "shared_logs", "Source": "/var/lib/docker/x", "Destination": "/logs", "RW": True},
        {"Type": "tmpfs", "Destination": "/tmp"},
    ]
    shared, excluded = policy.shared_controller_mounts(mounts, socket_path=engine_socket)
    assert [destination for destination, _reason in excluded] == [run, str(alias), "/host-run"]
    assert set(reason for _destination, reason in excluded) == {"the engine's socket is reachable through it"}
    assert shared == [
        {"Type": "bind", "Source": "/srv/conf", "Target": str(data), "ReadOnly": True},
        {"Type": "volume", "Source": "shared_logs", "Target": "/logs", "ReadOnly": False},
    ]


def test_the_socket_mount_itself_is_never_shared(engine_socket):
    mounts = [{"Type": "bind", "Source": "/var/run/docker.sock", "Destination": engine_socket, "RW": False}]
    assert policy.shared_controller_mounts(mounts, socket_path=engine_socket) == (
        [],
        [(engine_socket, "the engine's socket is reachable through it")],
    )
    renamed = [{"Type": "bind", "Source": "/somewhere/else.sock", "Destination": "/x/../" + engine_socket}]
    assert policy.shared_controller_mounts(renamed, socket_path=engine_socket)[0] == []


def test_a_volume_under_the_socket_mount_is_shared(engine_socket):
    """rycus86/podlike's volume example: a pids volume on /var/run, the socket bound on top of it."""
    run = os.path.dirname(engine_socket)
    mounts = [
        {"Type": "bind", "Source": "/var/run/docker.sock", "Destination": engine_socket, "RW": False},
        {"Type": "volume", "Name": "pids", "Source": "/var/lib/docker/volumes/pids/_data", "Destination": run},
    ]
    shared, excluded = policy.shared_controller_mounts(mounts, socket_path=engine_socket)
    assert [destination for destination, _reason in excluded] == [engine_socket]
    assert shared == [{"Type": "volume", "Source": "pids", "Target": run, "ReadOnly": False}]


def test_a_volume_under_the_socket_mount_is_shared_though_the_socket_is_a_credential(engine_socket, tmp_path):
    """rycus86/podlike's volume example, with /var/run a link to /run and a registry secret in /run/secrets."""
    run = os.path.dirname(engine_socket)
    alias = str(tmp_path / "var-run")
    os.symlink(run, alias)
    os.makedirs(os.path.join(run, "secrets"))
    secret = os.path.join(run, "secrets", "auth.json")
    open(secret, "w").close()
    mounts = [
        {"Type": "bind", "Source": "/var/run/docker.sock", "Destination": alias + "/engine.sock", "RW": False},
        {"Type": "volume", "Name": "pids", "Destination": alias},
    ]
    points = ["/", run, engine_socket, os.path.dirname(secret)]  # the secret is a mount of its own, as in Swarm

    def share(credentials, mount_points=None):
        return policy.shared_controller_mounts(
            mounts,
            alias + "/engine.sock",
            inspect_volume=lambda name: None,
            credentials=credentials,
            mount_points=points if mount_points is None else mount_points,
        )

    shared, excluded = share([os.path.realpath(engine_socket), secret])
    assert [mount["Target"] for mount in shared] == [alias]
    assert [destination for destination, _reason in excluded] == [alias + "/engine.sock"]
    # Without the secret's own mount point, the secret lies on the volume, which then holds it.
    shared, excluded = share([secret], mount_points=["/", run, engine_socket])
    assert excluded[1] == (alias, "it holds %s, the controller's own credentials" % secret)
    # A credential that does not exist here is held by no mount.
    shared, excluded = share([os.path.join(run, "key.pem")])
    assert [mount["Target"] for mount in shared] == [alias]


def test_volume_sharing_finds_the_socket_by_inode_under_another_name(engine_socket, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    os.link(engine_socket, str(other / "renamed.sock"))
    mounts = [{"Type": "bind", "Source": "/x", "Destination": str(other), "RW": True}]
    shared, excluded = policy.shared_controller_mounts(mounts, socket_path=engine_socket)
    assert (shared, [destination for destination, _reason in excluded]) == ([], [str(other)])


def test_volume_sharing_leaves_out_credentials_kernel_trees_and_volumes_reaching_the_node(engine_socket, tmp_path):
    certs, docker_config, data = (str(tmp_path / name) for name in ("certs", "root/.docker", "data"))
    for path in (certs + "/key.pem", docker_config + "/config.json"):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "w").close()
    mounts = [
        {"Type": "bind", "Source": "/etc/docker/tls", "Destination": certs, "RW": False},
        {"Type": "bind", "Source": "/home/op/.docker", "Destination": docker_config, "RW": False},
        {"Type": "bind", "Source": "/proc", "Destination": "/host-proc", "RW": False},
        {"Type": "volume", "Name": "hostroot", "Destination": "/rootfs", "RW": False},
        {"Type": "volume", "Name": "hostrun", "Destination": "/hostrun", "RW": False},
        {"Type": "volume", "Name": "remote", "Destination": "/remote", "RW": True},
        {"Type": "volume", "Name": "disk", "Destination": "/disk", "RW": True},
        {"Type": "volume", "Name": "site", "Destination": "/site", "RW": True},
        {"Type": "bind", "Source": "/srv/data", "Destination": data, "RW": True},
    ]
    volumes = {
        "hostroot": {"Driver": "local", "Options": {"type": "none", "o": "bind", "device": "/"}},
        "hostrun": {"Driver": "local", "Options": {"type": "none", "o": "rbind,ro", "device": "/var/run/docker"}},
        "remote": {"Driver": "sshfs", "Options": {}},
        "disk": {"Driver": "local", "Options": {"type": "ext4", "device": "/dev/sdb1"}},
        "site": {"Driver": "local", "Options": {"type": "none", "o": "bind", "device": "/srv/site"}},
    }
    credentials = [certs + "/key.pem", docker_config + "/config.json"]

    def share(allowances):
        return policy.shared_controller_mounts(
            mounts, engine_socket, allowances, inspect_volume=volumes.get, credentials=credentials
        )

    shared, excluded = share(DEFAULT)
    assert excluded == [
        (certs, "it holds %s/key.pem, the controller's own credentials" % certs),
        (docker_config, "it holds %s/config.json, the controller's own credentials" % docker_config),
        ("/host-proc", "host path /proc reaches the node's /proc"),
        ("/rootfs", "the engine's socket is reachable through it"),
        ("/hostrun", "the engine's socket is reachable through it"),
        ("/remote", "volume remote uses the sshfs driver, which may mount host paths"),
        ("/disk", "volume disk mounts the node's device /dev/sdb1"),
    ]
    assert [mount["Target"] for mount in shared] == ["/site", data]
    shared, excluded = share(PRIVILEGED)
    assert [destination for destination, _reason in excluded] == ["/rootfs", "/hostrun"]
    assert len(shared) == len(mounts) - 2


@pytest.mark.parametrize(
    "base_url, tls, privileged, refused",
    [
        ("unix:///var/run/docker.sock", None, False, False),
        ("tcp://10.0.0.1:2375", None, False, True),
        ("http://10.0.0.1:2375", None, False, True),
        ("tcp://10.0.0.1:2376", {"ca_cert": "/c/ca.pem", "verify": True}, False, True),
        ("https://10.0.0.1:2376", {}, False, True),
        ("tcp://10.0.0.1:2376", {"client_cert": "/c/cert.pem", "client_key": "/c/key.pem"}, False, False),
        ("tcp://10.0.0.1:2375", None, True, False),
    ],
    ids=["unix", "tcp", "http", "tls-without-client-cert", "https", "client-cert", "with-leave"],
)
def test_an_engine_over_tcp_needs_a_client_certificate(base_url, tls, privileged, refused):
    allowances = policy.Allowances(privileged=privileged)
    if not refused:
        policy.check_engine_reach(base_url, tls, allowances)
        return
    with pytest.raises(SpecError) as error:
        policy.check_engine_reach(base_url, tls, allowances)
    assert str(error.value).startswith('key "DOCKER_HOST": the engine at %s is reached without' % base_url)
    assert str(error.value).endswith("start the controller with -allow-privileged to permit it")
