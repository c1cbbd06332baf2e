# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""Kubernetes resource quantities: ``500m`` CPUs, ``128Mi`` or ``1G`` bytes, ``1e3``."""

import re
from decimal import Decimal, InvalidOperation

_QUANTITY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$")
_SUFFIXES = {
    "": Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}


def parse_quantity(value):
    """The Decimal value of a quantity; ValueError for anything else."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a quantity such as 500m, 128Mi or 1G")
    text = str(value).strip()
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a quantity such as 500m, 128Mi or 1G")
    number, exponent, suffix = match.groups()
    try:
        result = Decimal(number + (exponent or "")) * _SUFFIXES[suffix or ""]
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a quantity such as 500m, 128Mi or 1G")
    if result < 0:
        raise ValueError(f"{text!r} is negative")
    return result


def cpus(value):
    """CPUs as a Decimal (``500m`` is 0.5)."""
    return parse_quantity(value)


def memory_bytes(value):
    """Bytes as an int, rounded up as Kubernetes does (``128Mi`` is 134217728)."""
    quantity = parse_quantity(value)
    whole = int(quantity)
    return whole + 1 if quantity > whole else whole


def cpu_text(value):
    """A Decimal number of CPUs as Compose writes it: ``0.5``, ``2``."""
    text = format(value.normalize(), "f")
    return text
