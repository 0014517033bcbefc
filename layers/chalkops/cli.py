"""The ``chalkops`` command line: one entry point, one module per command.

Each command module exposes ``add_arguments(parser)`` and ``run(args) -> int``; modules import
lazily so ``chalkops convert`` does not pay for the platform's imports. Every failure a user can
cause ends as one line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from chalkops.errors import ChalkOpsError

# command name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "dev": (
        "chalkops.local.cli",
        "run the whole platform locally on embedded PostgreSQL + OpenBao",
    ),
    "vault-apply": ("chalkops.vault_config.cli", "apply ChalkOps' Vault policies and engines"),
    "convert": (
        "chalkops.pipelines.cli",
        "convert Jenkins / GitHub Actions pipelines to GitLab CI",
    ),
    "admin": ("chalkops.controlplane.cli", "control-plane administration (tenants, blacklist)"),
}


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, object]]:
    parser = argparse.ArgumentParser(prog="chalkops", description="ChalkOps command line")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules: dict[str, object] = {}
    wanted = _wanted_command(sys.argv[1:])
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        if wanted is None or wanted == name:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError:
                continue  # a command whose module is not built yet stays listed but inert
            module.add_arguments(command_parser)
            modules[name] = module
    return parser, modules


def _wanted_command(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    # A command's output is for people and scripts: library info lines stay out of it.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    parser, modules = build_parser()
    args = parser.parse_args(argv)
    module = modules.get(args.command)
    if module is None:
        print(f"chalkops: the '{args.command}' command is not available", file=sys.stderr)  # noqa: T201
        return 2
    try:
        return int(module.run(args))  # type: ignore[attr-defined]
    except ChalkOpsError as exc:
        print(f"chalkops {args.command}: {exc.detail}", file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug, not bad input: still one line, never a traceback
        print(  # noqa: T201
            f"chalkops {args.command}: unexpected {type(exc).__name__}: {exc}", file=sys.stderr
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
