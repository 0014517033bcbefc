"""A small, typed view of a Groovy syntax tree, built by tree-sitter's Groovy grammar.

Jenkins pipelines are Groovy method calls with closures (``stage('x') { steps { … } }``), so
the converter only needs calls, their arguments and their closure bodies. Everything else is
kept as :class:`Other` with its source text, so nothing is lost silently. The tree is walked
with explicit depth limits: a hostile file must not exhaust Python's stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import tree_sitter
import tree_sitter_groovy

from chalkops.pipelines.exceptions import UnparseableInput

MAX_DEPTH = 200  # closures nested deeper than this are not a real Jenkinsfile

_LANGUAGE = tree_sitter.Language(tree_sitter_groovy.language())


@dataclass(frozen=True)
class Placeholder:
    """A ``$name`` / ``${expr}`` inside a GString; ``expr`` is its Groovy source text."""

    expr: str


@dataclass
class Value:
    """An argument or right-hand side. ``parts`` is set for strings (GStrings may interpolate)."""

    kind: str  # string | number | bool | name | call | list | map | closure | other
    text: str
    line: int
    parts: list[str | Placeholder] = field(default_factory=list)
    interpolating: bool = False
    call: Call | None = None
    items: list[Value] = field(default_factory=list)
    entries: dict[str, Value] = field(default_factory=dict)

    @property
    def literal(self) -> str:
        """The value as plain text: placeholders keep their ``${…}`` source form."""
        if self.kind != "string":
            return self.text
        return "".join(p if isinstance(p, str) else "${" + p.expr + "}" for p in self.parts)


@dataclass
class Call:
    """``name(args) { body }`` in any of Groovy's spellings (parens optional, closure optional)."""

    name: str
    line: int
    text: str
    args: list[Value] = field(default_factory=list)
    named: dict[str, Value] = field(default_factory=dict)
    body: list[Statement] | None = None
    receiver: str | None = None

    def arg(self, key: str | None = None, index: int = 0) -> Value | None:
        if key is not None and key in self.named:
            return self.named[key]
        return self.args[index] if len(self.args) > index else None


@dataclass
class Assignment:
    """``NAME = value`` (``environment`` blocks)."""

    target: str
    value: Value
    line: int
    text: str


@dataclass
class Other:
    """Any statement that is not a call or an assignment, kept verbatim."""

    kind: str
    line: int
    text: str
    node: tree_sitter.Node | None = field(default=None, repr=False, compare=False)


Statement = Call | Assignment | Other


@dataclass
class Script:
    """A parsed Groovy file: top-level statements plus annotations such as ``@Library``."""

    statements: list[Statement]
    annotations: list[Call]


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def _line(node: tree_sitter.Node) -> int:
    return node.start_point[0] + 1


def parse(source: bytes, path: str) -> Script:
    """Parse Groovy source; a syntax error raises :class:`UnparseableInput` naming its line."""
    tree = tree_sitter.Parser(_LANGUAGE).parse(source)
    _raise_on_syntax_error(tree.root_node, path)
    builder = _Builder(path)
    statements = builder.statements(tree.root_node, 0)
    return Script(statements, builder.annotations)


def _raise_on_syntax_error(root: tree_sitter.Node, path: str) -> None:
    if not root.has_error:
        return
    stack = [root]
    while stack:
        node = stack.pop()
        # the grammar inserts zero-width "missing ;" where Groovy needs none: harmless
        if node.is_error or (node.is_missing and node.type != ";"):
            what = f"missing '{node.type}'" if node.is_missing else "syntax error"
            if node.end_byte >= root.end_byte and not node.is_missing:
                what = "unexpected end of file (a block opened here is never closed?)"
            snippet = _text(node).strip().splitlines()[0][:40] if _text(node).strip() else ""
            detail = f"{what} near '{snippet}'" if snippet else what
            raise UnparseableInput(path, _line(node), f"not valid Groovy: {detail}")
        if node.has_error:
            stack.extend(reversed(node.children))


