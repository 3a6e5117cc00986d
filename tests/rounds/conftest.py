"""Database fixtures: every store test runs on SQLite and on a real PostgreSQL server
started here (initdb + pg_ctl on a temporary folder and a free port) — never a mock.

Without PostgreSQL's server programs the PostgreSQL half is skipped on a developer
machine and FAILS in CI (CI=true), where `.ci/run` installs Debian's `postgresql`.
"""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL is required in CI and {reason}")
    pytest.skip(f"no PostgreSQL server for the store tests: {reason} "
                "(apt-get install postgresql; CI runs them)")


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL cluster: yields a URL prefix ``postgresql+psycopg://…/``."""
    bindir = _pg_bin()
    if bindir is None:
        _unavailable("initdb/pg_ctl were not found")
    root = Path(tempfile.mkdtemp(prefix="evaluator-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:   # the server refuses to run as root: run it as `postgres`
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no `postgres` system user")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        os.chmod(root, 0o755)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, log, port = root / "data", root / "server.log", _free_port()

    def run(*cmd):
        return subprocess.run([*run_as, *cmd], capture_output=True, text=True, timeout=120)

    done = run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
               "-E", "UTF8", "--locale=C", "--no-sync")
    if done.returncode:
        shutil.rmtree(root, ignore_errors=True)
        _unavailable(f"initdb failed: {done.stderr.strip()[-400:]}")
    options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off")
    done = run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w",
               "-t", "60", "start")
    if done.returncode:
        text = log.read_text() if log.exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        _unavailable(f"pg_ctl start failed: {done.stderr.strip()[-300:]} {text[-300:]}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


_counter = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database: an SQLite file, or a new database on the PostgreSQL
    server."""
    if request.param == "sqlite":
        return str(tmp_path / "rounds.db")
    prefix = request.getfixturevalue("postgres_server")
    import psycopg
    name = f"t{os.getpid()}_{next(_counter)}"
    with psycopg.connect(prefix.replace("postgresql+psycopg", "postgresql") + "postgres",
                         autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return prefix + name


@pytest.fixture(scope="session")
def demo_results(tmp_path_factory):
    """The demo's full results (262 units × 10 years, every table), scored once."""
    from rounds.helpers import invoke
    out = tmp_path_factory.mktemp("demo") / "results"
    assert invoke("demo", "--out", out).exit_code == 0
    return out
