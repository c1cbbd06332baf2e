# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Kubernetes manifests to a pod stack: each mapped field with its known output, each refusal with its line."""

import copy

import pytest
import yaml
from ansible_collections.podlike.swarm.plugins.module_utils.kube.errors import KubeError
from ansible_collections.podlike.swarm.plugins.module_utils.kube.stack import load_manifests, translate
from ansible_collections.podlike.swarm.plugins.module_utils.pod.definition import from_labels

CONFIG_MAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "conf"}, "data": {"a.conf": "x=1\n"}}
SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"}, "data": {"password": "czNjcmV0"}}


def deployment(container=None, **pod_spec):
    """A Deployment of one container ``app`` (busybox), with extra container and pod spec keys."""
    app = {"name": "app", "image": "busybox"}
    app.update(container or {})
    spec = {"containers": [app]}
    spec.update(pod_spec)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": spec},
        },
    }


def run(*documents, **options):
    options.setdefault("data_dir", "/data")
    return translate([("test#%d" % index, doc) for index, doc in enumerate(documents)], **options)


def service(*documents, **options):
    return run(*documents, **options).stack["services"]["web"]


def component(service_mapping, name="app"):
    return yaml.safe_load(service_mapping["labels"]["pod.component." + name])


def refusals(*documents, **options):
    with pytest.raises(KubeError) as caught:
        run(*documents, **options)
    return str(caught.value).splitlines()


# -- workloads ------------------------------------------------------------------------------------------------


def test_a_deployment_becomes_a_replicated_pod_service():
    web = service(deployment())
    assert web["image"] == "podlike/controller:latest"
    assert web["command"] == ["-logs"]
    assert web["volumes"] == ["/var/run/docker.sock:/var/run/docker.sock:ro"]
    assert web["deploy"]["replicas"] == 2 and web["deploy"]["labels"] == {"app": "web"}
    assert web["labels"]["app"] == "web"
    assert component(web) == {"image": "busybox", "restart": "always"}
    from_labels(web["labels"])  # the controller accepts the pod


def test_a_daemonset_is_global_and_a_statefulset_replicated():
    daemon = deployment()
    daemon["kind"] = "DaemonSet"
    del daemon["spec"]["replicas"]
    assert service(daemon)["deploy"]["mode"] == "global"
    stateful = deployment()
    stateful["kind"] = "StatefulSet"
    stateful["spec"]["serviceName"] = "web"
    assert service(stateful)["deploy"]["replicas"] == 2


def test_statefulset_claim_templates_are_a_volume_per_task_slot():
    stateful = deployment({"volumeMounts": [{"name": "data", "mountPath": "/data"}]})
    stateful["kind"] = "StatefulSet"
    stateful["spec"]["volumeClaimTemplates"] = [
        {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}
    ]
    translation = run(stateful, name_prefix="shop_")
    assert translation.stack["volumes"] == {
        "data": {"name": "shop_data-web-{{.Task.Slot}}", "labels": {"com.github.rycus86.podlike.volume-ref": "data"}}
    }
    web = translation.stack["services"]["web"]
    assert "data:/podlike/kube/volumes/data" in web["volumes"]
    assert component(web)["volumes"] == ["data:/data"]


def test_a_pod_runs_once_with_its_restart_policy():
    pod = {
        "kind": "Pod",
        "metadata": {"name": "web"},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "app", "image": "busybox"}]},
    }
    web = service(pod)
    assert web["deploy"] == {"replicas": 1, "restart_policy": {"condition": "none"}}
    assert web["labels"]["pod.controller.exit-policy"] == "continue"
    assert "restart" not in component(web)
    pod["spec"]["restartPolicy"] = "OnFailure"
    web = service(pod)
    assert web["deploy"]["restart_policy"] == {"condition": "on-failure"}
    assert component(web)["restart"] == "on-failure"


