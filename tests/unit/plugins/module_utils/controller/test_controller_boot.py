"""From the controller's own container to a Pod: finding itself, its volumes, its cgroup, its policy."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.controller import boot as boot_module
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError
from ansible_collections.podlike.swarm.plugins.module_utils.pod import discovery
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import PodError, SpecError
from fake_engine import CONTROLLER_ID, controller_container, pod_labels

APP = {"app": {"image": "busybox"}}


@pytest.fixture
def boot(engine, output, monkeypatch):
    """boot(components, flags=, candidates=, cgroup=, **controller) -> Pod, on the fake engine."""

    def run(components=None, flags=(), candidates=(CONTROLLER_ID,), cgroup="", settings=None, **controller):
        monkeypatch.setattr(discovery, "read_candidates", lambda cgroup_text=None: list(candidates))
        monkeypatch.setattr(discovery, "_read", lambda path: cgroup if path == "/proc/self/cgroup" else "")
        engine.controller = controller_container(pod_labels(components or APP, settings=settings), **controller)
        return boot_module.boot(list(flags), output, client=engine.client())

    return run


def test_the_controller_finds_its_own_container_among_the_candidates(boot, engine):
    pod = boot(candidates=["f" * 64, CONTROLLER_ID[:12]])
    assert pod.controller["Id"] == CONTROLLER_ID
    assert [c.args for c in engine.calls_to("inspect_container")] == [("f" * 64,), (CONTROLLER_ID[:12],)]
    assert pod.context.pod_name == "shop_web.1.abc"
    assert [c.name for c in pod.definition.components] == ["app"]


def test_a_controller_outside_a_container_says_so(boot):
    with pytest.raises(PodError) as error:
        boot(candidates=[])
    assert "does not appear to run in a container of this engine" in str(error.value)
    assert "a container ID in /proc/self" in str(error.value)


def test_candidates_that_are_not_containers_are_named(boot):
    with pytest.raises(PodError) as error:
        boot(candidates=["f" * 64, "0123456789ab"])
    assert "(looked for ffffffffffff, 0123456789ab)" in str(error.value)


def test_an_engine_error_while_looking_is_not_hidden(boot, engine):
    engine.errors["inspect_container"] = DockerError("permission denied")
    with pytest.raises(DockerError):
        boot()


def test_an_engine_error_reading_its_info_is_not_hidden(boot, engine):
    engine.errors["info"] = DockerError("the engine's info is not available")
    with pytest.raises(DockerError) as error:
        boot()
    assert "info is not available" in str(error.value)


def test_each_lookup_is_sent_unversioned_on_a_connection_of_its_own_and_closed(engine, monkeypatch):
    from ansible_collections.podlike.swarm.plugins.module_utils.controller.lookups import StartLookups

    monkeypatch.setattr(discovery, "read_candidates", lambda cgroup_text=None: [CONTROLLER_ID])
    monkeypatch.setattr(discovery, "_read", lambda path: "")
    clones = []
    client = engine.client()
    client.clone = lambda versioned=True: clones.append((versioned, type(client)(engine))) or clones[-1][1]
    engine.controller = controller_container(pod_labels(APP))
    lookups = StartLookups(client)
    assert lookups.result()["Id"] == CONTROLLER_ID and len(engine.calls_to("info")) == 1
    assert [(versioned, clone.closed) for versioned, clone in clones] == [(False, True)] * 4 and not client.closed
    assert lookups.info() == engine.info and len(engine.calls_to("info")) == 1


def test_info_is_not_asked_for_where_the_controller_cgroup_answers_what_the_pod_needs(boot, engine, output):
    pod = boot(cgroup=CGROUP_V1)
    assert pod.context.cgroup_parent == "/docker/" + CONTROLLER_ID
    assert engine.calls_to("info") == []
    assert any("cgroup v1 (cgroupfs driver)" in line for line in output.of("info"))


@pytest.mark.parametrize(
    "definition, flags",
    [
        ({"app": {"image": "busybox", "runtime": "runc"}}, []),  # the policy needs the engine's default runtime
        (APP, ["-cgroup=false"]),  # the pod's limits are split: the engine says which it can apply
    ],
)
def test_info_is_asked_for_when_the_pod_needs_more_than_the_cgroup_answers(boot, engine, definition, flags):
    boot(definition, flags=flags, cgroup=CGROUP_V1)
    assert len(engine.calls_to("info")) == 1


def test_leftovers_found_at_start_are_reaped_without_a_second_look(boot, engine):
    pod = boot(cgroup=CGROUP_V1)
    assert pod.context.leftovers == [] and len(engine.calls_to("containers")) == 2  # the sweeper, the leftovers
    pod.reap_leftovers()
    assert pod.context.leftovers is None and len(engine.calls_to("containers")) == 2


CGROUP_V1 = "12:memory:/docker/%s\n11:cpu,cpuacct:/docker/%s\n1:name=systemd:/docker/%s\n" % ((CONTROLLER_ID,) * 3)
CGROUP_SYSTEMD = "4:memory:/system.slice/docker-%s.scope\n" % CONTROLLER_ID


SYSTEMD = {"CgroupDriver": "systemd"}
V2 = {"CgroupVersion": "2"}


@pytest.mark.parametrize(
    "flags, cgroup, engine_info, expected, said",
    [
        ([], CGROUP_V1, {}, "/docker/" + CONTROLLER_ID, False),
        ([], "0::/\n", {}, None, True),
        ([], CGROUP_SYSTEMD, SYSTEMD, None, True),
        ([], "0::/system.slice/docker-%s.scope\n" % CONTROLLER_ID, dict(V2, **SYSTEMD), None, True),
        ([], "0::/docker/%s\n" % CONTROLLER_ID, V2, None, True),
        ([], "", {}, None, True),
        (["-cgroup=false"], CGROUP_V1, {}, None, False),
    ],
)
def test_components_share_the_controller_cgroup_only_where_the_engine_can_nest(
    boot, engine, output, flags, cgroup, engine_info, expected, said
):
    engine.info.update(engine_info)
    pod = boot(flags=flags, cgroup=cgroup)
    assert pod.context.cgroup_parent == expected
    assert any("cgroup sharing is not available" in line for line in output.of("info")) is said
    assert (pod.context.component_limits is None) is (expected is not None)


def test_named_volumes_are_found_by_their_stack_reference(boot, engine):
    engine.volumes = {
        "shop_data": {"Name": "shop_data", "Labels": {"com.docker.stack.namespace": "shop"}},
        "task_cache_1": {"Name": "task_cache_1", "Labels": {"com.github.rycus86.podlike.volume-ref": "cache"}},
        "proj_logs": {"Name": "proj_logs", "Labels": {"com.docker.compose.volume": "logs"}},
        "plain": {"Name": "plain", "Labels": None},
    }
    mounts = [
        {"Type": "volume", "Name": name, "Destination": "/" + name}
        for name in ("shop_data", "task_cache_1", "proj_logs", "plain", "gone")
    ] + [{"Type": "bind", "Source": "/srv", "Destination": "/srv"}, {"Type": "volume"}]
    pod = boot({"app": {"image": "busybox", "volumes": ["data:/data", "cache:/cache"]}}, mounts=mounts)
    assert pod.context.volume_names == {"data": "shop_data", "cache": "task_cache_1", "logs": "proj_logs"}
    app = pod.definition.component("app")
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.containers import create_body

    sources = [m["Source"] for m in create_body(app, pod.context)["HostConfig"]["Mounts"]]
    assert sources == ["shop_data", "task_cache_1"]


def test_an_anonymous_volume_under_podlike_emptydir_is_the_components_volume_by_name(boot, engine):
    anonymous = "f" * 64
    engine.volumes = {anonymous: {"Name": anonymous, "Labels": None}}
    mounts = [
        {"Type": "volume", "Name": anonymous, "Destination": "/podlike/emptydir/scratch"},
        {"Type": "volume", "Name": "e" * 64, "Destination": "/podlike/emptydir/"},
    ]
    pod = boot({"app": {"image": "busybox", "volumes": ["scratch:/tmp/scratch"]}}, mounts=mounts)
    assert pod.context.volume_names == {"scratch": anonymous}


def test_volumes_are_not_looked_up_when_no_component_mounts_one(boot, engine):
    pod = boot(mounts=[{"Type": "volume", "Name": "shop_data", "Destination": "/data"}])
    assert pod.context.volume_names == {}
    assert engine.calls_to("inspect_volume") == []


def test_a_privileged_component_needs_the_operator_flag(boot):
    definition = {"app": {"image": "busybox", "cap_add": ["NET_ADMIN"]}}
    with pytest.raises(SpecError) as error:
        boot(definition)
    assert str(error.value).startswith(
        'component "app": key "cap_add": capability NET_ADMIN is outside the baseline set'
    )
    assert boot(definition, flags=["-allow-privileged"]).definition.component("app").definition["cap_add"]


def test_sharing_the_controller_volumes_leaves_out_its_socket(boot, output):
    mounts = [
        {"Type": "bind", "Source": "/var/run/docker.sock", "Destination": "/var/run/docker.sock", "RW": False},
        {"Type": "volume", "Name": "shop_logs", "Source": "/x", "Destination": "/var/log", "RW": True},
    ]
    pod = boot(flags=["-volumes"], mounts=mounts)
    assert pod.context.shared_mounts == [
        {"Type": "volume", "Source": "shop_logs", "Target": "/var/log", "ReadOnly": False}
    ]
    assert any("/var/run/docker.sock is not shared with the components" in line for line in output.of("info"))


def test_a_definition_cannot_share_the_controller_mounts(boot):
    with pytest.raises(SpecError) as error:
        boot(settings={"volumes": "true"})
    assert str(error.value) == 'key "pod.controller.volumes": can only be set as a flag of the controller (-volumes)'


def test_the_socket_the_controller_was_given_is_out_of_the_components_reach(boot):
    mounts = [{"Type": "bind", "Source": "/srv/engine/api.sock", "Destination": "/var/run/docker.sock", "RW": False}]
    with pytest.raises(SpecError) as error:
        boot(
            {"app": {"image": "busybox", "volumes": ["/srv/engine:/e"]}}, flags=["-allow-host-path=/srv"], mounts=mounts
        )
    assert "the engine socket /srv/engine/api.sock is reachable through host path /srv/engine;" in str(error.value)


def test_settings_come_from_flags_over_labels_over_defaults(boot):
    pod = boot(settings={"logs": "false", "exit-policy": "continue"}, flags=["-logs"])
    assert pod.context.settings.logs is True
    assert pod.context.settings.exit_policy == "continue"
    assert pod.context.settings.pids is True


def test_a_pod_cannot_allow_itself_privileges(boot):
    with pytest.raises(SpecError) as error:
        boot(settings={"allow-privileged": "true"})
    assert str(error.value).startswith('key "pod.controller.allow-privileged": can only be set as a flag')


def test_an_engine_refusing_the_version_set_by_hand_is_the_one_line_raised_first(engine, monkeypatch):
    from ansible_collections.podlike.swarm.plugins.module_utils.controller.lookups import StartLookups

    monkeypatch.setattr(discovery, "read_candidates", lambda cgroup_text=None: [CONTROLLER_ID])
    engine.controller = controller_container(pod_labels(APP))
    engine.errors["version"] = DockerError("client version 1.41 is too old. Minimum supported API version is 1.44")
    with pytest.raises(DockerError, match="^client version 1.41 is too old"):
        StartLookups(engine.client()).own_container()
