"""Generated hostile and malformed input: every case ends in a clear error or a valid pod, never a traceback.

Case counts: 600 label sets, 600 component definitions, 600 definitions against the policy, 400 templates,
300 flag lists (2500 in all).
PODLIKE_FUZZ_EXAMPLES=N caps every test at N cases, for a quick run while editing; make test runs them all.
"""

import os
import string

from ansible_collections.podlike.swarm.plugins.module_utils.pod import policy
from ansible_collections.podlike.swarm.plugins.module_utils.pod.containers import PodContext, create_body
from ansible_collections.podlike.swarm.plugins.module_utils.pod.definition import from_labels
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import parse_flags, resolve
from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import (
    is_component_name,
    SUPPORTED_KEYS,
    container_settings,
    parse_component,
)
from ansible_collections.podlike.swarm.plugins.module_utils.template.errors import TemplateError
from ansible_collections.podlike.swarm.plugins.module_utils.template.render import render_stack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def cases(count):
    limit = os.environ.get("PODLIKE_FUZZ_EXAMPLES")
    if limit:
        count = min(count, int(limit))
    return settings(max_examples=count, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False), st.text(max_size=30)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)
keys = st.one_of(st.sampled_from(sorted(SUPPORTED_KEYS) + ["ports", "privileged", "x-y"]), st.text(max_size=12))
definitions = st.dictionaries(keys, values, max_size=6)
yaml_text = st.one_of(
    st.text(alphabet=string.printable, max_size=120),
    st.builds(lambda d: "image: busybox\n" + "\n".join("%s: %r" % kv for kv in d.items()), definitions),
)
label_names = st.one_of(
    st.builds(lambda n: "pod.component." + n, st.text(max_size=12)),
    st.sampled_from(
        [
            "pod.init.components",
            "pod.compose.file",
            "pod.copy.app",
            "pod.controller.pids",
            "pod.controller.allow-privileged",
            "pod.controller.grace-period",
        ]
    ),
)
CONTROLLER = {"Id": "c" * 64, "Name": "/pod", "Config": {"Labels": {}}, "HostConfig": {}}


def _read_nothing(path):
    raise OSError(2, "No such file or directory")


@cases(600)
@given(st.dictionaries(label_names, yaml_text, max_size=5))
def test_label_sets(labels):
    try:
        pod = from_labels(labels, read_file=_read_nothing)
        settings = resolve({}, pod.settings)
    except SpecError as error:
        assert "\n" not in str(error)
        return
    context = PodContext(CONTROLLER, settings)
    for component in pod.all_components():
        assert is_component_name(component.name)
        try:
            body = create_body(component, context, read_file=_read_nothing)
        except SpecError:
            continue
        assert body["HostConfig"]["NetworkMode"] == "container:" + "c" * 64


@cases(600)
@given(st.text(max_size=15), definitions)
def test_component_definitions(name, definition):
    definition = dict(definition, image="busybox")
    try:
        component = parse_component(name, definition)
        policy.check_pod([component], policy.Allowances())
    except SpecError as error:
        assert "\n" not in str(error)
        return
    assert "/" not in component.name and " " not in component.name


# What the policy promises, written out again here rather than taken from the policy module.
BASELINE_CAPABILITIES = (
    "AUDIT_WRITE CHOWN DAC_OVERRIDE FOWNER FSETID KILL MKNOD NET_BIND_SERVICE SETFCAP SETGID SETPCAP"
)
BASELINE_CAPABILITIES = set(BASELINE_CAPABILITIES.split() + ["SETUID", "SYS_CHROOT"])
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
HARMLESS_HOST_FIELDS = {
    "CapDrop", "GroupAdd", "ReadonlyRootfs", "Init", "Tmpfs", "Ulimits", "CpuShares", "CpuPeriod", "CpuQuota",
    "CpuCount", "CpuPercent", "NanoCpus", "CpusetCpus", "MemorySwappiness", "PidsLimit", "Memory", "MemorySwap",
    "MemoryReservation", "ShmSize", "BlkioWeight", "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps",
    "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps",
}  # fmt: skip


