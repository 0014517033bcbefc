"""The translation rules underneath the converters, one behaviour per test."""

from __future__ import annotations

import re
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalkops.pipelines import gha_expr
from chalkops.pipelines.convert import convert_path
from chalkops.pipelines.gha_expr import Untranslatable
from chalkops.pipelines.jenkins_conditions import glob_to_regex
from chalkops.pipelines.shell import Expansion, mutates_shell_state, render_parts, scoped_step

from .conftest import corpus_cases


def _bash(script: str, **env: str) -> str:
    done = subprocess.run(
        ["bash", "-ec", script], capture_output=True, text=True, env=env, check=True, timeout=10
    )
    return done.stdout


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (["echo '", Expansion("${V}"), "'"], "value with 'quote'\n"),
        (['echo "', Expansion("${V}"), '"'], "value with 'quote'\n"),
        (["echo ", Expansion("${V}")], "value with 'quote'\n"),
        (["echo 'it''s ", Expansion("${V}"), " ok'"], "its value with 'quote' ok\n"),
    ],
)
def test_placeholders_stay_live_in_every_shell_quoting(
    parts: list[str | Expansion], expected: str
) -> None:
    assert _bash(render_parts(parts), V="value with 'quote'") == expected


def test_step_that_changes_directory_is_scoped() -> None:
    script = scoped_step("cd /tmp") + "\npwd"
    assert _bash(script, PATH="/usr/bin:/bin") != "/tmp\n"
    assert mutates_shell_state("export A=1")
    assert mutates_shell_state("make && cd out")
    assert not mutates_shell_state("npm ci\nnpm test")


def test_tolerated_failure_stops_the_step_but_not_the_job() -> None:
    script = scoped_step("echo one\nfalse\necho two", tolerate_failure=True) + "\necho after"
    out = _bash(script, PATH="/usr/bin:/bin")
    assert "one" in out and "after" in out and "two" not in out


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("github.ref == 'refs/heads/main'", '$CI_COMMIT_BRANCH == "main"'),
        ("github.ref == 'refs/tags/v1'", '$CI_COMMIT_TAG == "v1"'),
        ("github.event_name != 'pull_request'", '$CI_PIPELINE_SOURCE != "merge_request_event"'),
        ("!(env.A == 'x' || env.B == 'y')", '($A != "x") && ($B != "y")'),
        ("startsWith(github.ref, 'refs/tags/')", "$CI_COMMIT_TAG"),
        ("contains(github.ref_name, 'rel.')", "$CI_COMMIT_REF_NAME =~ /rel\\./"),
    ],
)
def test_job_conditions_become_gitlab_rule_expressions(condition: str, expected: str) -> None:
    assert gha_expr.rule_if(gha_expr.parse(condition)) == expected


def test_status_functions_are_split_from_the_condition() -> None:
    status, rest = gha_expr.split_status(gha_expr.parse("always() && github.ref_name == 'x'"))
    assert status == "always"
    assert rest is not None and gha_expr.rule_if(rest) == '$CI_COMMIT_REF_NAME == "x"'
    with pytest.raises(Untranslatable):
        gha_expr.split_status(gha_expr.parse("failure() || env.A == 'b'"))


@pytest.mark.parametrize(
    "expression", ["github.event.pull_request.title", "toJSON(github)", "fromJSON(x).y"]
)
def test_untranslatable_expressions_are_refused_not_guessed(expression: str) -> None:
    with pytest.raises(Untranslatable):
        gha_expr.value_expansion(expression)


def test_step_conditions_run_as_shell_tests() -> None:
    test = gha_expr.shell_test(gha_expr.parse("github.ref_name == 'main' && !env.SKIP"))
    assert (
        _bash(f"if {test}; then echo yes; else echo no; fi", CI_COMMIT_REF_NAME="main") == "yes\n"
    )
    assert _bash(f"if {test}; then echo yes; else echo no; fi", CI_COMMIT_REF_NAME="dev") == "no\n"


@pytest.mark.parametrize(
    ("glob", "matches", "misses"),
    [("release/*", ["release/1"], ["release/1/2", "xrelease/1"]), ("v*.*", ["v1.2"], ["w1.2"])],
)
def test_branch_globs_become_anchored_regexes(
    glob: str, matches: list[str], misses: list[str]
) -> None:
    pattern = re.compile(glob_to_regex(glob)[1:-1].replace("\\/", "/"))
    assert all(pattern.fullmatch(m) for m in matches)
    assert not any(pattern.fullmatch(m) for m in misses)


def test_corpus_exercises_every_construct_of_the_reference() -> None:
    seen = {
        c.ref
        for case in corpus_cases()
        for conv in convert_path(case).conversions
        for c in conv.constructs
    }
    wanted = {f"jenkins.{i}" for i in range(1, 20)} | {f"gha.{i}" for i in range(1, 23)}
    assert wanted - seen == set()


_WORD = st.text(alphabet="abcXYZ019-_.,", min_size=1, max_size=6)
_VALUE = st.text(alphabet="abc XYZ019", min_size=1, max_size=8)


@st.composite
def _quoted_script(draw: st.DrawFn) -> list[str | None]:
    """``echo`` arguments in random shell quoting, ``None`` marking a placeholder."""
    tokens: list[str | None] = ["echo "]
    for _ in range(draw(st.integers(1, 5))):
        quote = draw(st.sampled_from(["", "'", '"']))
        inner: list[str | None] = [
            draw(st.one_of(_WORD, st.none())) for _ in range(draw(st.integers(1, 3)))
        ]
        tokens += [quote, *inner, quote, " "]
    return tokens


@settings(max_examples=40, deadline=None)
@given(tokens=_quoted_script(), value=_VALUE)
def test_expansion_gives_what_textual_substitution_gives(
    tokens: list[str | None], value: str
) -> None:
    # Groovy / ${{ }} substitute text before the shell runs; the rendered script must print
    # the same, wherever the placeholder sits in the shell's quoting
    substituted = "".join(value if t is None else t for t in tokens)
    parts: list[str | Expansion] = [Expansion("${V}") if t is None else t for t in tokens]
    expected = _bash(substituted)
    assert _bash(render_parts(parts), V=value) == expected
