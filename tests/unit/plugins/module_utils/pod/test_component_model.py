"""One component model: every Compose key gives the same Component from a label, a template and a service.

A component reaches the controller as a pod.component.<name> label written by hand, as the output of an
x-podlike template, or as the service's own keys under the default transformer; each way must end in the same
typed, normalized Component, and a definition one way refuses every way refuses, naming the same key.
"""

import pytest
import yaml
from ansible_collections.podlike.swarm.plugins.module_utils.pod.definition import from_labels
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import SUPPORTED_KEYS, parse_component
from ansible_collections.podlike.swarm.plugins.module_utils.template.errors import TemplateError
from ansible_collections.podlike.swarm.plugins.module_utils.template.merge import MERGED_TRANSFORMER_KEYS
from ansible_collections.podlike.swarm.plugins.module_utils.template.render import render_stack

# One definition (beside its image) for every supported key; "side" is the other component of the pod.
KEY_CASES = [
    {"blkio_config": {"weight": 300, "device_read_bps": [{"path": "/dev/sda", "rate": "1m"}]}},
    {"cap_add": ["NET_ADMIN"], "cap_drop": ["ALL"]},
    {"command": "sh -c 'sleep 1'", "entrypoint": ["/bin/tini", "--"]},
    {"cpu_count": 1, "cpu_percent": 50, "cpu_period": 100000, "cpu_quota": 50000, "cpu_shares": 512},
    {"cpu_rt_period": 1000, "cpu_rt_runtime": 500},
    {"cpus": "0.5", "cpuset": "0-1"},
    {"depends_on": ["side"]},
    {"depends_on": {"side": {"condition": "service_completed_successfully"}}},
    {"depends_on": {"side": {"condition": "service_healthy"}}},
    {"device_cgroup_rules": ["c 1:3 mr"], "devices": ["/dev/fuse:/dev/fuse:rwm"]},
    {"env_file": "/etc/app.env", "environment": ["A=1", "B"]},
    {"env_file": ["/a.env", {"path": "/b.env"}], "environment": {"A": 1, "B": True, "C": None}},
    {"group_add": ["audio"], "security_opt": ["no-new-privileges"]},
    {"healthcheck": {"test": ["CMD", "true"], "interval": "2s", "timeout": "1s", "retries": 3, "start_period": "5s"}},
    {"healthcheck": {"disable": True}},
    {"init": True, "privileged": False, "read_only": True, "oom_kill_disable": False},
    {"isolation": "default", "runtime": "runc", "userns_mode": "host"},
    {"labels": {"team": "web", "tier": 1}},
    {"labels": ["team=web", "bare"]},
    {"logging": {"driver": "json-file", "options": {"max-size": "1m"}}},
    {"mem_limit": "64m", "mem_reservation": "32m", "memswap_limit": "1g", "mem_swappiness": 10, "shm_size": "16m"},
    {"oom_score_adj": 100, "pids_limit": 50},
    {"post_start": "touch /started", "pre_stop": {"command": ["sh", "-c", "sleep 1"]}},
    {"pull_policy": "never", "restart": "on-failure:3"},
    {"restart": "unless-stopped", "x-podlike-sidecar": True},
    {"liveness_probe": {"http_get": {"path": "healthz", "port": 8080}, "interval": "5s"}},
    {"readiness_probe": {"tcp_socket": {"port": 5432}, "failure_threshold": 2}},
    {"startup_probe": {"exec": ["test", "-f", "/ready"], "initial_delay": "1s"}},
    {"stdin_open": True, "tty": True, "stop_grace_period": "1m30s", "stop_signal": "SIGQUIT"},
    {"storage_opt": {"size": "1G"}, "sysctls": {"net.core.somaxconn": 1024}},
    {"tmpfs": "/run:size=64m"},
    {"tmpfs": ["/a", "/b:mode=1777"]},
    {"ulimits": {"nofile": {"soft": 1024, "hard": 2048}, "nproc": 64}},
    {"user": "1000:1000", "working_dir": "/srv"},
    {"volumes": ["data:/data:ro", "/host:/in", "./conf:/conf", "/anon", "cache:/cache:nocopy"]},
    {
        "volumes": [
            {"type": "tmpfs", "target": "/t", "tmpfs": {"size": "1m"}},
            {"type": "bind", "source": "/s", "target": "/d"},
        ]
    },
]

