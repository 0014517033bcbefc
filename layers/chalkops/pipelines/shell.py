"""Shell-text helpers shared by both converters.

Two source semantics meet POSIX shell here. Groovy GStrings and GitHub ``${{ }}`` expressions
are substituted into the script *text* before any shell sees it, so a placeholder inside shell
single quotes still gets its value; a shell expansion there would not. And every Jenkins ``sh``
step and GitHub ``run`` step is its own process, while GitLab runs all ``script:`` entries of a
job in one shell, so a ``cd`` or ``export`` in one step would leak into the next.
"""

from __future__ import annotations

import re
import shlex
import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class Expansion:
    """Shell code that yields a value at run time, e.g. ``${CI_COMMIT_SHA}`` or ``$(cat f)``."""

    code: str


Part = str | Expansion


def _quote_state_after(text: str, state: str) -> str:
    """The shell quoting state ("", "'" or '"') after reading ``text`` from ``state``."""
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif state == "'":
            if char == "'":
                state = ""
        elif char == "\\":
            escaped = True
        elif state == '"':
            if char == '"':
                state = ""
        elif char in "'\"":
            state = char
    return state


def render_parts(parts: list[Part]) -> str:
    """Join literal shell text and expansions so each expansion is live wherever it lands."""
    out: list[str] = []
    state = ""
    for part in parts:
        if isinstance(part, Expansion):
            # inside shell single quotes: close them, expand in double quotes, reopen
            out.append(f"'\"{part.code}\"'" if state == "'" else part.code)
        else:
            out.append(part)
            state = _quote_state_after(part, state)
    return "".join(out)


def quote_parts(parts: list[Part]) -> str:
    """A double-quoted shell word whose literal parts stay literal (for ``echo`` messages)."""
    out = ['"']
    for part in parts:
        if isinstance(part, Expansion):
            out.append(part.code)
        else:
            out.append(re.sub(r'(["\\$`])', r"\\\1", part))
    out.append('"')
    return "".join(out)


def tidy_script(text: str) -> str:
    """Dedent a multi-line script and drop blank edges, as Jenkins' ``sh '''…'''`` reads."""
    return textwrap.dedent(text).strip("\n").rstrip()


_STATE_BUILTINS = frozenset(
    {
        "cd",
        "pushd",
        "popd",
        "export",
        "source",
        ".",
        "set",
        "unset",
        "alias",
        "umask",
        "shopt",
        "trap",
        "ulimit",
        "declare",
        "typeset",
        "readonly",
        "local",
        "eval",
        "exec",
    }
)
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SEPARATORS = re.compile(r"\n|;|&&|\|\||\||\(|\)|\{|\}|\bthen\b|\bdo\b|\belse\b")


def mutates_shell_state(script: str) -> bool:
    """Whether a step could change the shell the next step would inherit (cwd, variables)."""
    for segment in _SEPARATORS.split(script):
        words = segment.strip().split()
        if not words:
            continue
        first = words[0]
        if first in _STATE_BUILTINS or (_ASSIGNMENT.match(first) and len(words) == 1):
            return True
    return False


def scoped_step(
    script: str,
    *,
    env: dict[str, str] | None = None,
    workdir: str | None = None,
    tolerate_failure: bool = False,
) -> str:
    """One source step as one ``script:`` entry whose cwd and variables stay inside it."""
    lines: list[str] = []
    if workdir:
        lines.append(f"cd {shlex.quote(workdir) if '$' not in workdir else workdir}")
    for name, value in (env or {}).items():
        lines.append(f"export {name}={value}")
    needs_subshell = bool(lines) or tolerate_failure or mutates_shell_state(script)
    if not needs_subshell:
        return script
    if tolerate_failure:
        # errexit is ignored inside `cmd || …`, so the failure is caught after the subshell
        inner = "\n".join(["set -e", *lines, script])
        return (
            "set +e\n(\n" + textwrap.indent(inner, "  ") + "\n)\nstep_status=$?\nset -e\n"
            'if [ "$step_status" -ne 0 ]; then echo "step failed ($step_status);'
            ' continuing (continue-on-error)"; fi'
        )
    inner = "\n".join([*lines, script])
    return "(\n" + textwrap.indent(inner, "  ") + "\n)"


def guarded(condition: str, commands: list[str]) -> str:
    """Commands that run only when a shell ``test`` condition holds."""
    body = textwrap.indent("\n".join(commands), "  ")
    return f"if {condition}; then\n{body}\nfi"
