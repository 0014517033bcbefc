"""``chalkops dev``: run the platform in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

from chalkops.local.platform import LocalPlatform, Ports, install_stop_handlers
from chalkops.local.state import project_root


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reset", action="store_true", help="wipe all local state first")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("CHALKOPS_STATE_DIR", project_root() / ".chalkops")),
        help="where databases, Vault storage and logs live (default: .chalkops/)",
    )
    parser.add_argument(
        "--base-port",
        type=int,
        default=8000,
        help="central API port; regions use +101.., provisioners +111.., OpenBao +200",
    )


def run(args: argparse.Namespace) -> int:
    web_root = project_root() / "web" / "dist" / "chalkops-web" / "browser"
    platform = LocalPlatform(
        state_root=args.state_dir.resolve(),
        ports=Ports.from_base(args.base_port),
        web_root=web_root if web_root.exists() else None,
    )
    stop_requested = threading.Event()
    install_stop_handlers(stop_requested)
    _say(f"chalkops: starting the local platform (state in {args.state_dir})")
    platform.start(reset=args.reset)
    try:
        _print_urls(platform)
        dead = platform.watch(stop_requested)
        if dead is not None:
            _say(f"chalkops: {dead} stopped unexpectedly; see {platform.layout.logs}/{dead}.log")
            return 1
        return 0
    finally:
        _say("chalkops: stopping…")
        platform.stop()
        _say("chalkops: stopped")


def _print_urls(platform: LocalPlatform) -> None:
    # localhost, not 127.0.0.1: it is the WebAuthn origin, and browsers refuse passkeys on an IP.
    web = f"http://localhost:{platform.ports.central}"
    lines = ["chalkops: the platform is up", f"  web UI + central API  {web}"]
    for service in platform.services[:-1]:
        lines.append(f"  {service.name:<22}{service.url}")
    infra = platform.infrastructure
    if infra is not None:
        lines.append(f"  OpenBao               {infra.openbao.addr}")
        lines.append(f"  PostgreSQL socket     {infra.postgres.socket_dir}")
    lines.append(f"  logs                  {platform.layout.logs}")
    lines.append("Press Ctrl-C to stop.")
    _say("\n".join(lines))


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
