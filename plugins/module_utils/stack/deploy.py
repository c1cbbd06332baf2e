# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Deploy and remove x-podlike stacks on Swarm: render, validate, compare, ``docker stack deploy``, wait.

The docker CLI deploys (it owns the Compose-to-service translation); the Engine API reads what is deployed.
A Swarm config labelled ``podlike.stack.record=<stack>`` keeps the rendered YAML of the last deploy, so diff
mode can show it next time, and the service specs read back right after it, so a service changed outside is
found and deployed again; it carries the stack's namespace label, so ``docker stack rm`` removes it too. A deploy
that fails rewrites the specs of the services it changed and keeps the rendered text of the last complete deploy.
"""

import base64
import json
import os
import subprocess
import time

from ansible_collections.podlike.swarm.plugins.module_utils.constants import (
    LABEL_CONTROLLER_ID,
    LABEL_STACK,
    LABEL_STACK_NAMESPACE,
)
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import Conflict, DockerError, NotFound
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import key_values
from ansible_collections.podlike.swarm.plugins.module_utils.stack.compare import (
    deployed_digests,
    desired_digests,
    digest,
    drifted,
    live_specs,
    plan,
    resources_digest,
    spec_differences,
    with_digests,
)
from ansible_collections.podlike.swarm.plugins.module_utils.template.errors import TemplateError
from ansible_collections.podlike.swarm.plugins.module_utils.template.render import dump_stack, render_stack
from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import dump_yaml

RECORD_LABEL = "podlike.stack.record"
RECORD_RESOURCES_LABEL = "podlike.stack.resources"
POD_LABEL_PREFIXES = ("pod.component.", "pod.init.components")
POLL_INTERVAL = 1.0
FAILED_UPDATE_STATES = ("paused", "rollback_paused", "rollback_completed")
PENDING_UPDATE_STATES = ("updating", "rollback_started")
CLI_CONNECTION_VARIABLES = (
    "DOCKER_HOST",
    "DOCKER_CONTEXT",
    "DOCKER_TLS",
    "DOCKER_TLS_VERIFY",
    "DOCKER_CERT_PATH",
    "DOCKER_API_VERSION",
)


class StackError(Exception):
    """A stack that cannot be rendered, deployed, removed or that did not converge in time.

    ``changed`` tells whether the engine was changed before the failure (a deploy whose wait failed).
    """

    def __init__(self, message, changed=False):
        super().__init__(message)
        self.changed = changed


class DockerCli:
    """The docker command line, pointed at one engine by environment variables and global flags.

    ``environment`` and ``flags`` come from ``engine.connection.cli_connection``; the connection variables of the
    module's own environment are dropped so that only the options decide which engine the CLI talks to.
    """

    def __init__(self, binary, environment=None, flags=()):
        self.binary = binary
        self.environment = environment
        self.flags = list(flags)

    def run(self, args, data=None, cwd=None):
        environment = dict(os.environ)
        if self.environment is not None:
            for variable in CLI_CONNECTION_VARIABLES:
                environment.pop(variable, None)
            environment.update(self.environment)
        result = subprocess.run(
            [self.binary] + self.flags + list(args),
            input=data,
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        return result.returncode, result.stdout, result.stderr


# -- rendering ------------------------------------------------------------------------------------------------


def stack_workdir(compose):
    """Where relative paths of the stack resolve: the first stack file's directory, else the current one."""
    for item in compose if isinstance(compose, list) else [compose]:
        if isinstance(item, str):
            return os.path.dirname(os.path.abspath(item))
    return os.getcwd()


def render(compose, args=None, endpoint_mode=None, publish_mode=None, controller_image=None):
    """Render the stack files into a plain stack whose services carry their digest label; return (stack, workdir)."""
    workdir = stack_workdir(compose)
    try:
        stack = render_stack(
            compose,
            args=args,
            workdir=workdir,
            endpoint_mode=endpoint_mode,
            publish_mode=publish_mode,
            controller_image=controller_image,
        )
    except TemplateError as error:
        raise StackError(str(error))
    return with_digests(stack), workdir


