# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""A Kubernetes pod spec (``spec`` of a Pod, ``spec.template.spec`` of a workload) to a pod controller service.

Containers become ``pod.component.*`` labels, init containers ``pod.init.components``, init containers with
``restartPolicy: Always`` native sidecars; volumes, security settings, resources and scheduling become the
controller service's keys. Every field is either translated here or refused by its path.
"""

import re

from ansible_collections.podlike.swarm.plugins.module_utils.constants import DOCKER_SOCKET, EMPTYDIR_ROOT
from ansible_collections.podlike.swarm.plugins.module_utils.kube.quantities import cpu_text, cpus, memory_bytes
from ansible_collections.podlike.swarm.plugins.module_utils.pod.units import normalize_capability, port_number
from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import dump_yaml

# Kubernetes names: a volume's is a DNS-1123 label, a claim's a DNS-1123 subdomain (no '.', '..' or '/': a claim
# becomes a named volume on the controller, and a name starting with '.' would be a host path to Compose).
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
CLAIM_ROOT = "/podlike/kube/volumes/"
CONFIG_ROOT = "/podlike/kube/configmap/"
SECRET_PREFIX = "kube-secret."
SECRETS_DIR = "/run/secrets/"
DEFAULT_GRACE_SECONDS = 30
DOCKER_SOCKET_VOLUME = "%s:%s:ro" % (DOCKER_SOCKET, DOCKER_SOCKET)

# Kubernetes' Pod Security Standards "baseline" capabilities: the only ones a component may add.
BASELINE_CAPABILITIES = frozenset(
    "AUDIT_WRITE CHOWN DAC_OVERRIDE FOWNER FSETID KILL MKNOD NET_BIND_SERVICE SETFCAP SETGID SETPCAP SETUID "
    "SYS_CHROOT".split()
)
PULL_POLICIES = {"Always": "always", "IfNotPresent": "missing", "Never": "never"}
RESTART = {"Always": "always", "OnFailure": "on-failure", "Never": "no"}
SWARM_RESTART = {"Always": "any", "OnFailure": "on-failure", "Never": "none"}
# Node labels Kubernetes sets itself, and the Swarm node attribute that holds the same.
WELL_KNOWN_NODE_LABELS = {
    "kubernetes.io/hostname": "node.hostname",
    "kubernetes.io/os": "node.platform.os",
    "kubernetes.io/arch": "node.platform.arch",
}
ARCHITECTURES = {"amd64": "x86_64", "arm64": "aarch64"}

# Fields that only describe the object or that Kubernetes fills in itself; they change nothing here.
IGNORED_CONTAINER_KEYS = ("terminationMessagePath", "terminationMessagePolicy")
CONTAINER_KEYS = (
    "name",
    "image",
    "command",
    "args",
    "workingDir",
    "env",
    "envFrom",
    "ports",
    "resources",
    "volumeMounts",
    "startupProbe",
    "livenessProbe",
    "readinessProbe",
    "lifecycle",
    "imagePullPolicy",
    "securityContext",
    "stdin",
    "tty",
    "restartPolicy",
) + IGNORED_CONTAINER_KEYS
POD_KEYS = (
    "containers",
    "initContainers",
    "volumes",
    "restartPolicy",
    "terminationGracePeriodSeconds",
    "shareProcessNamespace",
    "nodeSelector",
    "securityContext",
    "hostname",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "dnsPolicy",
    "enableServiceLinks",
    "automountServiceAccountToken",
    "schedulerName",
)
PROBE_KEYS = (
    "exec",
    "httpGet",
    "tcpSocket",
    "initialDelaySeconds",
    "periodSeconds",
    "timeoutSeconds",
    "failureThreshold",
    "successThreshold",
)
POD_SECURITY_KEYS = ("runAsUser", "runAsGroup", "runAsNonRoot", "supplementalGroups", "sysctls", "seccompProfile")
CONTAINER_SECURITY_KEYS = (
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "readOnlyRootFilesystem",
    "capabilities",
    "privileged",
    "allowPrivilegeEscalation",
    "seccompProfile",
    "procMount",
)
REFUSED_POD_KEYS = {
    "affinity": "scheduling affinity has no Swarm equivalent; use nodeSelector (placement constraints)",
    "tolerations": "Swarm nodes have no taints; use nodeSelector (placement constraints)",
    "serviceAccountName": "there is no Kubernetes API to authenticate to",
    "serviceAccount": "there is no Kubernetes API to authenticate to",
    "imagePullSecrets": "log in on the nodes or deploy with with_registry_auth",
    "topologySpreadConstraints": "use deploy.placement preferences on the stack instead",
    "priorityClassName": "Swarm has no pod priority",
    "runtimeClassName": "runtimes are chosen per component with the runtime key in Compose",
    "dnsConfig": "set dns options on the stack's service",
    "hostAliases": "set extra_hosts on the stack's service",
    "subdomain": "Swarm DNS names are the service names",
    "ephemeralContainers": "use podlike debug",
}


class PodTranslator:
    """Translates one pod spec found at ``path`` into a controller service; refusals go to ``findings``."""

    def __init__(self, resources, findings, path, workload, metadata, allow_host_paths=()):
        self.resources = resources
        self.findings = findings
        self.path = path
        self.workload = workload
        self.metadata = metadata or {}
        self.allow_host_paths = [prefix.rstrip("/") or "/" for prefix in allow_host_paths]
        self.used_host_prefixes = set()
        self.volumes = {}
        self.copies = {}
        self.controller_volumes = [DOCKER_SOCKET_VOLUME]
        self.controller_configs = []
        self.controller_secrets = []
        self.controller_environment = {}
        self.ports = []
        self.named_ports = {}
        self.memory_mounts = {}

    # -- the pod ----------------------------------------------------------------------------------------------

    def translate(self, spec, restart_policy_allowed=None):
        """The controller service mapping for ``spec``."""
        path = self.path
        if not isinstance(spec, dict):
            self.findings.refuse(path, "expected a pod spec mapping")
            return {}
        for key in spec:
            if key in REFUSED_POD_KEYS:
                self.findings.refuse(f"{path}.{key}", REFUSED_POD_KEYS[key])
            elif key not in POD_KEYS:
                self.findings.refuse(f"{path}.{key}", "has no meaning on Swarm")
        self._host_namespaces(spec)
        self._pod_level_checks(spec)
        restart = spec.get("restartPolicy") or "Always"
        if restart not in RESTART:
            self.findings.refuse(f"{path}.restartPolicy", "must be Always, OnFailure or Never")
            restart = "Always"
        elif restart_policy_allowed and restart not in restart_policy_allowed:
            self.findings.refuse(f"{path}.restartPolicy", f"a {self.workload} runs its pods with Always only")
        self._collect_volumes(self._list(spec, "volumes"))
        containers = self._list(spec, "containers")
        init_containers = self._list(spec, "initContainers")
        # A value that is not a list is refused already.
        if not containers and isinstance(spec.get("containers") or [], list):
            self.findings.refuse(f"{path}.containers", "a pod needs at least one container")
        for container in containers + init_containers:
            for port in (container.get("ports") or []) if isinstance(container, dict) else []:
                if isinstance(port, dict) and port.get("name"):
                    self.named_ports[str(port["name"])] = port.get("containerPort")
        pod_security = spec.get("securityContext") or {}
        labels = {}
        init_components = []
        resources = {"limits": [], "requests": [], "init_limits": [], "init_requests": []}
        for index, container in enumerate(init_containers):
            container_path = f"{path}.initContainers[{index}]"
            sidecar = isinstance(container, dict) and container.get("restartPolicy") == "Always"
            component = self._component(container, container_path, pod_security, restart, init=not sidecar)
            if component is None:
                continue
            name, definition, limits, requests = component
            if sidecar:
                definition["x-podlike-sidecar"] = True
                definition["restart"] = "always"
                labels["pod.component." + name] = dump_yaml(definition)
                resources["limits"].append(limits)
                resources["requests"].append(requests)
                self._rename_copies(name, name)
            else:
                init_components.append(definition)
                self._rename_copies(name, "init-%d" % len(init_components))
                resources["init_limits"].append(limits)
                resources["init_requests"].append(requests)
        for index, container in enumerate(containers):
            component = self._component(container, f"{path}.containers[{index}]", pod_security, restart)
            if component is None:
                continue
            name, definition, limits, requests = component
            labels["pod.component." + name] = dump_yaml(definition)
            resources["limits"].append(limits)
            resources["requests"].append(requests)
        for name, mount_paths in sorted(self.memory_mounts.items()):
            if len(mount_paths) > 1:
                self.findings.refuse(
                    mount_paths[1], f"a Memory emptyDir ({name}) is a tmpfs of one container; it cannot be shared"
                )
        if init_components:
            labels["pod.init.components"] = dump_yaml(init_components)
        for name, pairs in sorted(self.copies.items()):
            labels["pod.copy." + name] = dump_yaml(pairs)
        grace = spec.get("terminationGracePeriodSeconds", DEFAULT_GRACE_SECONDS)
        if not whole_number(grace):
            self.findings.refuse(f"{path}.terminationGracePeriodSeconds", "must be a whole number of seconds")
            grace = DEFAULT_GRACE_SECONDS
        labels["pod.controller.grace-period"] = f"{grace}s"
        labels["pod.controller.pids"] = "true" if spec.get("shareProcessNamespace") else "false"
        if restart != "Always":
            labels["pod.controller.exit-policy"] = "continue"
        for key, value in sorted(((self.metadata.get("labels") or {}).items())):
            labels.setdefault(str(key), str(value))
        return self._service(spec, labels, restart, grace, resources)

    def _list(self, spec, key):
        """The list at ``spec[key]`` (empty when not given), or an empty one refused when it is not a list."""
        value = spec.get(key) or []
        if not isinstance(value, list):
            self.findings.refuse(f"{self.path}.{key}", "expected a list")
            return []
        return value

    def _service(self, spec, labels, restart, grace, resources):
        command = ["-logs"] + ["-allow-host-path=" + prefix for prefix in sorted(self.used_host_prefixes)]
        service = {
            "image": self.resources.controller_image,
            "command": command,
            "labels": labels,
            "volumes": self.controller_volumes,
            "stop_grace_period": f"{grace}s",
        }
        if spec.get("hostname"):
            service["hostname"] = str(spec["hostname"])
        if self.controller_configs:
            service["configs"] = self.controller_configs
        if self.controller_secrets:
            service["secrets"] = self.controller_secrets
        if self.controller_environment:
            service["environment"] = self.controller_environment
        if self.ports:
            service["ports"] = self.ports
        deploy = {}
        if restart != "Always":
            deploy["restart_policy"] = {"condition": SWARM_RESTART[restart]}
        pod_resources = _pod_resources(resources)
        if pod_resources:
            deploy["resources"] = pod_resources
        constraints = self._constraints(spec.get("nodeSelector"))
        if constraints:
            deploy["placement"] = {"constraints": constraints}
        if deploy:
            service["deploy"] = deploy
        return service

    def _host_namespaces(self, spec):
        for key, what in (("hostNetwork", "network"), ("hostPID", "PID"), ("hostIPC", "IPC")):
            if spec.get(key):
                self.findings.refuse(
                    f"{self.path}.{key}", f"the host's {what} namespace is not allowed (the pod policy refuses it)"
                )

    def _pod_level_checks(self, spec):
        path = self.path
        if spec.get("dnsPolicy") not in (None, "ClusterFirst", "Default"):
            self.findings.refuse(f"{path}.dnsPolicy", "only ClusterFirst (Swarm's DNS) is available")
        if spec.get("automountServiceAccountToken"):
            self.findings.refuse(f"{path}.automountServiceAccountToken", "there is no service account token to mount")
        if spec.get("schedulerName") not in (None, "default-scheduler"):
            self.findings.refuse(f"{path}.schedulerName", "Swarm schedules every task itself")
        if spec.get("shareProcessNamespace") not in (None, True, False):
            self.findings.refuse(f"{path}.shareProcessNamespace", "must be true or false")
        security = spec.get("securityContext") or {}
        if not isinstance(security, dict):
            self.findings.refuse(f"{path}.securityContext", "expected a mapping")
            return
        for key in security:
            if key not in POD_SECURITY_KEYS:
                self.findings.refuse(
                    f"{path}.securityContext.{key}", _SECURITY_REFUSALS.get(key, "has no meaning here")
                )

    def _constraints(self, node_selector):
        if not node_selector:
            return []
        if not isinstance(node_selector, dict):
            self.findings.refuse(f"{self.path}.nodeSelector", "expected a mapping of node labels")
            return []
        constraints = []
        for key, value in sorted(node_selector.items()):
            attribute = WELL_KNOWN_NODE_LABELS.get(str(key))
            if attribute == "node.platform.arch":
                value = ARCHITECTURES.get(str(value), value)
            constraints.append(f"{attribute or 'node.labels.' + str(key)} == {value}")
        return constraints

    # -- volumes ----------------------------------------------------------------------------------------------

    def _collect_volumes(self, volumes):
        """Index the pod's volumes by name; mounts are made per container in _mounts."""
        for index, volume in enumerate(volumes):
            path = f"{self.path}.volumes[{index}]"
            if not isinstance(volume, dict) or not volume.get("name"):
                self.findings.refuse(path, "a volume needs a name")
                continue
            if not DNS_LABEL.match(str(volume["name"])):
                self.findings.refuse(f"{path}.name", "must be a DNS-1123 label (lowercase letters, digits, '-')")
                continue
            kinds = [key for key in volume if key != "name"]
            if len(kinds) != 1:
                self.findings.refuse(path, "needs exactly one volume source")
                continue
            kind = kinds[0]
            source = volume[kind] or {}
            if kind not in ("emptyDir", "configMap", "secret", "persistentVolumeClaim", "hostPath"):
                self.findings.refuse(f"{path}.{kind}", "this volume source has no meaning on Swarm")
                continue
            self.volumes[str(volume["name"])] = (kind, source, f"{path}.{kind}")
            if kind == "emptyDir":
                self._check_keys(source, f"{path}.emptyDir", ("medium", "sizeLimit"))
                if source.get("sizeLimit") is not None and source.get("medium") != "Memory":
                    self.findings.refuse(f"{path}.emptyDir.sizeLimit", "local volumes have no size limit")
                if source.get("medium") not in (None, "", "Memory"):
                    self.findings.refuse(f"{path}.emptyDir.medium", "must be empty or Memory")
                if source.get("medium") != "Memory":
                    self.controller_volumes.append(EMPTYDIR_ROOT + str(volume["name"]))
            elif kind == "persistentVolumeClaim":
                self._check_keys(source, f"{path}.persistentVolumeClaim", ("claimName", "readOnly"))
                claim = str(source.get("claimName") or "")
                if not claim:
                    self.findings.refuse(f"{path}.persistentVolumeClaim.claimName", "is required")
                    continue
                if not DNS_SUBDOMAIN.match(claim):
                    self.findings.refuse(
                        f"{path}.persistentVolumeClaim.claimName",
                        "must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.' between them)",
                    )
                    continue
                self.resources.volumes.setdefault(claim, {})
                self.controller_volumes.append(f"{claim}:{CLAIM_ROOT}{claim}")
            elif kind == "hostPath":
                self._check_keys(source, f"{path}.hostPath", ("path", "type"))
                if not self._host_path(str(source.get("path") or ""), f"{path}.hostPath.path"):
                    self.volumes[str(volume["name"])] = ("refused", source, f"{path}.{kind}")
            else:
                self._check_keys(
                    source,
                    f"{path}.{kind}",
                    ("name" if kind == "configMap" else "secretName", "items", "defaultMode", "optional"),
                )

    def _host_path(self, host_path, path):
        """Whether a host path is under an allowed prefix (the prefix is then passed to the controller)."""
        if not host_path.startswith("/"):
            self.findings.refuse(path, "must be an absolute path")
            return False
        for prefix in self.allow_host_paths:
            if host_path == prefix or host_path.startswith(prefix.rstrip("/") + "/"):
                self.used_host_prefixes.add(prefix)
                return True
        self.findings.refuse(
            path,
            f"host path {host_path} is not allowed (the pod policy refuses host paths; "
            "allow a prefix with allow_host_paths / --allow-host-path)",
        )
        return False

    def _mounts(self, container, path, component_name):
        """(volumes, tmpfs) of one component from its volumeMounts; config and secret files go to copies."""
        volumes = []
        tmpfs = []
        for index, mount in enumerate(container.get("volumeMounts") or []):
            mount_path = f"{path}.volumeMounts[{index}]"
            if not isinstance(mount, dict):
                self.findings.refuse(mount_path, "expected a mapping")
                continue
            self._check_keys(mount, mount_path, ("name", "mountPath", "readOnly", "subPath"))
            name = str(mount.get("name") or "")
            target = str(mount.get("mountPath") or "")
            if name not in self.volumes:
                self.findings.refuse(f"{mount_path}.name", f"names no volume of the pod ({name or 'empty'})")
                continue
            if not target.startswith("/"):
                self.findings.refuse(f"{mount_path}.mountPath", "must be an absolute path")
                continue
            kind, source, _source_path = self.volumes[name]
            if kind == "refused":
                continue
            mode = ":ro" if mount.get("readOnly") else ""
            sub_path = mount.get("subPath")
            if sub_path and kind not in ("configMap", "secret"):
                self.findings.refuse(f"{mount_path}.subPath", "works for configMap and secret volumes only")
                continue
            if kind == "emptyDir" and source.get("medium") == "Memory":
                self.memory_mounts.setdefault(name, []).append(mount_path)
                size = source.get("sizeLimit")
                tmpfs.append(target + (f":size={memory_bytes(size)}" if size is not None else ""))
            elif kind == "emptyDir":
                volumes.append(f"{name}:{target}{mode}")
            elif kind == "persistentVolumeClaim":
                ro = ":ro" if mount.get("readOnly") or source.get("readOnly") else ""
                volumes.append(f"{source['claimName']}:{target}{ro}")
            elif kind == "hostPath":
                volumes.append(f"{source.get('path')}:{target}{mode}")
            else:
                self._files(kind, source, target, sub_path, component_name, f"{mount_path}.subPath")
        return volumes, tmpfs

    def _files(self, kind, source, target, sub_path, component_name, sub_path_path):
        """ConfigMap or Secret keys as Swarm configs/secrets on the controller, copied into the component."""
        object_name = str(source.get("name" if kind == "configMap" else "secretName") or "")
        data = self.resources.data(kind, object_name)
        if data is None:
            if not source.get("optional"):
                self.findings.refuse(
                    sub_path_path[: -len(".subPath")], f"the {_KIND_NAMES[kind]} {object_name or '?'} is not defined"
                )
            return
        default_mode = source.get("defaultMode", 0o644)
        items = source.get("items")
        files = [(item.get("key"), item.get("path"), item.get("mode", default_mode)) for item in items or []]
        if not items:
            files = [(key, key, default_mode) for key in sorted(data)]
        for key, relative, mode in files:
            if key not in data:
                self.findings.refuse(sub_path_path[: -len(".subPath")], f"key {key} is not in {object_name}")
                continue
            if sub_path and relative != sub_path:
                continue
            destination = target if sub_path else target.rstrip("/") + "/" + str(relative)
            inside = self._mount_file(kind, object_name, key, mode)
            self.copies.setdefault(component_name, []).append(f"{inside}:{destination}")

    def _mount_file(self, kind, object_name, key, mode):
        """Mount one key of a ConfigMap or Secret on the controller (once) and return its path there."""
        if kind == "configMap":
            stack_key = self.resources.config(object_name, key)
            inside = f"{CONFIG_ROOT}{object_name}/{key}"
            entries = self.controller_configs
        else:
            stack_key = self.resources.secret(object_name, key)
            inside = f"{SECRETS_DIR}{SECRET_PREFIX}{object_name}.{key}"
            entries = self.controller_secrets
        target = inside if kind == "configMap" else inside[len(SECRETS_DIR) :]
        entry = {"source": stack_key, "target": target, "mode": int(mode)}
        if entry not in entries:
            entries.append(entry)
        return inside

    def _rename_copies(self, container_name, component_name):
        if container_name != component_name and container_name in self.copies:
            self.copies[component_name] = self.copies.pop(container_name)

    # -- containers -------------------------------------------------------------------------------------------

    def _component(self, container, path, pod_security, restart, init=False):
        """(name, definition, limits, requests) of one container, or None when it cannot be translated."""
        if not isinstance(container, dict):
            self.findings.refuse(path, "expected a container mapping")
            return None
        for key in container:
            if key not in CONTAINER_KEYS:
                self.findings.refuse(f"{path}.{key}", "has no meaning on Swarm")
        name = str(container.get("name") or "")
        if not name:
            self.findings.refuse(f"{path}.name", "is required")
            return None
        if not container.get("image"):
            self.findings.refuse(f"{path}.image", "is required")
            return None
        if container.get("restartPolicy") not in (None, "Always") or (
            container.get("restartPolicy") and ".initContainers[" not in path
        ):
            self.findings.refuse(f"{path}.restartPolicy", "only init containers may set it, and only to Always")
        definition = {"image": str(container["image"])}
        if container.get("command") is not None:
            definition["entrypoint"] = self._words(container["command"], f"{path}.command")
            definition["command"] = self._words(container.get("args") or [], f"{path}.args")
        elif container.get("args") is not None:
            definition["command"] = self._words(container["args"], f"{path}.args")
        if container.get("workingDir"):
            definition["working_dir"] = str(container["workingDir"])
        for key, compose_key in (("stdin", "stdin_open"), ("tty", "tty")):
            if container.get(key):
                definition[compose_key] = True
        if container.get("imagePullPolicy"):
            policy = PULL_POLICIES.get(container["imagePullPolicy"])
            if policy is None:
                self.findings.refuse(f"{path}.imagePullPolicy", "must be Always, IfNotPresent or Never")
            else:
                definition["pull_policy"] = policy
        if not init and RESTART[restart] != "no":
            definition["restart"] = RESTART[restart]
        self._environment(container, path, definition)
        volumes, tmpfs = self._mounts(container, path, name)
        if volumes:
            definition["volumes"] = volumes
        if tmpfs:
            definition["tmpfs"] = tmpfs
        for kind in ("startup", "liveness", "readiness"):
            probe = container.get(kind + "Probe")
            if probe is not None:
                if init:
                    self.findings.refuse(f"{path}.{kind}Probe", "init containers have no probes")
                    continue
                translated = self._probe(probe, f"{path}.{kind}Probe")
                if translated:
                    definition[kind + "_probe"] = translated
        self._lifecycle(container.get("lifecycle"), f"{path}.lifecycle", definition)
        self._security(pod_security, container.get("securityContext") or {}, f"{path}.securityContext", definition)
        limits, requests = self._resources(container.get("resources"), f"{path}.resources", definition)
        self._host_ports(container.get("ports") or [], f"{path}.ports")
        return name, definition, limits, requests

    def _words(self, value, path):
        if not isinstance(value, list) or not all(isinstance(item, (str, int, float)) for item in value):
            self.findings.refuse(path, "expected a list of strings")
            return []
        return [str(item) for item in value]

    def _check_keys(self, mapping, path, known):
        if not isinstance(mapping, dict):
            self.findings.refuse(path, "expected a mapping")
            return
        self.findings.unknown(path, mapping, known)

    def _environment(self, container, path, definition):
        environment = {}
        secret_lines = []
        for index, source in enumerate(container.get("envFrom") or []):
            source_path = f"{path}.envFrom[{index}]"
            self._check_keys(source, source_path, ("configMapRef", "secretRef", "prefix"))
            prefix = str(source.get("prefix") or "")
            for key, kind in (("configMapRef", "configMap"), ("secretRef", "secret")):
                if key not in source:
                    continue
                reference = source[key] or {}
                data = self.resources.data(kind, str(reference.get("name") or ""))
                if data is None:
                    if not reference.get("optional"):
                        self.findings.refuse(f"{source_path}.{key}", f"{reference.get('name')} is not defined")
                    continue
                for name, value in sorted(data.items()):
                    if kind == "configMap":
                        environment[prefix + name] = _text(value)
                    else:
                        secret_lines.append((prefix + name, value, f"{source_path}.{key}"))
        for index, variable in enumerate(container.get("env") or []):
            variable_path = f"{path}.env[{index}]"
            if not isinstance(variable, dict) or not variable.get("name"):
                self.findings.refuse(variable_path, "a variable needs a name")
                continue
            self._check_keys(variable, variable_path, ("name", "value", "valueFrom"))
            name = str(variable["name"])
            if "valueFrom" not in variable:
                environment[name] = _text(variable.get("value", ""))
                continue
            value = self._value_from(variable["valueFrom"] or {}, f"{variable_path}.valueFrom", name)
            if isinstance(value, tuple):
                secret_lines.append((name, value[0], f"{variable_path}.valueFrom"))
                environment.pop(name, None)
            elif value is not None:
                environment[name] = value
        if environment:
            definition["environment"] = environment
        if secret_lines:
            definition["env_file"] = self._secret_env_file(container["name"], secret_lines)

    def _value_from(self, source, path, name):
        """A value, a (secret value,) tuple, or None when refused."""
        self._check_keys(source, path, ("fieldRef", "configMapKeyRef", "secretKeyRef"))
        if "fieldRef" in source:
            field = str((source["fieldRef"] or {}).get("fieldPath") or "")
            return self._field(field, f"{path}.fieldRef.fieldPath")
        for key, kind in (("configMapKeyRef", "configMap"), ("secretKeyRef", "secret")):
            if key in source:
                reference = source[key] or {}
                data = self.resources.data(kind, str(reference.get("name") or ""))
                item = None if data is None else data.get(reference.get("key"))
                if item is None:
                    if not reference.get("optional"):
                        self.findings.refuse(
                            f"{path}.{key}", f"{reference.get('name')}/{reference.get('key')} is not defined"
                        )
                    return None
                return _text(item) if kind == "configMap" else (item,)
        return None

    def _field(self, field, path):
        """A downward API field as a value, or as the PODLIKE_* variable the component gets at start."""
        if field == "metadata.name":
            return "$(PODLIKE_POD_NAME)"
        if field == "metadata.namespace":
            return "$(PODLIKE_STACK)"
        if field == "status.podIP":
            return "$(PODLIKE_POD_IP)"
        if field == "spec.nodeName":
            self.controller_environment["PODLIKE_NODE_NAME"] = "{{.Node.Hostname}}"
            return "$(PODLIKE_NODE_NAME)"
        for prefix, kind in (("metadata.labels['", "labels"), ("metadata.annotations['", "annotations")):
            if field.startswith(prefix) and field.endswith("']"):
                return str((self.metadata.get(kind) or {}).get(field[len(prefix) : -2], ""))
        self.findings.refuse(
            path,
            f"{field or 'an empty field'} is not available (metadata.name, metadata.namespace, "
            "metadata.labels['...'], metadata.annotations['...'], status.podIP, spec.nodeName are)",
        )
        return None

    def _secret_env_file(self, container_name, lines):
        """Secret values for the environment travel in a Swarm secret in env-file form, not in labels."""
        text = ""
        for name, value, path in lines:
            value = _text(value)
            if "\n" in value:
                self.findings.refuse(path, f"the value of {name} holds a line break, which an env file cannot carry")
                continue
            text += f"{name}={value}\n"
        object_name = f"{self.workload_name}.{container_name}"
        stack_key = self.resources.env_secret(object_name, text)
        target = f"{SECRET_PREFIX}env.{object_name}"
        self.controller_secrets.append({"source": stack_key, "target": target, "mode": 0o400})
        return [SECRETS_DIR + target]

    @property
    def workload_name(self):
        return str(self.metadata.get("name") or "pod")

    def _probe(self, probe, path):
        if not isinstance(probe, dict):
            self.findings.refuse(path, "expected a mapping")
            return None
        for key in probe:
            if key not in PROBE_KEYS:
                reason = "gRPC probes are not supported" if key == "grpc" else "has no meaning here"
                self.findings.refuse(f"{path}.{key}", reason)
        result = {}
        if "exec" in probe:
            result["exec"] = self._words((probe["exec"] or {}).get("command"), f"{path}.exec.command")
        elif "httpGet" in probe:
            action = probe["httpGet"] or {}
            self._check_keys(action, f"{path}.httpGet", ("path", "port", "host", "scheme"))
            if action.get("scheme", "HTTP") != "HTTP":
                self.findings.refuse(f"{path}.httpGet.scheme", "only HTTP probes are run")
            result["http_get"] = {"path": str(action.get("path") or "/"), "port": self._port(action, path)}
            if action.get("host"):
                result["http_get"]["host"] = str(action["host"])
        elif "tcpSocket" in probe:
            action = probe["tcpSocket"] or {}
            self._check_keys(action, f"{path}.tcpSocket", ("port", "host"))
            result["tcp_socket"] = {"port": self._port(action, path)}
            if action.get("host"):
                result["tcp_socket"]["host"] = str(action["host"])
        else:
            self.findings.refuse(path, "needs exec, httpGet or tcpSocket")
            return None
        for key, option in (
            ("initialDelaySeconds", "initial_delay"),
            ("periodSeconds", "interval"),
            ("timeoutSeconds", "timeout"),
        ):
            if self._probe_number(probe, key, path):
                result[option] = f"{probe[key]}s"
        for key, option in (("failureThreshold", "failure_threshold"), ("successThreshold", "success_threshold")):
            if self._probe_number(probe, key, path):
                result[option] = probe[key]
        return result

    def _probe_number(self, probe, key, path):
        """Whether the probe gives ``key``, a whole number; refuse any other value."""
        if probe.get(key) is None:
            return False
        if not whole_number(probe[key]):
            self.findings.refuse(f"{path}.{key}", "must be a whole number")
            return False
        return True

    def _port(self, action, path):
        port = action.get("port")
        if port is None:
            return 0
        if isinstance(port, str) and port_number(port) is None:
            if port not in self.named_ports:
                self.findings.refuse(f"{path}.port", f"names no container port ({port})")
                return 0
            return self.named_ports[port]
        if port_number(port) is None:
            self.findings.refuse(f"{path}.port", "must be a port number (1-65535) or a container port's name")
            return 0
        return port_number(port)

    def _lifecycle(self, lifecycle, path, definition):
        if not lifecycle:
            return
        if not isinstance(lifecycle, dict):
            self.findings.refuse(path, "expected a mapping")
            return
        for key, compose_key in (("postStart", "post_start"), ("preStop", "pre_stop")):
            handler = lifecycle.get(key)
            if handler is None:
                continue
            if not isinstance(handler, dict) or set(handler) != {"exec"}:
                self.findings.refuse(f"{path}.{key}", "only exec handlers run here (as a command in the component)")
                continue
            definition[compose_key] = self._words((handler["exec"] or {}).get("command"), f"{path}.{key}.exec")
        self.findings.unknown(path, lifecycle, ("postStart", "preStop"))

    def _security(self, pod_security, security, path, definition):
        if not isinstance(security, dict):
            self.findings.refuse(path, "expected a mapping")
            return
        for key in security:
            if key not in CONTAINER_SECURITY_KEYS:
                self.findings.refuse(f"{path}.{key}", _SECURITY_REFUSALS.get(key, "has no meaning here"))
        merged = dict((key, value) for key, value in (pod_security or {}).items() if key in POD_SECURITY_KEYS)
        merged.update(security)
        user = merged.get("runAsUser")
        group = merged.get("runAsGroup")
        if group is not None and user is None:
            self.findings.refuse(f"{path}.runAsGroup", "needs runAsUser here (Docker sets the user as uid:gid)")
        elif user is not None:
            definition["user"] = f"{user}:{group}" if group is not None else str(user)
        if merged.get("runAsNonRoot") and (user is None or int(user) == 0):
            self.findings.refuse(f"{path}.runAsNonRoot", "needs a non-zero runAsUser (the image's user is not checked)")
        if merged.get("readOnlyRootFilesystem"):
            definition["read_only"] = True
        if merged.get("supplementalGroups"):
            definition["group_add"] = [str(item) for item in merged["supplementalGroups"]]
        if merged.get("sysctls"):
            definition["sysctls"] = {str(item.get("name")): str(item.get("value")) for item in merged["sysctls"]}
        if merged.get("privileged"):
            self.findings.refuse(f"{path}.privileged", "privileged mode is not allowed (the pod policy refuses it)")
        if merged.get("allowPrivilegeEscalation") is False:
            definition["security_opt"] = ["no-new-privileges:true"]
        seccomp = (merged.get("seccompProfile") or {}).get("type")
        if seccomp not in (None, "RuntimeDefault"):
            self.findings.refuse(f"{path}.seccompProfile", "only RuntimeDefault (the engine's profile) is allowed")
        if merged.get("procMount") not in (None, "Default"):
            self.findings.refuse(f"{path}.procMount", "only Default is allowed")
        capabilities = merged.get("capabilities") or {}
        self._check_keys(capabilities, f"{path}.capabilities", ("add", "drop"))
        if capabilities.get("drop"):
            definition["cap_drop"] = [str(item) for item in capabilities["drop"]]
        added = []
        for index, capability in enumerate(capabilities.get("add") or []):
            name = normalize_capability(capability)
            if name not in BASELINE_CAPABILITIES:
                self.findings.refuse(
                    f"{path}.capabilities.add[{index}]",
                    f"{name} is not in Kubernetes' baseline set (the pod policy refuses it)",
                )
            else:
                added.append(name)
        if added:
            definition["cap_add"] = added

    def _resources(self, resources, path, definition):
        """Component limits and reservations; return this container's (limits, requests) for the pod's sums."""
        limits = {}
        requests = {}
        if not resources:
            return limits, requests
        if not isinstance(resources, dict):
            self.findings.refuse(path, "expected a mapping")
            return limits, requests
        self.findings.unknown(path, resources, ("limits", "requests"))
        for section, target in (("limits", limits), ("requests", requests)):
            for key, value in (resources.get(section) or {}).items():
                item_path = f"{path}.{section}.{key}"
                if key not in ("cpu", "memory"):
                    self.findings.refuse(item_path, "only cpu and memory are managed here")
                    continue
                try:
                    target[key] = cpus(value) if key == "cpu" else memory_bytes(value)
                except ValueError as error:
                    self.findings.refuse(item_path, str(error))
        for key in ("cpu", "memory"):
            if key in limits and key not in requests:
                requests[key] = limits[key]
        if "memory" in limits:
            definition["mem_limit"] = str(limits["memory"])
        if "cpu" in limits:
            definition["cpus"] = float(limits["cpu"])
        if "memory" in requests:
            definition["mem_reservation"] = str(requests["memory"])
        if "cpu" in requests:
            definition["cpu_shares"] = max(2, int(requests["cpu"] * 1024))
        return limits, requests

    def _host_ports(self, ports, path):
        for index, port in enumerate(ports):
            port_path = f"{path}[{index}]"
            if not isinstance(port, dict):
                self.findings.refuse(port_path, "expected a mapping")
                continue
            self.findings.unknown(port_path, port, ("name", "containerPort", "hostPort", "protocol", "hostIP"))
            if port.get("hostIP"):
                self.findings.refuse(f"{port_path}.hostIP", "Swarm publishes on every address of the node")
            if port.get("protocol", "TCP") not in ("TCP", "UDP"):
                self.findings.refuse(f"{port_path}.protocol", "must be TCP or UDP")
            for key in ("containerPort", "hostPort") if port.get("hostPort") else ("containerPort",):
                if port_number(port.get(key)) is None:
                    self.findings.refuse(f"{port_path}.{key}", "must be a port number (1-65535)")
            if port_number(port.get("containerPort")) and port_number(port.get("hostPort")):
                self.ports.append(
                    {
                        "target": port_number(port["containerPort"]),
                        "published": port_number(port["hostPort"]),
                        "protocol": str(port.get("protocol", "TCP")).lower(),
                        "mode": "host",
                    }
                )


