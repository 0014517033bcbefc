"""The audit report: per pipeline and for the batch, as JSON and as Markdown.

Coverage is the share of constructs carried over automatically (known + partial) out of all
constructs met; a pipeline is ``successful`` only when every construct is known.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from chalkops.pipelines.model import Construct, ConstructStatus, Conversion, PipelineStatus


def pipeline_status(conversion: Conversion) -> PipelineStatus:
    if conversion.error is not None:
        return PipelineStatus.FAILED
    statuses = {c.status for c in conversion.constructs}
    if any(
        c.ref == "jenkins.18"
        and c.name == "scripted pipeline"
        and c.status is ConstructStatus.UNSUPPORTED
        for c in conversion.constructs
    ):
        return PipelineStatus.UNSUPPORTED
    if statuses <= {ConstructStatus.KNOWN}:
        return PipelineStatus.SUCCESSFUL
    return PipelineStatus.PARTIAL


def coverage(constructs: list[Construct]) -> float:
    if not constructs:
        return 100.0
    carried = sum(c.status in (ConstructStatus.KNOWN, ConstructStatus.PARTIAL) for c in constructs)
    return round(100.0 * carried / len(constructs), 1)


def pipeline_report(conversion: Conversion) -> dict[str, Any]:
    counts = Counter(c.status.value for c in conversion.constructs)
    return {
        "source": conversion.source,
        "kind": conversion.kind,
        "status": pipeline_status(conversion).value,
        "error": conversion.error,
        "coverage_percent": coverage(conversion.constructs),
        # final names in the written file (prefixed when several sources were merged)
        "jobs": [job.name for job in conversion.pipeline.jobs.values()],
        "counts": {s.value: counts.get(s.value, 0) for s in ConstructStatus},
        "constructs": [
            {
                "ref": c.ref,
                "name": c.name,
                "status": c.status.value,
                "line": c.line,
                "note": c.note,
                "machine_suggested": c.machine_suggested,
            }
            for c in sorted(conversion.constructs, key=lambda c: c.line)
        ],
        "manual_tasks": [
            {"kind": t.kind.value, "name": t.name, "detail": t.detail, "line": t.line}
            for t in conversion.manual_tasks
        ],
    }


def batch_report(conversions: list[Conversion], output: str | None) -> dict[str, Any]:
    pipelines = [pipeline_report(c) for c in conversions]
    statuses = Counter(p["status"] for p in pipelines)
    every = [c for conv in conversions for c in conv.constructs]
    return {
        "output": output,
        "summary": {
            "pipelines": len(pipelines),
            "statuses": {s.value: statuses.get(s.value, 0) for s in PipelineStatus},
            "coverage_percent": coverage(every),
            "manual_tasks": sum(len(p["manual_tasks"]) for p in pipelines),
        },
        "pipelines": pipelines,
    }


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(report: dict[str, Any]) -> str:
    summary = report["summary"]
    lines = [
        "# Pipeline conversion audit",
        "",
        f"Output: `{report['output']}`" if report["output"] else "Output: none (failed)",
        "",
        "| pipelines | successful | partial | unsupported | failed | coverage |",
        "|---|---|---|---|---|---|",
        "| {} | {} | {} | {} | {} | {}% |".format(
            summary["pipelines"], *summary["statuses"].values(), summary["coverage_percent"]
        ),
    ]
    for pipeline in report["pipelines"]:
        lines += _pipeline_markdown(pipeline)
    return "\n".join(lines) + "\n"


def _pipeline_markdown(pipeline: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"## {pipeline['source']} ({pipeline['kind']})",
        "",
        f"Status: **{pipeline['status']}** · coverage {pipeline['coverage_percent']}%",
    ]
    if pipeline["error"]:
        lines += ["", f"Error: {pipeline['error']}"]
    if pipeline["manual_tasks"]:
        lines += [
            "",
            "### Manual tasks",
            "",
            "| kind | name | what to do | line |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {t['kind']} | `{_cell(t['name'])}` | {_cell(t['detail'])} | {t['line']} |"
            for t in pipeline["manual_tasks"]
        ]
    if pipeline["constructs"]:
        lines += [
            "",
            "### Constructs",
            "",
            "| line | construct | ref | status | note |",
            "|---|---|---|---|---|",
        ]
        for c in pipeline["constructs"]:
            status = c["status"] + (" (machine-suggested)" if c["machine_suggested"] else "")
            name, note = _cell(c["name"]), _cell(c["note"])
            lines.append(f"| {c['line']} | `{name}` | {c['ref']} | {status} | {note} |")
    return lines
