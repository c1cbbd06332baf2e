# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""YAML reading and writing for the whole collection: one-line errors, stable output (libyaml when present)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible_collections.podlike.swarm.plugins.module_utils.libraries import (
    LIBRARIES,
    MissingLibrary,
    load_site_packages,
)
from ansible_collections.podlike.swarm.plugins.module_utils.yaml_flat import flat_mapping

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_PLAIN_SCALAR_TAGS = frozenset((_STR, _INT, _FLOAT, _BOOL, _NULL))

load_site_packages()
try:
    import yaml

    HAS_YAML = True
    _RESOLVER = yaml.resolver.Resolver()

    @functools.lru_cache(maxsize=1024)
    def _plain_scalar_tag(value):
        return _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))

    class _RememberedScalarTags:
        """The resolver's answer for a plain scalar, remembered: keys and values recur in every service's labels.

        Without path resolvers (none are added here), a scalar's tag depends only on its text and on whether it
        may be implicit (a plain scalar), any other scalar is a string, and collections have their default tags.
        """

        def resolve(self, kind, value, implicit):
            if self.yaml_path_resolvers:
                return super().resolve(kind, value, implicit)
            if kind is yaml.ScalarNode:
                return _plain_scalar_tag(value) if implicit[0] else _STR
            return _SEQ if kind is yaml.SequenceNode else _MAP

    _FAST_COMPOSER = hasattr(yaml, "CSafeLoader")

    class _Loader(_RememberedScalarTags, yaml.CSafeLoader if _FAST_COMPOSER else yaml.SafeLoader):
        """The safe loader, libyaml's when present."""

    class _StableDumper(_RememberedScalarTags, getattr(yaml, "CSafeDumper", None) or yaml.SafeDumper):
        """Sorted keys, block style, multi-line strings as | blocks so that labels stay readable."""

        def represent(self, data):
            # Plain data (the labels of every component) skips the representer's alias bookkeeping and dispatch.
            node = _plain_node(self, data, set())
            if node is None:
                super().represent(data)
            else:
                self.serialize(node)

    def _represent_text(dumper, text):
        if "\n" in text:
            return dumper.represent_scalar(_STR, text, style="|")
        return dumper.represent_scalar(_STR, text)

    _StableDumper.add_representer(str, _represent_text)
except ImportError:  # pragma: no cover - reported by the callers
    yaml = None
    HAS_YAML = False
    _FAST_COMPOSER = False


# Nodes a document may hold, counting each alias as the whole node it repeats: a few hundred bytes of
# nested aliases would otherwise expand to billions of values in whoever walks the result. Nesting is
# bounded too: libyaml's composer recurses per level and would overflow the C stack.
MAX_NODES = 10000
MAX_DEPTH = 100
# Text aliases may add to a document, beyond its own length: one long anchored string repeated a few thousand
# times stays under the node limit, and would otherwise turn a 60 KB label into a create request of 50 MB.
MAX_ALIAS_TEXT = 1 << 20


class YAMLError(ValueError):
    """YAML that cannot be read; the message is a single line."""


def load_yaml(text, max_nodes=MAX_NODES):
    """The single document in text; YAMLError when it is invalid, too large or nested too deeply."""
    flat = flat_mapping(text)
    if flat is not None and 2 * len(flat) < max_nodes:
        return flat
    if not HAS_YAML:
        raise MissingLibrary(LIBRARIES["yaml"])
    loader = _Loader(text)
    try:
        if _composable_at_once(text):
            node, plain = _compose_at_once(loader, max_nodes, len(text) + MAX_ALIAS_TEXT)
            if plain:
                return _construct_plain(loader, node)
        else:
            node = _compose(loader, max_nodes, len(text) + MAX_ALIAS_TEXT)
        return None if node is None else loader.construct_document(node)
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(exc):
            # libyaml's own limit (1000 levels), reached while it reads ahead of the composer's check.
            raise YAMLError("the document is nested more than %d levels deep" % MAX_DEPTH)
        raise YAMLError(_one_line(exc))
    finally:
        loader.dispose()


class _Open:
    """A collection node being composed, with the expanded size of what it holds so far."""

    def __init__(self, node, anchor):
        self.node = node
        self.anchor = anchor
        self.items = []
        self.size = 1
        self.text = 0


def _compose(loader, max_nodes, max_text):
    """The document's node graph, built from the event stream without recursion, counting expanded nodes and
    the characters of their scalars (max_text)."""
    loader.get_event()
    if loader.check_event(yaml.StreamEndEvent):
        return None
    loader.get_event()
    anchors, sizes, texts, stack = {}, {}, {}, []
    root, expanded_text = None, 0
    while root is None:
        event = loader.get_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise _error("found undefined alias %r" % event.anchor, event)
            node = anchors[event.anchor]
            size, text = sizes[id(node)], texts[id(node)]
            expanded_text += text
        elif isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
            size, text = _register(anchors, sizes, event.anchor, node, 1), len(event.value)
            texts[id(node)] = text
            expanded_text += text
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            kind = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(kind, None, event.implicit)
            stack.append(_Open(kind(tag, [], event.start_mark, None, flow_style=event.flow_style), event.anchor))
            if len(stack) > MAX_DEPTH:
                raise _error("the document is nested more than %d levels deep" % MAX_DEPTH, event)
            continue
        else:
            closed = stack.pop()
            node = closed.node
            node.end_mark = event.end_mark
            if isinstance(node, yaml.MappingNode):
                node.value = list(zip(closed.items[0::2], closed.items[1::2]))
            else:
                node.value = closed.items
            size, text = _register(anchors, sizes, closed.anchor, node, closed.size), closed.text
            texts[id(node)] = text
        if expanded_text > max_text:
            raise _error(_TOO_MUCH_TEXT % MAX_ALIAS_TEXT, event)
        if not stack:
            root = node
            continue
        parent = stack[-1]
        parent.items.append(node)
        parent.size += size
        parent.text += text
        if parent.size > max_nodes:
            raise _error("the document has more than %d nodes (aliases counted as expanded)" % max_nodes, event)
    loader.get_event()
    if not loader.check_event(yaml.StreamEndEvent):
        raise _error("expected a single document in the stream", loader.get_event())
    return root


