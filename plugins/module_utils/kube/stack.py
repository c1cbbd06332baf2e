# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Kubernetes manifests to a stack: workloads become pod services, Services publish their ports or name them,
ConfigMaps and Secrets become Swarm configs and secrets (their data in files ``docker stack deploy`` reads).
"""

import base64
import binascii
import contextlib
import hashlib
import os
import re
import shutil
import tempfile

from ansible_collections.podlike.swarm.plugins.module_utils.constants import LABEL_VOLUME_REF
from ansible_collections.podlike.swarm.plugins.module_utils.kube.errors import Findings, KubeError
from ansible_collections.podlike.swarm.plugins.module_utils.kube.pods import PodTranslator, whole_number
from ansible_collections.podlike.swarm.plugins.module_utils.pod.units import port_number
from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import YAMLError, load_yaml_documents

STACK_VERSION = "3.8"
DEFAULT_CONTROLLER_IMAGE = "podlike/controller:latest"
WORKLOAD_KINDS = ("Pod", "Deployment", "StatefulSet", "DaemonSet")
DATA_KINDS = ("ConfigMap", "Secret", "PersistentVolumeClaim")
DOCUMENT_KEYS = ("apiVersion", "kind", "metadata", "spec", "data", "stringData", "binaryData", "type", "immutable")
# Swarm limits config and secret names to 64 characters.
MAX_NAME = 64
WORKLOAD_SPEC_KEYS = {
    "Deployment": ("replicas", "selector", "template", "strategy", "minReadySeconds"),
    "StatefulSet": (
        "replicas",
        "selector",
        "template",
        "serviceName",
        "updateStrategy",
        "minReadySeconds",
        "volumeClaimTemplates",
    ),
    "DaemonSet": ("selector", "template", "updateStrategy", "minReadySeconds"),
}
# Filled in by Kubernetes or only bookkeeping there: they change nothing on Swarm.
IGNORED_SPEC_KEYS = ("revisionHistoryLimit", "progressDeadlineSeconds", "podManagementPolicy")
SERVICE_SPEC_KEYS = (
    "type",
    "selector",
    "ports",
    "clusterIP",
    "clusterIPs",
    "externalTrafficPolicy",
    "internalTrafficPolicy",
    "ipFamilies",
    "ipFamilyPolicy",
    "sessionAffinity",
)
PUBLISHED_TYPES = ("NodePort", "LoadBalancer")
# Top-level fields that hold a mapping whenever they are given.
MAPPING_FIELDS = ("metadata", "spec", "data", "stringData", "binaryData")
# podlike_stack's stacks name their data files in this variable, which ``docker stack deploy`` fills in from its
# environment: the same manifests give the same stack text, wherever the files are for one deploy.
DATA_DIR_VARIABLE = "PODLIKE_KUBE_DATA"
DATA_DIR_REFERENCE = "${%s}" % DATA_DIR_VARIABLE
# A data file's name comes from object names and keys: any other character ("/" above all) becomes "_".
UNSAFE_FILE_NAME_CHARACTERS = re.compile(r"[^-._A-Za-z0-9]")
WRONG_TYPE_ERRORS = (AttributeError, TypeError, ValueError, KeyError)


class Translation:
    """The stack mapping, the data files it names ({path: bytes}) and the warnings of a lenient translation."""

    def __init__(self, stack, files, warnings):
        self.stack = stack
        self.files = files
        self.warnings = warnings


def load_manifests(sources):
    """Documents from paths or ``(origin, text)`` pairs, in order; empty documents are skipped."""
    documents = []
    for source in sources:
        if isinstance(source, tuple):
            origin, text = source
        else:
            origin = str(source)
            try:
                with open(origin) as handle:
                    text = handle.read()
            except (IOError, OSError) as error:
                raise KubeError(f"{origin}: cannot read: {error.strerror or error}")
        try:
            loaded = load_yaml_documents(text)
        except YAMLError as error:
            raise KubeError(f"{origin}: not valid YAML: {error}")
        for index, document in enumerate(loaded):
            if document is None:
                continue
            if isinstance(document, dict) and document.get("kind") == "List":
                documents.extend((f"{origin}#{index}", item) for item in document.get("items") or [])
            else:
                documents.append((f"{origin}#{index}", document))
    if not documents:
        raise KubeError("no Kubernetes objects found")
    return documents


def translate(
    documents,
    controller_image=None,
    allow_host_paths=(),
    lenient=False,
    data_dir="kube-data",
    name_prefix="",
):
    """A Translation of ``documents`` ([(origin, mapping)]); raise KubeError listing every refused field.

    ``data_dir`` is the directory of the ConfigMap and Secret files as ``docker stack deploy`` reads it: a
    ``${VARIABLE}`` in it is filled in from the CLI's environment (``escape`` a literal path); ``name_prefix``
    (the stack name and ``_``) keeps their Swarm names apart between stacks.
    """
    with _wrong_types_refused(""):
        return _translate(documents, controller_image, allow_host_paths, lenient, data_dir, name_prefix)


@contextlib.contextmanager
def _wrong_types_refused(prefix):
    """A value of the wrong type that a check missed, as one line starting with ``prefix``, not a traceback."""
    try:
        yield
    except WRONG_TYPE_ERRORS as error:
        raise KubeError(f"{prefix}a field holds a value of the wrong type ({type(error).__name__}: {error})")


def _translate(documents, controller_image, allow_host_paths, lenient, data_dir, name_prefix):
    findings = Findings(lenient)
    resources = Resources(controller_image or DEFAULT_CONTROLLER_IMAGE, name_prefix)
    workloads = []
    services = []
    for origin, document in documents:
        if not isinstance(document, dict) or not document.get("kind"):
            findings.refuse(origin, "not a Kubernetes object (no kind)")
            continue
        kind = str(document["kind"])
        metadata = document.get("metadata")
        name = str(metadata.get("name") or "") if isinstance(metadata, dict) else ""
        scoped = findings.scoped(f"{kind}/{name or '?'}: ")
        not_mappings = [key for key in MAPPING_FIELDS if document.get(key) and not isinstance(document[key], dict)]
        for key in not_mappings:
            scoped.refuse(key, "expected a mapping")
        if not_mappings:
            continue
        if not name:
            scoped.refuse("metadata.name", "is required")
            continue
        scoped.unknown("", document, DOCUMENT_KEYS + ("status",), "is not a field of a Kubernetes object")
        if kind in WORKLOAD_KINDS:
            workloads.append((kind, name, document, scoped))
        elif kind == "Service":
            services.append((name, document, scoped))
        elif kind in DATA_KINDS:
            with _wrong_types_refused(scoped.prefix):
                resources.add(kind, name, document, scoped)
        else:
            scoped.refuse(
                "kind",
                f"{kind} has no meaning on Swarm (Pod, Deployment, StatefulSet, DaemonSet, "
                "Service, ConfigMap, Secret and PersistentVolumeClaim are translated)",
            )
    stack_services = {}
    templates = {}
    for kind, name, document, scoped in workloads:
        if name in stack_services:
            scoped.refuse("metadata.name", "another workload has the same name (one Swarm service each)")
            continue
        with _wrong_types_refused(scoped.prefix):
            service, pod_metadata, pod_spec = _workload(kind, document, resources, scoped, allow_host_paths)
        stack_services[name] = service
        templates[name] = (pod_metadata, pod_spec)
    for name, document, scoped in services:
        with _wrong_types_refused(scoped.prefix):
            _service(name, document, stack_services, templates, scoped)
    warnings = findings.raise_if_refused()
    stack = {"version": STACK_VERSION, "services": stack_services}
    for section in ("configs", "secrets", "volumes"):
        if getattr(resources, section):
            stack[section] = getattr(resources, section)
    stack = escape(stack)
    for section in ("configs", "secrets"):
        for entry in stack.get(section, {}).values():
            # After escaping: the directory is given as docker stack deploy reads it.
            entry["file"] = f"{data_dir}/{entry['file']}"
    return Translation(stack, resources.files, warnings)


def _workload(kind, document, resources, findings, allow_host_paths):
    """(service, pod metadata, pod spec) of one Pod, Deployment, StatefulSet or DaemonSet."""
    metadata = document.get("metadata") or {}
    spec = document.get("spec") or {}
    if kind == "Pod":
        pod_metadata, pod_spec, path = metadata, spec, "spec"
    else:
        template = spec.get("template") or {}
        pod_metadata = dict(template.get("metadata") or {}, name=metadata.get("name"))
        pod_spec, path = template.get("spec") or {}, "spec.template.spec"
        for key in spec:
            if key not in WORKLOAD_SPEC_KEYS[kind] + IGNORED_SPEC_KEYS:
                findings.refuse(f"spec.{key}", "has no meaning on Swarm")
        findings.unknown("spec.template", template, ("metadata", "spec"))
        _check_selector(spec.get("selector"), pod_metadata.get("labels") or {}, findings)
    if kind == "StatefulSet" and spec.get("volumeClaimTemplates"):
        pod_spec = _with_claim_templates(
            metadata.get("name"), spec["volumeClaimTemplates"], pod_spec, resources, findings
        )
    translator = PodTranslator(resources, findings, path, kind, pod_metadata, allow_host_paths)
    service = translator.translate(pod_spec, restart_policy_allowed=None if kind == "Pod" else ("Always",))
    deploy = service.setdefault("deploy", {})
    if kind == "DaemonSet":
        deploy["mode"] = "global"
    else:
        replicas = spec.get("replicas", 1) if kind != "Pod" else 1
        if not whole_number(replicas):
            findings.refuse("spec.replicas", "must be a whole number")
            replicas = 1
        deploy["replicas"] = replicas
    update = _update_config(kind, spec, findings)
    if update:
        deploy["update_config"] = update
    if metadata.get("labels"):
        deploy["labels"] = {str(key): str(value) for key, value in metadata["labels"].items()}
    return service, pod_metadata, pod_spec


def _with_claim_templates(workload, templates, pod_spec, resources, findings):
    """The pod spec with a volume per claim template; each replica (task slot) gets its own named volume."""
    volumes = list(pod_spec.get("volumes") or [])
    for index, template in enumerate(templates if isinstance(templates, list) else []):
        name = str(((template or {}).get("metadata") or {}).get("name") or "")
        if not name:
            findings.refuse(f"spec.volumeClaimTemplates[{index}].metadata.name", "is required")
            continue
        resources.claim_template(name, workload)
        volumes.append({"name": name, "persistentVolumeClaim": {"claimName": name}})
    return dict(pod_spec, volumes=volumes)


def _check_selector(selector, labels, findings):
    if not isinstance(selector, dict):
        findings.refuse("spec.selector", "is required (matchLabels)")
        return
    findings.unknown("spec.selector", selector, ("matchLabels",), "only matchLabels is supported")
    for key, value in (selector.get("matchLabels") or {}).items():
        if str(labels.get(key)) != str(value):
            findings.refuse(f"spec.selector.matchLabels.{key}", "does not match the pod template's labels")


def _update_config(kind, spec, findings):
    """Swarm's update_config from a rolling update strategy."""
    key = "strategy" if kind == "Deployment" else "updateStrategy"
    strategy = spec.get(key) or {}
    update = {}
    if spec.get("minReadySeconds"):
        update["monitor"] = f"{spec['minReadySeconds']}s"
    if not strategy:
        return update
    kind_of_update = strategy.get("type", "RollingUpdate")
    findings.unknown(f"spec.{key}", strategy, ("type", "rollingUpdate"))
    if kind_of_update == "Recreate" and kind == "Deployment":
        update.update({"parallelism": 0, "order": "stop-first"})
    elif kind_of_update == "RollingUpdate":
        rolling = strategy.get("rollingUpdate") or {}
        findings.unknown(f"spec.{key}.rollingUpdate", rolling, ("maxSurge", "maxUnavailable", "partition"))
        if rolling.get("partition"):
            findings.refuse(f"spec.{key}.rollingUpdate.partition", "Swarm updates every task")
        if kind == "Deployment" and str(rolling.get("maxSurge", "25%")) in ("0", "0%"):
            update["order"] = "stop-first"
        elif kind == "Deployment":
            update["order"] = "start-first"
    else:
        findings.refuse(f"spec.{key}.type", f"{kind_of_update} has no Swarm equivalent")
    return update


