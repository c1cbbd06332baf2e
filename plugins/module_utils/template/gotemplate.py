# Copyright (c) podlike.swarm maintainers
# MIT License (see LICENSE)
"""A small evaluator for the Go text/template subset that rycus86/podlike stacks use.

Supported: text with ``{{ }}`` actions and ``{{-``/``-}}`` trimming, comments, pipelines, ``$`` and
``$x :=``/``$x =`` variables, field chains on mappings, parenthesised pipelines, ``if``/``else if``/``else``,
``range`` (with ``$i, $v :=`` and ``else``), ``with``, ``break``/``continue``, the built-in functions
``and or not eq ne lt le gt ge len index print printf println`` and the podlike functions
``yaml indent empty notEmpty contains startsWith replace``.
Missing map keys evaluate to nothing and print as ``<no value>``, as in Go.
"""

import functools
import re

NO_VALUE = "<no value>"


class GoTemplateError(Exception):
    """The template could not be parsed or executed."""


class _Missing:
    """The value of a missing map key (Go's nil interface)."""

    def __bool__(self):
        return False

    def __repr__(self):
        return NO_VALUE


MISSING = _Missing()


# ---------------------------------------------------------------------------------------------------------------
# Lexing


_NUMBER = re.compile(r"[+-]?(0[xX][0-9a-fA-F]+|\d+\.\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|\d+([eE][+-]?\d+)?)")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FIELD_CHAIN = re.compile(r"(\.[A-Za-z_][A-Za-z0-9_]*)+")
_VARIABLE = re.compile(r"\$[A-Za-z0-9_]*")
_GO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a", "b": "\b", "f": "\f"}


def _read_string(source, pos):
    """Read a Go interpreted string literal starting at the opening quote; return (value, end)."""
    chars = []
    i = pos + 1
    while i < len(source):
        char = source[i]
        if char == '"':
            return "".join(chars), i + 1
        if char == "\n":
            break
        if char == "\\" and i + 1 < len(source):
            escaped = source[i + 1]
            if escaped in _GO_ESCAPES:
                chars.append(_GO_ESCAPES[escaped])
                i += 2
                continue
            if escaped in "xuU":
                width = {"x": 2, "u": 4, "U": 8}[escaped]
                chars.append(chr(int(source[i + 2 : i + 2 + width], 16)))
                i += 2 + width
                continue
            raise GoTemplateError(f"invalid escape \\{escaped} in string literal")
        chars.append(char)
        i += 1
    raise GoTemplateError("unterminated quoted string")


def _tokenize_action(source, pos):
    """Tokenize one action starting after ``{{``; return (tokens, end position after ``}}``, trim_right)."""
    tokens = []
    i = pos
    while True:
        if i >= len(source):
            raise GoTemplateError("unclosed action")
        char = source[i]
        if source.startswith(" -}}", i) or source.startswith("\t-}}", i) or source.startswith("\n-}}", i):
            return tokens, i + 4, True
        if source.startswith("}}", i):
            return tokens, i + 2, False
        if char in " \t\r\n":
            i += 1
            continue
        if source.startswith("/*", i):
            end = source.find("*/", i + 2)
            if end < 0:
                raise GoTemplateError("unclosed comment")
            i = end + 2
            continue
        if char == '"':
            value, i = _read_string(source, i)
            tokens.append(("string", value))
            continue
        if char == "`":
            end = source.find("`", i + 1)
            if end < 0:
                raise GoTemplateError("unterminated raw quoted string")
            tokens.append(("string", source[i + 1 : end]))
            i = end + 1
            continue
        if char == "'":
            match = re.compile(r"'(\\.|[^'\\])'").match(source, i)
            if not match:
                raise GoTemplateError("invalid character constant")
            literal = match.group(1)
            tokens.append(("number", ord(_GO_ESCAPES.get(literal[1], literal[1]) if len(literal) > 1 else literal)))
            i = match.end()
            continue
        if source.startswith(":=", i):
            tokens.append(("declare", ":="))
            i += 2
            continue
        if char in "()|=,":
            tokens.append(({"(": "lparen", ")": "rparen", "|": "pipe", "=": "assign", ",": "comma"}[char], char))
            i += 1
            continue
        if char == "$":
            match = _VARIABLE.match(source, i)
            chain = _FIELD_CHAIN.match(source, match.end())
            fields = chain.group(0)[1:].split(".") if chain else []
            tokens.append(("variable", (match.group(0), fields)))
            i = chain.end() if chain else match.end()
            continue
        if char == ".":
            chain = _FIELD_CHAIN.match(source, i)
            if chain:
                tokens.append(("field", chain.group(0)[1:].split(".")))
                i = chain.end()
                continue
            number = _NUMBER.match(source, i)
            if number:
                tokens.append(("number", float(number.group(0))))
                i = number.end()
                continue
            tokens.append(("dot", "."))
            i += 1
            continue
        number = _NUMBER.match(source, i)
        if number and (char.isdigit() or char in "+-"):
            text = number.group(0)
            if text.lower().startswith(("0x", "+0x", "-0x")):
                value = int(text, 16)
            elif re.search(r"[.eE]", text):
                value = float(text)
            else:
                value = int(text)
            tokens.append(("number", value))
            i = number.end()
            continue
        ident = _IDENT.match(source, i)
        if ident:
            word = ident.group(0)
            if word in ("true", "false"):
                tokens.append(("bool", word == "true"))
            elif word == "nil":
                tokens.append(("nil", None))
            else:
                tokens.append(("ident", word))
            i = ident.end()
            continue
        raise GoTemplateError(f"unexpected {char!r} in action")