@pytest.mark.parametrize(
    "container, expected",
    [
        ({"command": ["run", "x"]}, {"entrypoint": ["run", "x"], "command": []}),
        ({"args": ["--port", 80]}, {"command": ["--port", "80"]}),
        ({"command": ["run"], "args": ["-v"]}, {"entrypoint": ["run"], "command": ["-v"]}),
        ({"workingDir": "/srv", "tty": True, "stdin": True}, {"working_dir": "/srv", "tty": True, "stdin_open": True}),
        ({"imagePullPolicy": "IfNotPresent"}, {"pull_policy": "missing"}),
        ({"imagePullPolicy": "Always"}, {"pull_policy": "always"}),
        (
            {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "$HOME"}]},
            {"environment": {"A": "1", "B": "$$HOME"}},
        ),
        ({"lifecycle": {"postStart": {"exec": {"command": ["touch", "/ok"]}}}}, {"post_start": ["touch", "/ok"]}),
        ({"lifecycle": {"preStop": {"exec": {"command": ["sleep", "2"]}}}}, {"pre_stop": ["sleep", "2"]}),
        ({"terminationMessagePath": "/dev/termination-log"}, {}),
    ],
)
def test_container_keys(container, expected):
    translated = component(service(deployment(container)))
    translated.pop("image")
    translated.pop("restart")
    assert translated == expected


@pytest.mark.parametrize(
    "field, expected",
    [
        ("metadata.name", "$$(PODLIKE_POD_NAME)"),
        ("metadata.namespace", "$$(PODLIKE_STACK)"),
        ("status.podIP", "$$(PODLIKE_POD_IP)"),
        ("spec.nodeName", "$$(PODLIKE_NODE_NAME)"),
        ("metadata.labels['app']", "web"),
    ],
)
def test_downward_fields(field, expected):
    container = {"env": [{"name": "X", "valueFrom": {"fieldRef": {"fieldPath": field}}}]}
    web = service(deployment(container))
    assert component(web)["environment"] == {"X": expected}
    if field == "spec.nodeName":
        assert web["environment"] == {"PODLIKE_NODE_NAME": "{{.Node.Hostname}}"}


def test_config_map_values_are_literal_and_secret_values_travel_in_a_secret():
    container = {
        "envFrom": [{"configMapRef": {"name": "conf"}, "prefix": "C_"}, {"secretRef": {"name": "creds"}}],
        "env": [
            {"name": "ONE", "valueFrom": {"configMapKeyRef": {"name": "conf", "key": "a.conf"}}},
            {"name": "PW", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}},
        ],
    }
    translation = run(CONFIG_MAP, SECRET, deployment(container), name_prefix="shop_")
    web = translation.stack["services"]["web"]
    app = component(web)
    assert app["environment"] == {"C_a.conf": "x=1\n", "ONE": "x=1\n"}
    assert app["env_file"] == ["/run/secrets/kube-secret.env.web.app"]
    assert web["secrets"] == [{"source": "env.web.app", "target": "kube-secret.env.web.app", "mode": 0o400}]
    entry = translation.stack["secrets"]["env.web.app"]
    assert entry["name"].startswith("shop_env.web.app-") and entry["file"].startswith("/data/env.web.app-")
    assert translation.files[entry["file"][len("/data/") :]] == b"password=s3cret\nPW=s3cret\n"
    assert "s3cret" not in yaml.safe_dump(translation.stack)


def test_probes():
    container = {
        "ports": [{"name": "http", "containerPort": 8080}],
        "startupProbe": {"exec": {"command": ["test", "-f", "/ok"]}, "periodSeconds": 2, "failureThreshold": 30},
        "livenessProbe": {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 5, "timeoutSeconds": 2},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "successThreshold": 2},
    }
    app = component(service(deployment(container)))
    assert app["startup_probe"] == {"exec": ["test", "-f", "/ok"], "interval": "2s", "failure_threshold": 30}
    assert app["liveness_probe"] == {"tcp_socket": {"port": 8080}, "initial_delay": "5s", "timeout": "2s"}
    assert app["readiness_probe"] == {"http_get": {"path": "/ready", "port": 8080}, "success_threshold": 2}


def test_init_containers_and_native_sidecars():
    init = [
        {"name": "migrate", "image": "busybox", "command": ["migrate"]},
        {"name": "proxy", "image": "nginx", "restartPolicy": "Always"},
    ]
    web = service(deployment(initContainers=init))
    assert yaml.safe_load(web["labels"]["pod.init.components"]) == [
        {"image": "busybox", "entrypoint": ["migrate"], "command": []}
    ]
    assert component(web, "proxy") == {"image": "nginx", "restart": "always", "x-podlike-sidecar": True}
    definition = from_labels(web["labels"])
    assert [c.name for c in definition.init_components] == ["init-1"]
    assert definition.component("proxy").sidecar


