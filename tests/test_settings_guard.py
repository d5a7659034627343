"""Outside dev, no process starts on a development secret; in dev it only warns."""

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from cli.dev import free_port
from config.settings import DevelopmentSecretWarning, Settings

PREFIX = Settings.model_config["env_prefix"]
DEVELOPMENT_SECRETS = {
    name: field.default.get_secret_value()
    for name, field in Settings.model_fields.items()
    if isinstance(field.default, SecretStr) and field.default.get_secret_value()
}
OWN_SECRETS = {name: f"own-{name}-4f1c9a" for name in DEVELOPMENT_SECRETS}


def variable(name: str) -> str:
    return f"{PREFIX}{name.upper()}"


def test_the_guarded_secrets_are_the_ones_shipped_with_development_values() -> None:
    assert set(DEVELOPMENT_SECRETS) == {
        "webhook_secret",
        "council_enrolment_secret",
        "bank_admin_token",
        "id_number_secret",
    }


@pytest.mark.parametrize("environment", ["staging", "production"])
@pytest.mark.parametrize("name", sorted(DEVELOPMENT_SECRETS))
@pytest.mark.parametrize("left", ["development", "empty"])
def test_each_development_or_empty_secret_is_refused_outside_dev(
    environment: str, name: str, left: str
) -> None:
    value = DEVELOPMENT_SECRETS[name] if left == "development" else ""
    with pytest.raises(ValidationError) as refused:
        Settings(environment=environment, **(OWN_SECRETS | {name: value}))

    [error] = refused.value.errors()
    assert error["type"] == "development_secret"
    named = [other for other in DEVELOPMENT_SECRETS if variable(other) in error["msg"]]
    assert named == [name]
    shown = str(refused.value)
    assert not [secret for secret in OWN_SECRETS.values() if secret in shown], "a refusal printed a secret"


def test_dev_warns_about_development_secrets_and_starts() -> None:
    with pytest.warns(DevelopmentSecretWarning) as caught:
        settings = Settings(
            environment="dev", **(OWN_SECRETS | {"webhook_secret": DEVELOPMENT_SECRETS["webhook_secret"]})
        )
    assert settings.webhook_secret.get_secret_value() == DEVELOPMENT_SECRETS["webhook_secret"]
    [warning] = caught
    assert variable("webhook_secret") in str(warning.message)
    assert variable("bank_admin_token") not in str(warning.message)


@pytest.mark.parametrize("environment", ["dev", "staging", "production"])
def test_secrets_of_ones_own_are_accepted_without_a_warning(environment: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        settings = Settings(environment=environment, **OWN_SECRETS)
    assert settings.environment == environment
    assert settings.webhook_secret.get_secret_value() == OWN_SECRETS["webhook_secret"]


def test_dev_is_the_default() -> None:
    assert Settings.model_fields["environment"].default == "dev"


def escrow_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The process environment without the runner's own ESCROW_ variables, plus `settings`."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)}
    return inherited | {variable(k): v for k, v in settings.items()} | {variable("data_dir"): str(tmp_path)}


def test_the_api_process_stops_at_start_with_one_sentence(tmp_path: Path) -> None:
    port = str(free_port())
    own = OWN_SECRETS | {"webhook_secret": DEVELOPMENT_SECRETS["webhook_secret"]}
    env = escrow_env(tmp_path, environment="production", api_port=port, api_metrics_port="0", **own)

    # if the guard let it through, the API would serve until the timeout kills it
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "api"], env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert variable("webhook_secret") in line and "ESCROW_ENVIRONMENT=production" in line
    assert "Traceback" not in done.stderr
    assert not [secret for secret in OWN_SECRETS.values() if secret in done.stderr]
