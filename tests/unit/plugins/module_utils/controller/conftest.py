"""The controller's tests use the pod tests' fake engine and fixtures."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pod"))

import fake_engine  # noqa: E402

engine = fake_engine.engine
output = fake_engine.output
make_pod = fake_engine.make_pod
