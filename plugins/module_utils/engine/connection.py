# -*- coding: utf-8 -*-
# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The engine connection options every module shares, and the DockerClient and docker CLI settings they describe.

Names, aliases, defaults and environment variables are community.docker's, so ``module_defaults`` written for it
carry over. Nothing here imports ``ansible``: modules pass Ansible's ``env_fallback`` to ``engine_argument_spec``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.podlike.swarm.plugins.module_utils.engine.api import (
    DEFAULT_HOST,
    DEFAULT_TIMEOUT,
    TCP_SCHEMES,
    DockerClient,
    tcp_address,
)

# option: (environment variable it falls back to, or None; its argument spec)
ENGINE_OPTIONS = {
    "docker_host": ("DOCKER_HOST", dict(type="str", default=DEFAULT_HOST, aliases=["docker_url"])),
    "tls_hostname": ("DOCKER_TLS_HOSTNAME", dict(type="str")),
    "api_version": ("DOCKER_API_VERSION", dict(type="str", default="auto", aliases=["docker_api_version"])),
    "timeout": ("DOCKER_TIMEOUT", dict(type="int", default=DEFAULT_TIMEOUT)),
    "ca_path": (None, dict(type="path", aliases=["ca_cert", "tls_ca_cert", "cacert_path"])),
    "client_cert": (None, dict(type="path", aliases=["tls_client_cert", "cert_path"])),
    "client_key": (None, dict(type="path", aliases=["tls_client_key", "key_path"], no_log=False)),
    "tls": ("DOCKER_TLS", dict(type="bool", default=False)),
    "validate_certs": ("DOCKER_TLS_VERIFY", dict(type="bool", default=False, aliases=["tls_verify"])),
}
CERT_FILES = {"ca_path": "ca.pem", "client_cert": "cert.pem", "client_key": "key.pem"}
# option: its key in the DockerClient tls dict
TLS_KEYS = {"ca_path": "ca_cert", "client_cert": "client_cert", "client_key": "client_key"}
SSH_ALTERNATIVE = (
    "docker_host %s: ssh:// engines are not supported; connect to the node over ssh (ansible_connection=ssh) "
    "and use docker_host unix:///var/run/docker.sock there"
)


class EngineOptionError(ValueError):
    """Connection options that cannot describe an engine; the message is one line naming the option."""


class _EncryptedKey(Exception):
    """A client key that needs a passphrase, which no option gives."""


def _refuse_passphrase():
    """The passphrase callback of ssl: there is none to give."""
    raise _EncryptedKey()


def engine_argument_spec(env_fallback, **module_options):
    """The module's own options plus the engine connection options, with Ansible's ``env_fallback``."""
    spec = {}
    for option, (variable, option_spec) in ENGINE_OPTIONS.items():
        option_spec = dict(option_spec)
        if variable:
            option_spec["fallback"] = (env_fallback, [variable])
        spec[option] = option_spec
    spec.update(module_options)
    return spec


def docker_host(params):
    """The engine URL of the options; refuses ssh://, with the alternative, and URLs no connection can be made to."""
    url = params.get("docker_host") or DEFAULT_HOST
    if url.startswith("ssh://"):
        raise EngineOptionError(SSH_ALTERNATIVE % url)
    if url == "unix://":
        raise EngineOptionError("docker_host: %s: names no socket path" % url)
    if url.startswith("unix://") or url.startswith("/"):
        return url
    if not url.startswith(TCP_SCHEMES):
        raise EngineOptionError("docker_host: %s: not a unix://, tcp://, http:// or https:// URL" % url)
    try:
        tcp_address(url)
    except ValueError as exc:
        raise EngineOptionError("docker_host: %s: %s" % (url, exc))
    return url


def api_version(params):
    """The pinned Engine API version, or None to negotiate with the engine (``auto``)."""
    version = params.get("api_version")
    if not version or version == "auto":
        return None
    if not all(part.isdigit() for part in version.split(".")):
        raise EngineOptionError("api_version: %r is not an API version (auto, or one such as 1.44)" % version)
    return version


def engine_timeout(params):
    """Seconds to wait for the engine (default 60); refuses a negative number."""
    seconds = params.get("timeout")
    if seconds is not None and seconds < 0:
        raise EngineOptionError("timeout: %s is negative; give the seconds to wait for the engine" % seconds)
    return seconds or DEFAULT_TIMEOUT