def test_grace_period_pid_sharing_and_node_selector():
    web = service(
        deployment(
            terminationGracePeriodSeconds=45,
            shareProcessNamespace=True,
            nodeSelector={"disk": "ssd", "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": "n1"},
            hostname="box",
        )
    )
    assert web["stop_grace_period"] == "45s" and web["labels"]["pod.controller.grace-period"] == "45s"
    assert web["labels"]["pod.controller.pids"] == "true"
    assert web["hostname"] == "box"
    assert web["deploy"]["placement"]["constraints"] == [
        "node.labels.disk == ssd",
        "node.platform.arch == x86_64",
        "node.hostname == n1",
    ]
    defaults = service(deployment())
    assert defaults["stop_grace_period"] == "30s" and defaults["labels"]["pod.controller.pids"] == "false"


def test_resources_for_the_component_and_the_pod():
    limited = {"resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "250m"}}}
    sidecar = {
        "name": "side",
        "image": "b",
        "restartPolicy": "Always",
        "resources": {"limits": {"cpu": "1", "memory": "64Mi"}},
    }
    init = {"name": "big", "image": "b", "resources": {"limits": {"cpu": "2", "memory": "1Mi"}}}
    web = service(deployment(limited, initContainers=[init, sidecar]))
    assert component(web) == {
        "image": "busybox",
        "restart": "always",
        "cpus": 0.5,
        "mem_limit": "134217728",
        "mem_reservation": "134217728",
        "cpu_shares": 256,
    }
    # Limits: the sum of app and sidecar (1.5 CPUs, 192Mi), at least the largest init container's (2 CPUs).
    assert web["deploy"]["resources"] == {
        "limits": {"cpus": "2", "memory": "201326592"},
        "reservations": {"cpus": "2", "memory": "201326592"},
    }
    assert "resources" not in service(deployment({"resources": {"requests": {"cpu": "1"}}}))["deploy"].get("limits", {})


def test_security_context_within_the_policy():
    container = {
        "securityContext": {
            "runAsGroup": 1000,
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "CAP_CHOWN"]},
        }
    }
    pod_security = {"runAsUser": 1000, "runAsNonRoot": True, "supplementalGroups": [5]}
    app = component(service(deployment(container, securityContext=pod_security)))
    assert app["user"] == "1000:1000"
    assert app["read_only"] is True
    assert app["security_opt"] == ["no-new-privileges:true"]
    assert app["cap_drop"] == ["ALL"] and app["cap_add"] == ["NET_BIND_SERVICE", "CHOWN"]
    assert app["group_add"] == ["5"]
    allowed = component(service(deployment({"securityContext": {"allowPrivilegeEscalation": True}})))
    assert "security_opt" not in allowed


# -- volumes --------------------------------------------------------------------------------------------------


def test_empty_dir_is_an_anonymous_volume_of_the_task():
    mounts = {"volumeMounts": [{"name": "scratch", "mountPath": "/tmp/s"}]}
    web = service(deployment(mounts, volumes=[{"name": "scratch", "emptyDir": {}}]))
    assert "/podlike/emptydir/scratch" in web["volumes"]
    assert component(web)["volumes"] == ["scratch:/tmp/s"]


