# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Render a stack carrying ``x-podlike`` extension fields into a plain stack of pod controllers.

``render_stack`` is the one entry point: the command-line renderer, the modules and the tests all call it.
The format and the deliberate differences from rycus86/podlike are described in docs/templates.md.
"""

import copy

from ansible_collections.podlike.swarm.plugins.module_utils.constants import (
    CONTROLLER_COMMAND,
    CONTROLLER_IMAGE,
    DOCKER_SOCKET,
    LABEL_COMPONENT_PREFIX,
    LABEL_COPY_PREFIX,
    LABEL_INIT_COMPONENTS,
    LABEL_SETTING_PREFIX,
)
from ansible_collections.podlike.swarm.plugins.module_utils.libraries import MissingLibrary, import_jinja2
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import (
    component_keys,
    key_values,
    parse_copy,
    parse_depends_on,
)
from ansible_collections.podlike.swarm.plugins.module_utils.template import gotemplate
from ansible_collections.podlike.swarm.plugins.module_utils.template.compose import (
    load_stack,
    long_ports,
    long_volume,
    parse_yaml,
)
from ansible_collections.podlike.swarm.plugins.module_utils.template.errors import TemplateError
from ansible_collections.podlike.swarm.plugins.module_utils.template.merge import (
    MERGED_POD_KEYS,
    MERGED_TRANSFORMER_KEYS,
    merge_args,
    merge_recursively,
)
from ansible_collections.podlike.swarm.plugins.module_utils.template.service import service_view
from ansible_collections.podlike.swarm.plugins.module_utils.template.sources import load_template
from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import dump_yaml as dump, to_yaml

KINDS = ("pod", "transformer", "templates", "init", "copy")
EXTENSION_KEY = "x-podlike"
ENDPOINT_MODES = ("vip", "dnsrr")
PUBLISH_MODES = ("ingress", "host")
SOCKET_VOLUME = f"{DOCKER_SOCKET}:{DOCKER_SOCKET}:ro"
DEFAULT_COMPONENT_NAME = "app"


def render_stack(compose, args=None, workdir=None, endpoint_mode=None, publish_mode=None, controller_image=None):
    """Render stack files (paths or mappings, merged in order) into a plain stack mapping.

    ``args`` are the deploy-time template args, above every ``x-podlike.args`` of the files (which give
    defaults); ``workdir`` (default: the first file's directory) is where relative template paths are resolved;
    ``endpoint_mode`` and ``publish_mode`` override every service's ``deploy.endpoint_mode`` and every port's
    ``mode``; ``controller_image`` replaces the default controller image.
    Raises TemplateError, or MissingLibrary for Jinja2 templates without Jinja2.
    """
    if endpoint_mode is not None and endpoint_mode not in ENDPOINT_MODES:
        raise TemplateError(
            "endpoint mode must be one of {}, not {!r}".format(", ".join(ENDPOINT_MODES), endpoint_mode)
        )
    if publish_mode is not None and publish_mode not in PUBLISH_MODES:
        raise TemplateError("publish mode must be one of {}, not {!r}".format(", ".join(PUBLISH_MODES), publish_mode))
    try:
        stack, workdir = load_stack(compose, workdir)
        service_configs, top_configs, global_args = _collect_configs(stack)
        output = _without_extensions(stack)
        for name in sorted(set(service_configs) | set(top_configs)):
            pod = PodRenderer(
                name,
                stack["services"][name],
                [service_configs.get(name) or {}, top_configs.get(name) or {}],
                merge_args(
                    args,
                    (service_configs.get(name) or {}).get("args"),
                    (top_configs.get(name) or {}).get("args"),
                    global_args,
                ),
                workdir,
                controller_image or CONTROLLER_IMAGE,
            )
            output["services"][name] = pod.render()
        _apply_modes(output, endpoint_mode, publish_mode)
        return output
    except (TemplateError, MissingLibrary):
        raise
    except Exception as error:  # noqa: BLE001 - a defect must still reach the user as one line, not a traceback
        raise TemplateError(f"unexpected {type(error).__name__}: {error}")


def dump_stack(stack):
    """YAML text of a rendered stack; the same stack always gives the same text."""
    return dump(stack)


def _mapping_or_empty(value, what, **context):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TemplateError(f"{what} must be a mapping, not {type(value).__name__}", **context)
    return value


def _check_config(config, service):
    config = _mapping_or_empty(config, "the x-podlike configuration", service=service)
    for key in config:
        if key not in KINDS and key != "args":
            raise TemplateError(
                "unknown x-podlike key (expected one of {})".format(", ".join(KINDS + ("args",))),
                service=service,
                key=key,
            )
    _mapping_or_empty(config.get("args"), "args", service=service, key="args")
    return config


def _collect_configs(stack):
    """Return (service-level configs, top-level per-service configs, global args)."""
    services = stack.get("services") or {}
    stack["services"] = services
    top_level = dict(_mapping_or_empty(stack.get(EXTENSION_KEY), "the top-level x-podlike"))
    global_args = _mapping_or_empty(top_level.pop("args", None), "the global x-podlike args", key="args")
    top_configs = {}
    for name, config in top_level.items():
        if name not in services:
            raise TemplateError("x-podlike configures a service that is not in the stack", service=name)
        top_configs[name] = _check_config(config, name)
    service_configs = {}
    for name, service in services.items():
        if not isinstance(service, dict):
            raise TemplateError(f"a service must be a mapping, not {type(service).__name__}", service=name)
        if EXTENSION_KEY in service:
            service_configs[name] = _check_config(service[EXTENSION_KEY], name)
    return service_configs, top_configs, global_args


def _without_extensions(stack):
    output = {}
    for key, value in stack.items():
        if key == "services":
            # One copy for all services, so what they share stays shared; their x-podlike is not copied.
            shared = {}
            output[key] = {
                name: {
                    item: copy.deepcopy(setting, shared) for item, setting in service.items() if item != EXTENSION_KEY
                }
                for name, service in value.items()
            }
        elif not str(key).startswith(EXTENSION_KEY):
            output[key] = copy.deepcopy(value)
    return output


def _template_items(configs, kind, service):
    """The template items of one kind: the service-level ones first, then the top-level ones."""
    items = []
    for config in configs:
        value = config.get(kind)
        if value is None:
            continue
        items.extend(value if isinstance(value, list) else [value])
    return items


class PodRenderer:
    """Renders one templated service into its controller service."""

    def __init__(self, name, service, configs, args, workdir, controller_image):
        self.name = name
        self.service = service
        self.configs = configs
        self.args = args
        self.workdir = workdir
        self.controller_image = controller_image
        self.context = {"Service": service_view(name, service), "Args": args, "Project": None}

    def render(self):
        controller = self.render_controller()
        main_name, main_component = self.render_main_component()
        components = {main_name: main_component}
        for component_name, (template, component) in self.render_extra_components().items():
            if component_name in components:
                raise TemplateError(
                    f"component {component_name!r} is defined both by a transformer and by templates",
                    service=self.name,
                    template=template,
                    key="templates",
                )
            components[component_name] = component
        init_components = self.render_init_components()
        copies = self.render_copies()
        labels = self._labels_mapping(controller.get("labels"))
        for component_name, component in components.items():
            labels[LABEL_COMPONENT_PREFIX + component_name] = dump(component)
        if init_components:
            labels[LABEL_INIT_COMPONENTS] = dump(init_components)
        for component_name, paths in copies.items():
            labels[LABEL_COPY_PREFIX + component_name] = dump(paths)
        if controller.get("stop_grace_period") is not None:
            # A Swarm task cannot see its service's grace period: tell the controller through a label.
            labels.setdefault(LABEL_SETTING_PREFIX + "grace-period", str(controller["stop_grace_period"]))
        controller["labels"] = {key: labels[key] for key in sorted(labels)}
        return {key: controller[key] for key in sorted(controller)}

    # -- rendering one template ------------------------------------------------------------------------------

    def render_template(self, item, kind):
        """Render one template item; return (template name, mapping with string keys)."""
        try:
            source = load_template(item, self.workdir)
        except TemplateError as error:
            raise error.with_context(service=self.name, key=kind)
        if kind == "pod" and source.fetched:
            # The controller holds the engine's socket: what it runs, with which flags and mounts, is the operator's.
            raise TemplateError(
                "a pod template describes the controller, which holds the engine's socket: it comes from the stack"
                " file, a file beside it or the library, not over HTTP",
                service=self.name,
                template=source.name,
                key=kind,
            )
        try:
            text = render_text(source.text, self.context)
            mapping = parse_yaml(text, "the rendered template")
        except TemplateError as error:
            raise error.with_context(service=self.name, template=source.name, key=kind)
        return source.name, _string_keys(mapping)

    def _rendered(self, kind):
        for item in _template_items(self.configs, kind, self.name):
            yield self.render_template(item, kind)

    def _single_root(self, template, mapping, kind, name=None):
        if len(mapping) != 1:
            raise TemplateError(
                f"a {kind} template must have exactly one root key, got {len(mapping)}"
                f" ({', '.join(sorted(mapping)) or 'none'})",
                service=self.name,
                template=template,
                key=kind,
            )
        root, value = next(iter(mapping.items()))
        return root, self._component(name or root, value, template, kind)

    def _component(self, name, value, template, kind):
        component = _mapping_or_empty(value, "a component", service=self.name, template=template, key=kind)
        self._check_component(name, component, template)
        return component

    def _check_component(self, name, component, template):
        """The component model's key and dependency checks; values may still hold ${VAR} for the deploy."""
        try:
            component_keys(name, component)
            parse_depends_on(name, component.get("depends_on"))
        except SpecError as error:
            raise TemplateError(error.detail, service=self.name, template=template, key=error.key, component=name)

    # -- each kind -------------------------------------------------------------------------------------------

    def render_controller(self):
        controller = {}
        templated = False
        for template, mapping in self._rendered("pod"):
            templated = True
            if len(mapping) != 1:
                raise TemplateError(
                    f"a pod template must have exactly one root key, got {len(mapping)}",
                    service=self.name,
                    template=template,
                    key="pod",
                )
            value = _mapping_or_empty(next(iter(mapping.values())), "the pod", service=self.name, template=template)
            merge_recursively(controller, value)
        if not templated:
            controller["command"] = list(CONTROLLER_COMMAND)
        for key in MERGED_POD_KEYS:
            if key in self.service and key not in controller:
                controller[key] = copy.deepcopy(self.service[key])
        controller.setdefault("image", self.controller_image)
        volumes = controller["volumes"] = list(controller.get("volumes") or [])
        if not any(long_volume(volume).get("target") == DOCKER_SOCKET for volume in volumes):
            volumes.append(SOCKET_VOLUME)
        return controller

    def render_main_component(self):
        main_name = None
        main_component = {}
        for template, mapping in self._rendered("transformer"):
            root, component = self._single_root(template, mapping, "transformer")
            main_name = main_name or root
            merge_recursively(main_component, component)
        for key in MERGED_TRANSFORMER_KEYS:
            if key in self.service and key not in main_component:
                main_component[key] = copy.deepcopy(self.service[key])
        main_name = main_name or DEFAULT_COMPONENT_NAME
        self._check_component(main_name, main_component, None)
        return main_name, main_component

    def render_extra_components(self):
        components = {}
        for template, mapping in self._rendered("templates"):
            for root, value in mapping.items():
                component = self._component(root, value, template, "templates")
                if root in components:
                    merge_recursively(components[root][1], component)
                else:
                    components[root] = (template, component)
        return {root: components[root] for root in components}

    def render_init_components(self):
        return [
            self._single_root(template, mapping, "init", name="init-%d" % index)[1]
            for index, (template, mapping) in enumerate(self._rendered("init"), start=1)
        ]

    def render_copies(self):
        copies = {}
        for template, mapping in self._rendered("copy"):
            for component_name, spec in mapping.items():
                try:
                    pairs = parse_copy(component_name, spec)
                except SpecError as error:
                    raise TemplateError(
                        error.detail, service=self.name, template=template, key=error.key, component=component_name
                    )
                copies.setdefault(component_name, []).extend("%s:%s" % pair for pair in pairs)
        return copies

    @staticmethod
    def _labels_mapping(labels):
        return key_values(labels)


def _string_keys(value):
    if isinstance(value, dict):
        return {str(key): _string_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_string_keys(item) for item in value]
    return value


def _apply_modes(stack, endpoint_mode, publish_mode):
    for service in stack.get("services", {}).values():
        if endpoint_mode:
            deploy = service.get("deploy") or {}
            deploy["endpoint_mode"] = endpoint_mode
            service["deploy"] = deploy
        if publish_mode and service.get("ports"):
            ports = []
            for port in service["ports"]:
                for entry in long_ports(port):
                    entry["mode"] = publish_mode
                    ports.append(entry)
            service["ports"] = ports


# -- template text --------------------------------------------------------------------------------------------


def render_text(text, context):
    """Render template text with Go text/template or Jinja2 syntax, whichever it uses."""
    if gotemplate.looks_like_go_template(text):
        try:
            return gotemplate.render(text, context)
        except gotemplate.GoTemplateError as error:
            raise TemplateError(f"template error: {error}")
    if "{{" not in text and "{%" not in text and "{#" not in text:
        return text
    return _render_jinja(text, context)


_JINJA_ENVIRONMENT = None


def _jinja_environment():
    global _JINJA_ENVIRONMENT
    if _JINJA_ENVIRONMENT is not None:
        return _JINJA_ENVIRONMENT
    jinja2 = import_jinja2()

    class GoStyleUndefined(jinja2.ChainableUndefined):
        """Missing values print as Go's ``<no value>``, so both syntaxes render alike."""

        def __str__(self):
            return gotemplate.NO_VALUE

    def finalize(value):
        if value is None or isinstance(value, bool):
            return gotemplate.go_string(value)
        return value

    from jinja2.sandbox import ImmutableSandboxedEnvironment

    # Sandboxed: a template reaches no attribute that leads out of its values (__globals__, __class__...), and
    # changes none of them; templates may come from a library or a URL.
    environment = ImmutableSandboxedEnvironment(
        undefined=GoStyleUndefined, keep_trailing_newline=True, finalize=finalize, autoescape=False
    )
    for name in ("yaml", "indent", "empty", "notEmpty", "contains", "startsWith", "replace"):
        environment.globals[name] = gotemplate.FUNCTIONS[name]
    environment.filters["yaml"] = to_yaml
    environment.filters["to_yaml"] = to_yaml
    _JINJA_ENVIRONMENT = environment
    return environment


def _render_jinja(text, context):
    jinja2 = import_jinja2()

    try:
        return _jinja_environment().from_string(text).render(**context)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"template syntax error on line {error.lineno}: {error.message}")
    except jinja2.TemplateError as error:
        raise TemplateError(f"template error: {error}")
