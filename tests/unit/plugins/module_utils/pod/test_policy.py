"""Privileges a component may not take without the operator's -allow-privileged."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.pod import policy
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import parse_flags, resolve
from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import parse_component


@pytest.mark.parametrize(
    "extra, key",
    [
        ({"privileged": True}, "privileged"),
        ({"cap_add": ["SYS_ADMIN"]}, "cap_add"),
        ({"devices": ["/dev/fuse"]}, "devices"),
        ({"device_cgroup_rules": ["c 1:3 mr"]}, "device_cgroup_rules"),
        ({"userns_mode": "host"}, "userns_mode"),
        ({"security_opt": ["seccomp=unconfined"]}, "security_opt"),
        ({"volumes": ["/var/run/docker.sock:/var/run/docker.sock"]}, "volumes"),
        ({"volumes": ["/run:/host-run:ro"]}, "volumes"),
        ({"volumes": [{"type": "bind", "source": "/var/run/docker.sock", "target": "/s"}]}, "volumes"),
    ],
)
def test_privileges_are_refused_by_default_and_allowed_by_the_operator(extra, key):
    definition = dict({"image": "x"}, **extra)
    component = parse_component("app", definition)
    with pytest.raises(SpecError) as error:
        policy.check([component], allow_privileged=False)
    assert str(error.value).startswith('component "app": key "%s":' % key)
    assert "-allow-privileged" in str(error.value)
    policy.check([component], allow_privileged=True)


def test_ordinary_components_pass():
    component = parse_component(
        "app", {"image": "x", "volumes": ["data:/data", "/srv/www:/www:ro"], "cap_drop": ["ALL"]}
    )
    policy.check([component], allow_privileged=False)


def test_a_label_cannot_allow_privileges():
    with pytest.raises(SpecError, match="can only be set as a flag"):
        resolve({}, {"allow-privileged": "true"})
    assert resolve(parse_flags(["-allow-privileged"]), {}).allow_privileged is True


def test_sharing_volumes_with_the_socket_needs_leave():
    mounts = [{"Type": "bind", "Source": "/var/run/docker.sock", "Destination": "/var/run/docker.sock"}]
    with pytest.raises(SpecError, match='key "pod.controller.volumes"'):
        policy.check_volume_sharing(mounts, share_volumes=True, allow_privileged=False)
    policy.check_volume_sharing(mounts, share_volumes=False, allow_privileged=False)
    policy.check_volume_sharing(mounts, share_volumes=True, allow_privileged=True)
