#!/usr/bin/python
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)


DOCUMENTATION = r"""
module: podlike_stack
short_description: Deploy or remove a Docker Swarm stack of pods described with x-podlike templates
version_added: 0.1.0
description:
  - Renders stack files that carry C(x-podlike) extension fields into a plain stack in which every templated
    service is a pod controller service with C(pod.component.*) labels, validates it, and deploys it with
    C(docker stack deploy --compose-file - NAME).
  - Stacks without C(x-podlike) and services that already carry C(pod.component.*) labels pass through unchanged.
  - Every rendered service gets the Swarm service label C(podlike.stack.digest), the digest of its rendered
    definition. The module compares these digests, and the set of services, with what Swarm runs before it
    acts, so C(changed) is only reported when the deployed stack differs from the rendered one, and check mode
    tells the truth.
  - The rendered stack text of the last deploy is kept in a Swarm config named C(NAME_podlike-rendered-DIGEST)
    and labelled C(podlike.stack.record=NAME), so diff mode shows the previously deployed stack (before) and
    the stack rendered now (after) as YAML.
  - That config also keeps the service specs read back from the engine right after the deploy. A service whose
    live spec differs from them was changed outside the module (C(docker service update)); it is deployed again
    (listed in RV(plan.update) and RV(plan.drift)), and diff mode adds, per such service, the parts of its spec
    that differ (before is the live spec, after the deployed one). C(docker stack deploy) keeps the image such a
    service runs, so an image changed outside is set back with C(docker service update --image).
  - Only a recorded spec with the service's current C(podlike.stack.digest) is compared. A deploy that fails
    records the services it changed as they run then; a service updated by a deploy whose record could not be
    written is not compared until the next deploy, and is never set back to an older image.
  - With O(state=absent), runs C(docker stack rm) and waits until the services, networks, configs, secrets,
    task containers and the pods' component containers (label C(podlike.stack=NAME)) are gone. Component
    containers whose controller no longer exists are removed.
  - Template errors name the service, the template and the key; nothing is deployed when rendering or
    validation fails. The pods of the services to create or update are checked by the pod core's policy (as
    their controller will check them); services deployed as rendered are not parsed again.
author:
  - podlike.swarm maintainers (@podlike)
requirements:
  - The docker command line client (C(docker stack deploy)) on the managed node, talking to a Swarm manager.
  - Jinja2 on the managed node when templates use Jinja2 syntax.
attributes:
  check_mode:
    support: full
    description: Renders and compares; reports whether a deploy or removal would change anything; changes nothing.
  diff_mode:
    support: full
    description:
      - Before is the rendered stack of the last deploy (empty if none), after is the stack rendered now.
      - Inline C(environment) values appear in both as written.
options:
  name:
    description:
      - Name of the stack (the namespace of its services, networks, configs and secrets).
    type: str
    required: true
  state:
    description:
      - V(present) renders and deploys the stack; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  compose:
    description:
      - Stack files, merged in order as C(docker stack deploy -c a -c b) does.
      - Each item is a path to a stack file on the target or an inline stack mapping.
      - Relative paths in the stack (templates, config and secret files, bind sources) resolve against the
        directory of the first file given as a path, else the current directory of the module.
      - O(compose) or O(kube) is required when O(state=present); not used when O(state=absent).
      - Inline C(environment) values, of the services and of the components their templates give, are not hidden.
        They are returned in RV(stack) and RV(rendered), shown in diff mode and kept in the record config and in the
        pod controllers' labels, where anyone who can inspect the service reads them. Give secrets as Swarm
        C(secrets), in an C(env_file), or as Kubernetes Secrets with O(kube); set C(no_log) on a task whose stack
        still holds such values.
    type: list
    elements: raw
  kube:
    description:
      - Kubernetes manifest files on the target (Pod, Deployment, StatefulSet, DaemonSet, Service, ConfigMap,
        Secret, PersistentVolumeClaim), translated into pod services deployed with the stack files of O(compose)
        (see C(docs/kube.md) for the mapping).
      - Fields without a meaning on Swarm are refused, one line each with its path, unless O(lenient=true).
      - ConfigMap and Secret data is written, mode 0600, in a private temporary directory that exists only while
        C(docker stack deploy) reads it (the stack names it C(${PODLIKE_KUBE_DATA})); check mode writes nothing.
      - The translated stack has version C(3.8); stack files given in O(compose) beside it need the same version
        or none.
      - C(env) values and the ConfigMap values a container reads as environment become inline C(environment), which
        is returned, shown in diff mode and stored in labels as for O(compose). Secret values do not; they reach the
        components through Swarm secrets and C(env_file).
    type: list
    elements: path
  lenient:
    description:
      - With O(kube), warn about fields without a meaning on Swarm and leave them out instead of failing.
    type: bool
    default: false
  allow_host_paths:
    description:
      - With O(kube), host path prefixes that C(hostPath) volumes may use; each one used is passed to the pod's
        controller as C(-allow-host-path).
    type: list
    elements: str
    default: []
  args:
    description:
      - Template args (C(.Args) in templates), with the highest precedence - the C(x-podlike.args) of the stack
        files are defaults that these override (see C(docs/templates.md), section Args).
    type: dict
    default: {}
  prune:
    description:
      - Remove services of the stack that the stack files no longer define (C(docker stack deploy --prune)).
      - When V(false), services outside the stack files do not count as a change.
    type: bool
    default: false
  with_registry_auth:
    description:
      - Send registry authentication details to Swarm agents (C(docker stack deploy --with-registry-auth)).
    type: bool
    default: false
  resolve_image:
    description:
      - Whether the CLI queries the registry to resolve image digests and platforms
        (C(docker stack deploy --resolve-image)). When not set, the CLI's default (V(always)) applies.
    type: str
    choices: [always, changed, never]
  wait:
    description:
      - Wait until every service of the stack runs its desired number of tasks with the deployed definition,
        and every task with a healthcheck is healthy. Also waits when nothing changed.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for the stack to converge (O(wait=true)) or to be gone (O(state=absent)).
    type: int
    default: 300
  endpoint_mode:
    description:
      - Overrides C(deploy.endpoint_mode) of every service. V(dnsrr) is needed where the kernel has no IPVS.
    type: str
    choices: [vip, dnsrr]
  publish_mode:
    description:
      - Overrides the C(mode) of every published port of every service.
    type: str
    choices: [ingress, host]
  controller_image:
    description:
      - Image of the pod controller services rendered from templates that do not set one.
      - When not set, C(podlike/controller:latest) is used.
    type: str
extends_documentation_fragment:
  - podlike.swarm.docker_engine
notes:
  - The docker command line client gets the connection options as E(DOCKER_HOST), E(DOCKER_TLS),
    E(DOCKER_TLS_VERIFY), E(DOCKER_CERT_PATH) and E(DOCKER_API_VERSION) (or C(--tlscacert), C(--tlscert) and
    C(--tlskey) when the files are not named C(ca.pem), C(cert.pem) and C(key.pem) in one directory).
  - Unlike rycus86/podlike's C(podtemplate deploy), template errors are reported as one line naming the service,
    the template and the key, and no stack file is passed to the CLI.
  - C(--detach) is the CLI's default; use O(wait) to wait for convergence.
seealso:
  - name: x-podlike templates
    description: >-
      The template syntax (Go-template and Jinja2), the template library and the order in which args apply;
      C(docs/templates.md) in the installed collection.
    link: https://github.com/podlike/swarm/blob/main/docs/templates.md
  - name: docker stack deploy
    description: The command this module runs.
    link: https://docs.docker.com/engine/reference/commandline/stack_deploy/
  - module: community.docker.docker_stack
"""