def _lex(source):
    """Split the source into ("text", str) and ("action", tokens) items, applying trim markers."""
    items = []
    pos = 0
    trim_next = False
    while True:
        start = source.find("{{", pos)
        text = source[pos:] if start < 0 else source[pos:start]
        if trim_next:
            text = text.lstrip(" \t\r\n")
        if start < 0:
            if text:
                items.append(("text", text))
            return items
        action_pos = start + 2
        if (
            source.startswith("- ", action_pos)
            or source.startswith("-\t", action_pos)
            or source.startswith("-\n", action_pos)
        ):
            text = text.rstrip(" \t\r\n")
            action_pos += 1
        if text:
            items.append(("text", text))
        tokens, pos, trim_next = _tokenize_action(source, action_pos)
        items.append(("action", tokens))


# ---------------------------------------------------------------------------------------------------------------
# Parsing


class _Parser:
    def __init__(self, items):
        self.items = items
        self.index = 0

    def parse(self):
        nodes, terminator = self.parse_list()
        if terminator is not None:
            raise GoTemplateError(f"unexpected {{{{{terminator[0]}}}}}")
        return nodes

    def parse_list(self):
        """Parse nodes up to an ``end``/``else`` action; return (nodes, terminator tokens or None)."""
        nodes = []
        while self.index < len(self.items):
            kind, value = self.items[self.index]
            self.index += 1
            if kind == "text":
                nodes.append(("text", value))
                continue
            if not value:
                continue  # a comment
            head = value[0]
            if head[0] == "ident" and head[1] in ("end", "else"):
                return nodes, (head[1], value[1:])
            if head[0] == "ident" and head[1] in ("if", "with", "range"):
                nodes.append(self.parse_control(head[1], value[1:]))
            elif head[0] == "ident" and head[1] in ("break", "continue"):
                nodes.append((head[1],))
            elif head[0] == "ident" and head[1] in ("define", "template", "block"):
                raise GoTemplateError(f"{{{{{head[1]}}}}} is not supported")
            else:
                nodes.append(("action", _parse_pipeline(value, allow_decl=True)))
        return nodes, None

    def parse_control(self, keyword, tokens):
        pipeline = _parse_pipeline(tokens, allow_decl=True, allow_two_vars=keyword == "range")
        body, terminator = self.parse_list()
        else_body = []
        if terminator is None:
            raise GoTemplateError(f"unexpected EOF: missing {{{{end}}}} for {{{{{keyword}}}}}")
        if terminator[0] == "else":
            rest = terminator[1]
            if rest and rest[0] == ("ident", "if") and keyword == "if":
                else_body = [self.parse_control("if", rest[1:])]
                return (keyword, pipeline, body, else_body)
            if rest and rest[0] == ("ident", "with") and keyword == "with":
                else_body = [self.parse_control("with", rest[1:])]
                return (keyword, pipeline, body, else_body)
            if rest:
                raise GoTemplateError("unexpected tokens after {{else}}")
            else_body, terminator = self.parse_list()
            if terminator is None or terminator[0] != "end":
                raise GoTemplateError(f"expected {{{{end}}}} for {{{{{keyword}}}}}")
        if terminator[1]:
            raise GoTemplateError("unexpected tokens after {{end}}")
        return (keyword, pipeline, body, else_body)


