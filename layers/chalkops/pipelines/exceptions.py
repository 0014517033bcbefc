"""Errors of the pipeline conversion engine."""

from __future__ import annotations

from pathlib import Path

from chalkops.errors import ChalkOpsError


class PipelineConversionError(ChalkOpsError):
    """Base of every error the conversion engine raises on purpose."""

    code = "pipeline_conversion_error"
    status = 422
    title = "Pipeline conversion failed"


class UnparseableInput(PipelineConversionError):
    """A source file cannot be read as a pipeline; ``location`` names file and line."""

    code = "unparseable_pipeline"
    title = "Unparseable pipeline"

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path}:{line}: {reason}")


class NoPipelineFound(PipelineConversionError):
    """The path holds neither a Jenkinsfile nor a GitHub Actions workflow."""

    code = "no_pipeline_found"
    title = "No pipeline found"


class GeneratedPipelineInvalid(PipelineConversionError):
    """The generated GitLab CI file failed GitLab's schema (a converter bug, never user input)."""

    code = "generated_pipeline_invalid"
    status = 500
    title = "Generated pipeline is invalid"


class AssistUnavailable(PipelineConversionError):
    """An LLM-assist provider could not be reached or answered nonsense."""

    code = "assist_unavailable"
    status = 502
    title = "LLM assist unavailable"
