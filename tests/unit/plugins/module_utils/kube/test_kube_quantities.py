# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Kubernetes quantities: CPUs and bytes."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.kube.quantities import cpus, memory_bytes


@pytest.mark.parametrize(
    "text, expected", [("500m", "0.5"), ("1", "1"), ("2.5", "2.5"), ("100m", "0.1"), ("1e3", "1000"), (2, "2")]
)
def test_cpu_quantities(text, expected):
    assert float(cpus(text)) == float(expected)


@pytest.mark.parametrize(
    "text, expected",
    [("128Mi", 134217728), ("1G", 10**9), ("1Ki", 1024), ("1e3", 1000), ("1.5Gi", 1610612736), ("10", 10)],
)
def test_memory_quantities(text, expected):
    assert memory_bytes(text) == expected


@pytest.mark.parametrize("text", ["abc", "1Mb", "-1", "", "1 Gi", True])
def test_bad_quantities(text):
    with pytest.raises(ValueError):
        memory_bytes(text)