def inside_the_policy(host):
    """Whether HostConfig settings keep a component off the host, by the rules of docs/security.md."""
    for field, value in host.items():
        if field in HARMLESS_HOST_FIELDS:
            continue
        if field == "Mounts":
            for mount in value:
                if mount["Type"] not in ("volume", "tmpfs") or mount.get("Source", "x")[:1] == "/":
                    return False
        elif field == "CapAdd":
            names = [item.strip().upper() for item in value]
            if any((name[4:] if name.startswith("CAP_") else name) not in BASELINE_CAPABILITIES for name in names):
                return False
        elif field == "SecurityOpt":
            if any(item.replace(":", "=").split("=")[0].strip().lower() != "no-new-privileges" for item in value):
                return False
        elif field == "Sysctls":
            if any(name.replace("/", ".") not in SAFE_SYSCTLS for name in value):
                return False
        elif field == "LogConfig":
            if value["Type"] not in ("json-file", "local", "journald", "none", ""):
                return False
        elif field == "StorageOpt":
            if set(value) - {"size"}:
                return False
        elif field == "OomScoreAdj":
            if value < 0:
                return False
        elif field in ("Runtime", "Isolation"):
            if value not in ("", "runc", "default"):
                return False
        elif value not in (False, None, "", [], {}, 0):
            return False
    return True


SOCKET_SPELLINGS = ["/var/run/docker.sock", "//var/run/./docker.sock", "/var/run/../run/docker.sock", "/run", "/"]
hostile_values = {
    "privileged": st.one_of(st.booleans(), st.sampled_from(["TRUE", "true", "yes", "1", 1])),
    "cap_add": st.one_of(
        st.lists(st.sampled_from(["chown", "CAP_KILL", "sys_admin", "ALL", "cap_net_admin", " Kill "]), max_size=3),
        st.sampled_from(["SYS_ADMIN", "ALL"]),
    ),
    "volumes": st.one_of(
        st.lists(
            st.one_of(
                st.builds(lambda p: p + ":/in", st.sampled_from(SOCKET_SPELLINGS + ["/etc", "data", "./conf"])),
                st.builds(lambda p: {"type": "bind", "source": p, "target": "/in"}, st.sampled_from(SOCKET_SPELLINGS)),
                st.just({"type": "tmpfs", "target": "/t"}),
                st.just("data:/data:ro"),
            ),
            max_size=3,
        ),
        st.sampled_from(SOCKET_SPELLINGS),
    ),
    "security_opt": st.one_of(
        st.lists(
            st.sampled_from(["seccomp=unconfined", "no-new-privileges", "label:disable", "apparmor=x"]), max_size=2
        ),
        st.just("seccomp=unconfined"),
    ),
    "sysctls": st.dictionaries(
        st.sampled_from(["net.ipv4.ip_forward", "net.ipv4.tcp_syncookies", "kernel.x"]), st.just(1)
    ),
    "logging": st.builds(lambda d: {"driver": d}, st.sampled_from(["json-file", "syslog", "gelf", "none", "fluentd"])),
    "devices": st.lists(st.sampled_from(["/dev/mem", "/dev/fuse"]), max_size=1),
    "userns_mode": st.sampled_from(["host", ""]),
    "runtime": st.sampled_from(["runc", "runsc"]),
    "oom_kill_disable": st.booleans(),
    "oom_score_adj": st.integers(-1000, 1000),
    "read_only": st.one_of(st.booleans(), st.just("TRUE")),
    "storage_opt": st.dictionaries(st.sampled_from(["size", "dm.basesize"]), st.just("1G")),
}
hostile_definitions = st.dictionaries(
    st.sampled_from(sorted(hostile_values)), st.just(None), min_size=1, max_size=5
).flatmap(lambda chosen: st.fixed_dictionaries(dict((key, hostile_values[key]) for key in chosen)))


@cases(600)
@given(hostile_definitions)
def test_definitions_are_refused_or_inside_the_policy(definition):
    """A definition either fails with one line, or every setting it gives the engine stays off the host."""
    definition = dict(definition, image="busybox")
    try:
        component = parse_component("app", definition)
        policy.check_pod([component], policy.Allowances())
    except SpecError as error:
        assert "\n" not in str(error) and str(error).startswith('component "app": key "')
        return
    _config, host = container_settings("app", component.definition)
    assert inside_the_policy(host), host


templates = st.one_of(
    st.text(max_size=80),
    st.builds(lambda body: "app:\n  image: x\n  command: " + body, st.text(max_size=40)),
    st.builds(lambda body: "{{ " + body + " }}", st.text(max_size=30)),
    st.builds(lambda body: "{{ ." + body + " }}", st.text(alphabet=string.ascii_letters + ".", max_size=20)),
)


@cases(400)
@given(templates, st.sampled_from(["templates", "transformer", "pod", "init", "copy"]))
def test_templates(template, kind):
    stack = {"version": "3.8", "services": {"web": {"image": "busybox", "x-podlike": {kind: {"inline": template}}}}}
    try:
        rendered = render_stack([stack])
    except TemplateError as error:
        assert str(error)
        return
    assert "x-podlike" not in rendered["services"]["web"]


@cases(300)
@given(st.lists(st.text(max_size=20), max_size=4))
def test_flag_lists(argv):
    try:
        parse_flags(argv)
    except SpecError as error:
        assert "\n" not in str(error)
