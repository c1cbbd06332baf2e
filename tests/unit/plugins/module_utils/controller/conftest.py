"""The controller's tests use the pod tests' fake engine and fixtures."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pod"))

from fake_engine import engine, make_pod, output  # noqa: E402, F401
