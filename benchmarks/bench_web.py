"""Web UI benchmark: ``web_bundle``.

The gzipped bytes of the JavaScript a browser loads before the first screen of the production
build (the entry script in ``index.html``, its ``modulepreload`` links and every chunk they
import statically; lazily loaded pages are not counted) vs a fresh ``ng new`` application
generated and built the same way, with the same Angular CLI, in the same run. Goal ratio ≤ 3.

Works offline: the fresh application reuses ``web/node_modules`` through a symlink (``make web``
installs it; ``make bench`` depends on it).
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from benchmarks._report import emit
from chalkops.local.state import project_root

WEB = project_root() / "web"
NODE_MODULES = WEB / "node_modules"
_STATIC_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*["'](\./[^"']+\.js)["']""")


class _EagerScripts(HTMLParser):
    """Entry module scripts and module preloads named by ``index.html``."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and named.get("src"):
            self.files.append(str(named["src"]))
        if tag == "link" and named.get("rel") == "modulepreload" and named.get("href"):
            self.files.append(str(named["href"]))


def initial_javascript(browser_dir: Path) -> list[Path]:
    """The JavaScript files loaded eagerly: index.html's scripts and their static imports."""
    parser = _EagerScripts()
    parser.feed((browser_dir / "index.html").read_text("utf-8"))
    pending = [(browser_dir / name).resolve() for name in parser.files if name.endswith(".js")]
    seen: dict[Path, None] = {}
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen[path] = None
        for imported in _STATIC_IMPORT.findall(path.read_text("utf-8")):
            pending.append((path.parent / imported).resolve())
    return list(seen)


def gzipped_bytes(files: list[Path]) -> int:
    return sum(len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)) for path in files)


def _ng(cwd: Path, *args: str) -> None:
    env = {**os.environ, "NG_CLI_ANALYTICS": "false", "CI": "1"}
    # --preserve-symlinks: the CLI looks for a workspace next to its own files, and its own
    # files are web/'s; keeping the symlinked path makes it work for the fresh application.
    command = [
        "node",
        "--preserve-symlinks",
        "--preserve-symlinks-main",
        str(cwd / "node_modules" / "@angular" / "cli" / "bin" / "ng.js"),
        *args,
    ]
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True, text=True)


def build_ours(out: Path) -> Path:
    _ng(WEB, "build", "--configuration=production", f"--output-path={out}", "--progress=false")
    return out / "browser"


def build_fresh(workdir: Path) -> Path:
    (workdir / "node_modules").symlink_to(NODE_MODULES)
    _ng(
        workdir, "new", "fresh", "--defaults", "--skip-install", "--skip-git", "--interactive=false"
    )
    app = workdir / "fresh"
    (app / "node_modules").symlink_to(NODE_MODULES)
    out = workdir / "fresh-dist"
    _ng(app, "build", "--configuration=production", f"--output-path={out}", "--progress=false")
    return out / "browser"


def main() -> None:
    if not (NODE_MODULES / "@angular" / "cli").is_dir():
        raise SystemExit("bench_web: web/node_modules is missing; run `make web` first")
    with tempfile.TemporaryDirectory(prefix="chalkops-bench-web-") as tmp:
        root = Path(tmp)
        ours = gzipped_bytes(initial_javascript(build_ours(root / "ours")))
        fresh = gzipped_bytes(initial_javascript(build_fresh(root)))
    emit("web_bundle", ours, "bytes", "fresh ng new app, same CLI and build", fresh)


if __name__ == "__main__":
    main()