EXAMPLES = r"""
- name: Make the directory of the stack file on the target
  ansible.builtin.file:
    path: /srv/podlike-shop
    state: directory
    mode: "0755"

- name: Write a stack file on the target; its x-podlike template is Go-template text, kept from Jinja2 by !unsafe
  ansible.builtin.copy:
    dest: /srv/podlike-shop/stack.yml
    mode: "0644"
    content: !unsafe |
      version: "3.7"
      services:
        web:
          image: busybox:1.36
          command: sh -c 'mkdir -p /www && echo shop > /www/index.html && exec httpd -f -p 8080 -h /www'
          x-podlike:
            templates:
              - inline: |
                  proxy:
                    image: {{ .Args.ProxyImage }}
            args:
              ProxyImage: nginx:1.25
      x-podlike:
        args:
          Replicas: 1

- name: Deploy the stack; the app gets a sidecar rendered from its x-podlike template
  podlike.swarm.podlike_stack:
    name: shop
    compose:
      - /srv/podlike-shop/stack.yml
    args:
      ProxyImage: nginx:1.25-alpine
    resolve_image: never
    wait: true
    wait_timeout: 120

- name: Deploy an inline stack on a host without IPVS
  podlike.swarm.podlike_stack:
    name: probe
    endpoint_mode: dnsrr
    publish_mode: host
    compose:
      - version: "3.7"
        services:
          web:
            image: busybox:1.36
            command: sh -c 'mkdir -p /www && echo probe > /www/index.html && exec httpd -f -p 8080 -h /www'
            ports:
              - "18081:8080"
            x-podlike:
              templates:
                - inline:
                    probe:
                      image: busybox:1.36
                      command: sh -c 'while true; do wget -qO- http://127.0.0.1:8080/ >/dev/null; sleep 5; done'
    wait: true

- name: Write a Kubernetes manifest on the target
  ansible.builtin.copy:
    dest: /srv/podlike-shop/catalog.yaml
    mode: "0644"
    content: |
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 1
        selector:
          matchLabels: {app: catalog}
        template:
          metadata:
            labels: {app: catalog}
          spec:
            containers:
              - name: app
                image: busybox:1.36
                command: [sh, -c, "mkdir -p /www && echo catalog > /www/index.html && exec httpd -f -p 8080 -h /www"]

- name: Deploy the Kubernetes manifest as pods, on a host without IPVS
  podlike.swarm.podlike_stack:
    name: catalog
    kube:
      - /srv/podlike-shop/catalog.yaml
    endpoint_mode: dnsrr
    publish_mode: host
    wait: true

- name: Merge an inline override and remove services the files no longer define
  podlike.swarm.podlike_stack:
    name: shop
    compose:
      - /srv/podlike-shop/stack.yml
      - services:
          web:
            deploy:
              labels:
                tier: front
    prune: true
    with_registry_auth: true
    controller_image: podlike/controller:latest
    docker_host: unix:///var/run/docker.sock

- name: Show what a deploy would change
  podlike.swarm.podlike_stack:
    name: shop
    compose:
      - /srv/podlike-shop/stack.yml
    args:
      ProxyImage: nginx:1.25-alpine
  check_mode: true
  diff: true

- name: Remove the stacks and every pod component of them
  podlike.swarm.podlike_stack:
    name: "{{ item }}"
    state: absent
    wait_timeout: 120
  loop: [shop, probe, catalog]
"""

