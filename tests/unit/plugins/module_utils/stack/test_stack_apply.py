"""podlike_stack's work (stack.apply): what goes to the deploy, in which order, and what removes the stack."""

from ansible_collections.podlike.swarm.plugins.module_utils.kube import stack as kube_stack
from ansible_collections.podlike.swarm.plugins.module_utils.stack import apply as stack_apply

PARAMS = dict(
    name="shop",
    state="present",
    compose=["stack.yml"],
    kube=None,
    controller_image=None,
    allow_host_paths=[],
    lenient=False,
    wait_timeout=300,
    docker_host="unix:///var/run/docker.sock",
)


def recording(monkeypatch):
    calls = []
    monkeypatch.setattr(stack_apply, "ensure_present", lambda *args, **kwargs: calls.append(("present", args, kwargs)))
    monkeypatch.setattr(stack_apply, "ensure_absent", lambda *args, **kwargs: calls.append(("absent", args, kwargs)))
    monkeypatch.setattr(kube_stack, "stack_for_deploy", lambda *args: ({"services": {"kube": {}}}, ["note"]))
    return calls


def test_manifests_come_before_the_compose_files_and_their_notes_are_warned(monkeypatch):
    calls, warnings = recording(monkeypatch), []
    stack_apply.apply(dict(PARAMS, kube=["web.yaml"]), "client", "/usr/bin/docker", True, warnings.append)
    ((kind, args, kwargs),) = calls
    assert kind == "present" and args[3] == [{"services": {"kube": {}}}, "stack.yml"] and kwargs == {"check_mode": True}
    assert args[1].binary == "/usr/bin/docker" and warnings == ["note"]


def test_absent_removes_without_reading_manifests(monkeypatch):
    calls, warnings = recording(monkeypatch), []
    stack_apply.apply(dict(PARAMS, state="absent", kube=["web.yaml"]), "client", "docker", False, warnings.append)
    assert [(kind, args[2], kwargs) for kind, args, kwargs in calls] == [
        ("absent", "shop", {"timeout": 300, "check_mode": False})
    ]
    assert warnings == []
