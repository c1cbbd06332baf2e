# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Template items: where the text of a template comes from (file, inline, HTTP, the library)."""

import os
import re

from ansible_collections.podlike.swarm.plugins.module_utils.template.errors import TemplateError
from ansible_collections.podlike.swarm.plugins.module_utils.template.library import LIBRARY
from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import dump_yaml as dump

HTTP_TIMEOUT = 30
_HTTP_URL = re.compile(r"(?i)^https?://")


class TemplateSource:
    """The text of one template, the name it is known by in errors, and whether it was fetched over HTTP."""

    def __init__(self, name, text, fetched=False):
        self.name = name
        self.text = text
        self.fetched = fetched


def load_template(item, workdir):
    """Resolve one template item into a TemplateSource, following fallbacks."""
    if isinstance(item, str):
        return _load_string(item, workdir)
    if not isinstance(item, dict) or len(item) != 1:
        raise TemplateError(
            f"a template must be a path, or a mapping with one of file, inline, http or library; got {item!r}"
        )
    kind, spec = next(iter(item.items()))
    if kind == "file":
        return _load_file_item(spec, workdir)
    if kind == "inline":
        return _load_inline(spec)
    if kind == "http":
        return _load_http_item(spec, workdir)
    if kind == "library":
        return _load_library(spec)
    raise TemplateError(f"unknown template source {kind!r} (expected file, inline, http or library)")


def _load_string(text, workdir):
    if _HTTP_URL.match(text):
        return _load_http(text, False, None, workdir)
    path = os.path.join(workdir, text)
    if _looks_like_library_name(text) and not os.path.exists(path):
        return _load_library(text)
    return _load_file(text, None, workdir)


def _looks_like_library_name(text):
    return "/" not in text and "\\" not in text and not os.path.splitext(text)[1]


def _load_library(name):
    if not isinstance(name, str) or name not in LIBRARY:
        raise TemplateError(
            "unknown library template {!r} (known: {})".format(name, ", ".join(sorted(LIBRARY))), template=str(name)
        )
    return TemplateSource(name, LIBRARY[name])


def _load_inline(spec):
    if isinstance(spec, str):
        return TemplateSource("inline", spec)
    if isinstance(spec, dict):
        return TemplateSource("inline", dump(spec))
    raise TemplateError(f"inline template must be text or a mapping, not {type(spec).__name__}")


def _load_file_item(spec, workdir):
    if isinstance(spec, str):
        return _load_file(spec, None, workdir)
    if isinstance(spec, dict) and isinstance(spec.get("path"), str):
        return _load_file(spec["path"], spec.get("fallback"), workdir)
    raise TemplateError(f"file template must be a path or {{path, fallback}}, got {spec!r}")


def _load_file(path, fallback, workdir):
    full_path = os.path.join(workdir, os.path.expanduser(path))
    try:
        with open(full_path, encoding="utf-8") as handle:
            return TemplateSource(os.path.basename(path), handle.read())
    except OSError as error:
        if fallback is not None:
            return load_template(fallback, workdir)
        raise TemplateError(
            f"cannot read template file {full_path}: {error.strerror or error}", template=os.path.basename(path)
        )


def _load_http_item(spec, workdir):
    if isinstance(spec, str):
        return _load_http(spec, False, None, workdir)
    if isinstance(spec, dict) and isinstance(spec.get("url"), str):
        return _load_http(spec["url"], bool(spec.get("insecure", False)), spec.get("fallback"), workdir)
    raise TemplateError(f"http template must be a URL or {{url, insecure, fallback}}, got {spec!r}")


def _load_http(url, insecure, fallback, workdir):
    # Imported here: urllib.request (with http.client and email) and ssl cost every run that has no HTTP template.
    import ssl
    import urllib.error
    import urllib.request

    context = None
    if insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        # An opener of the standard library: module_utils here also run in the controller image, without ansible.
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
        with opener.open(url, timeout=HTTP_TIMEOUT) as response:
            if response.status != 200:
                raise urllib.error.HTTPError(url, response.status, response.reason, response.headers, None)
            text = response.read().decode("utf-8")
    except (OSError, ValueError, UnicodeDecodeError) as error:
        if fallback is not None:
            return load_template(fallback, workdir)
        reason = getattr(error, "reason", None) or error
        raise TemplateError(f"cannot fetch template {url}: {reason}", template=url)
    return TemplateSource(url, text, fetched=True)