RETURN = r"""
api_version:
  description: The Engine API version spoken to the engine (negotiated unless the API version was set).
  returned: success
  type: str
  sample: "1.51"
stack:
  description:
    - The rendered stack mapping, as passed to C(docker stack deploy). Empty for O(state=absent).
    - Inline C(environment) values appear as written; Swarm secrets and C(env_file) contents do not.
  returned: always
  type: dict
  sample:
    version: "3.7"
    services:
      web:
        image: podlike/controller:latest
        command: ["-logs"]
        labels:
          pod.component.app: "image: podlike/busybox:latest\n"
        deploy:
          labels:
            podlike.stack.digest: 3f1c...
        volumes: ["/var/run/docker.sock:/var/run/docker.sock:ro"]
services:
  description: Names of the services the stack defines (without the stack prefix). Empty for O(state=absent).
  returned: always
  type: list
  elements: str
  sample: [web]
rendered:
  description:
    - The rendered stack as YAML text. Empty for O(state=absent).
    - Inline C(environment) values appear as written, as in RV(stack).
  returned: always
  type: str
  sample: "services:\n  web:\n    image: podlike/controller:latest\n"
plan:
  description: What the deploy does to each service, found by comparing digests before acting.
  returned: when O(state=present)
  type: dict
  contains:
    create:
      description: Services that do not exist yet.
      type: list
      elements: str
    update:
      description: Services whose deployed digest differs from the rendered one.
      type: list
      elements: str
    remove:
      description: Services that O(prune=true) removes.
      type: list
      elements: str
    unchanged:
      description: Services deployed as rendered.
      type: list
      elements: str
    resources_changed:
      description: Whether the top-level networks, volumes, configs or secrets differ from the last deploy.
      type: bool
    drift:
      description: Services whose definition did not change but whose live spec was changed outside the module.
      type: list
      elements: str
  sample:
    create: []
    update: [web]
    remove: []
    unchanged: [db]
    resources_changed: false
    drift: []
"""

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import DockerError
from ansible_collections.podlike.swarm.plugins.module_utils.engine.connection import (
    client_from_params,
    engine_argument_spec,
)
from ansible_collections.podlike.swarm.plugins.module_utils.kube.errors import KubeError
from ansible_collections.podlike.swarm.plugins.module_utils.libraries import MissingLibrary
from ansible_collections.podlike.swarm.plugins.module_utils.module_params import module_client
from ansible_collections.podlike.swarm.plugins.module_utils.stack.apply import apply
from ansible_collections.podlike.swarm.plugins.module_utils.stack.deploy import StackError

