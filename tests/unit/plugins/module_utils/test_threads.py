"""threads: threading's Thread, Lock, Condition and Event, as the controller uses them, on _thread."""

import time

from ansible_collections.podlike.swarm.plugins.module_utils.threads import Condition, Event, Lock, Thread


def test_a_thread_runs_its_target_and_join_waits_for_its_end():
    ran = []

    def work(value):
        time.sleep(0.05)
        ran.append(value)

    thread = Thread(target=work, args=("done",), name="worker")
    thread.start()
    thread.join()
    assert ran == ["done"]
    assert thread.daemon and thread.name == "worker"


def test_join_with_a_timeout_returns_while_the_thread_runs():
    release = Event()
    thread = Thread(target=release.wait)
    thread.start()
    started = time.monotonic()
    thread.join(0.05)
    assert 0.04 <= time.monotonic() - started < 1
    release.set()
    thread.join()


def test_an_event_wakes_its_waiters_and_stays_set():
    event = Event()
    woken = []
    threads = [Thread(target=lambda: woken.append(event.wait())) for _index in range(3)]
    for thread in threads:
        thread.start()
    assert not event.is_set() and woken == []
    event.set()
    for thread in threads:
        thread.join()
    assert woken == [True, True, True]
    assert event.is_set() and event.wait(0) is True


def test_an_event_wait_ends_at_its_timeout():
    started = time.monotonic()
    assert Event().wait(0.05) is False
    assert Event().wait(0) is False
    assert time.monotonic() - started >= 0.04


def test_a_condition_releases_its_lock_while_waiting_and_holds_it_again_after():
    lock = Lock()
    changed = Condition(lock)
    state = {"ready": False}

    def make_ready():
        with changed:
            state["ready"] = True
            changed.notify_all()

    with changed:
        Thread(target=make_ready).start()
        while not state["ready"]:
            assert changed.wait(5) is True
        assert lock.locked()
    assert not lock.locked()


def test_a_condition_wait_times_out_and_a_later_notify_finds_no_stale_waiter():
    changed = Condition()
    with changed:
        assert changed.wait(0.02) is False
        changed.notify_all()
    assert changed._waiters == []


def test_a_thread_gets_the_trace_function_threading_would_give_it():
    import sys
    import threading

    from ansible_collections.podlike.swarm.plugins.module_utils import threads

    seen = []

    def tracer(frame, event, arg):
        return None

    def target():
        seen.append(sys.gettrace())

    previous = getattr(threading, "_trace_hook", None)
    threading.settrace(tracer)
    try:
        thread = threads.Thread(target=target)
        thread.start()
        thread.join()
    finally:
        threading.settrace(previous)
    assert seen == [tracer]
