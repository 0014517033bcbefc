"""Generated inputs shared by the bad-input tests and the benchmark (no pytest needed)."""

from __future__ import annotations


def big_jenkinsfile(size: int) -> str:
    """A Jenkinsfile of about ``size`` bytes: few stages with long multi-line scripts."""
    line = "echo line-{}-{} and some padding to make the script realistic long\n"
    per_stage = 2000
    stages = []
    stage = 0
    total = 0
    while total < size:
        script = "".join(line.format(stage, n) for n in range(per_stage))
        stages.append(f"stage('s{stage}') {{ steps {{ sh '''\n{script}''' }} }}\n")
        total += len(stages[-1])
        stage += 1
    return "pipeline {\n agent any\n stages {\n" + "".join(stages) + " }\n}\n"