ARGUMENT_SPEC = {
    "name": {"type": "str", "required": True},
    "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    "compose": {"type": "list", "elements": "raw"},
    "kube": {"type": "list", "elements": "path"},
    "lenient": {"type": "bool", "default": False},
    "allow_host_paths": {"type": "list", "elements": "str", "default": []},
    "args": {"type": "dict", "default": {}},
    "prune": {"type": "bool", "default": False},
    "with_registry_auth": {"type": "bool", "default": False},
    "resolve_image": {"type": "str", "choices": ["always", "changed", "never"]},
    "wait": {"type": "bool", "default": False},
    "wait_timeout": {"type": "int", "default": 300},
    "endpoint_mode": {"type": "str", "choices": ["vip", "dnsrr"]},
    "publish_mode": {"type": "str", "choices": ["ingress", "host"]},
    "controller_image": {"type": "str"},
}

# Worded as Ansible's missing_required_lib, which names Python libraries only.
MISSING_CLI = (
    "Failed to find the required command line client (docker) on the managed node's PATH. "
    "Install the docker CLI (Debian: docker.io or docker-ce-cli; see bindep.txt) on the node."
)


def run_module(module):
    """Check the options, then deploy or remove the stack; return the module result."""
    client = module_client(module, missing_required_lib, client_from_params, non_empty=("name",))
    docker_bin = module.get_bin_path("docker")
    if not docker_bin:
        module.fail_json(msg=MISSING_CLI)
    result = apply(module.params, client, docker_bin, module.check_mode, module.warn)
    result["api_version"] = client.api_version
    return result


def main():
    module = AnsibleModule(
        argument_spec=engine_argument_spec(env_fallback, **ARGUMENT_SPEC),
        required_if=[("state", "present", ["compose", "kube"], True)],
        supports_check_mode=True,
    )
    try:
        result = run_module(module)
    except MissingLibrary as error:
        module.fail_json(msg=missing_required_lib(error.library, reason=error.reason))
    except (StackError, DockerError, KubeError) as error:
        module.fail_json(msg=str(error), changed=getattr(error, "changed", False))
    diff = result.pop("diff")
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
