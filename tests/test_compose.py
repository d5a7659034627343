"""docker-compose.yml cannot run here (no Docker engine), so check its shape by parsing it."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import SecretStr, ValidationError

from cli.dev import SEARCH_ATTRIBUTES
from config.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
APP_SERVICES = ("migrate", "bank", "worker", "api")


def interpolate(value: Any) -> str:
    """Compose's ${VAR:-default} / ${VAR:?error} with nothing set: the default, or a stand-in."""

    def sub(m: re.Match[str]) -> str:
        return m.group(3) if m.group(2).endswith("-") else f"<{m.group(1)}>"

    return re.sub(r"\$\{(\w+)(:?[-?])?([^}]*)\}", sub, str(value))


def env(service: str) -> dict[str, str]:
    raw = SERVICES[service].get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    return {k: interpolate(v) for k, v in raw.items()}


def depends_on(service: str) -> dict[str, str]:
    raw = SERVICES[service].get("depends_on") or {}
    if isinstance(raw, list):
        return dict.fromkeys(raw, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in raw.items()}


def test_services_present() -> None:
    expected = {
        "temporal-db",
        "temporal-schema",
        "temporal",
        "temporal-setup",
        "temporal-ui",
        "app-db",
        "bank-db",
        *APP_SERVICES,
    }
    assert expected <= set(SERVICES)


def image_version(service: str) -> tuple[int, ...]:
    return tuple(int(part) for part in SERVICES[service]["image"].rpartition(":")[2].split("."))


def test_temporal_is_the_server_image_with_its_schema_set_up_by_the_admin_tools() -> None:
    images = {name: service.get("image", "") for name, service in SERVICES.items()}
    assert not [name for name, image in images.items() if "auto-setup" in image], "development-only image"
    assert images["temporal"].startswith("temporalio/server:")
    assert image_version("temporal") >= (1, 29, 1), "Worker Deployments need server 1.29.1 or later"
    for one_shot in ("temporal-schema", "temporal-setup"):
        assert images[one_shot].startswith("temporalio/admin-tools:")
        assert image_version(one_shot) == image_version("temporal")
    script = SERVICES["temporal-schema"]["command"][0]
    for database, schema in (("temporal", "temporal"), ("temporal_visibility", "visibility")):
        assert f"{database}:{schema}" in script
    for step in ("create", "setup-schema -v 0.0", "update-schema -d"):
        assert step in script
    assert "--plugin postgres12 --ep temporal-db -p 5432 -u temporal" in script
    assert env("temporal-schema")["SQL_PASSWORD"] == env("temporal-db")["POSTGRES_PASSWORD"]
    setup = SERVICES["temporal-setup"]["command"][0]
    assert "temporal operator namespace create -n default" in setup
    assert env("temporal-setup")["TEMPORAL_ADDRESS"] == "temporal:7233"
    mount = SERVICES["temporal"]["volumes"][0].split(":")
    assert (ROOT / mount[0]).is_file()
    assert mount[1] == "/etc/temporal/" + env("temporal")["DYNAMIC_CONFIG_FILE_PATH"]
    assert yaml.safe_load((ROOT / mount[0]).read_text())["system.enableDeploymentVersions"] == [
        {"value": True}
    ]


def test_temporal_runs_on_its_own_postgresql() -> None:
    e = env("temporal")
    assert e["DB"] == "postgres12"
    assert e["POSTGRES_SEEDS"] == "temporal-db"
    assert e["POSTGRES_USER"] == env("temporal-db")["POSTGRES_USER"]
    assert e["POSTGRES_PWD"] == env("temporal-db")["POSTGRES_PASSWORD"]
    assert depends_on("temporal") == {"temporal-schema": "service_completed_successfully"}
    assert depends_on("temporal-schema") == {"temporal-db": "service_healthy"}
    assert env("temporal-ui")["TEMPORAL_ADDRESS"] == "temporal:7233"


def test_search_attributes_match_the_dev_server() -> None:
    command = SERVICES["temporal-setup"]["command"][0]
    assert dict(re.findall(r"--name=(\w+) --type=(\w+)", command)) == SEARCH_ATTRIBUTES


