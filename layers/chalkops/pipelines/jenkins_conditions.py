"""Jenkins ``when { … }`` conditions as GitLab ``rules:``.

A condition is lowered to *guards* (rules that end in ``when: never``) followed by
*alternatives* (rules that run the job). GitLab evaluates rules top to bottom and stops at the
first match, so ``not`` becomes a guard and ``anyOf`` becomes several alternatives; ``allOf``
joins ``if:`` expressions with ``&&``. ``expression { … }`` is read from the Groovy tree for
the simple comparisons of ``env`` / ``params`` values; anything else is reported unknown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import tree_sitter

from chalkops.pipelines.groovy import Call, Other, Statement, Value
from chalkops.pipelines.interpolation import JENKINS_VARIABLES


class UnknownCondition(Exception):
    """A ``when`` condition the rules cannot express; ``what`` says which."""

    def __init__(self, what: str, line: int) -> None:
        super().__init__(what)
        self.what = what
        self.line = line


@dataclass
class Alternative:
    """One rule: every ``if`` joined with ``&&``, plus optional ``changes``."""

    ifs: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    def rule(self, when: str | None = None) -> dict[str, Any]:
        rule: dict[str, Any] = {}
        if self.ifs:
            rule["if"] = " && ".join(_paren(e) if len(self.ifs) > 1 else e for e in self.ifs)
        if self.changes:
            rule["changes"] = list(self.changes)
        if when:
            rule["when"] = when
        return rule


@dataclass
class Condition:
    guards: list[Alternative] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=lambda: [Alternative()])
    # the negated form of each ``if`` atom, so ``not`` can flip ``==`` to ``!=``
    negations: dict[str, str] = field(default_factory=dict)

    def rules(self, when: str = "on_success") -> list[dict[str, Any]]:
        rules = [g.rule("never") for g in self.guards]
        for alternative in self.alternatives:
            rule = alternative.rule()
            if when != "on_success":
                rule["when"] = when
            rules.append(rule)
        return rules


def _paren(expr: str) -> str:
    return f"({expr})" if ("&&" in expr or "||" in expr) else expr


def _quoted(text: str) -> str:
    return json.dumps(text)


def glob_to_regex(pattern: str) -> str:
    """An Ant-style branch glob as a GitLab ``=~`` regex literal."""
    out = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        char = pattern[index]
        out.append(
            {"*": "[^\\/]*", "?": "."}.get(char) or ("\\" + char if not char.isalnum() else char)
        )
        index += 1
    return "/^" + "".join(out) + "$/"


def _match(variable: str, pattern: str, *, negate: bool = False) -> tuple[str, str]:
    """An ``if`` expression and its negation for a variable against a literal or glob."""
    if "*" in pattern or "?" in pattern:
        regex = glob_to_regex(pattern)
        expr, neg = f"{variable} =~ {regex}", f"{variable} !~ {regex}"
    else:
        expr, neg = f"{variable} == {_quoted(pattern)}", f"{variable} != {_quoted(pattern)}"
    return (neg, expr) if negate else (expr, neg)


@dataclass(frozen=True)
class _Atom:
    expr: str
    negation: str


def _string_arg(call: Call, key: str | None = None) -> str:
    value = call.arg(key) or call.arg("pattern")
    if value is None or value.kind != "string":
        raise UnknownCondition(f"{call.name} without a literal argument", call.line)
    return value.literal


def _branch(call: Call) -> _Atom:
    return _Atom(*_match("$CI_COMMIT_BRANCH", _string_arg(call)))


def _tag(call: Call) -> _Atom:
    if call.name == "buildingTag" or (not call.args and not call.named):
        return _Atom("$CI_COMMIT_TAG", "$CI_COMMIT_TAG == null")
    return _Atom(*_match("$CI_COMMIT_TAG", _string_arg(call)))


def _change_request(call: Call) -> _Atom:
    mr, not_mr = (
        '$CI_PIPELINE_SOURCE == "merge_request_event"',
        '$CI_PIPELINE_SOURCE != "merge_request_event"',
    )
    target = call.arg("target")
    if target is not None and target.kind == "string":
        expr, negation = _match("$CI_MERGE_REQUEST_TARGET_BRANCH_NAME", target.literal)
        return _Atom(f"{mr} && {expr}", f"{not_mr} || {negation}")
    return _Atom(mr, not_mr)


def _environment(call: Call) -> _Atom:
    env_name, env_value = call.arg("name"), call.arg("value")
    if env_name is None or env_value is None:
        raise UnknownCondition("environment without name and value", call.line)
    return _Atom(*_match("$" + _variable(env_name.literal), env_value.literal))


def _triggered_by(call: Call) -> _Atom:
    cause = _string_arg(call, "cause")
    if "Timer" in cause:
        return _Atom('$CI_PIPELINE_SOURCE == "schedule"', '$CI_PIPELINE_SOURCE != "schedule"')
    raise UnknownCondition(f"triggeredBy {cause}", call.line)


def _equals(call: Call) -> _Atom:
    expected, actual = call.arg("expected"), call.arg("actual")
    if expected is None or actual is None:
        raise UnknownCondition("equals without expected and actual", call.line)
    return _Atom(*_compare_values(actual, expected, "==", call.line))


def _expression_atom(call: Call) -> _Atom:
    return _Atom(*_expression(call.body or [], call.line))


_ATOMS = {
    "branch": _branch,
    "tag": _tag,
    "buildingTag": _tag,
    "changeRequest": _change_request,
    "environment": _environment,
    "triggeredBy": _triggered_by,
    "equals": _equals,
    "expression": _expression_atom,
}


def _atom(call: Call) -> _Atom | list[str]:
    if call.name == "changeset":
        return [_string_arg(call)]
    build = _ATOMS.get(call.name)
    if build is None:
        raise UnknownCondition(f"when condition '{call.name}'", call.line)
    return build(call)


def _variable(name: str) -> str:
    for prefix in ("env.", "params."):
        name = name.removeprefix(prefix)
    return JENKINS_VARIABLES.get(name, name)


def _compare_values(left: Value, right: Value, op: str, line: int) -> tuple[str, str]:
    if left.kind == "string" and right.kind == "name":
        left, right = right, left
    if left.kind != "name" or right.kind not in ("string", "bool", "number"):
        raise UnknownCondition(f"comparison {left.text} {op} {right.text}", line)
    variable = "$" + _variable(left.text)
    literal = _quoted(right.literal if right.kind == "string" else right.text)
    flipped = "!=" if op == "==" else "=="
    return f"{variable} {op} {literal}", f"{variable} {flipped} {literal}"


def condition_of(call: Call) -> Condition:
    """The whole ``when { … }`` block (its statements are implicitly ``allOf``)."""
    return _all_of([s for s in call.body or [] if not _is_modifier(s)], call.line)


def _is_modifier(statement: Statement) -> bool:
    # these change *when* the condition is evaluated, not what it means
    return isinstance(statement, Call) and statement.name in (
        "beforeAgent",
        "beforeInput",
        "beforeOptions",
    )


def _condition(statement: Statement) -> Condition:
    if not isinstance(statement, Call):
        raise UnknownCondition(statement.text.strip()[:60], statement.line)
    if statement.name == "allOf":
        return _all_of(statement.body or [], statement.line)
    if statement.name == "anyOf":
        return _any_of(statement.body or [], statement.line)
    if statement.name == "not":
        inner = list(statement.body or [])
        if len(inner) != 1:
            raise UnknownCondition("not with several conditions", statement.line)
        return _negate(_condition(inner[0]), statement.line)
    atom = _atom(statement)
    if isinstance(atom, list):
        return Condition(alternatives=[Alternative(changes=atom)])
    return Condition(
        alternatives=[Alternative(ifs=[atom.expr])], negations={atom.expr: atom.negation}
    )


def _all_of(statements: list[Statement], line: int) -> Condition:
    result = Condition()
    for statement in statements:
        part = _condition(statement)
        result.negations.update(part.negations)
        result.guards.extend(part.guards)
        combined = []
        for mine in result.alternatives:
            for theirs in part.alternatives:
                if mine.changes and theirs.changes:
                    raise UnknownCondition("allOf with two changeset conditions", line)
                combined.append(Alternative(mine.ifs + theirs.ifs, mine.changes or theirs.changes))
        result.alternatives = combined
    return result


def _any_of(statements: list[Statement], line: int) -> Condition:
    alternatives: list[Alternative] = []
    for statement in statements:
        part = _condition(statement)
        if part.guards:
            raise UnknownCondition("anyOf containing not", line)
        alternatives.extend(part.alternatives)
    return Condition(alternatives=alternatives or [Alternative()])


def _negate(condition: Condition, line: int) -> Condition:
    negations = condition.negations
    single = condition.alternatives[0] if len(condition.alternatives) == 1 else None
    if not condition.guards and single and len(single.ifs) == 1 and not single.changes:
        negation = negations.get(single.ifs[0])
        if negation is not None:
            return Condition(alternatives=[Alternative(ifs=[negation])])
    if condition.guards:
        raise UnknownCondition("double negation", line)
    # not(A or B): never when A, never when B, otherwise run
    return Condition(guards=list(condition.alternatives), alternatives=[Alternative()])


# --- expression { … } -------------------------------------------------------------------


def _expression(body: list[Statement], line: int) -> tuple[str, str]:
    if len(body) != 1 or not isinstance(body[0], Other) or body[0].node is None:
        raise UnknownCondition("expression with more than one statement", line)
    node = body[0].node
    if node.type == "return_statement" and node.named_child_count:
        node = node.named_children[0]
    return _groovy_bool(node, line)


def _node_text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def _groovy_bool(node: tree_sitter.Node, line: int) -> tuple[str, str]:
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return _groovy_bool(node.named_children[0], line)
    if node.type == "binary_expression":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        op = _node_text(operator) if operator is not None else ""
        if left is not None and right is not None and op in ("&&", "||"):
            a, na = _groovy_bool(left, line)
            b, nb = _groovy_bool(right, line)
            other = "||" if op == "&&" else "&&"
            return f"({a}) {op} ({b})", f"({na}) {other} ({nb})"
        if left is not None and right is not None and op in ("==", "!="):
            return _comparison(left, right, op, line)
    if node.type in ("identifier", "field_access"):
        # a boolean parameter: Jenkins passes it as the string "true"
        variable = "$" + _variable(_node_text(node))
        return f'{variable} == "true"', f'{variable} != "true"'
    raise UnknownCondition(f"expression {_node_text(node)[:60]}", line)


def _comparison(
    left: tree_sitter.Node, right: tree_sitter.Node, op: str, line: int
) -> tuple[str, str]:
    names = ("identifier", "field_access")
    literals = ("character_literal", "string_literal", "decimal_integer_literal", "true", "false")
    if left.type in literals and right.type in names:
        left, right = right, left
    if left.type not in names or right.type not in literals:
        raise UnknownCondition(f"comparison {_node_text(left)} {op} {_node_text(right)}", line)
    literal = _node_text(right)
    if right.type in ("character_literal", "string_literal"):
        if "$" in literal:
            raise UnknownCondition(f"interpolated comparison {literal}", line)
        literal = literal.strip("'\"")
    variable = "$" + _variable(_node_text(left))
    flipped = "!=" if op == "==" else "=="
    return f"{variable} {op} {_quoted(literal)}", f"{variable} {flipped} {_quoted(literal)}"