def _service(name, document, stack_services, templates, findings):
    """A Service: published ports (NodePort, LoadBalancer) and a DNS alias on the selected workload."""
    spec = document.get("spec") or {}
    findings.unknown("spec", spec, SERVICE_SPEC_KEYS)
    for key, expected, shape in (("selector", dict, "a mapping"), ("ports", list, "a list")):
        if spec.get(key) and not isinstance(spec[key], expected):
            findings.refuse(f"spec.{key}", f"expected {shape}")
            return
    kind = spec.get("type", "ClusterIP")
    if kind not in ("ClusterIP",) + PUBLISHED_TYPES:
        findings.refuse("spec.type", f"{kind} has no Swarm equivalent (ClusterIP, NodePort, LoadBalancer do)")
        return
    if spec.get("clusterIP") not in (None, "", "None"):
        findings.refuse("spec.clusterIP", "Swarm assigns addresses itself")
    if spec.get("sessionAffinity") not in (None, "None"):
        findings.refuse("spec.sessionAffinity", "Swarm has no session affinity")
    selector = spec.get("selector") or {}
    matched = [
        workload
        for workload, (metadata, _spec) in sorted(templates.items())
        if selector and all(str((metadata.get("labels") or {}).get(k)) == str(v) for k, v in selector.items())
    ]
    if not matched:
        findings.refuse("spec.selector", "selects no pod of these manifests")
        return
    if kind in PUBLISHED_TYPES and len(matched) > 1:
        findings.refuse("spec.selector", f"selects several workloads ({', '.join(matched)}); publish one")
        return
    for workload in matched:
        service = stack_services[workload]
        if workload != name:
            aliases = service.setdefault("networks", {"default": {"aliases": []}})["default"]["aliases"]
            if name not in aliases:
                aliases.append(name)
        for index, port in enumerate(spec.get("ports") or []):
            published = _port(port, f"spec.ports[{index}]", kind, templates[workload][1], findings)
            if published:
                service.setdefault("ports", []).append(published)


