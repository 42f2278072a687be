"""What can be checked of the deployment files without a container engine: compose.yaml
parses and has the production shape (two API nodes, two workers, PostgreSQL, Redis, S3
storage, a one-shot migration), every long-running service has a health check, no secret is
written in it, and every OPENKYC_ setting named in the deployment files and the operations
guide exists in config.py. The Dockerfile is multi-stage, runs as a non-root user and
downloads nothing but Debian packages and wheels."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from openkyc.config import Settings

ROOT = Path(__file__).resolve().parents[2]
_SETTING = re.compile(r"\bOPENKYC_[A-Z0-9_]*[A-Z0-9]\b")
_INTERPOLATED = re.compile(r"^\$\{[A-Z_]+(:[?-][^}]*)?\}$|\$\{[A-Z_]+:\?[^}]*\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return data


def test_compose_has_the_production_shape(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"api-1", "api-2", "worker-1", "worker-2", "postgres", "redis", "minio"} <= set(services)
    for name in ("api-1", "api-2"):
        assert services[name]["command"][0] == "serve"
        assert services[name]["environment"]["OPENKYC_RUN_WORKER_IN_PROCESS"] == "false"
    for name in ("worker-1", "worker-2"):
        assert services[name]["command"][0] == "worker"
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in ("api-1", "api-2", "worker-1", "worker-2"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        env = services[name]["environment"]
        assert env["OPENKYC_ENV"] == "production"
        assert env["OPENKYC_STORAGE_URL"].startswith("s3://")
        assert env["OPENKYC_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert env["OPENKYC_REDIS_URL"].startswith("redis://")


def test_every_long_running_service_has_a_health_check(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if service.get("restart") == "no":
            continue  # one-shot jobs
        check = service.get("healthcheck")
        assert check, f"{name} has no health check"
        assert check.get("test"), f"{name} has no health check"
        assert not check.get("disable"), name
    api_check = " ".join(compose["services"]["api-1"]["healthcheck"]["test"])
    assert "/readyz" in api_check
    assert compose["services"]["worker-1"]["healthcheck"]["test"] == ["CMD", "openkyc", "ready"]


def test_graceful_stop_outlasts_the_shutdown_timeout(compose: dict[str, Any]) -> None:
    for name in ("api-1", "worker-1"):
        service = compose["services"][name]
        grace = int(service["stop_grace_period"].rstrip("s"))
        assert grace > float(service["environment"]["OPENKYC_SHUTDOWN_TIMEOUT_S"])


def _values(node: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(node, dict):
        return [item for key, value in node.items() for item in _values(value, f"{path}/{key}")]
    if isinstance(node, list):
        return [item for value in node for item in _values(value, path)]
    return [(path, str(node))]


def test_no_secret_is_written_in_compose(compose: dict[str, Any]) -> None:
    secret_words = ("PASSWORD", "SECRET", "MASTER_KEY", "ACCESS_KEY")
    checked = 0
    for path, value in _values(compose["services"]):
        name = path.rsplit("/", 1)[-1]
        if any(word in name for word in secret_words):
            assert _INTERPOLATED.search(value), f"{path} must come from the environment"
            checked += 1
        if "DATABASE_URL" in name:
            assert "${POSTGRES_PASSWORD" in value, path
    assert checked >= 6


def test_every_setting_named_in_the_deployment_files_exists() -> None:
    fields = {f"OPENKYC_{name.upper()}" for name in Settings.model_fields}
    named: set[str] = set()
    for file in ("compose.yaml", "Dockerfile", "docs/operations.md"):
        named |= set(_SETTING.findall((ROOT / file).read_text()))
    named -= {"OPENKYC_TEST_POSTGRES_URL", "OPENKYC_TEST_REDIS_URL"}
    assert named, "the files name settings"
    assert sorted(named - fields) == []


def test_the_dockerfile_is_multi_stage_non_root_and_downloads_nothing_else() -> None:
    text = (ROOT / "Dockerfile").read_text()
    instructions = [line.strip() for line in text.splitlines() if line.strip()[:1].isupper()]
    stages = [line for line in instructions if line.startswith("FROM ")]
    assert len(stages) >= 2
    assert all("bookworm" in stage for stage in stages)  # Debian
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users
    assert users[-1] not in ("root", "0")
    assert "COPY --from=build" in text
    for forbidden in ("curl ", "wget ", "ADD http", "git clone"):
        assert forbidden not in text, forbidden
    assert 'ENTRYPOINT ["openkyc"]' in text
