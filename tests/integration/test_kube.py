# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Kubernetes manifests deployed as pods by podlike_stack on a one-node Swarm, each behaviour checked there."""

import json
import os
import subprocess
import tempfile
import time
import urllib.request
import uuid

import pytest
import yaml
from conftest import BUSYBOX, CONTROLLER_IMAGE, containers, docker, docker_result, inspect, wait_until
from helpers_stack import run_stack_task

pytestmark = pytest.mark.swarm

NGINX = "podlike/nginx:local"

# Written as a Kubernetes user writes it: a Deployment with an init container, a native sidecar, a readiness
# probe, a ConfigMap mounted as files, an emptyDir shared by three containers, and a NodePort Service.
MANIFEST = f"""
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-content
data:
  index.html: |
    hello from kube
  default.conf: |
    server {{
      listen 80;
      root /usr/share/nginx/html;
    }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      terminationGracePeriodSeconds: 10
      initContainers:
        - name: prepare
          image: {BUSYBOX}
          command: [sh, -c, 'echo "prepared by $POD_NAME" > /shared/prepared']
          env:
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
          volumeMounts:
            - name: shared
              mountPath: /shared
        - name: helper
          image: {BUSYBOX}
          restartPolicy: Always
          command:
            - sh
            - -c
            - trap 'exit 0' TERM; sleep 4; date +%s > /shared/ready.txt; while true; do sleep 1; done
          volumeMounts:
            - name: shared
              mountPath: /shared
      containers:
        - name: web
          image: {NGINX}
          ports:
            - name: http
              containerPort: 80
          readinessProbe:
            httpGet:
              path: /shared/ready.txt
              port: http
            periodSeconds: 1
            failureThreshold: 30
          volumeMounts:
            - name: content
              mountPath: /usr/share/nginx/html/index.html
              subPath: index.html
            - name: content
              mountPath: /etc/nginx/conf.d/default.conf
              subPath: default.conf
            - name: shared
              mountPath: /usr/share/nginx/html/shared
      volumes:
        - name: shared
          emptyDir: {{}}
        - name: content
          configMap:
            name: web-content
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
    - port: 80
      targetPort: http
"""


class Events:
    """Container start/die/health events of one stack, streamed from before the deploy (no ring buffer limit)."""

    def __init__(self, stack, path):
        self.stack = stack
        self.path = path
        # A file, not a pipe: the engine drops a subscriber that stops reading.
        with open(path, "w") as output:
            self.process = subprocess.Popen(
                ["docker", "events", "--format", "{{json .}}", "--filter", "type=container"], stdout=output
            )
        time.sleep(0.5)

    def stop(self):
        time.sleep(1)
        self.process.terminate()
        self.process.wait(timeout=10)
        events = []
        for line in self.path.read_text().splitlines():
            event = json.loads(line)
            attributes = event.get("Actor", {}).get("Attributes", {})
            if self.stack in (attributes.get("podlike.stack"), attributes.get("com.docker.stack.namespace")):
                events.append(event)
        return events


def first(events, pod, component, action):
    """timeNano of the first ``action`` of ``component`` in ``pod``."""
    times = [
        event["timeNano"]
        for event in events
        if event["Actor"]["Attributes"].get("podlike.pod") == pod
        and event["Actor"]["Attributes"].get("podlike.component") == component
        and event["Action"] == action
    ]
    seen = [
        (event["Actor"]["Attributes"].get("podlike.component"), event["Action"])
        for event in events
        if event["Actor"]["Attributes"].get("podlike.pod") == pod
    ]
    assert times, f"no {action} event of {component} in {pod}: {seen}"
    return times[0]


def get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return response.read().decode()


@pytest.fixture
def stack_name(cleanup):
    name = "itkube" + uuid.uuid4().hex[:6]
    cleanup["stacks"].append(name)
    return name