def test_app_services_use_the_escrow_image_and_commands() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["escrow"]' in dockerfile
    for name in APP_SERVICES:
        service = SERVICES[name]
        assert service["image"] == SERVICES["migrate"]["image"]
        assert service["build"]["context"] == "."
        assert service["command"] == [name]


def test_the_image_knows_its_commit_and_the_workers_their_deployment() -> None:
    """The build id a worker polls as is `<version>-<commit>`: with no git in the image, the
    commit is baked in at build time, and the same commit tags the image."""
    commit = "${ESCROW_SOURCE_COMMIT:?"
    build = SERVICES["worker"]["build"]
    assert str(build["args"]["SOURCE_COMMIT"]).startswith(commit)
    assert SERVICES["worker"]["image"].startswith("renovate-first-escrow:" + commit)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "ARG SOURCE_COMMIT" in dockerfile and "ENV ESCROW_SOURCE_COMMIT=${SOURCE_COMMIT}" in dockerfile
    worker = env("worker")
    assert worker["ESCROW_DEPLOYMENT_NAME"] == Settings().deployment_name
    assert worker["ESCROW_BUILD_ID"] == "", "an override only when ESCROW_BUILD_ID is given"


def test_dockerfile_copies_every_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {
        p.name
        for p in ROOT.iterdir()
        if (p / "__init__.py").exists() and any(fnmatch.fnmatch(p.name, pat) for pat in patterns)
    }
    copied = set(re.findall(r"^COPY (\w+)/ ", (ROOT / "Dockerfile").read_text(), re.MULTILINE))
    assert packages <= copied, f"Dockerfile misses {sorted(packages - copied)}"


def test_scale_out() -> None:
    assert SERVICES["api"]["deploy"]["replicas"] == 2
    assert SERVICES["worker"]["deploy"]["replicas"] >= 2
    for name in ("api", "worker"):  # replicas cannot share fixed names or host ports
        assert "container_name" not in SERVICES[name]
        assert "ports" not in SERVICES[name]


def test_dependencies_exist_and_start_in_order() -> None:
    for name in SERVICES:
        for target, condition in depends_on(name).items():
            assert target in SERVICES, f"{name} depends on unknown {target}"
            if condition == "service_healthy":
                assert "healthcheck" in SERVICES[target], f"{name} waits for {target}'s health"
            elif condition == "service_completed_successfully":
                assert SERVICES[target].get("restart") == "no", f"{target} must be a one-shot"
            else:
                pytest.fail(f"{name} -> {target}: wait for health or completion, not {condition}")

    for name in ("api", "worker"):
        deps = depends_on(name)
        assert deps["migrate"] == "service_completed_successfully"
        assert deps["temporal-setup"] == "service_completed_successfully"
    assert depends_on("worker")["bank"] == "service_healthy"
    assert depends_on("migrate") == {"app-db": "service_healthy"}
    assert depends_on("bank") == {"bank-db": "service_healthy"}
    assert depends_on("temporal-setup") == {"temporal": "service_healthy"}

    # no cycles
    state: dict[str, str] = {}

    def visit(name: str) -> None:
        assert state.get(name) != "visiting", f"dependency cycle through {name}"
        if state.get(name) == "done":
            return
        state[name] = "visiting"
        for target in depends_on(name):
            visit(target)
        state[name] = "done"

    for name in SERVICES:
        visit(name)


@pytest.mark.parametrize("name", ["temporal-db", "app-db", "bank-db", "temporal", "bank", "api"])
def test_healthchecks(name: str) -> None:
    check = SERVICES[name]["healthcheck"]
    assert check["test"][0] in ("CMD", "CMD-SHELL")
    assert len(check["test"]) > 1
    assert check.get("retries", 0) >= 3


