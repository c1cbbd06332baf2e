#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: podlike_pod
short_description: Run a pod on a Docker host
version_added: 0.1.0
description:
  - Runs a pod on one Docker host (no Swarm needed) - a controller container whose labels define the pod's
    components, in the rycus86/podlike label format. The controller creates the components, which share its
    network namespace (they reach each other on V(127.0.0.1)) and, by default, its PID and IPC namespaces.
  - The controller is named O(name) and its components C(<name>.podlike.<component>).
  - The definition and its digest are stored as labels on the controller (C(podlike.definition),
    C(podlike.definition.digest)). When the digest and the state match, nothing is touched; when the definition
    changes, the pod is recreated - the old controller is stopped, which removes its components, then replaced.
options:
  name:
    description:
      - The pod's name, which is the name of its controller container.
    type: str
    required: true
  state:
    description:
      - V(present) and V(started) make sure the pod exists with this definition and runs.
      - V(stopped) makes sure it exists and does not run (its components are removed while it is stopped).
      - V(restarted) restarts the controller, which recreates every component, even when nothing changed.
      - V(absent) stops the pod within its grace period and removes the controller and every container
        labelled C(podlike.pod=<name>).
    type: str
    default: present
    choices: [present, absent, started, stopped, restarted]
  components:
    description:
      - The pod's components - a mapping of component name to a Compose service definition (C(image), C(command),
        C(environment), C(volumes), C(healthcheck), C(depends_on) and the other keys a component supports).
      - Each becomes a C(pod.component.<name>) label. Keys that make no sense inside a pod (C(ports),
        C(networks), C(container_name)...) are refused with a message that names the component and the key.
      - Required when O(state) is V(present), V(started) or V(restarted), unless O(compose_file) is set.
      - Inline C(environment) values are not hidden. They are stored in the controller's labels
        (C(pod.component.<name>), C(podlike.definition)), where anyone who can inspect the container reads them,
        and shown in diff mode. Keep secrets in an C(env_file) on a mount of the controller (O(volumes)), or run
        the pod in a Swarm stack with Swarm secrets (M(podlike.swarm.podlike_stack)).
    type: dict
  compose_file:
    description:
      - A Compose file on the target whose services are the components (C(pod.compose.file)). It is mounted
        read-only into the controller at the same path; a change to its content recreates the pod.
      - The controller's labels and diff mode show its path and the sha256 of its text (C(compose_file_sha256)),
        not its content.
    type: path
  init_components:
    description:
      - Components that run to completion, in order, before the others start (C(pod.init.components)).
      - Each is a Compose service definition; they are named C(init-1), C(init-2)...
      - Their C(environment) values are stored in the controller's labels and shown in diff mode, as those of
        O(components).
    type: list
    elements: dict
  copy:
    description:
      - Files to copy from the controller into a component before it starts (C(pod.copy.<component>)) - a mapping
        of component name to a list of V(src:dst) strings, or to a mapping of source to target.
      - The sources are paths inside the controller; mount them there with O(volumes).
    type: dict
  volumes:
    description:
      - Extra bind mounts or volumes of the controller container, as in C(docker run -v) (V(src:dst[:mode])).
      - The Docker socket is always mounted read-only.
    type: list
    elements: str
  share_pid:
    description:
      - Share one PID namespace between the components (C(pod.controller.pids)); it is the pod's infra container's,
        never the controller's.
      - When unset, the controller's default applies (V(true)).
    type: bool
  share_ipc:
    description:
      - Share one IPC namespace between the components (C(pod.controller.ipc)).
      - When unset, the controller's default applies (V(true)).
    type: bool
  share_volumes:
    description:
      - Give the components the controller's mounts (its C(-volumes) flag), every one but those through which the
        Docker socket, the controller's credentials or the node's kernel trees are reachable.
      - When unset, the controller's default applies (V(false)).
    type: bool
  grace_period:
    description:
      - Seconds the components get to stop when the pod stops (C(pod.controller.grace-period)). The engine gives
        the controller 5 more seconds before it kills it.
    type: int
    default: 10
  published_ports:
    description:
      - Ports of the pod to publish on the host, as in C(docker run -p) (V([[ip:]host_port:]container_port[/protocol])).
        Every component listens in the controller's network namespace.
    type: list
    elements: str
    aliases: [ports]
  networks:
    description:
      - Networks to connect the pod to. The pod joins the first one when it is created and is connected to the
        others after. When unset, the engine's default network is used.
      - Each item is a network name, or a mapping with the network's C(name) and the C(aliases) (a list) the pod
        is known by on it.
    type: list
    elements: raw
  labels:
    description:
      - Extra labels on the controller container.
    type: dict
  restart_policy:
    description:
      - The restart policy of the controller container. A restarted controller starts its components again.
    type: str
    choices: ['no', on-failure, always, unless-stopped]
  pull:
    description:
      - When to pull the controller image before creating the controller, as in community.docker.
      - V(missing) pulls it when it is not on the host; V(never) requires it on the host; V(always) pulls it every
        time and also has the controller pull every component image (C(pod.controller.pull)).
      - V(true) is an alias of V(always), V(false) of V(missing).
    type: raw
    choices: [missing, always, never, true, false]
    default: missing
  recreate:
    description:
      - Recreate the pod even when its definition did not change.
    type: bool
    default: false
  wait:
    description:
      - Wait until the controller's Docker health is C(healthy) - every component runs and passes its healthcheck.
      - The task fails when the pod does not get there within O(wait_timeout) seconds, or when the controller exits.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the pod to be healthy when O(wait) is set.
    type: int
    default: 60
  controller_image:
    description:
      - The controller image.
    type: str
    default: podlike/controller:latest