def _composable_at_once(text):
    """True when libyaml may compose the document itself, about three times faster than event by event.

    That is when no alias can repeat a node, and when the document cannot nest deeper than MAX_DEPTH: every
    collection takes at least one of the indicators counted (libyaml's composer recurses per level).
    """
    return _FAST_COMPOSER and "*" not in text and sum(text.count(indicator) for indicator in "-:?[{") < MAX_DEPTH


def _compose_at_once(loader, max_nodes, max_text):
    """libyaml's node graph of the single document, with the same refusals as _compose; and whether it is
    plain (see _construct_plain)."""
    try:
        root = loader.get_single_node()
    except yaml.composer.ComposerError as exc:
        if exc.context == "expected a single document in the stream":
            raise yaml.composer.ComposerError(None, None, exc.context, exc.problem_mark)
        raise
    if root is None:
        return None, False
    count, expanded_text, plain, pending = 0, 0, True, [root]
    while pending:
        node = pending.pop()
        count += 1
        if count > max_nodes:
            raise _error("the document has more than %d nodes (aliases counted as expanded)" % max_nodes, node)
        kind = type(node)
        if kind is yaml.ScalarNode:
            expanded_text += len(node.value)
            if expanded_text > max_text:
                raise _error(_TOO_MUCH_TEXT % MAX_ALIAS_TEXT, node)
            plain = plain and node.tag in _PLAIN_SCALAR_TAGS
        elif kind is yaml.MappingNode:
            plain = plain and node.tag == _MAP
            for key, value in node.value:
                # A collection as a key is refused by the constructor; merge keys (<<) are not plain tags.
                plain = plain and isinstance(key, yaml.ScalarNode)
                pending.append(key)
                pending.append(value)
        else:
            plain = plain and node.tag == _SEQ
            pending.extend(node.value)
    return root, plain


def _construct_plain(loader, node):
    """The value SafeConstructor builds from an alias-free graph of plain tags, without its generators."""
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _MAP:
        return {_construct_plain(loader, key): _construct_plain(loader, value) for key, value in node.value}
    if tag == _SEQ:
        return [_construct_plain(loader, item) for item in node.value]
    if tag == _NULL:
        return None
    if tag == _INT:
        return loader.construct_yaml_int(node)
    if tag == _BOOL:
        return loader.construct_yaml_bool(node)
    return loader.construct_yaml_float(node)


def _plain_node(dumper, value, containers):
    """The node SafeRepresenter makes of plain data (str, int, float, bool, None, dict, list), or None for
    anything else, or when a dict or list occurs twice (the representer writes those as aliases)."""
    kind = type(value)
    if kind is str:
        return yaml.ScalarNode(_STR, value, style="|" if "\n" in value else None)
    if kind is dict or kind is list:
        if id(value) in containers:
            return None
        containers.add(id(value))
        if kind is list:
            items = [_plain_node(dumper, item, containers) for item in value]
            return None if None in items else yaml.SequenceNode(_SEQ, items, flow_style=False)
        pairs = list(value.items())
        try:
            pairs = sorted(pairs)
        except TypeError:
            pass
        nodes = []
        for key, item in pairs:
            key_node = _plain_node(dumper, key, containers)
            item_node = _plain_node(dumper, item, containers)
            if key_node is None or item_node is None:
                return None
            nodes.append((key_node, item_node))
        return yaml.MappingNode(_MAP, nodes, flow_style=False)
    if kind is bool:
        return yaml.ScalarNode(_BOOL, "true" if value else "false")
    if kind is int:
        return yaml.ScalarNode(_INT, str(value))
    if value is None:
        return yaml.ScalarNode(_NULL, "null")
    if kind is float:
        return dumper.represent_float(value)
    return None


_TOO_MUCH_TEXT = "the document's aliases repeat more than %d characters of text"


def _register(anchors, sizes, anchor, node, size):
    sizes[id(node)] = size
    if anchor is not None:
        anchors[anchor] = node
    return size


def _error(problem, event):
    return yaml.composer.ComposerError(None, None, problem, event.start_mark)


def load_yaml_documents(text):
    """Every document of a multi-document YAML text, as a list."""
    if not HAS_YAML:
        raise YAMLError("PyYAML is not installed")
    try:
        return list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        raise YAMLError(_one_line(exc))


def dump_yaml(value):
    """Deterministic YAML text of plain data."""
    if not HAS_YAML:
        raise MissingLibrary(LIBRARIES["yaml"])
    return yaml.dump(
        value, Dumper=_StableDumper, default_flow_style=False, sort_keys=True, width=1000, allow_unicode=True
    )


def to_plain(value):
    """Template views (see template/service.py) turned back into the Compose values they were built from."""
    compose_value = getattr(value, "compose_value", None)
    if compose_value is not None:
        return to_plain(compose_value)
    if isinstance(value, dict):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if value.__class__.__name__ == "_Missing":
        return None
    return value


def to_yaml(value):
    """YAML text of a value, as the ``yaml`` template function gives it."""
    text = dump_yaml(to_plain(value))
    if text.endswith("\n...\n"):
        text = text[: -len("...\n")]
    return text


def _one_line(exc):
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        return "%s (line %d, column %d)" % (problem, mark.line + 1, mark.column + 1)
    return " ".join(str(exc).split())