# Definitions every way refuses, naming the key (before the deploy or in the controller).
REFUSED_CASES = [
    {"ports": ["80:80"]},
    {"deploy": {"replicas": 2}},
    {"hostname": "web"},
    {"colour": "red"},
    {"depends_on": {"side": {"condition": "done"}}},
    {"depends_on": "side"},
    {"mem_limit": "lots"},
    {"restart": "sometimes"},
    {"read_only": "yes"},
    {"healthcheck": {"tset": "x"}},
    {"pull_policy": "sometimes"},
    {"liveness_probe": {"interval": "1s"}},
    {"environment": {"A": [1]}},
    {"env_file": {"path": "/a.env"}},
]


def _case_id(case):
    return "+".join(sorted(case))


def _label_path(definition):
    labels = {"pod.component.c": yaml.safe_dump(dict(definition, image="demo:1")), "pod.component.side": "image: side"}
    return from_labels(labels).component("c")


def _render(service):
    rendered = render_stack({"version": "3.8", "services": {"web": service}})
    return from_labels(rendered["services"]["web"]["labels"])


def _template_path(definition):
    """The component as a template's output, beside a main component named by a transformer."""
    template = yaml.safe_dump({"c": dict(definition, image="demo:1")})
    service = {
        "image": "side",
        "x-podlike": {"transformer": {"inline": "side:\n  image: side\n"}, "templates": {"inline": template}},
    }
    return _render(service).component("c")


def _service_path(definition):
    """The component as the service's own keys, which the default transformer copies onto the main component."""
    service = dict(definition, image="demo:1")
    service["x-podlike"] = {"templates": {"inline": "side:\n  image: side\n"}}
    return _render(service).component("app")


def _same_component(component):
    normalized = component.normalized()
    normalized.pop("name")
    return normalized


def test_the_cases_cover_every_supported_key():
    assert set().union(*KEY_CASES) | {"image"} == SUPPORTED_KEYS


@pytest.mark.parametrize("definition", KEY_CASES, ids=_case_id)
def test_a_label_and_a_template_give_the_same_component(definition):
    from_label = _same_component(_label_path(definition))
    assert from_label == _same_component(_template_path(definition))
    if set(definition) <= set(MERGED_TRANSFORMER_KEYS):
        assert from_label == _same_component(_service_path(definition))


def test_a_dependency_on_no_component_is_refused_both_ways():
    definition = {"depends_on": {"side": None, "other": {"condition": "service_started"}}}
    with pytest.raises(SpecError, match='component "c": key "depends_on": .*other'):
        _label_path(definition)
    with pytest.raises(SpecError, match='component "c": key "depends_on": .*other'):
        _template_path(definition)


def _refusal(path, definition):
    """(key, message) of the refusal of one path: at render time (a template) or when the labels are read."""
    try:
        path(definition)
    except SpecError as error:
        return error.key, error.detail
    except TemplateError as error:
        return error.key, error.message
    raise AssertionError("%s accepted %r" % (path.__name__, definition))


@pytest.mark.parametrize("definition", REFUSED_CASES, ids=_case_id)
def test_a_label_and_a_template_refuse_alike(definition):
    (key,) = definition
    expected = _refusal(_label_path, definition)
    assert expected[0] == key
    assert _refusal(_template_path, definition) == expected


def test_the_component_is_parsed_once():
    """The controller, the policy and the create body read the settings parse_component computed."""
    component = parse_component("c", {"image": "demo:1", "mem_limit": "64m", "healthcheck": {"disable": True}})
    assert component.host_config == {"Memory": 64 * 1024**2}
    assert component.healthcheck == {"Test": ["NONE"]}
    config, host = component.container_settings()
    host["Memory"] = 1
    config["Labels"] = {"x": "y"}
    assert component.host_config == {"Memory": 64 * 1024**2}
    assert "Labels" not in component.config


def test_a_template_leaves_values_to_the_deploy():
    """${VAR} is interpolated by docker stack deploy: the renderer checks keys and dependencies, not values."""
    template = "c:\n  image: demo:${TAG}\n  cpus: ${CPUS}\n  read_only: ${READ_ONLY}\n"
    rendered = render_stack({"services": {"web": {"image": "demo", "x-podlike": {"templates": {"inline": template}}}}})
    component = yaml.safe_load(rendered["services"]["web"]["labels"]["pod.component.c"])
    assert component == {"image": "demo:${TAG}", "cpus": "${CPUS}", "read_only": "${READ_ONLY}"}
