# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Registry credentials for component pulls, from the usual Docker config files.

Looked up in order: /var/run/secrets/podlike/dockerregistryauth.json (a Swarm secret, as in rycus86/podlike),
$DOCKER_CONFIG/config.json, ~/.docker/config.json. Credential helpers are not run. With `binascii` and the
collection's JSON codec, not `base64` and `json` (which import `re` and `enum`): every controller's start-up reads
the paths (pod/controller_files.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import os

from ansible_collections.podlike.swarm.plugins.module_utils.json_codec import dumps, loads

SECRET_PATH = "/var/run/secrets/podlike/dockerregistryauth.json"
DOCKER_HUB_KEYS = ("https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io")


def registry_host(image):
    """The registry the engine pulls an image reference from; docker.io for Docker Hub names (nginx, me/app).

    The engine's own rule: the first of several path components is a registry when it holds a dot or a colon,
    is `localhost`, or has an upper-case letter (`LOCALHOST/app`, `Evil/app`: not Docker Hub, whose credentials
    must not go there).
    """
    first, sep, _rest = image.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first.lower() != first):
        return "docker.io" if first == "index.docker.io" else first
    return "docker.io"


def config_paths():
    paths = [SECRET_PATH]
    if os.environ.get("DOCKER_CONFIG"):
        paths.append(os.path.join(os.environ["DOCKER_CONFIG"], "config.json"))
    paths.append(os.path.expanduser("~/.docker/config.json"))
    return paths


def auth_header(image, paths=None, warn=None):
    """The X-Registry-Auth header value for pulling image, or None when no credentials are known."""
    host = registry_host(image)
    keys = DOCKER_HUB_KEYS if host == "docker.io" else (host, "https://" + host, "http://" + host)
    for path in paths or config_paths():
        auths = _read_auths(path, warn)
        for key in keys:
            entry = auths.get(key) or auths.get(key.rstrip("/"))
            if entry:
                return _encode(entry, key)
    return None


def _read_auths(path, warn):
    try:
        with open(path) as handle:
            return (loads(handle.read()) or {}).get("auths") or {}
    except (IOError, OSError):
        return {}
    except (ValueError, AttributeError) as exc:
        if warn:
            warn("ignoring registry credentials in %s: %s" % (path, exc))
        return {}


def _encode(entry, server):
    username, password = entry.get("username"), entry.get("password")
    if entry.get("auth") and not username:
        decoded = binascii.a2b_base64(entry["auth"]).decode("utf-8", "replace")
        username, _sep, password = decoded.partition(":")
    payload = {"username": username or "", "password": password or "", "serveraddress": server}
    if entry.get("identitytoken"):
        payload["identitytoken"] = entry["identitytoken"]
    encoded = binascii.b2a_base64(dumps(payload).encode("utf-8"), newline=False)
    return encoded.replace(b"+", b"-").replace(b"/", b"_").decode("ascii")
