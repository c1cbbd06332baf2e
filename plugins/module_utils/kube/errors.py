# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The translator's one exception and the collector of refused fields."""


class KubeError(Exception):
    """Manifests that cannot be translated; the message holds one line per refused field."""


class Findings:
    """Refused fields, as ``path: reason`` lines; in lenient mode they are warnings and translation goes on."""

    def __init__(self, lenient=False, prefix="", lines=None):
        self.lenient = lenient
        self.prefix = prefix
        self.lines = [] if lines is None else lines

    def scoped(self, prefix):
        """The same findings, each line starting with ``prefix`` (the manifest it is about)."""
        return Findings(self.lenient, prefix, self.lines)

    def refuse(self, path, reason):
        self.lines.append(f"{self.prefix}{path}: {reason}")

    def unknown(self, path, mapping, known, reason="has no meaning on Swarm"):
        """Refuse every key of ``mapping`` that is not in ``known``."""
        for key in mapping:
            if key not in known:
                self.refuse(f"{path}.{key}", reason)

    def raise_if_refused(self):
        """Raise KubeError with every line unless lenient; return the lines (warnings) otherwise."""
        if self.lines and not self.lenient:
            raise KubeError("\n".join(self.lines))
        return list(self.lines)