_KIND_NAMES = {"configMap": "ConfigMap", "secret": "Secret"}
_SECURITY_REFUSALS = {
    "fsGroup": "volume ownership is not changed here",
    "fsGroupChangePolicy": "volume ownership is not changed here",
    "seLinuxOptions": "SELinux labels are not set here",
    "appArmorProfile": "only the engine's AppArmor profile is allowed",
    "windowsOptions": "Windows pods do not run here",
    "seccompProfile": "only RuntimeDefault (the engine's profile) is allowed",
}


def whole_number(value):
    """Whether ``value`` is a whole number of at least 0 (not a bool, not text)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _pod_resources(resources):
    """The service's limits and reservations: the sum over long-running containers, at least the largest init's.

    A pod has a limit only when every long-running container has one, as in Kubernetes.
    """
    result = {}
    for section, running, init in (
        ("limits", resources["limits"], resources["init_limits"]),
        ("reservations", resources["requests"], resources["init_requests"]),
    ):
        values = {}
        for key in ("cpu", "memory"):
            if not running or any(key not in item for item in running):
                continue
            total = sum(item[key] for item in running)
            total = max([total] + [item[key] for item in init if key in item])
            if total:
                values["cpus" if key == "cpu" else "memory"] = cpu_text(total) if key == "cpu" else str(total)
        if values:
            result[section] = values
    return result