extends_documentation_fragment:
  - podlike.swarm.docker_engine
attributes:
  check_mode:
    support: full
    description: Reports what would change, including a recreate, and changes nothing.
  diff_mode:
    support: full
    description:
      - Shows the pod's definition (components and settings as written, the sha256 of O(compose_file)'s text)
        before and after, as YAML.
      - Inline C(environment) values appear in it as written.
notes:
  - Validation happens before anything is created - a bad component fails the task and leaves the host untouched.
seealso:
  - module: podlike.swarm.podlike_info
  - module: podlike.swarm.podlike_debug
author:
  - podlike.swarm maintainers (@podlike)
"""

EXAMPLES = r"""
- name: Run a web server and a client that reaches it on localhost
  podlike.swarm.podlike_pod:
    name: web
    components:
      server:
        image: busybox:1.36
        command: sh -c 'mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www'
        healthcheck:
          test: ["CMD", "wget", "-qO-", "http://127.0.0.1:8080/"]
          interval: 2s
      client:
        image: busybox:1.36
        command: sh -c 'while sleep 5; do wget -qO- http://127.0.0.1:8080/ || true; done'
    published_ports:
      - "18080:8080"
    restart_policy: unless-stopped

- name: Make the directory of the pod's files on the target
  ansible.builtin.file:
    path: /srv/podlike-app/conf
    state: directory
    mode: "0755"

- name: Write a Compose file and a configuration file on the target
  ansible.builtin.copy:
    dest: "{{ item.dest }}"
    content: "{{ item.content }}"
    mode: "0644"
  loop:
    - dest: /srv/podlike-app/pod.yml
      content: |
        services:
          app:
            image: busybox:1.36
            command: sh -c 'cat /etc/app.ini && exec sleep 86400'
    - dest: /srv/podlike-app/conf/app.ini
      content: "greeting = hello\n"

- name: A pod from the Compose file, with the configuration file copied into its component
  podlike.swarm.podlike_pod:
    name: app
    compose_file: /srv/podlike-app/pod.yml
    volumes:
      - /srv/podlike-app/conf:/conf:ro
    copy:
      app:
        - /conf/app.ini:/etc/app.ini
    networks:
      - name: bridge
    pull: missing
    wait_timeout: 120

- name: Stop the pod (its components are removed, the controller stays)
  podlike.swarm.podlike_pod:
    name: web
    state: stopped

- name: Remove the pods and every container of them
  podlike.swarm.podlike_pod:
    name: "{{ item }}"
    state: absent
  loop: [web, app]
"""

RETURN = r"""
api_version:
  description: The Engine API version spoken to the engine (negotiated unless the API version was set).
  returned: success
  type: str
  sample: "1.51"
