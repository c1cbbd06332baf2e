"""A pod on one host: definition normalization, digest, labels, validation, ports and the action plan."""

import json

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.host.pod import (
    LABEL_DIGEST,
    controller_config,
    digest,
    normalize,
    port_bindings,
    plan,
    pod_labels,
    pull_policy,
    stored_definition,
    validate,
)
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError

WEB = {"image": "busybox", "command": "httpd -f"}


def params(**overrides):
    base = {"components": {"web": dict(WEB)}, "grace_period": 10, "pull": False, "labels": {}, "copy": None}
    base.update(overrides)
    return base


def test_normalize_drops_unset_and_empty_options_and_names_the_default_image():
    definition = normalize(params(networks=[], share_pid=None))
    assert definition == {
        "components": {"web": WEB},
        "grace_period": 10,
        "pull": False,
        "controller_image": "podlike/controller:latest",
    }


def test_digest_ignores_key_order_and_follows_the_compose_text():
    first = normalize(params(components={"web": {"image": "busybox", "command": "x"}}))
    second = normalize(params(components={"web": {"command": "x", "image": "busybox"}}))
    assert digest(first) == digest(second)
    assert digest(first, "services: {}") != digest(first, "services: {a: {}}")
    assert digest(first) != digest(normalize(params(components={"web": {"image": "busybox", "command": "y"}})))


def test_labels_carry_components_settings_and_the_definition():
    definition = normalize(
        params(
            share_pid=False,
            share_ipc=True,
            init_components=[{"image": "busybox"}],
            copy={"web": ["/a:/b"]},
            labels={"team": "x"},
        )
    )
    labels = pod_labels(definition, "abc")
    assert labels["pod.component.web"].startswith("command: httpd -f")
    assert labels["pod.controller.pids"] == "false" and labels["pod.controller.ipc"] == "true"
    assert "pod.controller.volumes" not in labels and "pod.controller.pull" not in labels
    assert labels["pod.controller.grace-period"] == "10s"
    assert labels["pod.copy.web"] == "- /a:/b\n" and labels["team"] == "x"
    assert labels[LABEL_DIGEST] == "abc"
    assert json.loads(labels["podlike.definition"]) == definition
    parsed = validate(labels)
    assert [c.name for c in parsed.all_components()] == ["init-1", "web"]


@pytest.mark.parametrize(
    "components, copy, message",
    [
        ({"web": {"image": "busybox", "ports": ["80"]}}, None, 'component "web": key "ports"'),
        ({"web": {"image": "busybox", "nope": 1}}, None, 'component "web": key "nope": unknown Compose key'),
        ({"web": {"command": "x"}}, None, 'component "web": key "image"'),
        ({"web": WEB}, {"db": ["/a:/b"]}, 'component "db": key "pod.copy"'),
        ({"web": WEB}, {"web": ["nocolon"]}, 'component "web": key "pod.copy.web"'),
        ({"web": dict(WEB, depends_on=["db"])}, None, 'component "web"'),
    ],
)
def test_validate_names_the_component_and_the_key(components, copy, message):
    labels = pod_labels(normalize(params(components=components, copy=copy)), "x")
    with pytest.raises(SpecError) as error:
        validate(labels)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "spec, bindings",
    [
        ("8080", [("8080/tcp", {"HostIp": "", "HostPort": ""})]),
        ("18080:8080", [("8080/tcp", {"HostIp": "", "HostPort": "18080"})]),
        ("127.0.0.1:18080:8080/udp", [("8080/udp", {"HostIp": "127.0.0.1", "HostPort": "18080"})]),
        ("127.0.0.1::8080", [("8080/tcp", {"HostIp": "127.0.0.1", "HostPort": ""})]),
        ("[::1]:18080:8080", [("8080/tcp", {"HostIp": "::1", "HostPort": "18080"})]),
        (
            "8000-8001:80-81",
            [("80/tcp", {"HostIp": "", "HostPort": "8000"}), ("81/tcp", {"HostIp": "", "HostPort": "8001"})],
        ),
        ("8000-8010:80", [("80/tcp", {"HostIp": "", "HostPort": "8000-8010"})]),
    ],
)
def test_port_bindings(spec, bindings):
    assert port_bindings(spec) == bindings


@pytest.mark.parametrize("spec", ["http", "1:2:3:4", "80:http", "80/icmp", "81-80", "8000-8002:80-81"])
def test_port_bindings_refuse_what_docker_would(spec):
    with pytest.raises(SpecError, match="published_ports"):
        port_bindings(spec)