class _Builder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.annotations: list[Call] = []

    def statements(self, node: tree_sitter.Node, depth: int) -> list[Statement]:
        if depth > MAX_DEPTH:
            raise UnparseableInput(
                self.path, _line(node), f"closures nested deeper than {MAX_DEPTH} levels"
            )
        out: list[Statement] = []
        for child in node.named_children:
            statement = self.statement(child, depth)
            if statement is not None:
                out.append(statement)
        return out

    def statement(self, node: tree_sitter.Node, depth: int) -> Statement | None:
        if node.type == "expression_statement" and node.named_child_count:
            node = node.named_children[0]
        if node.type in ("line_comment", "block_comment", "comment"):
            return None
        if node.type in ("method_invocation", "juxt_function_call"):
            return self.call(node, depth)
        if node.type == "assignment_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and right is not None:
                return Assignment(_text(left), self.value(right, depth), _line(node), _text(node))
        if node.type == "local_variable_declaration":
            self._collect_annotations(node, depth)
            juxt = _declaration_as_call(node)
            if juxt is not None:
                return juxt
        if node.type == "identifier":
            return Call(_text(node), _line(node), _text(node))  # `buildingTag` without parens
        return Other(node.type, _line(node), _text(node), node)

    def _collect_annotations(self, node: tree_sitter.Node, depth: int) -> None:
        for modifiers in (c for c in node.children if c.type == "modifiers"):
            for annotation in (c for c in modifiers.children if c.type == "annotation"):
                name = annotation.child_by_field_name("name")
                call = Call(_text(name) if name else "", _line(annotation), _text(annotation))
                arguments = annotation.child_by_field_name("arguments")
                if arguments is not None:
                    call.args = [self.value(a, depth) for a in arguments.named_children]
                self.annotations.append(call)

    def call(self, node: tree_sitter.Node, depth: int) -> Call:
        name_node = node.child_by_field_name("name")
        receiver = node.child_by_field_name("object")
        call = Call(
            _text(name_node) if name_node else "",
            _line(node),
            _text(node),
            receiver=_text(receiver) if receiver is not None else None,
        )
        arguments = node.child_by_field_name("arguments") or node.child_by_field_name("args")
        if arguments is not None:
            for arg in arguments.named_children:
                if arg.type == "map_item":
                    key, value = arg.child_by_field_name("key"), arg.child_by_field_name("value")
                    if key is not None and value is not None:
                        call.named[_text(key).strip("'\"")] = self.value(value, depth)
                elif arg.type == "closure":
                    call.body = self.statements(arg, depth + 1)
                else:
                    call.args.append(self.value(arg, depth))
        body = node.child_by_field_name("body")
        if body is not None:
            call.body = self.statements(body, depth + 1)
        return call

    def value(self, node: tree_sitter.Node, depth: int) -> Value:  # noqa: PLR0911
        kind = node.type
        line = _line(node)
        if depth > MAX_DEPTH:
            raise UnparseableInput(
                self.path, line, f"expression nested deeper than {MAX_DEPTH} levels"
            )
        depth += 1
        if kind == "character_literal":
            return _single_quoted(node)
        if kind == "string_literal":
            return _string_literal(node)
        if kind in ("decimal_integer_literal", "decimal_floating_point_literal"):
            return Value("number", _text(node), line)
        if kind in ("true", "false"):
            return Value("bool", kind, line)
        if kind in ("identifier", "field_access"):
            return Value("name", _text(node), line)
        if kind in ("method_invocation", "juxt_function_call"):
            return Value("call", _text(node), line, call=self.call(node, depth))
        if kind in ("array_literal", "list_literal", "array_initializer"):
            items = [self.value(c, depth) for c in node.named_children]
            return Value("list", _text(node), line, items=items)
        if kind == "closure":
            return Value("closure", _text(node), line)
        if kind == "parenthesized_expression" and node.named_child_count == 1:
            return self.value(node.named_children[0], depth)
        return Value("other", _text(node), line)


def _declaration_as_call(node: tree_sitter.Node) -> Call | None:
    """``agent any`` / ``checkout scm`` read like a declaration ``Type name``: they are calls."""
    named = [c for c in node.named_children if c.type != "modifiers"]
    if len(named) != 2 or named[0].type not in ("type_identifier", "identifier"):
        return None
    declarator = named[1]
    if declarator.type != "variable_declarator" or declarator.named_child_count != 1:
        return None
    name = declarator.named_children[0]
    if name.type != "identifier":
        return None
    return Call(
        _text(named[0]), _line(node), _text(node), args=[Value("name", _text(name), _line(name))]
    )


_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "$": "$",
}


def _unescape(text: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in _ESCAPES:
            out.append(_ESCAPES[text[index + 1]])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _single_quoted(node: tree_sitter.Node) -> Value:
    raw = _text(node)
    quote = "'''" if raw.startswith("'''") else "'"
    body = raw[len(quote) : len(raw) - len(quote)]
    return Value("string", raw, _line(node), parts=[_unescape(body)])


def _string_literal(node: tree_sitter.Node) -> Value:
    delimiter = _text(node.children[0]) if node.children else '"'
    interpolating = delimiter.startswith('"')
    parts: list[str | Placeholder] = []
    for child in node.children[1:-1]:
        text = _text(child)
        if child.type == "escape_sequence":
            parts.append(_unescape(text))
        elif interpolating:
            parts.extend(split_placeholders(text))
        else:
            parts.append(_unescape(text))
    return Value(
        "string", _text(node), _line(node), parts=_merge(parts), interpolating=interpolating
    )


def _merge(parts: list[str | Placeholder]) -> list[str | Placeholder]:
    out: list[str | Placeholder] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        elif part != "":
            out.append(part)
    return out


def split_placeholders(text: str) -> list[str | Placeholder]:
    """Split GString fragment text at ``$name.path`` and ``${expr}`` (braces balanced)."""
    out: list[str | Placeholder] = []
    literal: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "$" or index + 1 >= len(text):
            literal.append(char)
            index += 1
            continue
        end, expr = _placeholder_at(text, index)
        if expr is None:
            literal.append(char)
            index += 1
            continue
        out.append("".join(literal))
        literal = []
        out.append(Placeholder(expr))
        index = end
    out.append("".join(literal))
    return [p for p in out if p != ""]


def _placeholder_at(text: str, index: int) -> tuple[int, str | None]:
    nxt = text[index + 1]
    if nxt == "{":
        level, cursor = 1, index + 2
        while cursor < len(text) and level:
            level += {"{": 1, "}": -1}.get(text[cursor], 0)
            cursor += 1
        return (cursor, text[index + 2 : cursor - 1].strip()) if level == 0 else (index, None)
    if nxt.isalpha() or nxt == "_":
        cursor = index + 1
        while cursor < len(text) and (
            text[cursor].isalnum()
            or text[cursor] == "_"
            or (text[cursor] == "." and cursor + 1 < len(text) and text[cursor + 1].isalpha())
        ):
            cursor += 1
        return cursor, text[index + 1 : cursor]
    return index, None
