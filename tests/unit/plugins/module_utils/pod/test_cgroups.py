"""Where components' cgroups go, decided from the engine, and the pod's limits split where they cannot nest."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.controller.boot import _cgroup_parent
from ansible_collections.podlike.swarm.plugins.module_utils.pod import cgroups
from ansible_collections.podlike.swarm.plugins.module_utils.pod.cgroups import EngineCgroups, component_limits, split
from ansible_collections.podlike.swarm.plugins.module_utils.pod.containers import PodContext, create_body
from ansible_collections.podlike.swarm.plugins.module_utils.pod.definition import from_labels
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import resolve
from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import parse_component

MIB = 1024**2
CONTROLLER_ID = "c" * 64
V1 = {"CgroupVersion": "1", "CgroupDriver": "cgroupfs", "MemoryLimit": True, "CpuCfsQuota": True, "CpuCfsPeriod": True}
V2 = dict(V1, CgroupVersion="2")
V2_NO_CONTROLLERS = dict(V2, MemoryLimit=False, CpuCfsQuota=False, CpuCfsPeriod=False)
SYSTEMD_V1 = dict(V1, CgroupDriver="systemd")


class Lines:
    def __init__(self):
        self.lines = []

    def info(self, message):
        self.lines.append(message)


@pytest.mark.parametrize(
    "info, controller_cgroup, parent, reason",
    [
        (V1, "/docker/" + CONTROLLER_ID, "/docker/" + CONTROLLER_ID, None),
        (V1, None, None, "not visible"),
        (SYSTEMD_V1, "/system.slice/docker-%s.scope" % CONTROLLER_ID, None, "systemd cgroup driver"),
        (V2, "/docker/" + CONTROLLER_ID, None, "cgroup v2"),
        (dict(V2, CgroupDriver="systemd"), None, None, "systemd cgroup driver"),
        ({}, "/docker/" + CONTROLLER_ID, "/docker/" + CONTROLLER_ID, None),  # engines without the fields are v1
    ],
)
def test_nesting_is_decided_from_the_engine(info, controller_cgroup, parent, reason):
    found_parent, why_not = cgroups.nesting(EngineCgroups(info), controller_cgroup)
    assert found_parent == parent
    assert (why_not is None) if reason is None else (reason in why_not)


@pytest.mark.parametrize(
    "cgroup_text, path",
    [
        (
            "12:memory:/docker/%s\n1:name=systemd:/docker/%s\n" % (CONTROLLER_ID, CONTROLLER_ID),
            "/docker/" + CONTROLLER_ID,
        ),
        ("4:cpu,memory:/pods/custom/%s/\n" % CONTROLLER_ID, "/pods/custom/%s/" % CONTROLLER_ID),  # -cgroup-parent
        ("4:memory:/system.slice/docker-%s.scope\n" % CONTROLLER_ID, None),  # the systemd driver
        ("0::/docker/%s\n" % CONTROLLER_ID, None),  # cgroup v2: only the engine knows its driver
        ("12:memory:/\n0::/\n", None),  # a private cgroup namespace
        ("12:cpu:/docker/%s\n" % CONTROLLER_ID, None),  # no memory hierarchy
        ("12:memory:/docker/%s\n" % ("d" * 64), None),  # another container's cgroup
        ("", None),
    ],
)
def test_only_a_v1_memory_cgroup_named_by_the_container_id_proves_the_cgroupfs_driver(cgroup_text, path):
    assert cgroups.cgroupfs_v1_path(cgroup_text, CONTROLLER_ID) == path
    # Before the controller knows its ID, any full container ID at the end of the path may be it.
    assert (cgroups.cgroupfs_v1_path(cgroup_text) is None) is (path is None and "d" * 64 not in cgroup_text)


@pytest.mark.parametrize(
    "total, asks, shares",
    [
        (300, [None, None, None], [100, 100, 100]),
        (300, [50, None, None], [50, 125, 125]),  # a smaller own limit is kept, the rest shared
        (300, [500, None], [150, 150]),  # an own limit above the fair share gets the fair share
        (300, [80, 200, None], [80, 110, 110]),
        (100, [None, None, None], [33, 33, 34]),
        (300, [10, 20], [10, 20]),
    ],
)
def test_split_never_exceeds_the_pod(total, asks, shares):
    assert split(total, asks, minimum=1) == shares
    assert sum(shares) <= total


def test_a_split_below_the_engine_minimum_is_bad_input():
    with pytest.raises(SpecError, match="split among 3 components gives 2796202 each, below the engine's minimum"):
        split(8 * MIB, [None, None, None], minimum=cgroups.MIN_MEMORY)


def test_component_limits_split_memory_and_cpu_init_components_may_use_the_whole():
    components = [
        parse_component("migrate", {"image": "m"}, init=True),
        parse_component("app", {"image": "a"}),
        parse_component("sidecar", {"image": "s"}),
    ]
    asked = {"migrate": (512 * MIB, None), "app": (None, None), "sidecar": (32 * MIB, 10**8)}
    limits = component_limits(EngineCgroups(V2), {"Memory": 256 * MIB, "NanoCpus": 10**9}, components, asked)
    assert limits["app"] == {"Memory": 224 * MIB, "NanoCpus": 9 * 10**8}
    assert limits["sidecar"] == {"Memory": 32 * MIB, "NanoCpus": 10**8}
    assert limits["migrate"] == {"Memory": 256 * MIB, "NanoCpus": 10**9}


def test_no_limit_is_added_that_the_engine_cannot_apply():
    components = [parse_component("app", {"image": "a"}), parse_component("b", {"image": "b"})]
    asked = {"app": (None, None), "b": (None, None)}
    limits = component_limits(
        EngineCgroups(V2_NO_CONTROLLERS), {"Memory": 256 * MIB, "NanoCpus": 10**9}, components, asked
    )
    assert limits == {"app": {}, "b": {}}


@pytest.mark.parametrize(
    "info, cgroup_label, nested, log",
    [
        (V1, "true", True, None),
        (V2, "true", False, "cgroup sharing is not available (on cgroup v2"),
        (SYSTEMD_V1, "true", False, "cgroup sharing is not available (the systemd cgroup driver"),
        (V1, "false", False, "cgroup sharing is off"),
    ],
)
def test_components_nest_or_share_the_pod_limits(info, cgroup_label, nested, log):
    labels = {
        "pod.component.app": "image: a",
        "pod.component.web": "image: w\nmem_limit: 1g",
        "pod.controller.cgroup": cgroup_label,
    }
    controller = {
        "Id": CONTROLLER_ID,
        "Name": "/web",
        "Config": {"Labels": labels},
        "HostConfig": {"Memory": 256 * MIB},
    }
    definition = from_labels(labels)
    settings = resolve({}, definition.settings)
    output = Lines()
    parent, limits = _cgroup_parent(
        controller, settings, EngineCgroups(info), definition, output, "/docker/" + CONTROLLER_ID
    )
    context = PodContext(controller, settings, cgroup_parent=parent, component_limits=limits)
    bodies = dict((c.name, create_body(c, context)["HostConfig"]) for c in definition.all_components())
    if nested:
        assert parent == "/docker/" + CONTROLLER_ID and limits is None and output.lines == []
        assert bodies["app"]["CgroupParent"] == parent and bodies["app"]["Memory"] == 256 * MIB
    else:
        assert parent is None and len(output.lines) == 1 and output.lines[0].startswith(log)
        assert "memory limit is split among the components" in output.lines[0]
        assert "CgroupParent" not in bodies["app"]
        assert [bodies["app"]["Memory"], bodies["web"]["Memory"]] == [128 * MIB, 128 * MIB]


def test_a_pod_without_cpu_support_gets_no_nano_cpus():
    labels = {"pod.component.app": "image: a"}
    controller = {"Id": CONTROLLER_ID, "Name": "/p", "Config": {"Labels": labels}, "HostConfig": {"NanoCpus": 10**9}}
    definition = from_labels(labels)
    settings = resolve({}, definition.settings)
    output = Lines()
    _parent, limits = _cgroup_parent(controller, settings, EngineCgroups(V2_NO_CONTROLLERS), definition, output, None)
    body = create_body(
        parse_component("app", {"image": "a"}), PodContext(controller, settings, component_limits=limits)
    )
    assert "NanoCpus" not in body["HostConfig"]
    assert "the engine sets no CPU limits (no cpu controller)" in output.lines[0]