def test_controller_config_mounts_the_socket_and_publishes_ports():
    definition = normalize(
        params(
            published_ports=["18080:8080"],
            networks=["front", "back"],
            volumes=["/srv:/srv:ro"],
            restart_policy="always",
            compose_file=None,
        )
    )
    config = controller_config(definition, {"a": "b"})
    host = config["HostConfig"]
    assert host["Binds"] == ["/var/run/docker.sock:/var/run/docker.sock:ro", "/srv:/srv:ro"]
    assert host["PortBindings"] == {"8080/tcp": [{"HostIp": "", "HostPort": "18080"}]}
    assert config["ExposedPorts"] == {"8080/tcp": {}}
    assert host["RestartPolicy"] == {"Name": "always"} and host["IpcMode"] == "shareable"
    assert host["NetworkMode"] == "front" and list(config["NetworkingConfig"]["EndpointsConfig"]) == ["front"]
    assert config["StopTimeout"] == 15


def test_controller_config_keeps_ipc_private_when_not_shared():
    assert "IpcMode" not in controller_config(normalize(params(share_ipc=False)), {})["HostConfig"]


def test_sharing_volumes_is_a_flag_of_the_controller_never_a_label():
    definition = normalize(params(share_volumes=True))
    assert "pod.controller.volumes" not in pod_labels(definition, "abc")
    assert controller_config(definition, {})["Cmd"] == ["-logs", "-volumes=true"]
    assert "Cmd" not in controller_config(normalize(params(share_volumes=False)), {})


def controller(digest_label="d1", running=True):
    return {"Id": "c1", "Config": {"Labels": {LABEL_DIGEST: digest_label}}, "State": {"Running": running}}


@pytest.mark.parametrize(
    "state, current, desired, recreate, leftovers, actions",
    [
        ("present", None, "d1", False, False, ["create", "start"]),
        ("started", controller(), "d1", False, False, []),
        ("present", controller(running=False), "d1", False, False, ["start"]),
        ("present", controller(), "d2", False, False, ["remove", "create", "start"]),
        ("present", controller(), "d1", True, False, ["remove", "create", "start"]),
        ("stopped", controller(), None, False, False, ["stop"]),
        ("stopped", controller(running=False), None, False, False, []),
        ("stopped", None, None, False, False, []),
        ("stopped", None, "d1", False, False, ["create"]),
        ("stopped", controller(), "d2", False, False, ["remove", "create"]),
        ("restarted", controller(), "d1", False, False, ["restart"]),
        ("restarted", controller(running=False), "d1", False, False, ["start"]),
        ("absent", controller(), None, False, False, ["remove"]),
        ("absent", None, None, False, True, ["remove"]),
        ("absent", None, None, False, False, []),
    ],
)
def test_plan(state, current, desired, recreate, leftovers, actions):
    assert plan(state, current, desired, recreate, leftovers) == actions


def test_stored_definition_from_the_label_or_rebuilt_from_component_labels():
    definition = {"components": {"web": WEB}}
    made_here = {"Config": {"Labels": {"podlike.definition": json.dumps(definition)}}}
    made_elsewhere = {"Config": {"Labels": {"pod.component.web": "image: busybox\ncommand: httpd -f\n"}}}
    assert stored_definition(made_here) == definition
    assert stored_definition(made_elsewhere) == definition


@pytest.mark.parametrize(
    "pull, policy, stored",
    [(True, "always", True), (False, "missing", False), ("missing", "missing", False), ("never", "never", False)],
)
def test_pull_policies_and_their_boolean_aliases(pull, policy, stored):
    assert pull_policy(pull) == policy
    assert normalize(params(pull=pull))["pull"] is stored
    assert ("pod.controller.pull" in pod_labels(normalize(params(pull=pull)), "d")) is stored


def test_networks_keep_names_and_mappings_with_aliases():
    networks = ["front", {"name": "back", "aliases": ["api"]}]
    definition = normalize(params(networks=networks))
    assert definition["networks"] == networks
    config = controller_config(definition, {})
    assert config["HostConfig"]["NetworkMode"] == "front"
    assert config["NetworkingConfig"] == {"EndpointsConfig": {"front": {}}}
    first_mapping = controller_config(normalize(params(networks=networks[::-1])), {})
    assert first_mapping["NetworkingConfig"] == {"EndpointsConfig": {"back": {"Aliases": ["api"]}}}


@pytest.mark.parametrize(
    "network, message",
    [
        ({"aliases": ["x"]}, "item 0: a network name or a mapping with a name"),
        ("", "item 0: a network name"),
        ({"name": "n", "ipv4": "1.2.3.4"}, "item 0: unknown key ipv4"),
        ({"name": "n", "aliases": "api"}, "item 0: aliases must be a list"),
    ],
)
def test_bad_networks_are_refused_naming_the_item(network, message):
    with pytest.raises(SpecError) as error:
        normalize(params(networks=[network]))
    assert 'key "networks"' in str(error.value) and message in str(error.value)
