"""Read a GitHub Actions workflow: YAML 1.2 booleans, source lines, schema check first.

PyYAML follows YAML 1.1, where the key ``on`` is the boolean ``True``; GitHub reads YAML 1.2,
where it is the string ``"on"``. The loader below resolves only ``true`` / ``false`` as
booleans. Lines are kept per JSON path so every error can name the line it is about.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jsonschema
import yaml
from check_jsonschema.builtin_schemas import get_builtin_schema

from chalkops.pipelines.exceptions import UnparseableInput

MAX_NODES = 2_000_000  # guards against alias bombs: a real workflow is far smaller

Path = tuple[str | int, ...]


class _Loader(yaml.CSafeLoader):
    """Safe loader with YAML 1.2 booleans."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load(text: str, path: str) -> tuple[Any, dict[Path, int]]:
    """The workflow's data and the line of every mapping key / sequence item in it."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise UnparseableInput(path, 1, "file is empty")
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise UnparseableInput(path, line, f"invalid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise UnparseableInput(path, 1, f"invalid YAML: {exc}") from exc
    except RecursionError as exc:
        raise UnparseableInput(path, 1, "YAML nested too deeply") from exc
    finally:
        loader.dispose()
    return data, _line_map(node, path)


def _line_map(root: yaml.Node, path: str) -> dict[Path, int]:
    lines: dict[Path, int] = {}
    stack: list[tuple[yaml.Node, Path]] = [(root, ())]
    visited = 0
    while stack:
        node, where = stack.pop()
        visited += 1
        if visited > MAX_NODES:
            raise UnparseableInput(path, node.start_mark.line + 1, "YAML expands to too many nodes")
        lines.setdefault(where, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*where, str(key.value))
                lines[child] = key.start_mark.line + 1
                stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, (*where, index)))
    return lines


def line_of(lines: dict[Path, int], where: Path) -> int:
    """The line of ``where`` or of its nearest ancestor that has one."""
    while where:
        if where in lines:
            return lines[where]
        where = where[:-1]
    return lines.get((), 1)


@functools.cache
def _workflow_validator() -> jsonschema.protocols.Validator:
    schema = get_builtin_schema("vendor.github-workflows")
    validator: jsonschema.protocols.Validator = jsonschema.validators.validator_for(schema)(schema)
    return validator


def validate(data: Any, lines: dict[Path, int], path: str) -> None:
    """Refuse anything GitHub itself would refuse, naming the first offending line."""
    if not isinstance(data, dict):
        raise UnparseableInput(
            path, 1, "not a GitHub Actions workflow (top level is not a mapping)"
        )
    error = jsonschema.exceptions.best_match(_workflow_validator().iter_errors(data))
    if error is None:
        return
    where = tuple(error.absolute_path)
    message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
    location = "/".join(str(p) for p in where) or "workflow"
    raise UnparseableInput(
        path, line_of(lines, where), f"not a valid GitHub workflow at {location}: {message}"
    )
