"""Fixtures: a pod built from controller labels by the controller's own boot(), on a fake engine."""

import fake_engine

engine = fake_engine.engine
output = fake_engine.output
fast_backoff = fake_engine.fast_backoff
make_pod = fake_engine.make_pod
run_pod = fake_engine.run_pod
