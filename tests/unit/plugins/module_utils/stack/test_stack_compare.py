# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Digests of rendered services and the plan they give against what Swarm runs."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.constants import LABEL_STACK_NAMESPACE
from ansible_collections.podlike.swarm.plugins.module_utils.stack.compare import (
    DIGEST_LABEL,
    deployed_digests,
    desired_digests,
    digest,
    drifted,
    live_specs,
    plan,
    resources_digest,
    service_digest,
    spec_differences,
    with_digests,
)

WEB = {
    "image": "podlike/controller:latest",
    "labels": {"pod.component.app": "image: podlike/busybox:latest\n"},
    "deploy": {"replicas": 2, "labels": {"team": "shop"}},
}


def test_digest_ignores_key_order():
    assert digest({"a": 1, "b": [1, 2]}) == digest({"b": [1, 2], "a": 1})


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.update(image="podlike/controller:0.2"),
        lambda s: s["labels"].update({"pod.component.app": "image: podlike/busybox:1\n"}),
        lambda s: s["deploy"].update(replicas=3),
        lambda s: s["deploy"]["labels"].update(team="ops"),
        lambda s: s.update(ports=["8080:80"]),
    ],
    ids=["image", "component label", "replicas", "service label", "ports"],
)
def test_any_change_changes_the_digest(change):
    changed = {"image": WEB["image"], "labels": dict(WEB["labels"]), "deploy": dict(WEB["deploy"])}
    changed["deploy"]["labels"] = dict(WEB["deploy"]["labels"])
    change(changed)
    assert service_digest(changed) != service_digest(WEB)


@pytest.mark.parametrize(
    "service",
    [
        {"image": "x"},
        {"image": "x", "deploy": {"labels": {DIGEST_LABEL: "old"}}},
        {"image": "x", "deploy": {"labels": [DIGEST_LABEL + "=old"]}},
    ],
    ids=["no label", "mapping", "list"],
)
def test_digest_ignores_a_digest_label_already_present(service):
    assert service_digest(service) == service_digest({"image": "x"})


def test_with_digests_adds_the_label_and_keeps_other_labels():
    stack = with_digests({"services": {"web": WEB, "db": {"image": "db", "deploy": {"labels": ["tier=data"]}}}})
    web_labels = stack["services"]["web"]["deploy"]["labels"]
    assert web_labels == {"team": "shop", DIGEST_LABEL: service_digest(WEB)}
    assert stack["services"]["db"]["deploy"]["labels"]["tier"] == "data"
    assert "labels" not in WEB["deploy"] or DIGEST_LABEL not in WEB["deploy"]["labels"]


def test_with_digests_is_stable_when_applied_twice():
    once = with_digests({"services": {"web": WEB}})
    assert with_digests(once) == once
    assert desired_digests(once) == {"web": service_digest(WEB)}


def test_resources_digest_covers_top_level_sections_only():
    stack = {"services": {"web": WEB}, "networks": {"back": {}}}
    assert resources_digest(stack) == resources_digest({"networks": {"back": {}}})
    assert resources_digest(stack) != resources_digest({"networks": {"front": {}}})


def _api_service(name, labels):
    return {"ID": name, "Spec": {"Name": name, "Labels": labels}}


def test_deployed_digests_strips_the_namespace_and_skips_other_stacks():
    services = [
        _api_service("shop_web", {LABEL_STACK_NAMESPACE: "shop", DIGEST_LABEL: "a"}),
        _api_service("shop_db", {LABEL_STACK_NAMESPACE: "shop"}),
        _api_service("shop2_web", {LABEL_STACK_NAMESPACE: "shop2", DIGEST_LABEL: "b"}),
    ]
    assert deployed_digests(services, "shop") == {"web": "a", "db": None}


