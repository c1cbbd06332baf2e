"""Merge rules: mergeRecursively's matrix, args precedence, stack file merging."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.template.merge import (
    merge_args,
    merge_recursively,
    merge_stack_files,
)


@pytest.mark.parametrize(
    "target, source, expected",
    [
        ({}, {"a": 1}, {"a": 1}),
        ({"a": {"x": 1}}, {"a": {"x": 2, "y": 3}}, {"a": {"x": 1, "y": 3}}),
        ({"a": {"x": "1"}}, {"a": ["x=2", "y=3"]}, {"a": {"x": "1", "y": "3"}}),
        ({"a": {"x": "1"}}, {"a": ["not-kv"]}, {"a": {"x": "1"}}),
        ({"a": [1, 2]}, {"a": [2, 3]}, {"a": [1, 2, 2, 3]}),
        ({"a": ["x=1"]}, {"a": {"x": "2", "y": "3"}}, {"a": {"x": "1", "y": "3"}}),
        ({"a": ["not-kv"]}, {"a": {"y": "3"}}, {"a": ["not-kv"]}),
        ({"a": ["x"]}, {"a": "y"}, {"a": ["x", "y"]}),
        ({"a": "first"}, {"a": "second"}, {"a": "first"}),
        ({"a": "first"}, {"a": {"x": 1}}, {"a": "first"}),
    ],
)
def test_merge_recursively(target, source, expected):
    assert merge_recursively(target, source) == expected


def test_merge_recursively_does_not_alias_the_source():
    source = {"a": {"b": [1]}}
    merged = merge_recursively({}, source)
    merged["a"]["b"].append(2)
    assert source == {"a": {"b": [1]}}


@pytest.mark.parametrize(
    "layers, expected",
    [
        (({"a": 1}, {"a": 2}, {"a": 3}), {"a": 1}),
        ((None, {"a": 2}, {"b": 3}), {"a": 2, "b": 3}),
        (({"m": {"x": 1}}, {"m": {"x": 2, "y": 2}}), {"m": {"x": 1, "y": 2}}),
        (({"l": [1]}, {"l": [2, 3]}), {"l": [1]}),
        (({}, {}, {}, {"p": "cli"}), {"p": "cli"}),
    ],
)
def test_merge_args_first_layer_wins(layers, expected):
    assert merge_args(*layers) == expected


def test_merge_stack_files_like_docker_stack_deploy():
    base = {
        "version": "3.7",
        "services": {
            "web": {
                "image": "a:1",
                "ports": ["8080:80"],
                "volumes": ["data:/data"],
                "environment": {"A": "1"},
                "command": ["x"],
            }
        },
        "volumes": {"data": {}},
    }
    override = {
        "services": {
            "web": {
                "image": "a:2",
                "ports": ["8080:80", "9090:90"],
                "volumes": ["other:/data", "logs:/logs"],
                "environment": {"B": "2"},
                "command": ["y"],
            },
            "db": {"image": "pg"},
        },
        "volumes": {"other": {}},
    }
    assert merge_stack_files(base, override) == {
        "version": "3.7",
        "services": {
            "web": {
                "image": "a:2",
                "ports": ["8080:80", "9090:90"],
                "volumes": ["other:/data", "logs:/logs"],
                "environment": {"A": "1", "B": "2"},
                "command": ["y"],
            },
            "db": {"image": "pg"},
        },
        "volumes": {"data": {}, "other": {}},
    }