def _parse_pipeline(tokens, allow_decl=False, allow_two_vars=False):
    """Parse ``[$a[, $b] :=] command | command ...`` into (declared names, is_declaration, commands)."""
    names = []
    declare = True
    position = 0
    if allow_decl and tokens and tokens[0][0] == "variable" and not tokens[0][1][1]:
        lookahead = 1
        candidate = [tokens[0][1][0]]
        if allow_two_vars and len(tokens) > 2 and tokens[1][0] == "comma" and tokens[2][0] == "variable":
            candidate.append(tokens[2][1][0])
            lookahead = 3
        if len(tokens) > lookahead and tokens[lookahead][0] in ("declare", "assign"):
            names = candidate
            declare = tokens[lookahead][0] == "declare"
            position = lookahead + 1
    commands = []
    command = []
    depth_tokens = tokens[position:]
    i = 0
    while i < len(depth_tokens):
        token = depth_tokens[i]
        if token[0] == "pipe":
            if not command:
                raise GoTemplateError("missing command before |")
            commands.append(command)
            command = []
            i += 1
            continue
        operand, i = _parse_operand(depth_tokens, i)
        command.append(operand)
    if command:
        commands.append(command)
    if not commands:
        raise GoTemplateError("missing value for command")
    return (names, declare, commands)


def _parse_operand(tokens, i):
    kind, value = tokens[i]
    if kind == "lparen":
        depth = 1
        j = i + 1
        while j < len(tokens) and depth:
            if tokens[j][0] == "lparen":
                depth += 1
            elif tokens[j][0] == "rparen":
                depth -= 1
            j += 1
        if depth:
            raise GoTemplateError("unclosed left paren")
        inner = _parse_pipeline(tokens[i + 1 : j - 1])
        fields = []
        if j < len(tokens) and tokens[j][0] == "field":
            fields = tokens[j][1]
            j += 1
        return ("pipeline", inner, fields), j
    if kind in ("string", "number", "bool", "nil"):
        return ("literal", value), i + 1
    if kind == "field":
        return ("field", value), i + 1
    if kind == "dot":
        return ("field", []), i + 1
    if kind == "variable":
        return ("variable", value[0], value[1]), i + 1
    if kind == "ident":
        return ("function", value), i + 1
    raise GoTemplateError(f"unexpected {value!r} in operand")


# ---------------------------------------------------------------------------------------------------------------
# Values, printing and functions


def go_truth(value):
    """Go's notion of a non-empty value for if/with/and/or/not."""
    if value is None or value is MISSING:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, (str, list, tuple, dict)):
        return len(value) > 0
    return True