def test_deployment_with_init_sidecar_probe_configmap_emptydir_and_nodeport(tmp_path, stack_name):
    manifest = tmp_path / "web.yaml"
    manifest.write_text(MANIFEST)
    options = {
        "name": stack_name,
        "kube": [str(manifest)],
        "endpoint_mode": "dnsrr",
        "publish_mode": "host",
        "resolve_image": "never",
        "wait": True,
        "wait_timeout": 120,
    }
    checked, _process = run_stack_task(tmp_path, options, check=True, diff=True)
    assert not checked.get("failed") and checked["changed"], checked.get("msg")
    assert "pod.component.web" in checked["diff"]["after"] and checked["diff"]["before"] == ""
    assert not docker("service", "ls", "-q", "--filter", f"label=com.docker.stack.namespace={stack_name}")
    events = Events(stack_name, tmp_path / "events.jsonl")
    deployed, process = run_stack_task(tmp_path, options)
    assert not deployed.get("failed"), deployed.get("msg") or process.stdout[-2000:]
    assert deployed["changed"] and deployed["services"] == ["web"]
    again, _process = run_stack_task(tmp_path, options)
    assert not again.get("failed") and not again["changed"], again.get("msg")
    # The ConfigMap's data (served below) was on disk only while docker stack deploy read it.
    assert not [name for name in os.listdir(tempfile.gettempdir()) if name.startswith("podlike-kube-")]

    controllers = containers(f"label=com.docker.swarm.service.name={stack_name}_web", "status=running")
    assert len(controllers) == 2, controllers
    volumes = []
    for controller in controllers:
        info = inspect(controller)
        assert info["State"]["Health"]["Status"] == "healthy"
        # NodePort without nodePort: Swarm picks the published port, as Kubernetes picks a node port.
        port = info["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"]
        assert get(port, "/") == "hello from kube\n"
        assert get(port, "/shared/prepared") == f"prepared by {controller}\n"
        ready_at = int(get(port, "/shared/ready.txt"))
        (volume,) = [m["Name"] for m in info["Mounts"] if m["Destination"] == "/podlike/emptydir/shared"]
        web = inspect(f"{controller}.podlike.web")
        assert volume in [m.get("Name") for m in web["Mounts"]]
        volumes.append((controller, volume, ready_at))
        logs = docker_result("logs", controller)
        assert "podlike: web is ready" in logs.stdout + logs.stderr

    removed, process = run_stack_task(tmp_path, {"name": stack_name, "state": "absent", "wait_timeout": 120})
    assert not removed.get("failed") and removed["changed"], removed.get("msg")
    seen = events.stop()

    for controller, volume, ready_at in volumes:
        # Init first, then the sidecar, then the app; the app stops before the sidecar.
        assert first(seen, controller, "init-1", "die") < first(seen, controller, "helper", "start")
        assert first(seen, controller, "helper", "start") < first(seen, controller, "web", "start")
        assert first(seen, controller, "web", "die") < first(seen, controller, "helper", "die")
        # The pod turned healthy only once the readiness probe passed, after the sidecar wrote the file.
        healthy = [
            event["timeNano"]
            for event in seen
            if event["Actor"]["ID"] == inspect_id(seen, controller) and event["Action"] == "health_status: healthy"
        ]
        assert healthy and min(healthy) >= ready_at * 10**9
        assert first(seen, controller, "web", "start") < ready_at * 10**9 + 10**9
        # The emptyDir went with the pod.
        wait_until(lambda volume=volume: docker_result("volume", "inspect", volume).returncode != 0, timeout=30)
    assert not docker("volume", "ls", "-q", "--filter", f"name={stack_name}")


def inspect_id(events, name):
    for event in events:
        if event["Actor"]["Attributes"].get("name") == name:
            return event["Actor"]["ID"]
    raise AssertionError(f"no event of {name}")


STATEFUL_SET = f"""
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  replicas: 2
  serviceName: db
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: db
          image: {BUSYBOX}
          command: [sh, -c, 'echo "$POD_NAME" >> /data/owners; exec sleep 3600']
          env:
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
          volumeMounts:
            - name: data
              mountPath: /data
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
"""


