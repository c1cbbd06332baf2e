"""Generated hostile and malformed input: every case ends in a clear error or a valid pod, never a traceback.

Case counts: 600 label sets, 600 component definitions, 400 templates, 300 flag lists (1900 in all).
PODLIKE_FUZZ_EXAMPLES=N caps every test at N cases, for a quick run while editing; make test runs them all.
"""

import os
import string

from ansible_collections.podlike.swarm.plugins.module_utils.pod import policy
from ansible_collections.podlike.swarm.plugins.module_utils.pod.containers import PodContext, create_body
from ansible_collections.podlike.swarm.plugins.module_utils.pod.definition import from_labels
from ansible_collections.podlike.swarm.plugins.module_utils.pod.errors import SpecError
from ansible_collections.podlike.swarm.plugins.module_utils.pod.settings import parse_flags, resolve
from ansible_collections.podlike.swarm.plugins.module_utils.pod.spec import (
    COMPONENT_NAME,
    SUPPORTED_KEYS,
    parse_component,
)
from ansible_collections.podlike.swarm.plugins.module_utils.template.errors import TemplateError
from ansible_collections.podlike.swarm.plugins.module_utils.template.render import render_stack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def cases(count):
    limit = os.environ.get("PODLIKE_FUZZ_EXAMPLES")
    if limit:
        count = min(count, int(limit))
    return settings(max_examples=count, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False), st.text(max_size=30)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)
keys = st.one_of(st.sampled_from(sorted(SUPPORTED_KEYS) + ["ports", "privileged", "x-y"]), st.text(max_size=12))
definitions = st.dictionaries(keys, values, max_size=6)
yaml_text = st.one_of(
    st.text(alphabet=string.printable, max_size=120),
    st.builds(lambda d: "image: busybox\n" + "\n".join("%s: %r" % kv for kv in d.items()), definitions),
)
label_names = st.one_of(
    st.builds(lambda n: "pod.component." + n, st.text(max_size=12)),
    st.sampled_from(
        [
            "pod.init.components",
            "pod.compose.file",
            "pod.copy.app",
            "pod.controller.pids",
            "pod.controller.allow-privileged",
            "pod.controller.grace-period",
        ]
    ),
)
CONTROLLER = {"Id": "c" * 64, "Name": "/pod", "Config": {"Labels": {}}, "HostConfig": {}}


def _read_nothing(path):
    raise OSError(2, "No such file or directory")


@cases(600)
@given(st.dictionaries(label_names, yaml_text, max_size=5))
def test_label_sets(labels):
    try:
        pod = from_labels(labels, read_file=_read_nothing)
        settings = resolve({}, pod.settings)
    except SpecError as error:
        assert "\n" not in str(error)
        return
    context = PodContext(CONTROLLER, settings)
    for component in pod.all_components():
        assert COMPONENT_NAME.match(component.name)
        try:
            body = create_body(component, context, read_file=_read_nothing)
        except SpecError:
            continue
        assert body["HostConfig"]["NetworkMode"] == "container:" + "c" * 64


@cases(600)
@given(st.text(max_size=15), definitions)
def test_component_definitions(name, definition):
    definition = dict(definition, image="busybox")
    try:
        component = parse_component(name, definition)
        policy.check([component], allow_privileged=False)
    except SpecError as error:
        assert "\n" not in str(error)
        return
    assert "/" not in component.name and " " not in component.name


templates = st.one_of(
    st.text(max_size=80),
    st.builds(lambda body: "app:\n  image: x\n  command: " + body, st.text(max_size=40)),
    st.builds(lambda body: "{{ " + body + " }}", st.text(max_size=30)),
    st.builds(lambda body: "{{ ." + body + " }}", st.text(alphabet=string.ascii_letters + ".", max_size=20)),
)


@cases(400)
@given(templates, st.sampled_from(["templates", "transformer", "pod", "init", "copy"]))
def test_templates(template, kind):
    stack = {"version": "3.8", "services": {"web": {"image": "busybox", "x-podlike": {kind: {"inline": template}}}}}
    try:
        rendered = render_stack([stack])
    except TemplateError as error:
        assert str(error)
        return
    assert "x-podlike" not in rendered["services"]["web"]


@cases(300)
@given(st.lists(st.text(max_size=20), max_size=4))
def test_flag_lists(argv):
    try:
        parse_flags(argv)
    except SpecError as error:
        assert "\n" not in str(error)