def go_string(value):
    """Format a value the way Go's fmt %v does for the types YAML produces."""
    if value is None or value is MISSING:
        return NO_VALUE
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value == int(value) and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(_go_inner_string(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{_go_inner_string(key)}:{_go_inner_string(value[key])}" for key in sorted(value, key=str))
        return "map[" + " ".join(pairs) + "]"
    return str(value)


def _go_inner_string(value):
    if value is None or value is MISSING:
        return "<nil>"
    return go_string(value)


def _compare_operands(left, right):
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    return left == right


def _fn_eq(first, *others):
    if not others:
        raise GoTemplateError("missing arguments for comparison")
    return any(_compare_operands(first, other) for other in others)


def _ordered(name, operator):
    def compare(left, right):
        try:
            return operator(left, right)
        except TypeError:
            raise GoTemplateError(f"{name}: incompatible types for comparison")

    return compare


def _fn_len(value):
    if value is MISSING or value is None:
        raise GoTemplateError("len of nil pointer")
    try:
        return len(value)
    except TypeError:
        raise GoTemplateError(f"len of type {type(value).__name__}")


def _fn_index(item, *keys):
    for key in keys:
        if isinstance(item, dict):
            item = item.get(key, MISSING)
        elif isinstance(item, (list, tuple, str)):
            if not isinstance(key, int) or not 0 <= key < len(item):
                raise GoTemplateError(f"index out of range: {key}")
            item = item[key]
        elif item is MISSING or item is None:
            return MISSING
        else:
            raise GoTemplateError(f"can't index item of type {type(item).__name__}")
    return item


_PRINTF_VERB = re.compile(r"%([-+# 0]*)(\d*)(?:\.(\d+))?([vsdqfgetxXbco%])")


def _fn_printf(fmt, *values):
    remaining = list(values)

    def substitute(match):
        flags, width, precision, verb = match.groups()
        if verb == "%":
            return "%"
        if not remaining:
            return "%!" + verb + "(MISSING)"
        value = remaining.pop(0)
        if verb in "vs":
            text = go_string(value)
        elif verb == "q":
            text = '"' + go_string(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
        elif verb in "dxXboc":
            number = int(value)
            text = {"d": "%d", "x": "%x", "X": "%X", "b": "{:b}", "o": "%o", "c": "%c"}[verb]
            text = text.format(number) if verb == "b" else text % number
        else:
            spec = "%" + (("." + precision) if precision else "") + verb
            text = spec % float(value)
        if width:
            text = text.ljust(int(width)) if "-" in flags else text.rjust(int(width), "0" if "0" in flags else " ")
        return text

    text = _PRINTF_VERB.sub(substitute, fmt)
    if remaining:
        text += "%!(EXTRA " + ", ".join(go_string(value) for value in remaining) + ")"
    return text


def _fn_print(*values):
    # Go's fmt.Sprint adds spaces between operands when neither side is a string.
    text = ""
    for index, value in enumerate(values):
        if index and not isinstance(value, str) and not isinstance(values[index - 1], str):
            text += " "
        text += go_string(value)
    return text


def _sized_length(value):
    if value is None or value is MISSING:
        return 0
    try:
        return len(value)
    except TypeError:
        return 1 if go_truth(value) else 0


def _fn_yaml(value):
    from ansible_collections.podlike.swarm.plugins.module_utils.yaml_text import to_yaml

    return to_yaml(value)


def _fn_indent(count, text):
    pad = " " * int(count)
    return pad + go_string(text).replace("\n", "\n" + pad)


def _fn_replace(old, new, count, text):
    count = int(count)
    return go_string(text).replace(go_string(old), go_string(new), count if count >= 0 else -1)


FUNCTIONS = {
    "and": None,  # short-circuit, handled by the evaluator
    "or": None,
    "not": lambda value: not go_truth(value),
    "eq": _fn_eq,
    "ne": lambda left, right: not _compare_operands(left, right),
    "lt": _ordered("lt", lambda a, b: a < b),
    "le": _ordered("le", lambda a, b: a <= b),
    "gt": _ordered("gt", lambda a, b: a > b),
    "ge": _ordered("ge", lambda a, b: a >= b),
    "len": _fn_len,
    "index": _fn_index,
    "print": _fn_print,
    "printf": _fn_printf,
    "println": lambda *values: " ".join(go_string(value) for value in values) + "\n",
    "yaml": _fn_yaml,
    "indent": _fn_indent,
    "empty": lambda value: _sized_length(value) == 0,
    "notEmpty": lambda value: _sized_length(value) != 0,
    "contains": lambda sub, text: go_string(sub) in go_string(text),
    "startsWith": lambda prefix, text: go_string(text).startswith(go_string(prefix)),
    "replace": _fn_replace,
}


# ---------------------------------------------------------------------------------------------------------------
# Execution


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _State:
    def __init__(self, root):
        self.variables = [("$", root)]
        self.output = []

    def lookup(self, name):
        for variable, value in reversed(self.variables):
            if variable == name:
                return value
        raise GoTemplateError(f'undefined variable "{name}"')

    def assign(self, name, value):
        for index in range(len(self.variables) - 1, -1, -1):
            if self.variables[index][0] == name:
                self.variables[index] = (name, value)
                return
        raise GoTemplateError(f'undefined variable "{name}"')


def _field(value, names):
    for name in names:
        if isinstance(value, dict):
            value = value.get(name, MISSING)
        elif value is MISSING or value is None:
            return MISSING
        else:
            raise GoTemplateError(f"can't evaluate field {name} in type {type(value).__name__}")
    return value


def _eval_operand(state, dot, operand):
    kind = operand[0]
    if kind == "literal":
        return operand[1]
    if kind == "field":
        return _field(dot, operand[1])
    if kind == "variable":
        return _field(state.lookup(operand[1]), operand[2])
    if kind == "pipeline":
        return _field(_eval_pipeline(state, dot, operand[1]), operand[2])
    if kind == "function":
        return _call(state, dot, operand[1], [], None, False)
    raise GoTemplateError("unexpected operand")


def _call(state, dot, name, arguments, piped, has_piped):
    if name not in FUNCTIONS:
        raise GoTemplateError(f'function "{name}" not defined')
    if name in ("and", "or"):
        operands = list(arguments) + ([("value", piped)] if has_piped else [])
        if not operands:
            raise GoTemplateError(f"wrong number of args for {name}")
        value = None
        for operand in operands:
            value = operand[1] if operand[0] == "value" else _eval_operand(state, dot, operand)
            if go_truth(value) != (name == "and"):
                return value
        return value
    values = [_eval_operand(state, dot, argument) for argument in arguments]
    if has_piped:
        values.append(piped)
    try:
        return FUNCTIONS[name](*values)
    except TypeError as error:
        raise GoTemplateError(f"error calling {name}: {error}")


def _eval_command(state, dot, command, piped, has_piped):
    head = command[0]
    if head[0] == "function":
        return _call(state, dot, head[1], command[1:], piped, has_piped)
    if len(command) > 1 or has_piped:
        raise GoTemplateError("can't give argument to non-function")
    return _eval_operand(state, dot, head)


def _eval_pipeline(state, dot, pipeline, declare_into_scope=True):
    names, declare, commands = pipeline
    value = None
    has_piped = False
    for command in commands:
        value = _eval_command(state, dot, command, value, has_piped)
        has_piped = True
    if names and declare_into_scope:
        for name in names:
            if declare:
                state.variables.append((name, value))
            else:
                state.assign(name, value)
    return value


def _execute(state, dot, nodes):
    for node in nodes:
        kind = node[0]
        if kind == "text":
            state.output.append(node[1])
        elif kind == "action":
            value = _eval_pipeline(state, dot, node[1])
            if not node[1][0]:
                state.output.append(go_string(value))
        elif kind in ("if", "with"):
            mark = len(state.variables)
            value = _eval_pipeline(state, dot, node[1])
            if go_truth(value):
                _execute(state, value if kind == "with" else dot, node[2])
            else:
                _execute(state, dot, node[3])
            del state.variables[mark:]
        elif kind == "range":
            _execute_range(state, dot, node)
        elif kind == "break":
            raise _Break()
        elif kind == "continue":
            raise _Continue()


def _execute_range(state, dot, node):
    _kind, pipeline, body, else_body = node
    mark = len(state.variables)
    names = pipeline[0]
    value = _eval_pipeline(state, dot, pipeline, declare_into_scope=False)
    if isinstance(value, dict):
        pairs = [(key, value[key]) for key in sorted(value, key=str)]
    elif isinstance(value, (list, tuple)):
        pairs = list(enumerate(value))
    elif isinstance(value, int) and not isinstance(value, bool):
        pairs = [(index, index) for index in range(value)]
    elif value is None or value is MISSING:
        pairs = []
    else:
        raise GoTemplateError(f"range can't iterate over {go_string(value)}")
    if not pairs:
        _execute(state, dot, else_body)
        return
    for key, element in pairs:
        if len(names) == 2:
            state.variables.extend([(names[0], key), (names[1], element)])
        elif names:
            state.variables.append((names[0], element))
        try:
            _execute(state, element, body)
        except _Break:
            break
        except _Continue:
            pass
        finally:
            del state.variables[mark:]


@functools.lru_cache(maxsize=256)
def parse(source):
    """Parse template text into a tree (read-only, cached: a stack renders one template per service); raises
    GoTemplateError."""
    return _Parser(_lex(source)).parse()


def render(source, data):
    """Render Go text/template ``source`` with ``data`` as ``.`` and ``$``."""
    tree = parse(source)
    state = _State(data)
    try:
        _execute(state, data, tree)
    except (_Break, _Continue):
        raise GoTemplateError("{{break}} or {{continue}} outside {{range}}")
    return "".join(state.output)


_GO_KEYWORD = re.compile(r"^-?\s*(?:end|range|with|else|define|template|block|break|continue)\b|^-?\s*/\*")
_GO_OPERAND = re.compile(r"(?:^-?|[\s(|,=])\s*[.$]")
_QUOTED = re.compile(r'"(?:\\.|[^"\\])*"|`[^`]*`|\'(?:\\.|[^\'\\])*\'')


def _action_contents(source):
    """Yield the text inside each ``{{ }}``, with quoted strings blanked out."""
    pos = 0
    while True:
        start = source.find("{{", pos)
        if start < 0:
            return
        i = start + 2
        while i < len(source) and not source.startswith("}}", i):
            quoted = _QUOTED.match(source, i)
            i = quoted.end() if quoted else i + 1
        yield _QUOTED.sub('""', source[start + 2 : i])
        pos = i + 2


@functools.lru_cache(maxsize=256)
def looks_like_go_template(source):
    """True when the text uses Go template syntax (``{{ .Args }}``, ``{{ range }}``...) rather than Jinja2."""
    if "{%" in source or "{#" in source:
        return False
    return any(_GO_KEYWORD.search(content) or _GO_OPERAND.search(content) for content in _action_contents(source))