def validate(stack, pods=None):
    """Check what the CLI and the controller would reject later, naming the service and the key.

    Every service needs an image; the pods among ``pods`` (service names, default all) are checked by
    ``check_pods``.
    """
    services = stack.get("services")
    if not isinstance(services, dict) or not services:
        raise StackError("the stack defines no services")
    for name, service in services.items():
        if not isinstance(service, dict):
            raise StackError(f'service "{name}": a service must be a mapping')
        if not service.get("image"):
            raise StackError(f'service "{name}": key "image": every service needs an image')
    check_pods(stack, services if pods is None else pods)


def check_pods(stack, names):
    """Parse the pod definitions of the services ``names`` and check them with the pod core's policy.

    A deploy checks the pods it creates or updates; the others run as they were deployed.
    """
    pods = {}
    for name in sorted(names):
        labels = key_values(stack["services"][name].get("labels"))
        if any(str(label).startswith(POD_LABEL_PREFIXES) for label in labels):
            pods[name] = {str(key): value for key, value in labels.items()}
    if not pods:
        return
    # Imported here: a run that deploys no pod needs neither the parser nor the policy.
    from ansible_collections.podlike.swarm.plugins.module_utils.pod import policy
    from ansible_collections.podlike.swarm.plugins.module_utils.pod.definition import from_labels

    for name, labels in pods.items():
        try:
            parsed = from_labels(labels)
            command = stack["services"][name].get("command")
            policy.check_pod(parsed.all_components(), policy.allowances_from_command(command))
        except SpecError as error:
            raise StackError(f'service "{name}": {error}')


# -- reading what is deployed ---------------------------------------------------------------------------------


def _label_filter(label, value):
    return {"filters": {"label": [f"{label}={value}"]}}


def stack_services(client, name):
    return client.get("/services", params=_label_filter(LABEL_STACK_NAMESPACE, name)) or []


def stack_records(client, name):
    """Swarm configs holding rendered stacks of this stack, newest last."""
    records = client.get("/configs", params=_label_filter(RECORD_LABEL, name)) or []
    return sorted(records, key=lambda record: record.get("CreatedAt", ""))


def _record_content(record):
    """{"rendered": text, "specs": {service: Spec}} of a record; older records hold the rendered text only."""
    if not record:
        return {"rendered": "", "specs": {}}
    text = base64.b64decode((record.get("Spec") or {}).get("Data") or "").decode("utf-8")
    try:
        content = json.loads(text)
    except ValueError:
        return {"rendered": text, "specs": {}}
    if not isinstance(content, dict):
        return {"rendered": text, "specs": {}}
    return {"rendered": content.get("rendered") or "", "specs": content.get("specs") or {}}


def record_text(record):
    return _record_content(record)["rendered"]


def record_specs(record):
    return _record_content(record)["specs"]


def record_resources(record):
    """The resources digest of the deploy a record was written for, or None."""
    return (((record or {}).get("Spec") or {}).get("Labels") or {}).get(RECORD_RESOURCES_LABEL)


def record_name(name, rendered):
    # Swarm limits config names to 64 characters; the label, not the name, ties a record to its stack.
    return f"{name[:34]}_podlike-rendered-{digest(name + chr(10) + rendered)[:12]}"


def write_record(client, name, rendered, resources, previous, specs):
    """Keep the rendered text and the live specs in a new config, then drop the older ones.

    ``resources`` None writes no resources digest: the next run then judges the stack by its services alone.
    """
    content = json.dumps({"rendered": rendered, "specs": specs}, sort_keys=True)
    config_name = record_name(name, content)
    labels = {RECORD_LABEL: name, LABEL_STACK_NAMESPACE: name}
    if resources is not None:
        labels[RECORD_RESOURCES_LABEL] = resources
    spec = {
        "Name": config_name,
        "Labels": labels,
        "Data": base64.b64encode(content.encode("utf-8")).decode("ascii"),
    }
    try:
        client.post("/configs/create", body=spec)
    except Conflict:
        pass
    for record in previous:
        if (record.get("Spec") or {}).get("Name") != config_name:
            remove_quietly(client, "/configs/" + record["ID"])


