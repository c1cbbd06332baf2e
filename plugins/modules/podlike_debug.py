#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: podlike_debug
short_description: Run a throw-away command inside a running pod
version_added: 0.1.0
description:
  - Starts a container of O(image) in the network namespace (and by default the PID namespace) of a running pod
    on the host, waits for its command to end, returns its output and exit code, and removes it.
  - The container is named C(<pod>.podlike.debug-<random>) and labelled C(podlike.debug=<pod>). The pod's
    components are reachable on V(127.0.0.1) from it, and their processes are visible to it.
options:
  name:
    description:
      - The pod's name (its controller container's name).
    type: str
    required: true
  image:
    description:
      - The image of the debug container. It must be on the host.
    type: str
    required: true
  command:
    description:
      - The command to run, as a list of arguments or as a string split like a shell would. No shell runs it;
        use a list like V([sh, -c, "..."]) for pipes and variables.
      - When unset, the image's default command runs.
    type: raw
  entrypoint:
    description:
      - Overrides the image's entrypoint, as a list or a string.
    type: raw
  environment:
    description:
      - Environment variables of the debug container.
      - Their values appear in the task's invocation (with C(-vvv)) and in the target's log; give secrets in
        O(secret_environment).
    type: dict
  secret_environment:
    description:
      - More environment variables of the debug container, whose values are kept out of logs and of the returned
        invocation (C(no_log)).
      - As with any C(no_log) value, Ansible masks each of these values wherever it appears in the result, the
        command's output included.
    type: dict
  share_pid:
    description:
      - Join the pod's PID namespace, to see and signal its processes.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds the command may run; the task fails, and the container is removed, when it runs longer.
    type: int
    default: 60
  fail_on_error:
    description:
      - Fail the task when the command exits with a code other than 0.
    type: bool
    default: false
extends_documentation_fragment:
  - podlike.swarm.docker_engine
attributes:
  check_mode:
    support: none
    description: The command is not run in check mode; the task is skipped.
  diff_mode:
    support: none
    description: Nothing is left on the host to compare.
seealso:
  - module: podlike.swarm.podlike_pod
author:
  - podlike.swarm maintainers (@podlike)
"""

EXAMPLES = r"""
- name: Fetch a page from a component, from inside the pod
  podlike.swarm.podlike_debug:
    name: web
    image: busybox:1.36
    command: wget -qO- http://127.0.0.1:8080/
  register: page

- name: List the pod's processes
  podlike.swarm.podlike_debug:
    name: web
    image: busybox:1.36
    command: [sh, -c, "ps -o pid,args"]
    fail_on_error: true
"""

RETURN = r"""
api_version:
  description: The Engine API version spoken to the engine (negotiated unless the API version was set).
  returned: success
  type: str
  sample: "1.51"
container:
  description: The name the debug container had.
  returned: always
  type: str
  sample: web.podlike.debug-1f2e3d4c
rc:
  description: The command's exit code.
  returned: always
  type: int
  sample: 0
stdout:
  description: The command's standard output.
  returned: always
  type: str
stdout_lines:
  description: RV(stdout) split into lines.
  returned: always
  type: list
  elements: str
stderr:
  description: The command's standard error.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError
from ansible_collections.podlike.swarm.plugins.module_utils.engine.connection import (
    client_from_params,
    engine_argument_spec,
)
from ansible_collections.podlike.swarm.plugins.module_utils.module_params import module_client
from ansible_collections.podlike.swarm.plugins.module_utils.host.pod import PodStateError
from ansible_collections.podlike.swarm.plugins.module_utils.host.debug import DebugOptionError, run_in_pod

ARGUMENT_SPEC = engine_argument_spec(
    env_fallback,
    name=dict(type="str", required=True),
    image=dict(type="str", required=True),
    command=dict(type="raw"),
    entrypoint=dict(type="raw"),
    environment=dict(type="dict"),
    secret_environment=dict(type="dict", no_log=True),
    share_pid=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=60),
    fail_on_error=dict(type="bool", default=False),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=False)
    client = module_client(module, missing_required_lib, client_from_params, non_empty=("name", "image"))
    params = module.params
    try:
        result = run_in_pod(
            client,
            params["name"],
            params["image"],
            command=params["command"],
            entrypoint=params["entrypoint"],
            environment=dict(params["environment"] or {}, **(params["secret_environment"] or {})),
            share_pid=params["share_pid"],
            timeout=params["wait_timeout"],
        )
    except (PodStateError, DebugOptionError) as exc:
        module.fail_json(msg=str(exc))
    except DockerError as exc:
        module.fail_json(msg="Docker engine error: %s" % exc)
    finally:
        client.close()
    result["stdout_lines"] = result["stdout"].splitlines()
    result["api_version"] = client.api_version
    if params["fail_on_error"] and result["rc"] != 0:
        module.fail_json(msg="the debug command exited with code %s" % result["rc"], changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
