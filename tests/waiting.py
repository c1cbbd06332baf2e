"""Waiting for a condition on a real engine, shared by the integration and soak tests."""

import time


def wait_until(check, timeout=30, interval=0.2, message="condition"):
    """Call check until it returns a truthy value; return it, or fail after timeout seconds."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out after %ss waiting for %s (last: %r)" % (timeout, message, last))
