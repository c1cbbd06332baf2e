# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The stack's record across runs: deploys that fail partway, records that cannot be written, changes made outside.

A fake Swarm answers the Engine API calls and a fake docker CLI plays ``docker stack deploy`` and
``docker service update --image`` on it, as the engine would, without an engine.
"""

import copy

import pytest
import yaml
from ansible_collections.podlike.swarm.plugins.module_utils.constants import LABEL_STACK_NAMESPACE
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError
from ansible_collections.podlike.swarm.plugins.module_utils.stack.deploy import (
    RECORD_RESOURCES_LABEL,
    StackError,
    ensure_present,
)

STACK_IMAGE_LABEL = "com.docker.stack.image"


class FakeSwarm:
    """Services and configs of one engine, read and written through the Engine API calls the deploy makes."""

    def __init__(self):
        self.services = {}
        self.configs = []
        self.failing_posts = {}
        self.created = 0

    def get(self, path, params=None):
        if path == "/services":
            return [{"ID": name, "Spec": copy.deepcopy(spec)} for name, spec in self.services.items()]
        if path == "/configs":
            return copy.deepcopy(self.configs)
        raise AssertionError(f"unexpected GET {path}")

    def post(self, path, params=None, body=None):
        if path in self.failing_posts:
            raise self.failing_posts[path]
        assert path == "/configs/create", path
        self.created += 1
        self.configs.append({"ID": f"config{self.created}", "Spec": body, "CreatedAt": f"{self.created:06d}"})
        return {}

    def delete(self, path, params=None):
        self.configs = [config for config in self.configs if path != "/configs/" + config["ID"]]

    def image(self, service):
        return self.services[service]["TaskTemplate"]["ContainerSpec"]["Image"]

    def set_image(self, service, image):
        self.services[service]["TaskTemplate"]["ContainerSpec"]["Image"] = image


class FakeStackCli:
    """``docker stack deploy`` and ``docker service update --image`` on a FakeSwarm.

    The deploy keeps a service's running image when the stack file names the image it was deployed with, as the
    CLI does; with ``failing_service`` set it updates every other service first, then fails on that one.
    """

    def __init__(self, swarm):
        self.swarm = swarm
        self.failing_service = None
        self.calls = []

    def run(self, args, data=None, cwd=None):
        self.calls.append(list(args))
        if args[:2] == ["stack", "deploy"]:
            return self._deploy(args[-1], yaml.safe_load(data))
        if args[:2] == ["service", "update"]:
            self.swarm.set_image(args[-1], args[args.index("--image") + 1])
            return 0, "", ""
        raise AssertionError(f"unexpected docker {args}")

    def _deploy(self, stack_name, stack):
        services = stack["services"]
        for short in sorted(services, key=lambda short: short == self.failing_service):
            if short == self.failing_service:
                return 1, "", f"failed to update service {stack_name}_{short}: update out of sequence"
            service = services[short]
            name = f"{stack_name}_{short}"
            running = self.swarm.services.get(name)
            image = service["image"]
            if running and running["Labels"].get(STACK_IMAGE_LABEL) == service["image"]:
                image = running["TaskTemplate"]["ContainerSpec"]["Image"]
            labels = dict(
                service["deploy"]["labels"], **{LABEL_STACK_NAMESPACE: stack_name, STACK_IMAGE_LABEL: service["image"]}
            )
            environment = [f"{key}={value}" for key, value in sorted((service.get("environment") or {}).items())]
            self.swarm.services[name] = {
                "Name": name,
                "Labels": labels,
                "TaskTemplate": {"ContainerSpec": {"Image": image, "Env": environment}},
            }
        return 0, "", ""


def shop(web_image, db_image="postgres:15", web_environment=None):
    web = {"image": web_image}
    if web_environment:
        web["environment"] = web_environment
    return [{"version": "3.7", "services": {"web": web, "db": {"image": db_image}}}]


@pytest.fixture
def swarm():
    return FakeSwarm()


@pytest.fixture
def cli(swarm):
    return FakeStackCli(swarm)


def run(swarm, cli, compose):
    cli.calls.clear()
    return ensure_present(swarm, cli, "shop", compose, {})


def image_updates(cli):
    return [call for call in cli.calls if call[:2] == ["service", "update"]]


def assert_unchanged_run(swarm, cli, compose):
    result = run(swarm, cli, compose)
    assert result["changed"] is False and result["plan"]["drift"] == []
    assert cli.calls == []


def test_a_deploy_that_failed_partway_is_completed_without_rolling_back(swarm, cli):
    run(swarm, cli, shop("nginx:1.25", "postgres:15"))
    cli.failing_service = "db"
    with pytest.raises(StackError, match="update out of sequence") as failure:
        run(swarm, cli, shop("nginx:1.27", "postgres:16"))
    assert failure.value.changed is True
    assert swarm.image("shop_web") == "nginx:1.27" and swarm.image("shop_db") == "postgres:15"

    cli.failing_service = None
    result = run(swarm, cli, shop("nginx:1.27", "postgres:16"))
    assert result["changed"] is True
    assert result["plan"]["update"] == ["db"] and result["plan"]["drift"] == []
    assert image_updates(cli) == []
    assert swarm.image("shop_web") == "nginx:1.27" and swarm.image("shop_db") == "postgres:16"
    assert_unchanged_run(swarm, cli, shop("nginx:1.27", "postgres:16"))


def deploy_without_record(swarm, cli, compose):
    """A deploy that goes through, and whose record cannot be written; return the error."""
    swarm.failing_posts["/configs/create"] = DockerError("config data exceeds 500KB", 400)
    with pytest.raises(DockerError, match="exceeds") as failure:
        run(swarm, cli, compose)
    del swarm.failing_posts["/configs/create"]
    return failure.value


def test_a_record_that_could_not_be_written_after_a_deploy_reports_a_change(swarm, cli):
    run(swarm, cli, shop("busybox:1.36"))
    error = deploy_without_record(swarm, cli, shop("busybox:1.37"))
    assert getattr(error, "changed", False) is True
    assert swarm.image("shop_web") == "busybox:1.37"


def test_the_run_after_a_record_that_could_not_be_written_keeps_the_image(swarm, cli):
    run(swarm, cli, shop("busybox:1.36"))
    deploy_without_record(swarm, cli, shop("busybox:1.37"))
    assert_unchanged_run(swarm, cli, shop("busybox:1.37"))
    assert swarm.image("shop_web") == "busybox:1.37"


def test_a_deploy_that_changed_nothing_before_failing_reports_no_change(swarm, cli):
    run(swarm, cli, shop("nginx:1.25"))
    records = copy.deepcopy(swarm.configs)
    cli.failing_service = "db"
    with pytest.raises(StackError) as failure:
        run(swarm, cli, shop("nginx:1.25", "postgres:16"))
    assert failure.value.changed is False
    assert swarm.configs == records


def test_an_image_changed_by_hand_after_a_good_deploy_is_set_back(swarm, cli):
    run(swarm, cli, shop("nginx:1.25"))
    swarm.set_image("shop_web", "nginx:evil")

    result = run(swarm, cli, shop("nginx:1.25"))
    assert result["changed"] is True and result["plan"]["drift"] == ["web"]
    assert [call[-2:] for call in image_updates(cli)] == [["nginx:1.25", "shop_web"]]
    assert swarm.image("shop_web") == "nginx:1.25"
    assert_unchanged_run(swarm, cli, shop("nginx:1.25"))


def test_a_change_by_hand_is_still_found_after_a_deploy_that_failed(swarm, cli):
    """The failed deploy reset the other fields of the service changed by hand, but not its image."""
    run(swarm, cli, shop("nginx:1.25", web_environment={"MODE": "live"}))
    swarm.set_image("shop_web", "nginx:evil")
    swarm.services["shop_web"]["TaskTemplate"]["ContainerSpec"]["Env"] = ["MODE=debug"]
    cli.failing_service = "db"
    with pytest.raises(StackError):
        run(swarm, cli, shop("nginx:1.25", "postgres:16", web_environment={"MODE": "live"}))
    assert swarm.image("shop_web") == "nginx:evil"

    cli.failing_service = None
    result = run(swarm, cli, shop("nginx:1.25", "postgres:16", web_environment={"MODE": "live"}))
    assert result["plan"]["drift"] == ["web"] and result["plan"]["update"] == ["db", "web"]
    assert swarm.image("shop_web") == "nginx:1.25" and swarm.image("shop_db") == "postgres:16"
    assert_unchanged_run(swarm, cli, shop("nginx:1.25", "postgres:16", web_environment={"MODE": "live"}))


def test_a_first_deploy_that_failed_partway_is_completed(swarm, cli):
    cli.failing_service = "db"
    with pytest.raises(StackError) as failure:
        run(swarm, cli, shop("nginx:1.25"))
    assert failure.value.changed is True and sorted(swarm.services) == ["shop_web"]
    (record,) = swarm.configs
    assert RECORD_RESOURCES_LABEL not in record["Spec"]["Labels"], "no complete deploy, no resources digest"

    cli.failing_service = None
    result = run(swarm, cli, shop("nginx:1.25"))
    assert result["plan"]["create"] == ["db"] and result["plan"]["unchanged"] == ["web"]
    assert len(swarm.configs) == 1
    assert_unchanged_run(swarm, cli, shop("nginx:1.25"))