def tls_files(params, environ=None):
    """{ca_path, client_cert, client_key}: the options, else ca.pem/cert.pem/key.pem in DOCKER_CERT_PATH."""
    environ = os.environ if environ is None else environ
    cert_dir = environ.get("DOCKER_CERT_PATH")
    files = {}
    for option, file_name in CERT_FILES.items():
        value = params.get(option)
        if not value and cert_dir and os.path.exists(os.path.join(cert_dir, file_name)):
            value = os.path.join(cert_dir, file_name)
        files[option] = value
    return files


def tls_settings(params, environ=None):
    """The DockerClient tls dict, or False for a plain connection."""
    if not (params.get("tls") or params.get("validate_certs")):
        return False
    files = tls_files(params, environ)
    return {
        "ca_cert": files["ca_path"],
        "client_cert": files["client_cert"],
        "client_key": files["client_key"],
        "verify": bool(params.get("validate_certs")),
        "hostname": params.get("tls_hostname"),
    }


def check_tls_files(tls):
    """Raise EngineOptionError naming the option whose TLS file is missing, unreadable or not what it should hold."""
    if not tls:
        return
    files = {option: tls.get(key) for option, key in TLS_KEYS.items()}
    for option, path in files.items():
        if path:
            try:
                with open(path, "rb"):
                    pass
            except OSError as exc:
                raise EngineOptionError("%s: %s: %s" % (option, path, _file_error(exc)))
    import ssl  # only modules that reach an engine over TLS pay for it

    for option in ("ca_path", "client_cert"):
        if files[option]:
            try:
                ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=files[option])
            except ssl.SSLError:
                raise EngineOptionError("%s: %s: holds no PEM certificate" % (option, files[option]))
    cert, key = files["client_cert"], files["client_key"]
    if not cert:
        return
    key_option, key_path = ("client_key", key) if key else ("client_cert", cert)
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_cert_chain(cert, key, password=_refuse_passphrase)
    except _EncryptedKey:
        raise EngineOptionError("%s: %s: the key is encrypted; give one without a passphrase" % (key_option, key_path))
    except ssl.SSLError as exc:
        if not key:
            raise EngineOptionError("client_cert: %s: holds no private key; set client_key" % cert)
        if getattr(exc, "reason", None) == "KEY_VALUES_MISMATCH":
            raise EngineOptionError("client_key: %s: is not the key of client_cert %s" % (key, cert))
        raise EngineOptionError("client_key: %s: holds no PEM private key" % key)


def _file_error(exc):
    """'no such file', 'is a directory', 'permission denied' or the system's words for an OSError."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or str(exc)


def client_from_params(params, environ=None):
    """A DockerClient for the connection options; EngineOptionError, naming the option, for options that cannot work.

    ``auto`` negotiates even with DOCKER_API_VERSION set: the variable applies only through Ansible's
    ``env_fallback``, when the task does not set ``api_version``.
    """
    url, version, seconds = docker_host(params), api_version(params), engine_timeout(params)
    tls = tls_settings(params, environ)
    check_tls_files(tls)
    return DockerClient(url, api_version=version or "auto", timeout=seconds, tls=tls)


def cli_connection(params, environ=None):
    """(environment variables, global flags) that point the docker CLI at the same engine as the options."""
    environment = {"DOCKER_HOST": docker_host(params)}
    flags = []
    version = api_version(params)
    if version:
        environment["DOCKER_API_VERSION"] = version
    if params.get("tls") or params.get("validate_certs"):
        environment["DOCKER_TLS"] = "1"
        if params.get("validate_certs"):
            environment["DOCKER_TLS_VERIFY"] = "1"
        files = tls_files(params, environ)
        cert_dirs = set(os.path.dirname(path) for path in files.values() if path)
        conventional = all(
            files[option] and os.path.basename(files[option]) == name for option, name in CERT_FILES.items()
        )
        if conventional and len(cert_dirs) == 1:
            environment["DOCKER_CERT_PATH"] = cert_dirs.pop()
        else:
            for option, flag in (("ca_path", "--tlscacert"), ("client_cert", "--tlscert"), ("client_key", "--tlskey")):
                if files[option]:
                    flags += [flag, files[option]]
    return environment, flags