def test_statefulset_replicas_get_a_volume_each_that_outlives_them(tmp_path, stack_name, cleanup):
    manifest = tmp_path / "db.yaml"
    manifest.write_text(STATEFUL_SET)
    volumes = [f"{stack_name}_data-db-{slot}" for slot in (1, 2)]
    cleanup["volumes"].extend(volumes)
    options = {"name": stack_name, "kube": [str(manifest)], "endpoint_mode": "dnsrr", "wait": True}
    deployed, process = run_stack_task(tmp_path, dict(options, resolve_image="never", wait_timeout=90))
    assert not deployed.get("failed"), deployed.get("msg") or process.stdout[-2000:]

    controllers = containers(f"label=com.docker.swarm.service.name={stack_name}_db", "status=running")
    for slot, volume in zip((1, 2), volumes):
        (controller,) = [name for name in controllers if name.startswith(f"{stack_name}_db.{slot}.")]
        component = inspect(f"{controller}.podlike.db")
        assert volume in [mount.get("Name") for mount in component["Mounts"]]
        assert docker("exec", component["Id"], "cat", "/data/owners") == controller

    removed, _process = run_stack_task(tmp_path, {"name": stack_name, "state": "absent", "wait_timeout": 60})
    assert not removed.get("failed"), removed.get("msg")
    # Like a StatefulSet's claims, the volumes stay when the pods are gone.
    for volume in volumes:
        labels = json.loads(docker("volume", "inspect", "--format", "{{json .Labels}}", volume))
        assert labels["com.github.rycus86.podlike.volume-ref"] == "data"


def test_refused_fields_fail_the_deploy_one_line_each_and_nothing_is_made(tmp_path, stack_name):
    manifest = tmp_path / "bad.yaml"
    manifest.write_text(
        MANIFEST.replace("      terminationGracePeriodSeconds: 10\n", "      hostNetwork: true\n      affinity: {}\n")
    )
    failed, _process = run_stack_task(tmp_path, {"name": stack_name, "kube": [str(manifest)]})
    assert failed.get("failed")
    assert failed["msg"].splitlines() == [
        "Deployment/web: spec.template.spec.affinity: scheduling affinity has no Swarm equivalent; "
        "use nodeSelector (placement constraints)",
        "Deployment/web: spec.template.spec.hostNetwork: the host's network namespace is not allowed "
        "(the pod policy refuses it)",
    ]
    assert not docker("service", "ls", "-q", "--filter", f"label=com.docker.stack.namespace={stack_name}")


def test_the_controller_image_translates_manifests_from_stdin():
    stack = docker("run", "--rm", "-i", CONTROLLER_IMAGE, "kube", "--publish-mode", "host", "-", input=STATEFUL_SET)
    service = yaml.safe_load(stack)["services"]["db"]
    assert service["deploy"]["replicas"] == 2
    assert "pod.component.db" in service["labels"]


def test_host_paths_and_baseline_capabilities_with_the_operators_leave(tmp_path, stack_name):
    shared = tmp_path / "shared"
    shared.mkdir()
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(f"""
apiVersion: v1
kind: Pod
metadata:
  name: writer
spec:
  terminationGracePeriodSeconds: 2
  containers:
    - name: writer
      image: {BUSYBOX}
      command: [sh, -c, 'echo written > /out/result; exec sleep 3600']
      securityContext:
        capabilities:
          drop: [ALL]
          add: [CHOWN, DAC_OVERRIDE]
      volumeMounts:
        - name: out
          mountPath: /out
  volumes:
    - name: out
      hostPath:
        path: {shared}
""")
    options = {"name": stack_name, "kube": [str(manifest)], "endpoint_mode": "dnsrr", "resolve_image": "never"}
    refused, _process = run_stack_task(tmp_path, options)
    assert refused.get("failed") and f"host path {shared} is not allowed" in refused["msg"]
    deployed, process = run_stack_task(
        tmp_path, dict(options, allow_host_paths=[str(tmp_path)], wait=True, wait_timeout=60)
    )
    assert not deployed.get("failed"), deployed.get("msg") or process.stdout[-2000:]
    wait_until((shared / "result").exists, timeout=30)
    assert (shared / "result").read_text() == "written\n"
    (controller,) = containers(f"label=com.docker.swarm.service.name={stack_name}_writer", "status=running")
    assert f"-allow-host-path={tmp_path}" in inspect(controller)["Args"]
    assert inspect(f"{controller}.podlike.writer")["HostConfig"]["CapAdd"] == ["CHOWN", "DAC_OVERRIDE"]
