"""Finding the controller's own container ID on cgroup v1 and cgroup v2 hosts."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.pod import discovery

CID = "1be3733409d34765d9c0cd9fce122803ac9afe6cb6c4632168c8822228e151ba"
OTHER = "a" * 64

CGROUP_V1_CGROUPFS = """12:perf_event:/docker/{id}
9:name=systemd:/docker/{id}
4:memory:/docker/{id}
1:cpu:/docker/{id}
0::/
""".format(id=CID)

CGROUP_V1_SYSTEMD = """4:memory:/system.slice/docker-{id}.scope
1:name=systemd:/system.slice/docker-{id}.scope
""".format(id=CID)

CGROUP_V2_HOST_NS = "0::/system.slice/docker-%s.scope\n" % CID
CGROUP_V2_PRIVATE_NS = "0::/\n"

MOUNTINFO_V2 = """612 545 0:52 / / rw,relatime master:290 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X
640 612 254:1 /var/lib/docker/containers/{id}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda1 rw
641 612 254:1 /var/lib/docker/containers/{id}/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw
642 612 254:1 /var/lib/docker/containers/{id}/hosts /etc/hosts rw,relatime - ext4 /dev/vda1 rw
650 612 254:1 /var/lib/docker/volumes/{other}/_data /data rw,relatime - ext4 /dev/vda1 rw
""".format(id=CID, other=OTHER)

MOUNTINFO_CUSTOM_ROOT = "700 1 254:1 /srv/node1/docker/containers/%s/hostname /etc/hostname rw - ext4 x rw\n" % CID


@pytest.mark.parametrize(
    "cgroup, mountinfo, hostname, expected",
    [
        pytest.param(CGROUP_V1_CGROUPFS, "", "ignored", [CID], id="v1-cgroupfs"),
        pytest.param(CGROUP_V1_SYSTEMD, "", "", [CID], id="v1-systemd"),
        pytest.param(CGROUP_V2_HOST_NS, "", "", [CID], id="v2-host-cgroupns"),
        pytest.param(CGROUP_V2_PRIVATE_NS, MOUNTINFO_V2, "1be3733409d3", [CID, "1be3733409d3"], id="v2-private"),
        pytest.param(CGROUP_V2_PRIVATE_NS, MOUNTINFO_CUSTOM_ROOT, "", [CID], id="v2-custom-data-root"),
        pytest.param(CGROUP_V2_PRIVATE_NS, "", "1be3733409d3", ["1be3733409d3"], id="hostname-only"),
        pytest.param(CGROUP_V2_PRIVATE_NS, "", "web-1", [], id="nothing"),
    ],
)
def test_candidate_ids(cgroup, mountinfo, hostname, expected):
    assert discovery.candidate_ids(cgroup, mountinfo, hostname) == expected


def test_volume_mounts_are_not_taken_for_the_container():
    assert OTHER not in discovery.ids_from_mountinfo(MOUNTINFO_V2)


@pytest.mark.parametrize(
    "cgroup, expected",
    [
        (CGROUP_V1_CGROUPFS, "/docker/" + CID),
        (CGROUP_V1_SYSTEMD, "/system.slice/docker-%s.scope" % CID),
        (CGROUP_V2_PRIVATE_NS, None),
    ],
)
def test_cgroup_path(cgroup, expected):
    assert discovery.cgroup_path(cgroup, CID) == expected


OTHER = "b" * 64


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/docker/%s" % CID, [CID]),
        ("/docker/%sa" % CID, []),  # 65 hex digits name no container
        ("/system.slice/docker-%s.scope" % CID, [CID]),
        ("/kubepods/pod1/cri-containerd-%s.scope/x" % CID, [CID]),
        ("/%s.scopex" % CID, []),
        # systemd's scope is trusted before cgroupfs, cgroupfs before other runtimes, each leftmost first
        ("/docker/%s/system.slice/docker-%s.scope" % (OTHER, CID), [CID]),
        ("/x-%s/docker/%s" % (OTHER, CID), [CID]),
        ("/x-%s/y/%s" % (OTHER, CID), [OTHER]),
        ("/x/%s" % CID.upper(), []),
    ],
)
def test_ids_from_cgroup_paths(path, expected):
    assert discovery.ids_from_cgroup("4:memory:%s\n" % path) == expected


def test_ids_from_mountinfo_need_one_of_the_files_the_engine_mounts():
    text = "/containers/%s/hostname /etc/hostname\n/containers/%s/config.v2.json x\n" % (CID, OTHER)
    assert discovery.ids_from_mountinfo(text) == [CID]