def test_every_escrow_variable_is_a_setting() -> None:
    prefix = Settings.model_config["env_prefix"]
    assert prefix == "ESCROW_"
    fields = set(Settings.model_fields)
    used = {key for name in SERVICES for key in env(name) if key.startswith(prefix)}
    assert used, "no ESCROW_ variables at all"
    unknown = sorted(key for key in used if key.removeprefix(prefix).lower() not in fields)
    assert not unknown, f"not fields of config.settings.Settings: {unknown}"
    for name in APP_SERVICES:  # and each one parses as a Settings value
        values = {
            key.removeprefix(prefix).lower(): v for key, v in env(name).items() if key.startswith(prefix)
        }
        Settings.model_validate(values)


def test_addresses_point_at_the_right_services() -> None:
    for name in APP_SERVICES:
        e = env(name)
        host, _, port = e["ESCROW_TEMPORAL_ADDRESS"].partition(":")
        assert (host, port) == ("temporal", "7233")
        assert e["ESCROW_TEMPORAL_NAMESPACE"] == "default"
        bank = urlsplit(e["ESCROW_BANK_URL"])
        assert (bank.hostname, str(bank.port)) == ("bank", env("bank")["ESCROW_BANK_PORT"])
        webhook = urlsplit(e["ESCROW_WEBHOOK_URL"])
        assert (webhook.hostname, str(webhook.port)) == ("api", env("api")["ESCROW_API_PORT"])
        assert_database(e["ESCROW_DATABASE_URL"], "app-db")
    assert_database(env("bank")["ESCROW_BANK_DATABASE_URL"], "bank-db")
    assert env("api")["ESCROW_API_HOST"] == "0.0.0.0"
    assert env("bank")["ESCROW_BANK_HOST"] == "0.0.0.0"
    # one secret shared by the bank (signs webhooks) and the API (checks them)
    assert env("bank")["ESCROW_WEBHOOK_SECRET"] == env("api")["ESCROW_WEBHOOK_SECRET"]


def assert_database(url: str, service: str) -> None:
    parts = urlsplit(url)
    db = env(service)
    assert parts.scheme == "postgresql+psycopg"
    assert parts.hostname == service and parts.port == 5432
    assert parts.username == db["POSTGRES_USER"] and parts.password == db["POSTGRES_PASSWORD"]
    assert parts.path.lstrip("/") == db["POSTGRES_DB"]


def test_metrics_ports_are_settings_and_reachable_on_the_network() -> None:
    defaults = Settings()
    for name, variable, default in (
        ("worker", "ESCROW_WORKER_METRICS_PORT", defaults.worker_metrics_port),
        ("api", "ESCROW_API_METRICS_PORT", defaults.api_metrics_port),
    ):
        e = env(name)
        assert e["ESCROW_METRICS_HOST"] == "0.0.0.0", "metrics on loopback cannot be scraped"
        assert int(e[variable]) == default
        assert e[variable] in [str(port) for port in SERVICES[name]["expose"]]
    assert str(defaults.worker_metrics_port) in " ".join(SERVICES["worker"]["healthcheck"]["test"])


def test_production_sets_every_secret_and_refuses_the_development_ones() -> None:
    prefix = Settings.model_config["env_prefix"]
    development = {
        name: field.default.get_secret_value()
        for name, field in Settings.model_fields.items()
        if isinstance(field.default, SecretStr) and field.default.get_secret_value()
    }
    assert set(development) >= {"webhook_secret", "council_enrolment_secret", "bank_admin_token"}
    for name in APP_SERVICES:
        raw = SERVICES[name]["environment"]
        assert env(name)["ESCROW_ENVIRONMENT"] == "production"
        for field in development:  # compose itself stops when one is not given
            assert str(raw[f"{prefix}{field.upper()}"]).startswith(f"${{{prefix}{field.upper()}:?")
        values = {k.removeprefix(prefix).lower(): v for k, v in env(name).items() if k.startswith(prefix)}
        for field, value in development.items():
            with pytest.raises(ValidationError, match=f"{prefix}{field.upper()}"):
                Settings.model_validate(values | {field: value})
    for service in ("app-db", "bank-db", "temporal-db"):  # no database runs on a password in this file
        assert env(service)["POSTGRES_PASSWORD"].startswith("<")
