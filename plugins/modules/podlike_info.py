#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: podlike_info
short_description: List the pods on a Docker host and the pod services of its Swarm
version_added: 0.1.0
description:
  - Lists the pods on a Docker host - their controllers, their components and each component's state, health,
    restart count and image.
  - A controller is a container whose labels define a pod (C(pod.component.*) or C(pod.compose.file)), or one
    that component containers point at with their C(podlike.controller.id) label. Pods run by podlike_pod and
    the tasks of pod services that run on this host are both listed.
  - On a Swarm manager, also lists the pod services - services whose task template carries a pod definition -
    each with the pods of it that run on this host.
  - Changes nothing.
options:
  name:
    description:
      - Only the pod of this name (the controller container's name), and only the Swarm service of this name.
    type: str
  stack:
    description:
      - Only the pods and services of this stack (label C(com.docker.stack.namespace)).
    type: str
extends_documentation_fragment:
  - podlike.swarm.docker_engine
attributes:
  check_mode:
    support: full
    description: The module reads only; it runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
notes:
  - Component health comes from the component containers and from the controller's own report
    (C(podlike health), run in the controller), which also knows of components that have no container yet.
  - Services' tasks on other Swarm nodes are not inspected; run the module on those nodes to see them.
seealso:
  - module: podlike.swarm.podlike_pod
author:
  - podlike.swarm maintainers (@podlike)
"""

EXAMPLES = r"""
- name: Every pod on the host
  podlike.swarm.podlike_info:
  register: pods

- name: Show each component's health
  ansible.builtin.debug:
    msg: "{{ item.0.name }}/{{ item.1.name }}: {{ item.1.state }} {{ item.1.health }}"
  loop: "{{ pods.pods | subelements('components') }}"

- name: The pods of one stack
  podlike.swarm.podlike_info:
    stack: shop
  register: shop
"""

RETURN = r"""
api_version:
  description: The Engine API version spoken to the engine (negotiated unless the API version was set).
  returned: success
  type: str
  sample: "1.51"
pods:
  description: The pods on the host, by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The pod's name (the controller container's name).
      type: str
    controller_id:
      description: The controller container's ID.
      type: str
    image:
      description: The controller image.
      type: str
    state:
      description: The controller container's state.
      type: str
      sample: running
    health:
      description: The controller's Docker health, which is the pod's.
      type: str
      sample: healthy
    stack:
      description: The stack of the pod, for a task of a stack service.
      type: str
    service:
      description: The Swarm service of the pod, for a service task.
      type: str
    components:
      description: The components, init and infra containers included.
      type: list
      elements: dict
      contains:
        name:
          description: The component's name.
          type: str
        role:
          description: V(component), V(init) or V(infra).
          type: str
        container:
          description: The component container's name; V(null) when the controller has not created it yet.
          type: str
        container_id:
          description: The component container's ID.
          type: str
        state:
          description: The container's state (V(running), V(exited)...), or the controller's V(pending).
          type: str
        health:
          description: The component's health when it has a healthcheck, else V(null).
          type: str
        exit_code:
          description: The exit code of a component that exited.
          type: int
        restarts:
          description: How many times the component was restarted.
          type: int
        image:
          description: The component's image.
          type: str
services:
  description: The pod services of the Swarm, when the host is a Swarm manager.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The service's name.
      type: str
    id:
      description: The service's ID.
      type: str
    stack:
      description: The service's stack.
      type: str
    image:
      description: The controller image of the tasks.
      type: str
    mode:
      description: V(replicated) or V(global).
      type: str
    replicas:
      description: The wanted replicas of a replicated service.
      type: int
    components:
      description:
        - The names of the components the service's controller runs, init components (V(init-1)...) included, as
          the controller reads its labels.
        - With C(pod.compose.file), which only the controller can read, the components of the service's pods on
          this host (none when no task of the service runs here).
      type: list
      elements: str
    pods:
      description: The tasks of the service that run on this host, as in RV(pods).
      type: list
      elements: dict
swarm:
  description: Whether the host is a Swarm manager (services are listed only then).
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError
from ansible_collections.podlike.swarm.plugins.module_utils.engine.connection import (
    client_from_params,
    engine_argument_spec,
)
from ansible_collections.podlike.swarm.plugins.module_utils.module_params import module_client
from ansible_collections.podlike.swarm.plugins.module_utils.host.status import gather

ARGUMENT_SPEC = engine_argument_spec(
    env_fallback,
    name=dict(type="str"),
    stack=dict(type="str"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    client = module_client(module, missing_required_lib, client_from_params, non_empty=())
    try:
        result = gather(client, module.params["name"], module.params["stack"])
        result["api_version"] = client.api_version
    except DockerError as exc:
        module.fail_json(msg="Docker engine error: %s" % exc)
    finally:
        client.close()
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