def test_memory_empty_dir_is_a_tmpfs():
    mounts = {"volumeMounts": [{"name": "ram", "mountPath": "/cache"}]}
    web = service(deployment(mounts, volumes=[{"name": "ram", "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}}]))
    assert component(web)["tmpfs"] == ["/cache:size=1048576"]
    assert web["volumes"] == ["/var/run/docker.sock:/var/run/docker.sock:ro"]


def test_config_map_and_secret_volumes_are_copied_from_the_controller():
    mounts = {
        "volumeMounts": [
            {"name": "conf", "mountPath": "/etc/app"},
            {"name": "creds", "mountPath": "/etc/creds/pw", "subPath": "password", "readOnly": True},
        ]
    }
    volumes = [
        {"name": "conf", "configMap": {"name": "conf"}},
        {"name": "creds", "secret": {"secretName": "creds", "defaultMode": 0o400}},
    ]
    translation = run(CONFIG_MAP, SECRET, deployment(mounts, volumes=volumes))
    web = translation.stack["services"]["web"]
    assert web["configs"] == [
        {"source": "configmap.conf.a.conf", "target": "/podlike/kube/configmap/conf/a.conf", "mode": 0o644}
    ]
    assert web["secrets"] == [
        {"source": "secret.creds.password", "target": "kube-secret.creds.password", "mode": 0o400}
    ]
    assert yaml.safe_load(web["labels"]["pod.copy.app"]) == [
        "/podlike/kube/configmap/conf/a.conf:/etc/app/a.conf",
        "/run/secrets/kube-secret.creds.password:/etc/creds/pw",
    ]
    assert sorted(translation.stack["configs"]) == ["configmap.conf.a.conf"]
    assert sorted(translation.files.values()) == [b"s3cret", b"x=1\n"]
    from_labels(web["labels"])


def test_a_changed_config_map_gets_a_new_swarm_name():
    changed = copy.deepcopy(CONFIG_MAP)
    changed["data"]["a.conf"] = "x=2\n"
    mounts = {"volumeMounts": [{"name": "conf", "mountPath": "/etc/app"}]}
    volumes = [{"name": "conf", "configMap": {"name": "conf"}}]
    names = [
        run(cm, deployment(mounts, volumes=volumes)).stack["configs"]["configmap.conf.a.conf"]["name"]
        for cm in (CONFIG_MAP, changed)
    ]
    assert names[0] != names[1]


def test_claims_are_named_volumes_and_host_paths_need_leave():
    mounts = {
        "volumeMounts": [
            {"name": "data", "mountPath": "/data"},
            {"name": "logs", "mountPath": "/logs", "readOnly": True},
        ]
    }
    volumes = [
        {"name": "data", "persistentVolumeClaim": {"claimName": "db"}},
        {"name": "logs", "hostPath": {"path": "/srv/logs/app"}},
    ]
    translation = run(deployment(mounts, volumes=volumes), allow_host_paths=["/srv/logs"])
    web = translation.stack["services"]["web"]
    assert translation.stack["volumes"] == {"db": {}}
    assert "db:/podlike/kube/volumes/db" in web["volumes"]
    assert component(web)["volumes"] == ["db:/data", "/srv/logs/app:/logs:ro"]
    assert web["command"] == ["-logs", "-allow-host-path=/srv/logs"]


@pytest.mark.parametrize(
    "volume, line",
    [
        (
            {"name": "data", "persistentVolumeClaim": {"claimName": ".."}},
            "spec.template.spec.volumes[0].persistentVolumeClaim.claimName: must be a DNS-1123 subdomain",
        ),
        (
            {"name": "data", "persistentVolumeClaim": {"claimName": "."}},
            "spec.template.spec.volumes[0].persistentVolumeClaim.claimName: must be a DNS-1123 subdomain",
        ),
        (
            {"name": "data", "persistentVolumeClaim": {"claimName": "/srv/db"}},
            "spec.template.spec.volumes[0].persistentVolumeClaim.claimName: must be a DNS-1123 subdomain",
        ),
        (
            {"name": "../data", "emptyDir": {}},
            "spec.template.spec.volumes[0].name: must be a DNS-1123 label",
        ),
    ],
    ids=["dotdot", "dot", "path", "volume-name"],
)
def test_claim_and_volume_names_are_kubernetes_names_never_paths(volume, line):
    """A claim is a named volume of the controller: '..' would be a host path (the working directory's parent)."""
    lines = refusals(deployment(volumes=[volume]))
    assert any(item.startswith("Deployment/web: " + line) for item in lines), lines
    assert run(deployment(volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "db.v2-a"}}])).stack[
        "volumes"
    ] == {"db.v2-a": {}}


# -- services -------------------------------------------------------------------------------------------------


def kube_service(kind="NodePort", name="web", **port):
    port = dict({"port": 80}, **port)
    return {
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {"type": kind, "selector": {"app": "web"}, "ports": [port]},
    }


@pytest.mark.parametrize(
    "document, expected",
    [
        (kube_service(nodePort=30080), [{"target": 80, "published": 30080, "protocol": "tcp"}]),
        (kube_service(), [{"target": 80, "protocol": "tcp"}]),
        (kube_service("LoadBalancer", protocol="UDP"), [{"target": 80, "published": 80, "protocol": "udp"}]),
        (kube_service(targetPort="http", nodePort=30080), [{"target": 80, "published": 30080, "protocol": "tcp"}]),
        (kube_service("ClusterIP"), None),
    ],
)
def test_service_ports(document, expected):
    web = service(deployment({"ports": [{"name": "http", "containerPort": 80}]}), document)
    assert web.get("ports") == expected


def test_a_service_with_another_name_is_a_dns_alias():
    web = service(deployment(), kube_service("ClusterIP", name="frontend"))
    assert web["networks"] == {"default": {"aliases": ["frontend"]}}


def test_dollars_are_escaped_for_docker_stack_deploy_and_the_output_is_stable():
    container = {"command": ["sh", "-c", "echo $HOME ${X}"]}
    first = run(deployment(container)).stack
    assert component(first["services"]["web"])["entrypoint"] == ["sh", "-c", "echo $$HOME $${X}"]
    assert first == run(deployment(container)).stack


# -- refusals -------------------------------------------------------------------------------------------------


def with_pod(**pod_spec):
    return deployment(**pod_spec)


@pytest.mark.parametrize(
    "document, line",
    [
        (
            deployment(affinity={}),
            "Deployment/web: spec.template.spec.affinity: scheduling affinity has no Swarm equivalent",
        ),
        (deployment(tolerations=[]), "Deployment/web: spec.template.spec.tolerations: Swarm nodes have no taints"),
        (
            deployment(serviceAccountName="x"),
            "Deployment/web: spec.template.spec.serviceAccountName: there is no Kubernetes API",
        ),
        (
            deployment(hostNetwork=True),
            "Deployment/web: spec.template.spec.hostNetwork: the host's network namespace is not allowed",
        ),
        (
            deployment(hostPID=True),
            "Deployment/web: spec.template.spec.hostPID: the host's PID namespace is not allowed",
        ),
        (
            deployment({"securityContext": {"privileged": True}}),
            "Deployment/web: spec.template.spec.containers[0].securityContext.privileged: privileged mode is not allowed",
        ),
        (
            deployment({"securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}),
            "Deployment/web: spec.template.spec.containers[0].securityContext.capabilities.add[0]: SYS_ADMIN is not in Kubernetes' baseline set",
        ),
        (
            deployment({"securityContext": {"seccompProfile": {"type": "Unconfined"}}}),
            "Deployment/web: spec.template.spec.containers[0].securityContext.seccompProfile: only RuntimeDefault",
        ),
        (
            deployment(securityContext={"fsGroup": 1}),
            "Deployment/web: spec.template.spec.securityContext.fsGroup: volume ownership is not changed here",
        ),
        (
            deployment({"securityContext": {"runAsGroup": 1}}),
            "Deployment/web: spec.template.spec.containers[0].securityContext.runAsGroup: needs runAsUser here",
        ),
        (
            deployment({"volumeMounts": [{"name": "nope", "mountPath": "/x"}]}),
            "Deployment/web: spec.template.spec.containers[0].volumeMounts[0].name: names no volume of the pod (nope)",
        ),
        (
            deployment(
                {"volumeMounts": [{"name": "h", "mountPath": "/x"}]},
                volumes=[{"name": "h", "hostPath": {"path": "/etc"}}],
            ),
            "Deployment/web: spec.template.spec.volumes[0].hostPath.path: host path /etc is not allowed",
        ),
        (
            deployment(volumes=[{"name": "n", "nfs": {"server": "x"}}]),
            "Deployment/web: spec.template.spec.volumes[0].nfs: this volume source has no meaning on Swarm",
        ),
        (
            deployment(volumes=[{"name": "e", "emptyDir": {"sizeLimit": "1Gi"}}]),
            "Deployment/web: spec.template.spec.volumes[0].emptyDir.sizeLimit: local volumes have no size limit",
        ),
        (
            deployment({"readinessProbe": {"grpc": {"port": 1}}}),
            "Deployment/web: spec.template.spec.containers[0].readinessProbe.grpc: gRPC probes are not supported",
        ),
        (
            deployment({"livenessProbe": {"httpGet": {"port": 1, "scheme": "HTTPS"}}}),
            "Deployment/web: spec.template.spec.containers[0].livenessProbe.httpGet.scheme: only HTTP probes are run",
        ),
        (
            deployment({"lifecycle": {"preStop": {"httpGet": {"port": 1}}}}),
            "Deployment/web: spec.template.spec.containers[0].lifecycle.preStop: only exec handlers run here",
        ),
        (
            deployment({"resources": {"limits": {"nvidia.com/gpu": 1}}}),
            "Deployment/web: spec.template.spec.containers[0].resources.limits.nvidia.com/gpu: only cpu and memory are managed here",
        ),
        (
            deployment({"resources": {"limits": {"memory": "lots"}}}),
            "Deployment/web: spec.template.spec.containers[0].resources.limits.memory: 'lots' is not a quantity",
        ),
        (
            deployment({"env": [{"name": "X", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}}]}),
            "Deployment/web: spec.template.spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: status.hostIP is not available",
        ),
        (
            deployment({"env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "no", "key": "k"}}}]}),
            "Deployment/web: spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef: no/k is not defined",
        ),
        (
            deployment({"restartPolicy": "Always"}),
            "Deployment/web: spec.template.spec.containers[0].restartPolicy: only init containers may set it",
        ),
        (
            deployment({"startupProbe": {"exec": {"command": ["x"]}}}, restartPolicy="Never"),
            "Deployment/web: spec.template.spec.restartPolicy: a Deployment runs its pods with Always only",
        ),
        (
            deployment({"volumeDevices": []}),
            "Deployment/web: spec.template.spec.containers[0].volumeDevices: has no meaning on Swarm",
        ),
        ({"kind": "Ingress", "metadata": {"name": "web"}}, "Ingress/web: kind: Ingress has no meaning on Swarm"),
        ({"kind": "Pod", "metadata": {}}, "Pod/?: metadata.name: is required"),
        (
            {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": []}},
            "Pod/p: spec.containers: a pod needs at least one container",
        ),
    ],
)
def test_refused_fields_are_named_by_their_path(document, line):
    lines = refusals(document)
    assert any(item.startswith(line) for item in lines), lines


@pytest.mark.parametrize(
    "document",
    [
        deployment({"env": 5}),
        deployment({"securityContext": {"runAsUser": "root", "runAsNonRoot": True}}),
        deployment(
            {"volumeMounts": [{"name": "c", "mountPath": "/c"}]},
            volumes=[{"name": "c", "configMap": {"name": "conf", "items": ["a.conf"]}}],
        ),
        deployment({"readinessProbe": {"tcpSocket": {"port": "not a port name"}}}),
        deployment(securityContext={"sysctls": ["a=b"]}),
        {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": []}},
        {"kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": "80"}},
    ],
)
def test_wrong_types_are_one_line_never_a_traceback(document):
    with pytest.raises(KubeError) as caught:
        run(CONFIG_MAP, document)
    assert len(str(caught.value).splitlines()) >= 1 and "Traceback" not in str(caught.value)


WEB_PORTS = {"ports": [{"name": "http", "containerPort": 80}]}
CONTAINER = "Deployment/web: spec.template.spec.containers[0]"


@pytest.mark.parametrize(
    "documents, lines",
    [
        (
            [deployment(WEB_PORTS), kube_service(nodePort="abc")],
            ["Service/web: spec.ports[0].nodePort: must be a port number (1-65535)"],
        ),
        (
            [deployment(WEB_PORTS), kube_service(port=[1])],
            ["Service/web: spec.ports[0].port: must be a port number (1-65535)"],
        ),
        (
            [deployment(WEB_PORTS), kube_service(targetPort=[80])],
            ["Service/web: spec.ports[0].targetPort: must be a port number (1-65535) or a container port's name"],
        ),
        (
            [deployment({"ports": [{"name": "http", "containerPort": "abc"}]}), kube_service(targetPort="http")],
            [
                f"{CONTAINER}.ports[0].containerPort: must be a port number (1-65535)",
                "Service/web: spec.ports[0].targetPort: names container port http, whose containerPort is not a "
                "port number",
            ],
        ),
        (
            [deployment(), {"kind": "Service", "metadata": {"name": "s"}, "spec": {"selector": ["app"]}}],
            ["Service/s: spec.selector: expected a mapping"],
        ),
        (
            [{"kind": "ConfigMap", "metadata": {"name": "conf"}, "data": ["a.conf"]}],
            ["ConfigMap/conf: data: expected a mapping"],
        ),
        ([dict(SECRET, stringData="x")], ["Secret/creds: stringData: expected a mapping"]),
        (
            [{"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": 5}}],
            ["Pod/p: spec.containers: expected a list"],
        ),
        (
            [
                {
                    "kind": "Pod",
                    "metadata": {"name": "p"},
                    "spec": {"containers": [{"name": "a", "image": "b"}], "volumes": 1},
                }
            ],
            ["Pod/p: spec.volumes: expected a list"],
        ),
        ([{"kind": "Pod", "metadata": ["p"], "spec": {}}], ["Pod/?: metadata: expected a mapping"]),
        (
            [{"kind": "Deployment", "metadata": {"name": "web"}, "spec": [1]}],
            ["Deployment/web: spec: expected a mapping"],
        ),
        (
            [deployment({"readinessProbe": {"tcpSocket": {"port": [1]}}})],
            [f"{CONTAINER}.readinessProbe.port: must be a port number (1-65535) or a container port's name"],
        ),
        (
            [deployment({"livenessProbe": {"exec": {"command": ["true"]}, "periodSeconds": "abc"}})],
            [f"{CONTAINER}.livenessProbe.periodSeconds: must be a whole number"],
        ),
        (
            [deployment({"ports": [{"containerPort": 80, "hostPort": "x"}]})],
            [f"{CONTAINER}.ports[0].hostPort: must be a port number (1-65535)"],
        ),
    ],
    ids=[
        "nodePort",
        "port",
        "targetPort",
        "named containerPort",
        "selector",
        "ConfigMap data",
        "Secret stringData",
        "containers",
        "volumes",
        "metadata",
        "workload spec",
        "probe port",
        "probe period",
        "hostPort",
    ],
)
def test_a_value_of_the_wrong_type_is_named_by_its_object_and_path(documents, lines):
    assert refusals(*documents) == lines


def test_a_wrong_type_no_check_expects_still_names_its_object():
    (line,) = refusals(deployment({"securityContext": {"runAsUser": "root", "runAsNonRoot": True}}))
    assert line.startswith("Deployment/web: a field holds a value of the wrong type (ValueError: ")


def test_data_file_names_stay_in_the_data_directory():
    config_map = dict(CONFIG_MAP, data={"../../etc/cron.d/x": "* * * * * root true\n"})
    mounts = {"volumeMounts": [{"name": "conf", "mountPath": "/etc/app"}]}
    translation = run(config_map, deployment(mounts, volumes=[{"name": "conf", "configMap": {"name": "conf"}}]))
    (entry,) = translation.stack["configs"].values()
    (name,) = translation.files
    assert "/" not in name and entry["file"] == "/data/" + name


def test_a_selector_must_match_and_a_service_must_select():
    document = deployment()
    document["spec"]["selector"]["matchLabels"]["tier"] = "x"
    assert refusals(document) == [
        "Deployment/web: spec.selector.matchLabels.tier: does not match the pod template's labels"
    ]
    lines = refusals(
        deployment(),
        {"kind": "Service", "metadata": {"name": "s"}, "spec": {"selector": {"app": "db"}, "ports": [{"port": 1}]}},
    )
    assert lines == ["Service/s: spec.selector: selects no pod of these manifests"]
    lines = refusals(deployment(), kube_service("ClusterIP", targetPort=8080))
    assert lines[0].startswith("Service/web: spec.ports[0].port: a Swarm DNS name has no port mapping")


def test_every_refusal_is_listed_and_lenient_warns_instead():
    document = deployment({"securityContext": {"privileged": True}}, affinity={}, tolerations=[])
    assert len(refusals(document)) == 3
    translation = run(document, lenient=True)
    assert len(translation.warnings) == 3
    web = translation.stack["services"]["web"]
    assert "privileged" not in component(web) and "affinity" not in str(web)


# -- loading -----------------------------------------------------------------------------


def test_multi_document_files_and_lists(tmp_path):
    path = tmp_path / "all.yaml"
    path.write_text(yaml.safe_dump_all([None, {"kind": "List", "items": [CONFIG_MAP]}, deployment()]))
    documents = load_manifests([str(path)])
    assert [doc["kind"] for _origin, doc in documents] == ["ConfigMap", "Deployment"]
    with pytest.raises(KubeError, match="not valid YAML"):
        load_manifests([("stdin", "a: [")])
    with pytest.raises(KubeError, match="cannot read"):
        load_manifests([str(tmp_path / "missing.yaml")])