def _port(port, path, kind, pod_spec, findings):
    if not isinstance(port, dict) or not port.get("port"):
        findings.refuse(path, "a port needs port")
        return None
    findings.unknown(path, port, ("name", "protocol", "port", "targetPort", "nodePort", "appProtocol"))
    protocol = str(port.get("protocol", "TCP"))
    if protocol not in ("TCP", "UDP"):
        findings.refuse(f"{path}.protocol", "must be TCP or UDP")
    number = port_number(port["port"])
    if number is None:
        findings.refuse(f"{path}.port", "must be a port number (1-65535)")
        return None
    target = _target_port(port.get("targetPort", number), f"{path}.targetPort", pod_spec, findings)
    if target is None:
        return None
    if target != number:
        findings.refuse(
            f"{path}.port", "a Swarm DNS name has no port mapping: port must equal targetPort (clients use targetPort)"
        )
    node_port = port.get("nodePort")
    if node_port and port_number(node_port) is None:
        findings.refuse(f"{path}.nodePort", "must be a port number (1-65535)")
        return None
    if kind not in PUBLISHED_TYPES:
        return None
    published = {"target": target, "protocol": protocol.lower()}
    if kind == "LoadBalancer":
        published["published"] = number
    elif node_port:
        published["published"] = port_number(node_port)
    return published


