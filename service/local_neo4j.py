"""The project's embedded default: a Neo4j Community server assembled from Maven Central jars.

`neo4j/pom.xml` pins the version; `ensure_jars` resolves it into `neo4j/lib` once (cached
afterwards); `LocalNeo4j` writes a loopback-only `neo4j.conf` under its home folder, starts
`org.neo4j.server.CommunityEntryPoint` in a child JVM, waits for Bolt and stops it cleanly.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from service.settings import PROJECT_ROOT, load_settings

POM_DIR = PROJECT_ROOT / "neo4j"
LIB_DIR = POM_DIR / "lib"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
JVM_OPENS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
)


class LocalNeo4jError(RuntimeError):
    """The local server could not be fetched, started or reached."""


def ensure_jars() -> Path:
    """Resolve the pinned Neo4j Community jars into `neo4j/lib` unless they are already there."""
    marker = LIB_DIR / ".complete"
    if marker.exists():
        return LIB_DIR
    cmd = [
        "mvn", "-B", "-q", "-f", str(POM_DIR / "pom.xml"),
        "dependency:copy-dependencies", f"-DoutputDirectory={LIB_DIR}", "-DincludeScope=runtime",
    ]
    print("fetching Neo4j jars from Maven Central ...", file=sys.stderr, flush=True)
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise LocalNeo4jError(f"{' '.join(cmd)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    if not any(p.name.startswith("neo4j-server-") for p in LIB_DIR.glob("*.jar")):
        raise LocalNeo4jError(f"no neo4j-server jar in {LIB_DIR} after {' '.join(cmd)}")
    marker.write_text("ok\n")
    return LIB_DIR


def bolt_answers(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on the Bolt port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class LocalNeo4j:
    """One local Neo4j server whose data, logs and config live under `home`."""

    def __init__(self, home: Path, bolt_port: int, heap: str = "768m", page_cache: str = "256m") -> None:
        self.home = Path(home)
        self.bolt_port = bolt_port
        self.heap = heap
        self.page_cache = page_cache
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def pid_file(self) -> Path:
        return self.home / "server.pid"

    def write_config(self) -> Path:
        conf_dir = self.home / "conf"
        for sub in ("conf", "data", "logs", "run", "plugins", "import"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        lines = {
            "server.directories.data": self.home / "data",
            "server.directories.logs": self.home / "logs",
            "server.directories.run": self.home / "run",
            "server.directories.plugins": self.home / "plugins",
            "server.directories.import": self.home / "import",
            "server.directories.lib": LIB_DIR,
            # The local instance only listens on loopback, so it runs without authentication.
            "dbms.security.auth_enabled": "false",
            "server.bolt.enabled": "true",
            "server.bolt.listen_address": f"127.0.0.1:{self.bolt_port}",
            "server.bolt.advertised_address": f"127.0.0.1:{self.bolt_port}",
            "server.http.enabled": "false",
            "server.https.enabled": "false",
            "server.memory.heap.initial_size": self.heap,
            "server.memory.heap.max_size": self.heap,
            "server.memory.pagecache.size": self.page_cache,
            "dbms.usage_report.enabled": "false",
            "db.tx_log.rotation.retention_policy": "2 files",
        }
        conf = conf_dir / "neo4j.conf"
        conf.write_text("".join(f"{k}={v}\n" for k, v in lines.items()))
        return conf_dir

    def start(self, timeout: float = 120.0) -> None:
        """Start the server and wait until Bolt answers; the log tail is in the error on failure."""
        ensure_jars()
        if bolt_answers(self.bolt_port):
            raise LocalNeo4jError(f"port {self.bolt_port} is already in use; set MACD_NEO4J_BOLT_PORT")
        conf_dir = self.write_config()
        java = os.environ.get("JAVA_HOME")
        java_bin = str(Path(java) / "bin" / "java") if java else "java"
        cmd = [
            java_bin, *JVM_OPENS, f"-Xms{self.heap}", f"-Xmx{self.heap}", "-XX:+UseG1GC",
            "-Dfile.encoding=UTF-8", "-cp", f"{LIB_DIR}/*", ENTRY_POINT,
            f"--home-dir={self.home}", f"--config-dir={conf_dir}",
        ]
        out = open(self.home / "logs" / "console.log", "ab")  # noqa: SIM115 - handed to the child
        self.process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.pid_file.write_text(str(self.process.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LocalNeo4jError(f"Neo4j exited with {self.process.returncode}:\n{self.log_tail()}")
            if bolt_answers(self.bolt_port):
                return
            time.sleep(0.3)
        self.stop()
        raise LocalNeo4jError(f"Neo4j did not answer on Bolt within {timeout:.0f}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 60.0) -> None:
        """Ask the server to shut down (SIGTERM), killing it only if it does not within `timeout`."""
        pid = self.process.pid if self.process else _read_pid(self.pid_file)
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            self.pid_file.unlink(missing_ok=True)
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid, self.process):
            time.sleep(0.2)
        if _alive(pid, self.process):
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        self.process = None

    def kill(self, timeout: float = 30.0) -> None:
        """Kill the server at once (SIGKILL), as a crash would; `start()` brings it back on the same data."""
        pid = self.process.pid if self.process else _read_pid(self.pid_file)
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid, self.process):
            time.sleep(0.05)
        self.pid_file.unlink(missing_ok=True)
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        chunks = []
        for name in ("console.log", "neo4j.log", "debug.log"):
            path = self.home / "logs" / name
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                chunks.append(f"--- {path} ---\n" + "\n".join(tail))
        return "\n".join(chunks)


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int, process: subprocess.Popen[bytes] | None) -> bool:
    if process is not None:
        return process.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    """`python -m service.local_neo4j fetch|start|stop [--home DIR] [--port N]`."""
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m service.local_neo4j")
    parser.add_argument("command", choices=["fetch", "start", "stop"])
    parser.add_argument("--home", type=Path, default=settings.local_neo4j_home)
    parser.add_argument("--port", type=int, default=settings.local_bolt_port)
    args = parser.parse_args(argv)
    if args.command == "fetch":
        print(ensure_jars())
        return 0
    server = LocalNeo4j(args.home, args.port)
    if args.command == "start":
        server.start()
        print(f"Neo4j answering on {server.uri} (home {server.home})")
    else:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
