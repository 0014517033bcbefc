"""GitHub Actions ``${{ }}`` expressions: a small parser and three translations.

* :func:`rule_if` -> a GitLab ``rules: if:`` expression (job-level ``if:``),
* :func:`shell_test` -> a POSIX ``test`` condition (step-level ``if:``),
* :func:`value_expansion` -> shell code yielding a context value (``${{ github.sha }}``).

Each raises :class:`Untranslatable` for what it cannot express, so the caller can report the
construct as unknown instead of guessing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from chalkops.pipelines.interpolation import GITHUB_CONTEXT, variable_name
from chalkops.pipelines.shell import Expansion


class Untranslatable(Exception):
    """The expression uses something with no GitLab counterpart."""


@dataclass(frozen=True)
class Node:
    kind: str  # lit | path | call | not | and | or | cmp
    value: str = ""
    args: tuple[Node, ...] = ()


_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|<=|>=|&&|\|\||[!<>(),\[\]])"
    r"|(?P<path>[A-Za-z_][A-Za-z0-9_\-]*(?:\.(?:[A-Za-z_][A-Za-z0-9_\-]*|\*))*))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    index = 0
    text = text.strip()
    while index < len(text):
        match = _TOKEN.match(text, index)
        if match is None or match.end() == index:
            if text[index:].strip() == "":
                break
            raise Untranslatable(f"cannot read expression near '{text[index : index + 20]}'")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        index = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise Untranslatable(f"expected {value or 'more'}")
        self.index += 1
        return token

    def parse(self) -> Node:
        node = self.or_()
        if self.peek() is not None:
            raise Untranslatable(f"unexpected '{self.peek()}'")
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            node = Node("or", args=(node, self.and_()))
        return node

    def and_(self) -> Node:
        node = self.unary()
        while self.peek() == ("op", "&&"):
            self.take()
            node = Node("and", args=(node, self.unary()))
        return node

    def unary(self) -> Node:
        if self.peek() == ("op", "!"):
            self.take()
            return Node("not", args=(self.unary(),))
        left = self.primary()
        token = self.peek()
        if token is not None and token[1] in ("==", "!=", "<", ">", "<=", ">="):
            self.take()
            return Node("cmp", token[1], (left, self.primary()))
        return left

    def primary(self) -> Node:
        kind, value = self.take()
        if value == "(":
            node = self.or_()
            self.take(")")
            return node
        if kind == "str":
            return Node("lit", value[1:-1].replace("''", "'"))
        if kind == "num":
            return Node("lit", value)
        if kind == "path" and value in ("true", "false", "null"):
            return Node("lit", "" if value == "null" else value)
        if kind == "path" and self.peek() == ("op", "("):
            self.take()
            args: list[Node] = []
            while self.peek() != ("op", ")"):
                args.append(self.or_())
                if self.peek() == ("op", ","):
                    self.take()
            self.take(")")
            return Node("call", value.lower(), tuple(args))
        if kind == "path":
            return self._index(Node("path", value))
        raise Untranslatable(f"unexpected '{value}'")

    def _index(self, node: Node) -> Node:
        while self.peek() == ("op", "["):
            self.take()
            key = self.primary()
            self.take("]")
            node = Node("path", f"{node.value}.{key.value}")
        return node


def parse(text: str) -> Node:
    return _Parser(strip_braces(text)).parse()


def strip_braces(text: str) -> str:
    text = text.strip()
    if text.startswith("${{") and text.endswith("}}"):
        return text[3:-2].strip()
    return text


STATUS_FUNCTIONS = ("success", "failure", "always", "cancelled")


def split_status(node: Node) -> tuple[str | None, Node | None]:
    """Separate a top-level status function (``always() && x``) from the rest."""
    if node.kind == "call" and node.value in STATUS_FUNCTIONS:
        return node.value, None
    if node.kind == "and":
        left_status, left = split_status(node.args[0])
        right_status, right = split_status(node.args[1])
        status = left_status or right_status
        rest = [n for n in (left, right) if n is not None]
        if len(rest) == 2:
            return status, Node("and", args=(rest[0], rest[1]))
        return status, rest[0] if rest else None
    if _mentions_status(node):
        raise Untranslatable("status function inside a condition")
    return None, node


def _mentions_status(node: Node) -> bool:
    if node.kind == "call" and node.value in STATUS_FUNCTIONS:
        return True
    return any(_mentions_status(a) for a in node.args)


# --- context values ---------------------------------------------------------------------

EVENT_SOURCES = {
    "push": "push",
    "pull_request": "merge_request_event",
    "schedule": "schedule",
    "workflow_dispatch": "web",
    "merge_group": "merge_request_event",
}


def context_variable(path: str) -> str:
    """The GitLab variable holding a GitHub context value."""
    if path in GITHUB_CONTEXT:
        return GITHUB_CONTEXT[path]
    head, _, rest = path.partition(".")
    if head in ("env", "vars", "secrets", "inputs", "matrix") and rest and "." not in rest:
        return variable_name(rest)
    if path.startswith("github.event.inputs.") and path.count(".") == 3:
        return variable_name(path.rsplit(".", 1)[1])
    if head == "needs" and path.count(".") == 3 and path.split(".")[2] == "outputs":
        return variable_name(path.rsplit(".", 1)[1])
    raise Untranslatable(f"context '{path}' has no GitLab variable")


def _ref_comparison(path: str, literal: str) -> tuple[str, str]:
    """``github.ref`` holds ``refs/heads/x``; GitLab splits it into branch and tag variables."""
    if path == "github.ref":
        if literal.startswith("refs/heads/"):
            return "$CI_COMMIT_BRANCH", literal.removeprefix("refs/heads/")
        if literal.startswith("refs/tags/"):
            return "$CI_COMMIT_TAG", literal.removeprefix("refs/tags/")
        return "$CI_COMMIT_REF_NAME", literal
    if path == "github.event_name":
        return "$CI_PIPELINE_SOURCE", EVENT_SOURCES.get(literal, literal)
    return "$" + context_variable(path), literal


# --- rules: if -----------------------------------------------------------------------------


def rule_if(node: Node, *, negate: bool = False) -> str:
    """A GitLab rules expression. GitLab has no unary ``!``, so negation is pushed down."""
    if node.kind == "not":
        return rule_if(node.args[0], negate=not negate)
    if node.kind in ("and", "or"):
        op = {"and": "&&", "or": "||"}[node.kind]
        if negate:
            op = "||" if op == "&&" else "&&"
        left, right = (rule_if(a, negate=negate) for a in node.args)
        return f"({left}) {op} ({right})"
    if node.kind == "cmp":
        return _rule_comparison(node, negate)
    if node.kind == "call":
        return _rule_call(node, negate)
    if node.kind == "path":
        variable = "$" + context_variable(node.value)
        return f"{variable} == null" if negate else variable
    raise Untranslatable(f"'{node.value}' as a condition")


def _rule_comparison(node: Node, negate: bool) -> str:
    op = node.value
    left, right = node.args
    if left.kind == "lit" and right.kind == "path":
        left, right = right, left
    if op not in ("==", "!=") or left.kind != "path" or right.kind != "lit":
        raise Untranslatable(f"comparison with {op}")
    variable, literal = _ref_comparison(left.value, right.value)
    if negate:
        op = "!=" if op == "==" else "=="
    return f"{variable} {op} {json.dumps(literal)}"


def _regex_literal(text: str) -> str:
    return re.sub(r"([\\/.*+?()\[\]{}|^$])", r"\\\1", text)


def _rule_call(node: Node, negate: bool) -> str:
    name = node.value
    if name in ("startswith", "endswith", "contains") and len(node.args) == 2:
        subject, needle = node.args
        if subject.kind != "path" or needle.kind != "lit":
            raise Untranslatable(f"{name} on a non-context value")
        variable, literal = _ref_comparison(subject.value, needle.value)
        if subject.value == "github.ref" and name == "startswith" and literal == "":
            return f"{variable} == null" if negate else variable
        pattern = _regex_literal(literal)
        regex = {"startswith": f"/^{pattern}/", "endswith": f"/{pattern}$/"}.get(
            name, f"/{pattern}/"
        )
        return f"{variable} {'!~' if negate else '=~'} {regex}"
    raise Untranslatable(f"function {name}()")


# --- shell test ---------------------------------------------------------------------------


def shell_test(node: Node) -> str:
    """A shell condition (for ``if`` on a step)."""
    if node.kind == "not":
        return f"! {{ {shell_test(node.args[0])}; }}"
    if node.kind in ("and", "or"):
        op = {"and": "&&", "or": "||"}[node.kind]
        first, second = (shell_test(a) for a in node.args)
        return f"{{ {first}; }} {op} {{ {second}; }}"
    if node.kind == "cmp" and node.value in ("==", "!="):
        left, right = node.args
        if left.kind == "lit" and right.kind == "path":
            left, right = right, left
        if left.kind == "path" and right.kind == "lit":
            variable, literal = _ref_comparison(left.value, right.value)
            op = "=" if node.value == "==" else "!="
            return f'[ "${{{variable[1:]}:-}}" {op} {json.dumps(literal)} ]'
    if node.kind == "path":
        return f'[ -n "${{{context_variable(node.value)}:-}}" ]'
    if node.kind == "call" and node.value in ("startswith", "contains", "endswith"):
        subject, needle = node.args
        if subject.kind == "path" and needle.kind == "lit":
            variable, literal = _ref_comparison(subject.value, needle.value)
            glob = {"startswith": f"{literal}*", "endswith": f"*{literal}"}.get(
                node.value, f"*{literal}*"
            )
            return f'case "${{{variable[1:]}:-}}" in {_shell_glob(glob)}) true;; *) false;; esac'
    raise Untranslatable(f"'{node.kind} {node.value}' in a step condition")


def _shell_glob(glob: str) -> str:
    return "".join(c if c == "*" else "\\" + c if not c.isalnum() else c for c in glob)


# --- ${{ }} in text -----------------------------------------------------------------------


def value_expansion(text: str, step_outputs: dict[str, str] | None = None) -> Expansion | str:
    """Shell code for ``${{ expr }}``; a literal expression yields its text."""
    node = parse(text)
    if node.kind == "lit":
        return node.value
    if node.kind == "path":
        parts = node.value.split(".")
        is_output = len(parts) == 4 and parts[0] == "steps" and parts[2] == "outputs"
        if is_output and step_outputs and parts[1] in step_outputs:
            file = step_outputs[parts[1]]
            return Expansion(f"$(sed -n 's/^{parts[3]}=//p' \"{file}\" | tail -n 1)")
        return Expansion("${" + context_variable(node.value) + "}")
    if node.kind == "or" and node.args[1].kind == "lit" and node.args[0].kind == "path":
        # `x || 'default'` is GitHub's spelling of a default value
        variable = context_variable(node.args[0].value)
        return Expansion("${" + variable + ":-" + node.args[1].value + "}")
    raise Untranslatable(f"expression '{strip_braces(text)}'")


_PLACEHOLDER = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def split_text(text: str) -> list[tuple[bool, str]]:
    """``(is_expression, text)`` pieces of a string containing ``${{ … }}``."""
    out: list[tuple[bool, str]] = []
    last = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > last:
            out.append((False, text[last : match.start()]))
        out.append((True, match.group(1)))
        last = match.end()
    if last < len(text):
        out.append((False, text[last:]))
    return out