def record_failed_deploy(client, name, records, live_before, recorded, drift):
    """Bring the record up to date after a deploy that failed; return whether the services changed.

    A service the attempt changed is recorded as it runs now, unless it was changed outside (``drift``) and may
    still run the image set outside; every other service keeps its recorded spec. The rendered text and the
    resources digest stay those of the last complete deploy, so that the next run deploys what is missing. When
    the services cannot be read, they may have changed.
    """
    try:
        live_after = live_specs(stack_services(client, name), name)
    except DockerError:
        return True
    if live_after == live_before:
        return False
    specs = {}
    for short, spec in live_after.items():
        if short not in drift and spec != live_before.get(short):
            specs[short] = spec
        elif short in recorded:
            specs[short] = recorded[short]
    previous = records[-1] if records else None
    try:
        write_record(client, name, record_text(previous), record_resources(previous), records, specs)
    except DockerError:
        # The deploy's own error is the one to report; drift detection skips specs older than the service.
        pass
    return True


def drift_diffs(live, recorded, names):
    """Diff mode entries of services changed outside: the live spec against the one of the last deploy."""
    entries = []
    for short in names:
        before, after = spec_differences(live[short], recorded[short])
        entries.append(
            {
                "before_header": f"service {short}: running (changed outside)",
                "after_header": f"service {short}: as deployed",
                "before": dump_yaml(before),
                "after": dump_yaml(after),
            }
        )
    return entries


def remove_quietly(client, path):
    try:
        client.delete(path)
    except (NotFound, Conflict):
        pass


# -- present --------------------------------------------------------------------------------------------------


def ensure_present(client, cli, name, compose, options, check_mode=False):
    """Render, compare and deploy; return the module result (changed, diff, stack, services, rendered, plan).

    ``options`` holds args, prune, with_registry_auth, resolve_image, wait, wait_timeout, endpoint_mode,
    publish_mode and controller_image.
    """
    stack, workdir = render(
        compose,
        args=options.get("args"),
        endpoint_mode=options.get("endpoint_mode"),
        publish_mode=options.get("publish_mode"),
        controller_image=options.get("controller_image"),
    )
    validate(stack, pods=())
    rendered = dump_stack(stack)
    desired = desired_digests(stack)
    resources = resources_digest(stack)

    records = stack_records(client, name)
    previous = records[-1] if records else None
    services = stack_services(client, name)
    deployed = deployed_digests(services, name)
    live, recorded = live_specs(services, name), record_specs(previous)
    stack_plan = plan(
        desired,
        deployed,
        prune=options.get("prune", False),
        desired_resources=resources,
        deployed_resources=record_resources(previous),
        drift=drifted(live, recorded),
    )
    check_pods(stack, stack_plan.create + stack_plan.update)
    diff = {"before": record_text(previous), "after": rendered}
    result = {
        "changed": stack_plan.changed,
        # A list of diffs when services were changed outside: the stack's, then one per such service.
        "diff": [diff] + drift_diffs(live, recorded, stack_plan.drift) if stack_plan.drift else diff,
        "stack": stack,
        "services": sorted(desired),
        "rendered": rendered,
        "plan": stack_plan.as_dict(),
    }
    if check_mode:
        return result
    if stack_plan.changed:
        deployed_stack = False
        try:
            deploy(cli, name, rendered, workdir, options)
            deployed_stack = True
            if stack_plan.drift:
                live_now = live_specs(stack_services(client, name), name)
                restore_images(cli, name, live_now, recorded, stack_plan.drift, options)
        except (StackError, DockerError) as error:
            # The CLI may fail after changing some of the stack: tell whether the engine changed.
            services_changed = record_failed_deploy(client, name, records, live, recorded, stack_plan.drift)
            error.changed = deployed_stack or services_changed
            raise
        try:
            write_record(client, name, rendered, resources, records, live_specs(stack_services(client, name), name))
        except DockerError as error:
            # The stack is deployed; the record left older is told apart by the services' digests.
            error.changed = True
            raise
    if options.get("wait"):
        try:
            wait_converged(client, name, desired, options.get("wait_timeout", 300))
        except (StackError, DockerError) as error:
            error.changed = stack_plan.changed
            raise
    return result


def deploy_args(name, options):
    args = ["stack", "deploy", "--compose-file", "-"]
    if options.get("prune"):
        args.append("--prune")
    if options.get("with_registry_auth"):
        args.append("--with-registry-auth")
    if options.get("resolve_image"):
        args += ["--resolve-image", options["resolve_image"]]
    return args + [name]