def _target_port(target, path, pod_spec, findings):
    """The port number a Service port sends to, given as a number or a container port's name; None if refused."""
    if isinstance(target, str) and port_number(target) is None:
        named = _named_port(target, pod_spec)
        if named is None:
            findings.refuse(path, "names no container port")
        elif port_number(named) is None:
            findings.refuse(path, f"names container port {target}, whose containerPort is not a port number")
        return port_number(named)
    if port_number(target) is None:
        findings.refuse(path, "must be a port number (1-65535) or a container port's name")
    return port_number(target)


def _named_port(name, pod_spec):
    for container in (pod_spec.get("containers") or []) + (pod_spec.get("initContainers") or []):
        for port in (container or {}).get("ports") or []:
            if isinstance(port, dict) and port.get("name") == name:
                return port.get("containerPort")
    return None


def escape(value):
    """``$`` doubled everywhere: ``docker stack deploy`` interpolates ``${VAR}`` in every string of a stack."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {key: escape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [escape(item) for item in value]
    return value


class Resources:
    """ConfigMaps, Secrets and claims of the manifests, and the stack configs, secrets, volumes and files made.

    A config's or secret's ``file`` is the name of its file here; the translation puts the data directory before it.
    """

    def __init__(self, controller_image, name_prefix):
        self.controller_image = controller_image
        self.name_prefix = name_prefix
        self.objects = {"configMap": {}, "secret": {}}
        self.configs = {}
        self.secrets = {}
        self.volumes = {}
        self.files = {}

    def add(self, kind, name, document, findings):
        if kind == "PersistentVolumeClaim":
            self.volumes.setdefault(name, {})
            return
        data = {}
        for key, value in (document.get("data") or {}).items():
            if kind == "Secret":
                try:
                    data[str(key)] = base64.b64decode(str(value), validate=True)
                except (binascii.Error, ValueError):
                    findings.refuse(f"data.{key}", "is not base64")
            else:
                data[str(key)] = str(value).encode("utf-8")
        for section in ("binaryData",) if kind == "ConfigMap" else ("stringData",):
            for key, value in (document.get(section) or {}).items():
                if section == "binaryData":
                    try:
                        data[str(key)] = base64.b64decode(str(value), validate=True)
                    except (binascii.Error, ValueError):
                        findings.refuse(f"binaryData.{key}", "is not base64")
                else:
                    data[str(key)] = str(value).encode("utf-8")
        self.objects["configMap" if kind == "ConfigMap" else "secret"][name] = data

    def claim_template(self, name, workload):
        """A volume per task slot, ``<claim>-<workload>-<slot>`` as Kubernetes names a StatefulSet's claims.

        Swarm expands the template in the volume name for each task; the label tells the controller which
        volume of the pod it is.
        """
        self.volumes[name] = {
            "name": f"{self.name_prefix}{name}-{workload}-{{{{.Task.Slot}}}}",
            "labels": {LABEL_VOLUME_REF: name},
        }

    def data(self, kind, name):
        """{key: bytes} of a ConfigMap or Secret, or None when the manifests do not define it."""
        return self.objects[kind].get(name)

    def config(self, object_name, key):
        return self._entry(
            self.configs, "configmap", f"{object_name}.{key}", self.objects["configMap"][object_name][key]
        )

    def secret(self, object_name, key):
        return self._entry(self.secrets, "secret", f"{object_name}.{key}", self.objects["secret"][object_name][key])

    def env_secret(self, object_name, text):
        return self._entry(self.secrets, "env", object_name, text.encode("utf-8"))

    def _entry(self, section, kind, name, content):
        """The stack key of a config or secret holding ``content``; its Swarm name changes with the content."""
        stack_key = f"{kind}.{name}"
        digest = hashlib.sha256(content).hexdigest()[:12]
        swarm_name = f"{self.name_prefix}{stack_key}"[: MAX_NAME - 13] + "-" + digest
        file_name = UNSAFE_FILE_NAME_CHARACTERS.sub("_", f"{stack_key}-{digest}")
        section[stack_key] = {"name": swarm_name, "file": file_name}
        self.files[file_name] = content
        return stack_key


def write_files(files, directory):
    """Write the data files (mode 0600 in a 0700 directory) and drop older ones; return the directory."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    os.chmod(directory, 0o700)
    for name in os.listdir(directory):
        if name not in files:
            os.unlink(os.path.join(directory, name))
    for name, content in files.items():
        _write_private_file(os.path.join(directory, name), content, os.O_TRUNC)
    return directory


