# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""The one exception type raised by the templating core."""


class TemplateError(Exception):
    """A stack could not be rendered; the message names the service, the template, the component and the key."""

    def __init__(self, message, service=None, template=None, key=None, component=None):
        super().__init__(message)
        self.message = message
        self.service = service
        self.template = template
        self.key = key
        self.component = component

    def with_context(self, service=None, template=None, key=None):
        """Fill in the context this error was raised without, keeping what is already known."""
        self.service = self.service or service
        self.template = self.template or template
        self.key = self.key or key
        return self

    def __str__(self):
        parts = []
        if self.service:
            parts.append(f'service "{self.service}"')
        if self.template:
            parts.append(f'template "{self.template}"')
        if self.component:
            parts.append(f'component "{self.component}"')
        if self.key:
            parts.append(f'key "{self.key}"')
        parts.append(self.message)
        return ": ".join(parts)
