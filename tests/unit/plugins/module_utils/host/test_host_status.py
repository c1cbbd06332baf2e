"""Listing pods: what makes a controller, the controller's health text, component entries."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.host.status import (
    component_entry,
    controller_ids,
    defines_pod,
    parse_health_text,
    service_components,
    swarm_services,
)


@pytest.mark.parametrize(
    "labels, expected",
    [
        ({"pod.component.web": "image: x"}, True),
        ({"pod.compose.file": "/pod.yml"}, True),
        ({"pod.controller.logs": "true"}, False),
        ({}, False),
        (None, False),
    ],
)
def test_defines_pod(labels, expected):
    assert defines_pod(labels) is expected


def test_parse_health_text():
    text = (
        "pod web: starting\n"
        "  server               running  health=healthy   restarts=2 image=busybox:1\n"
        "  client               pending  health=-         restarts=0 image=busybox\n"
    )
    assert parse_health_text(text) == {
        "server": {"status": "running", "health": "healthy", "restarts": 2, "image": "busybox:1"},
        "client": {"status": "pending", "health": None, "restarts": 0, "image": "busybox"},
    }
    assert parse_health_text("Healthcheck error: no socket") == {}


def test_component_entry_prefers_docker_health_and_the_larger_restart_count():
    container = {
        "Id": "abc",
        "Name": "/web.podlike.server",
        "RestartCount": 0,
        "Config": {"Image": "busybox", "Labels": {"podlike.component": "server", "podlike.role": "component"}},
        "State": {"Status": "running", "Health": {"Status": "healthy"}},
    }
    entry = component_entry(container, {"server": {"restarts": 3, "health": "starting"}})
    assert entry == {
        "name": "server",
        "role": "component",
        "container": "web.podlike.server",
        "container_id": "abc",
        "state": "running",
        "health": "healthy",
        "exit_code": None,
        "restarts": 3,
        "image": "busybox",
    }


class FakeClient:
    def __init__(self, containers=(), services=()):
        self._containers = list(containers)
        self._services = list(services)

    def containers(self, labels=None, all=True, name=None):
        return self._containers

    def get(self, path, params=None):
        assert path == "/services"
        return self._services


def test_controllers_by_labels_and_by_what_components_point_at():
    client = FakeClient(
        [
            {"Id": "c1", "Labels": {"pod.component.web": "image: x"}},
            {"Id": "x1", "Labels": {"podlike.role": "component", "podlike.controller.id": "c2"}},
            {"Id": "x2", "Labels": {"podlike.role": "component", "podlike.controller.id": "c1"}},
            {"Id": "o1", "Labels": {"other": "1"}},
        ]
    )
    assert controller_ids(client) == ["c1", "c2"]


def test_swarm_services_keep_pod_services_only():
    pod_service = {
        "ID": "s1",
        "Spec": {
            "Name": "shop_web",
            "Labels": {"com.docker.stack.namespace": "shop"},
            "Mode": {"Replicated": {"Replicas": 2}},
            "TaskTemplate": {
                "ContainerSpec": {
                    "Image": "podlike/controller:latest@sha256:1",
                    "Labels": {"pod.component.b": "", "pod.component.a": ""},
                }
            },
        },
    }
    plain = {"ID": "s2", "Spec": {"Name": "shop_db", "TaskTemplate": {"ContainerSpec": {"Image": "db"}}}}
    pods = [{"name": "shop_web.1.x", "service": "shop_web"}, {"name": "other", "service": None}]
    services = swarm_services(FakeClient(services=[pod_service, plain]), pods)
    assert services == [
        {
            "name": "shop_web",
            "id": "s1",
            "stack": "shop",
            "image": "podlike/controller:latest",
            "mode": "replicated",
            "replicas": 2,
            "components": ["a", "b"],
            "pods": pods[:1],
        }
    ]


@pytest.mark.parametrize(
    "labels, expected",
    [
        (
            {
                "pod.component.web": "image: nginx",
                "pod.component.app": "image: demo",
                "pod.init.components": "[{image: x}]",
            },
            ["app", "init-1", "web"],
        ),
        ({"pod.component.web": "image: nginx", "pod.component.bad": "ports: [80]"}, ["bad", "web"]),
        ({"pod.compose.file": "/run/configs/pod.yml"}, []),
    ],
)
def test_service_components_as_the_component_model_reads_them(labels, expected):
    assert service_components(labels) == expected


def test_a_compose_file_service_lists_the_components_its_pods_run_here():
    service = {
        "ID": "s1",
        "Spec": {
            "Name": "shop_web",
            "TaskTemplate": {"ContainerSpec": {"Image": "c", "Labels": {"pod.compose.file": "/pod.yml"}}},
        },
    }
    pods = [
        {
            "name": "shop_web.1.x",
            "service": "shop_web",
            "components": [
                {"name": "web", "role": "component"},
                {"name": "init-1", "role": "init"},
                {"name": "_infra", "role": "infra"},
            ],
        },
        {"name": "shop_web.2.y", "service": "shop_web", "components": [{"name": "app", "role": "component"}]},
    ]
    assert swarm_services(FakeClient(services=[service]), pods)[0]["components"] == ["app", "init-1", "web"]
    assert swarm_services(FakeClient(services=[service]), [])[0]["components"] == []