pod:
  description:
    - The pod after the task. In check mode, the pod as it is, or as it would be created.
  returned: when O(state) is not V(absent) and the pod exists or would be created
  type: dict
  contains:
    name:
      description: The pod's name (the controller container's name).
      type: str
      sample: web
    controller_id:
      description: The controller container's ID; V(null) in check mode when it would be created.
      type: str
    image:
      description: The controller image.
      type: str
      sample: podlike/controller:latest
    state:
      description: The controller container's state (V(running), V(exited), V(created)...).
      type: str
      sample: running
    health:
      description: The controller's Docker health (V(starting), V(healthy), V(unhealthy)), which is the pod's.
      type: str
      sample: healthy
    stack:
      description: The Swarm stack of the pod, for a pod run by a stack service.
      type: str
    service:
      description: The Swarm service of the pod, for a pod run by a stack service.
      type: str
    components:
      description: The pod's components, init and infra containers included.
      type: list
      elements: dict
      contains:
        name:
          description: The component's name.
          type: str
          sample: server
        role:
          description: V(component), V(init) or V(infra).
          type: str
        container:
          description: The component container's name.
          type: str
          sample: web.podlike.server
        container_id:
          description: The component container's ID.
          type: str
        state:
          description: The component container's state.
          type: str
          sample: running
        health:
          description: The component's health when it has a healthcheck, else V(null).
          type: str
          sample: healthy
        exit_code:
          description: The exit code of a component that exited.
          type: int
        restarts:
          description: How many times the component was restarted.
          type: int
          sample: 0
        image:
          description: The component's image.
          type: str
actions:
  description: What was done (or would be, in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [remove, create, start]
"""

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError
from ansible_collections.podlike.swarm.plugins.module_utils.engine.connection import (
    client_from_params,
    engine_argument_spec,
)
from ansible_collections.podlike.swarm.plugins.module_utils.libraries import MissingLibrary
from ansible_collections.podlike.swarm.plugins.module_utils.module_params import module_client
from ansible_collections.podlike.swarm.plugins.module_utils.host.apply import apply
from ansible_collections.podlike.swarm.plugins.module_utils.host.pod import PodStateError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError

ARGUMENT_SPEC = engine_argument_spec(
    env_fallback,
    name=dict(type="str", required=True),
    state=dict(type="str", default="present", choices=["present", "absent", "started", "stopped", "restarted"]),
    components=dict(type="dict"),
    compose_file=dict(type="path"),
    init_components=dict(type="list", elements="dict"),
    copy=dict(type="dict"),
    volumes=dict(type="list", elements="str"),
    share_pid=dict(type="bool"),
    share_ipc=dict(type="bool"),
    share_volumes=dict(type="bool"),
    grace_period=dict(type="int", default=10),
    published_ports=dict(type="list", elements="str", aliases=["ports"]),
    networks=dict(type="list", elements="raw"),
    labels=dict(type="dict"),
    restart_policy=dict(type="str", choices=["no", "on-failure", "always", "unless-stopped"]),
    pull=dict(type="raw", default="missing", choices=["missing", "always", "never", True, False]),
    recreate=dict(type="bool", default=False),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=60),
    controller_image=dict(type="str", default="podlike/controller:latest"),
)


def main():
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=[("components", "compose_file")],
        required_if=[
            ("state", "present", ("components", "compose_file"), True),
            ("state", "started", ("components", "compose_file"), True),
            ("state", "restarted", ("components", "compose_file"), True),
        ],
        supports_check_mode=True,
    )
    client = module_client(module, missing_required_lib, client_from_params, non_empty=("name",))
    progress = dict(changed=False)
    try:
        result = apply(module.params, client, module.check_mode, progress)
        result["api_version"] = client.api_version
    except SpecError as exc:
        module.fail_json(msg="invalid pod definition: %s" % exc, **progress)
    except PodStateError as exc:
        module.fail_json(msg=str(exc), **progress)
    except DockerError as exc:
        module.fail_json(msg="Docker engine error: %s" % exc, **progress)
    except MissingLibrary as exc:
        module.fail_json(msg=missing_required_lib(exc.library, reason=exc.reason), **progress)
    finally:
        client.close()
    if not module._diff:
        result.pop("diff")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