def deploy(cli, name, rendered, workdir, options):
    code, stdout, stderr = cli.run(deploy_args(name, options), data=rendered, cwd=workdir)
    if code != 0:
        raise StackError(f"docker stack deploy {name} failed ({code}): {(stderr or stdout).strip()}")


def _image(spec):
    return ((spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}).get("Image")


def restore_images(cli, name, live, recorded, drift, options):
    """Give the services changed outside the image of the last deploy back.

    ``docker stack deploy`` keeps a service's running image when the stack file names the image it was deployed
    with (so that a digest resolved at deploy time stays), which also keeps an image set by ``docker service
    update --image``; the other fields (but the force-update counter) it sets from the stack file.
    """
    for short in drift:
        image = _image(recorded.get(short) or {})
        if not image or short not in live or _image(live[short]) == image:
            continue
        args = ["service", "update", "--detach", "--no-resolve-image", "--image", image]
        if options.get("with_registry_auth"):
            args.append("--with-registry-auth")
        code, stdout, stderr = cli.run(args + [f"{name}_{short}"])
        if code != 0:
            raise StackError(
                f'service "{short}": docker service update --image {image} failed ({code}): '
                f"{(stderr or stdout).strip()}"
            )


def wait_converged(client, name, desired, timeout, interval=POLL_INTERVAL):
    """Wait until every service runs its replicas (healthy where a healthcheck is set) with the new spec."""
    deadline = time.time() + timeout
    while True:
        services = {service["Spec"]["Name"][len(name) + 1 :]: service for service in stack_services(client, name)}
        waiting = {}
        for short in sorted(desired):
            reason = service_pending(client, short, services.get(short), desired[short])
            if reason:
                waiting[short] = reason
        if not waiting:
            return
        if time.time() >= deadline:
            details = "; ".join(f'service "{short}": {reason}' for short, reason in waiting.items())
            raise StackError(f"stack {name} did not converge within {timeout}s: {details}")
        time.sleep(interval)


def service_pending(client, short, service, wanted_digest):
    """Why a service has not converged yet, or None when it has; raise StackError when it never will."""
    if service is None:
        return "not created yet"
    spec = service.get("Spec") or {}
    update = service.get("UpdateStatus") or {}
    update_state = update.get("State")
    if (spec.get("Labels") or {}).get("podlike.stack.digest") != wanted_digest:
        if update_state in FAILED_UPDATE_STATES:
            raise StackError(f'service "{short}": update {update_state}: {update.get("Message", "")}'.rstrip(": "))
        return "spec not updated yet"
    if update_state in PENDING_UPDATE_STATES:
        return f"update {update_state}"
    mode = spec.get("Mode") or {}
    tasks = client.get("/tasks", params={"filters": {"service": [service["ID"]], "desired-state": ["running"]}})
    template = spec.get("TaskTemplate") or {}
    # Right after an update the old tasks still run until the orchestrator replaces them: count only new ones.
    running = [
        task
        for task in tasks
        if (task.get("Status") or {}).get("State") == "running"
        and (task.get("Spec") or {}).get("ContainerSpec") == template.get("ContainerSpec")
    ]
    if "Replicated" in mode:
        wanted = mode["Replicated"].get("Replicas", 1)
    elif "Global" in mode:
        wanted = max(len(tasks), 1)
    else:
        return None
    if len(running) < wanted:
        return f"{len(running)}/{wanted} tasks running{_last_task_error(client, service)}"
    for task in running:
        health = _container_health(client, task)
        if health not in (None, "healthy"):
            return f"task {task['ID'][:12]} is {health}"
    return None


def _last_task_error(client, service):
    tasks = client.get("/tasks", params={"filters": {"service": [service["ID"]]}}) or []
    failed = [task for task in tasks if (task.get("Status") or {}).get("Err")]
    if not failed:
        return ""
    latest = max(failed, key=lambda task: (task.get("Status") or {}).get("Timestamp", ""))
    return f" (last task error: {latest['Status']['Err']})"


def _container_health(client, task):
    """The health of a task's container when it runs on this engine and has a healthcheck, else None."""
    container_id = ((task.get("Status") or {}).get("ContainerStatus") or {}).get("ContainerID")
    if not container_id:
        return None
    try:
        container = client.inspect_container(container_id)
    except NotFound:
        return None
    return ((container.get("State") or {}).get("Health") or {}).get("Status")


