"""The worker's Worker Deployment version follows the settings: name, build id and its parts."""

import re
from importlib.metadata import version

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from cli.main import app
from config.settings import Settings, get_settings
from workflows import deployment
from workflows.deployment import UnknownBuild, build_id, deployment_config, deployment_version


def test_a_checkout_builds_as_the_package_version_and_its_commit() -> None:
    commit = deployment.checkout_commit()
    assert re.fullmatch(r"[0-9a-f]{40}", commit), "the tests run from a git checkout"
    assert build_id(Settings()) == f"{version('renovate-first-escrow')}-{commit[:12]}"


def test_the_image_names_its_commit_in_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deployment, "checkout_commit", lambda: "")  # no .git, no git in the image
    monkeypatch.setenv("ESCROW_SOURCE_COMMIT", "0123456789abcdef0123456789abcdef01234567")
    assert build_id(Settings()) == f"{version('renovate-first-escrow')}-0123456789ab"


def test_the_build_id_setting_overrides_the_whole_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCROW_BUILD_ID", "2.0.0-hotfix")
    monkeypatch.setenv("ESCROW_DEPLOYMENT_NAME", "escrow-staging")
    settings = Settings()
    assert (deployment_version(settings).deployment_name, deployment_version(settings).build_id) == (
        "escrow-staging",
        "2.0.0-hotfix",
    )
    config = deployment_config(deployment_version(settings))
    assert config.use_worker_versioning and config.version == deployment_version(settings)


def test_the_deployment_is_named_by_default_and_never_with_a_dot() -> None:
    assert Settings().deployment_name == "renovate-first-escrow"
    with pytest.raises(ValidationError, match="deployment_name"):
        Settings(deployment_name="escrow.v2")  # Temporal writes a version as <deployment>.<build id>


def test_a_worker_that_cannot_name_its_build_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deployment, "checkout_commit", lambda: "")
    monkeypatch.delenv("ESCROW_SOURCE_COMMIT", raising=False)
    monkeypatch.delenv("ESCROW_BUILD_ID", raising=False)
    with pytest.raises(UnknownBuild):
        build_id(Settings())
    get_settings.cache_clear()  # the command reads the settings once per process
    try:
        result = CliRunner().invoke(app, ["worker"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "ESCROW_SOURCE_COMMIT" in result.output
