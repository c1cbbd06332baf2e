"""Fixtures: a pod built from controller labels by the controller's own boot(), on a fake engine."""

from fake_engine import engine, fast_backoff, make_pod, output, run_pod  # noqa: F401