# -- absent ---------------------------------------------------------------------------------------------------


def stack_leftovers(client, name):
    """What of a stack still exists: services, networks, configs, secrets, task and component containers."""
    namespace = _label_filter(LABEL_STACK_NAMESPACE, name)
    return {
        "services": sorted(service["Spec"]["Name"] for service in stack_services(client, name)),
        "networks": sorted(network["Name"] for network in client.get("/networks", params=namespace) or []),
        "configs": sorted(config["Spec"]["Name"] for config in client.get("/configs", params=namespace) or []),
        "secrets": sorted(secret["Spec"]["Name"] for secret in client.get("/secrets", params=namespace) or []),
        "tasks": _container_names(client.containers(labels=[f"{LABEL_STACK_NAMESPACE}={name}"])),
        "components": _container_names(client.containers(labels=[f"{LABEL_STACK}={name}"])),
    }


def _container_names(containers):
    return sorted(container["Names"][0].lstrip("/") for container in containers or [])


def ensure_absent(client, cli, name, timeout=300, check_mode=False):
    """``docker stack rm`` and wait until nothing of the stack is left; return the module result."""
    records = stack_records(client, name)
    leftovers = stack_leftovers(client, name)
    result = {
        "changed": any(leftovers.values()),
        "diff": {"before": record_text(records[-1] if records else None), "after": ""},
        "stack": {},
        "services": [],
        "rendered": "",
    }
    if check_mode or not result["changed"]:
        return result
    if leftovers["services"] or leftovers["networks"] or leftovers["configs"] or leftovers["secrets"]:
        code, stdout, stderr = cli.run(["stack", "rm", name])
        said = (stderr + stdout).lower()
        # The CLI removes networks while the services' tasks still stop, and says so: wait_removed removes them after.
        if code != 0 and "nothing found in stack" not in said and not _only_in_use(said):
            raise StackError(f"docker stack rm {name} failed ({code}): {(stderr or stdout).strip()}")
    try:
        wait_removed(client, name, timeout)
    except (StackError, DockerError) as error:
        error.changed = True
        raise
    return result


def _only_in_use(said):
    """Whether all `docker stack rm` could not remove were resources still in use by the stack's stopping tasks."""
    # The CLI writes each failure without a line break after it, then "failed to remove some resources ...".
    failures = [part for part in said.split("failed to remove ")[1:] if not part.startswith("some resources")]
    return bool(failures) and all("is in use by task" in part for part in failures)


def wait_removed(client, name, timeout, interval=POLL_INTERVAL):
    """Wait for services and containers to go, then remove what ``docker stack rm`` could not yet remove."""
    deadline = time.time() + timeout
    while True:
        leftovers = stack_leftovers(client, name)
        if not leftovers["services"] and not leftovers["tasks"]:
            _remove_resources(client, name)
            _remove_orphan_components(client, name)
            leftovers = stack_leftovers(client, name)
        if not any(leftovers.values()):
            return
        if time.time() >= deadline:
            remaining = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in leftovers.items() if names)
            raise StackError(f"stack {name} was not removed within {timeout}s, left: {remaining}")
        time.sleep(interval)


def _remove_resources(client, name):
    # Networks stay when a task container was still attached during `docker stack rm`.
    namespace = _label_filter(LABEL_STACK_NAMESPACE, name)
    for network in client.get("/networks", params=namespace) or []:
        _remove_ignoring_errors(client, "/networks/" + network["Id"])
    for kind in ("configs", "secrets"):
        for item in client.get("/" + kind, params=namespace) or []:
            _remove_ignoring_errors(client, f"/{kind}/{item['ID']}")


def _remove_orphan_components(client, name):
    """Component containers whose controller is gone are left-overs of a killed controller: remove them."""
    for container in client.containers(labels=[f"{LABEL_STACK}={name}"]) or []:
        controller_id = (container.get("Labels") or {}).get(LABEL_CONTROLLER_ID)
        if controller_id:
            try:
                client.inspect_container(controller_id)
                continue
            except NotFound:
                pass
        _remove_ignoring_errors(client, "/containers/" + container["Id"], params={"force": True})


def _remove_ignoring_errors(client, path, params=None):
    try:
        client.delete(path, params=params)
    except DockerError:
        pass
