"""podlike_stack state=absent: what a failing `docker stack rm` means."""

import pytest
from ansible_collections.podlike.swarm.plugins.module_utils.stack import deploy
from ansible_collections.podlike.swarm.plugins.module_utils.stack.deploy import StackError, ensure_absent

IN_USE = (
    "Failed to remove network o1v8go50ngt4: Error response from daemon: rpc error: code = FailedPrecondition "
    "desc = network o1v8go50ngt4 is in use by task w0wie0acafdopfailed to remove some resources from stack: shop\n"
)
OTHER = "Failed to remove service shop_web: Error response from daemon: permission denied" + IN_USE


class Cli:
    def __init__(self, stderr):
        self.stderr = stderr

    def run(self, args):
        return 1, "", self.stderr


@pytest.fixture
def removed(monkeypatch):
    waited = []
    monkeypatch.setattr(deploy, "stack_records", lambda client, name: [])
    monkeypatch.setattr(deploy, "stack_leftovers", lambda client, name: {"services": ["shop_web"], "networks": ["n"]})
    monkeypatch.setattr(deploy, "wait_removed", lambda client, name, timeout: waited.append(name))
    return waited


def test_networks_still_in_use_by_stopping_tasks_are_removed_once_the_tasks_are_gone(removed):
    assert ensure_absent(None, Cli(IN_USE), "shop")["changed"] is True
    assert removed == ["shop"]


def test_any_other_failure_of_docker_stack_rm_fails_the_task(removed):
    with pytest.raises(StackError, match="docker stack rm shop failed .1.: Failed to remove service shop_web"):
        ensure_absent(None, Cli(OTHER), "shop")
    assert removed == []