@pytest.mark.parametrize(
    "desired, deployed, prune, expected, changed",
    [
        ({"web": "a"}, {}, False, {"create": ["web"]}, True),
        ({"web": "a"}, {"web": "a"}, False, {"unchanged": ["web"]}, False),
        ({"web": "a"}, {"web": "b"}, False, {"update": ["web"]}, True),
        ({"web": "a"}, {"web": None}, False, {"update": ["web"]}, True),
        ({"web": "a"}, {"web": "a", "old": "c"}, False, {"unchanged": ["web"]}, False),
        ({"web": "a"}, {"web": "a", "old": "c"}, True, {"unchanged": ["web"], "remove": ["old"]}, True),
        ({"b": "1", "a": "2"}, {"a": "2", "b": "0"}, False, {"update": ["b"], "unchanged": ["a"]}, True),
    ],
    ids=["new", "same", "updated", "deployed elsewhere", "extra kept", "extra pruned", "mixed"],
)
def test_plan(desired, deployed, prune, expected, changed):
    result = plan(desired, deployed, prune=prune)
    for kind in ("create", "update", "remove", "unchanged"):
        assert getattr(result, kind) == expected.get(kind, [])
    assert result.changed is changed


@pytest.mark.parametrize(
    "desired_resources, deployed_resources, changed",
    [("x", "x", False), ("x", "y", True), ("x", None, False)],
    ids=["same", "differ", "no record"],
)
def test_plan_resources(desired_resources, deployed_resources, changed):
    result = plan(
        {"web": "a"}, {"web": "a"}, desired_resources=desired_resources, deployed_resources=deployed_resources
    )
    assert result.changed is changed
    assert result.as_dict()["resources_changed"] is changed


def live_service(name, env, namespace="shop"):
    spec = {
        "Name": f"{namespace}_{name}",
        "Labels": {LABEL_STACK_NAMESPACE: namespace, DIGEST_LABEL: "d-" + name},
        "TaskTemplate": {"ContainerSpec": {"Image": "podlike/controller:latest", "Env": env}},
        "Mode": {"Replicated": {"Replicas": 1}},
    }
    return {"ID": name, "Spec": spec}


def test_a_service_changed_outside_is_drift_and_is_updated():
    deployed = [live_service("web", ["A=1"]), live_service("db", ["B=1"])]
    recorded = live_specs(deployed, "shop")
    changed_outside = [live_service("web", ["A=1", "X=1"]), live_service("db", ["B=1"]), live_service("x", [], "other")]
    live = live_specs(changed_outside, "shop")
    assert sorted(live) == ["db", "web"]
    assert drifted(live, recorded) == ["web"]
    assert drifted(recorded, recorded) == []
    assert drifted(live, {}) == [], "a stack deployed without recorded specs shows no drift"
    result = plan({"web": "d-web", "db": "d-db"}, {"web": "d-web", "db": "d-db"}, drift=drifted(live, recorded))
    assert result.changed is True
    assert result.as_dict() == {
        "create": [],
        "update": ["web"],
        "remove": [],
        "unchanged": ["db"],
        "resources_changed": False,
        "drift": ["web"],
    }


def test_spec_differences_keep_only_what_differs():
    before = live_service("web", ["A=1", "X=1"])["Spec"]
    after = live_service("web", ["A=1"])["Spec"]
    assert spec_differences(before, after) == (
        {"TaskTemplate": {"ContainerSpec": {"Env": ["A=1", "X=1"]}}},
        {"TaskTemplate": {"ContainerSpec": {"Env": ["A=1"]}}},
    )
    assert spec_differences({"A": 1, "B": 2}, {"A": 1}) == ({"B": 2}, {})


def test_a_recorded_spec_of_an_earlier_deploy_is_no_drift():
    """A deploy updated web and failed before its record was written: web is newer than its recorded spec."""
    recorded = live_specs([live_service("web", ["A=1"])], "shop")
    updated = live_service("web", ["A=2"])
    updated["Spec"]["Labels"][DIGEST_LABEL] = "d-web-2"
    assert drifted(live_specs([updated], "shop"), recorded) == []
