"""Jenkins' and GitHub's built-in variables, and how a placeholder becomes a shell expansion."""

from __future__ import annotations

import re

from chalkops.pipelines.shell import Expansion

# Jenkins environment variable -> GitLab predefined variable with the same meaning
JENKINS_VARIABLES = {
    "BUILD_NUMBER": "CI_PIPELINE_IID",
    "BUILD_ID": "CI_PIPELINE_IID",
    "BRANCH_NAME": "CI_COMMIT_REF_NAME",
    "GIT_BRANCH": "CI_COMMIT_REF_NAME",
    "WORKSPACE": "CI_PROJECT_DIR",
    "GIT_COMMIT": "CI_COMMIT_SHA",
    "CHANGE_ID": "CI_MERGE_REQUEST_IID",
    "CHANGE_TARGET": "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
    "CHANGE_BRANCH": "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    "TAG_NAME": "CI_COMMIT_TAG",
    "JOB_NAME": "CI_JOB_NAME",
    "STAGE_NAME": "CI_JOB_STAGE",
    "BUILD_URL": "CI_JOB_URL",
    "GIT_URL": "CI_REPOSITORY_URL",
}

# GitHub context -> GitLab predefined variable
GITHUB_CONTEXT = {
    "github.sha": "CI_COMMIT_SHA",
    "github.ref_name": "CI_COMMIT_REF_NAME",
    "github.head_ref": "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    "github.base_ref": "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
    "github.run_number": "CI_PIPELINE_IID",
    "github.run_id": "CI_PIPELINE_ID",
    "github.run_attempt": "CI_JOB_ID",
    "github.workspace": "CI_PROJECT_DIR",
    "github.event_name": "CI_PIPELINE_SOURCE",
    "github.repository": "CI_PROJECT_PATH",
    "github.repository_owner": "CI_PROJECT_NAMESPACE",
    "github.actor": "GITLAB_USER_LOGIN",
    "github.job": "CI_JOB_NAME",
    "github.server_url": "CI_SERVER_URL",
    "github.token": "CI_JOB_TOKEN",
    "secrets.GITHUB_TOKEN": "CI_JOB_TOKEN",
    "runner.os": "CI_RUNNER_EXECUTABLE_ARCH",
    "runner.temp": "CI_BUILDS_DIR",
}

_SHELL_VARIABLE = re.compile(r"\$(\{)?([A-Z_][A-Z0-9_]*)(?(1)\})")


def map_jenkins_shell_variables(text: str) -> str:
    """Rename Jenkins' built-in variables where a shell script reads them."""

    def replace(match: re.Match[str]) -> str:
        name = JENKINS_VARIABLES.get(match.group(2))
        if name is None:
            return match.group(0)
        return "${" + name + "}" if match.group(1) else "$" + name

    return _SHELL_VARIABLE.sub(replace, text)


def variable_name(raw: str) -> str:
    """A GitLab-safe variable name (GitHub matrix keys may contain dashes)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", raw)


def expansion(name: str) -> Expansion:
    return Expansion("${" + name + "}")