@contextlib.contextmanager
def data_directory(files):
    """A fresh private directory (0700) holding the data ``files`` (0600) while the block runs, then removed."""
    directory = _private_directory(files)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _private_directory(files):
    directory = None
    try:
        directory = tempfile.mkdtemp(prefix="podlike-kube-")
        for name, content in files.items():
            _write_private_file(os.path.join(directory, name), content, os.O_EXCL)
    except OSError as error:
        if directory:
            shutil.rmtree(directory, ignore_errors=True)
        raise KubeError(f"cannot write the ConfigMap and Secret data for docker stack deploy: {error}")
    return directory


def _write_private_file(path, content, flags):
    """Write ``content`` to a file only its owner reads (0600), never through a symlink."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | flags, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)


def stack_for_deploy(paths, stack_name, data_files, controller_image=None, allow_host_paths=(), lenient=False):
    """(stack, warnings) of manifests on this host; nothing is written.

    The stack names its ConfigMap and Secret files in ``${PODLIKE_KUBE_DATA}``, so the same manifests always give
    the same stack text; ``data_files`` receives their contents ({file name: bytes}), which ``data_directory``
    writes for the deploy.
    """
    translation = translate(
        load_manifests(paths),
        controller_image=controller_image,
        allow_host_paths=allow_host_paths,
        lenient=lenient,
        data_dir=DATA_DIR_REFERENCE,
        name_prefix=stack_name + "_",
    )
    data_files.update(translation.files)
    return translation.stack, translation.warnings
