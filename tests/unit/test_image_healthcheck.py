"""The controller image's HEALTHCHECK script, run with sh on a state file of the test's making."""

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "images" / "controller" / "podlike-healthcheck"


@pytest.fixture
def probe(tmp_path):
    """probe(watch) -> (exit code, seconds): the script on tmp_path/state instead of /dev/shm/podlike.health."""
    script = tmp_path / "probe.sh"
    script.write_text(SCRIPT.read_text().replace("/dev/shm/podlike.health", str(tmp_path / "state")))

    def run(watch=20):
        started = time.monotonic()
        env = dict(os.environ, PODLIKE_HEALTH_WATCH=str(watch))
        result = subprocess.run(["sh", str(script)], env=env, capture_output=True, timeout=60, check=False)
        return result.returncode, time.monotonic() - started

    return run


def write(tmp_path, state):
    (tmp_path / "state.tmp").write_text(state + "\n")
    os.replace(tmp_path / "state.tmp", tmp_path / "state")


def test_no_state_yet_is_watched_as_starting(tmp_path, probe):
    assert probe(watch=0)[0] == 1
    code, seconds = probe(watch=2)
    assert code == 1 and seconds >= 2
    assert not (tmp_path / "state.seen").exists()


def test_a_starting_pod_is_watched_until_it_is_healthy(tmp_path, probe):
    write(tmp_path, "starting")
    threading.Timer(1.5, write, (tmp_path, "healthy")).start()
    code, seconds = probe(watch=20)
    assert code == 0 and seconds < 5 and (tmp_path / "state.seen").exists()
    # Healthy at the previous check: the next one watches.
    code, seconds = probe(watch=2)
    assert code == 0 and seconds >= 2


def test_a_starting_pod_that_becomes_unhealthy_is_reported_at_once(tmp_path, probe):
    write(tmp_path, "starting")
    threading.Timer(1.5, write, (tmp_path, "unhealthy")).start()
    code, seconds = probe(watch=20)
    assert code == 1 and seconds < 5


def test_an_unhealthy_pod_is_answered_at_once(tmp_path, probe):
    write(tmp_path, "unhealthy")
    code, seconds = probe()
    assert code == 1 and seconds < 1


def test_a_first_healthy_probe_answers_at_once_and_the_next_one_watches(tmp_path, probe):
    write(tmp_path, "healthy")
    code, seconds = probe()
    assert code == 0 and seconds < 1 and (tmp_path / "state.seen").exists()
    code, seconds = probe(watch=2)
    assert code == 0 and seconds >= 2


def test_a_watching_probe_ends_as_soon_as_the_pod_is_not_healthy(tmp_path, probe):
    write(tmp_path, "healthy")
    assert probe()[0] == 0
    threading.Timer(1.5, write, (tmp_path, "unhealthy")).start()
    code, seconds = probe(watch=20)
    assert code == 1 and seconds < 5
    assert not (tmp_path / "state.seen").exists()
    # Unhealthy probes answer at once; the first healthy one again, and it does not watch.
    assert probe()[0] == 1
    write(tmp_path, "healthy")
    code, seconds = probe()
    assert code == 0 and seconds < 1


def test_watching_off(tmp_path, probe):
    write(tmp_path, "healthy")
    assert probe(watch=0)[0] == 0
    code, seconds = probe(watch=0)
    assert code == 0 and seconds < 1


def starting_until(tmp_path, text):
    (tmp_path / "state.starting-until").write_text(text + "\n")


def test_after_the_start_period_a_starting_pod_is_answered_at_once(tmp_path, probe):
    write(tmp_path, "starting")
    starting_until(tmp_path, str(int(time.time()) - 1))
    code, seconds = probe(watch=20)
    assert code == 1 and seconds < 1


def test_a_starting_pod_is_watched_no_longer_than_its_start_period(tmp_path, probe):
    write(tmp_path, "starting")
    starting_until(tmp_path, str(int(time.time()) + 3))
    code, seconds = probe(watch=20)
    assert code == 1 and 1 <= seconds < 5
    # Becoming healthy within it is still reported at once.
    starting_until(tmp_path, str(int(time.time()) + 10))
    threading.Timer(1.5, write, (tmp_path, "healthy")).start()
    code, seconds = probe(watch=20)
    assert code == 0 and seconds < 5


@pytest.mark.parametrize("text", ["", "soon", "12x"])
def test_a_start_period_end_that_is_not_a_number_is_ignored(tmp_path, probe, text):
    write(tmp_path, "starting")
    starting_until(tmp_path, text)
    code, seconds = probe(watch=2)
    assert code == 1 and seconds >= 2
