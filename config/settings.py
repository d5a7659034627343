"""Settings from the environment, one prefix (`ESCROW_`) for every process.

Every field is documented in docs/SETTINGS.md with its default; the
defaults run the whole stack on one machine with nothing to install. Those defaults
include development secrets, which anyone can read here: outside `ESCROW_ENVIRONMENT=dev`
a process refuses to start while any secret still holds one (the full-stack-fastapi-
template's guard), since a known webhook secret lets anyone sign a bank event and a
known enrolment secret lets anyone enrol as the council.
"""

import warnings
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from limits import parse_many
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.calendar_cn import YEARS_AHEAD, china_calendar, read_notices
from domain.calendar import WorkCalendar
from domain.fund.carry import VERSIONS_PER_RUN


class DevelopmentSecretWarning(UserWarning):
    """A secret still holds its development default (allowed in dev only)."""


class Settings(BaseSettings):
    # hide_input_in_errors: a refusal must never print the environment it was read from.
    model_config = SettingsConfigDict(env_prefix="ESCROW_", extra="ignore", hide_input_in_errors=True)

    environment: Literal["dev", "staging", "production"] = Field(
        default="dev", description="Outside dev, no secret may keep its development default."
    )
    data_dir: Path = Path("data")

    # URLs may carry a password: SecretStr keeps them out of reprs and logs.
    database_url: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=AliasChoices("ESCROW_DATABASE_URL", "DATABASE_URL"),
        description="Application database; empty means SQLite at DATA_DIR/escrow.db.",
    )
    bank_database_url: SecretStr = Field(
        default=SecretStr(""), description="Sandbox bank database; empty means SQLite at DATA_DIR/bank.db."
    )

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "escrow"
    temporal_api_key: SecretStr | None = None
    temporal_tls: bool = False
    temporal_tls_client_cert: Path | None = Field(
        default=None, description="PEM client certificate for mTLS (Temporal Cloud or a private cluster)."
    )
    temporal_tls_client_key: Path | None = Field(default=None, description="PEM key of that certificate.")
    temporal_tls_server_ca: Path | None = Field(
        default=None, description="PEM CA to trust for the frontend; unset trusts the system roots."
    )
    # Worker Versioning (workflows/deployment.py, docs/VERSIONING.md).
    deployment_name: str = Field(
        default="renovate-first-escrow",
        pattern=r"^[^.]+$",  # Temporal writes a version as `<deployment>.<build id>`
        description="The Worker Deployment every escrow worker polls as a version of.",
    )
    build_id: str = Field(
        default="", description="The worker's build id; empty means `<package version>-<commit>`."
    )
    source_commit: str = Field(
        default="", description="The commit the code was built from, where there is no git checkout."
    )

    metrics_host: str = Field(default="127.0.0.1", description="Where the Prometheus endpoints listen.")
    worker_metrics_port: int = Field(
        default=9100, description="Temporal SDK metrics of a worker; 0 turns them off."
    )
    api_metrics_port: int = Field(default=9101, description="The API's request metrics; 0 turns them off.")

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    bank_host: str = "127.0.0.1"
    bank_port: int = 8100
    bank_url: str = "http://127.0.0.1:8100"
    bank_name: str = Field(
        default="沙箱银行 Sandbox Bank",
        min_length=1,
        description="The bank's name as the owner's deposit step and its QR code show it (where to pay).",
    )
    bank_account_holder: str = Field(
        default="先装修后付款 Renovate first, pay later",
        min_length=1,
        description="The name the escrow accounts are held in (收款人户名), which a transfer asks for.",
    )
    bank_timeout_seconds: float = 10.0
    bank_admin_token: SecretStr = SecretStr("sandbox-admin")
    webhook_url: str = "http://127.0.0.1:8000/webhooks/bank"
    webhook_secret: SecretStr = SecretStr("dev-webhook-secret-change-me")

    webhook_first_retry_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Outbound webhooks: the wait before a failed delivery's first retry; each later wait "
        "doubles, up to 6 hours, for 3 days (docs/WEBHOOKS.md).",
    )

    council_enrolment_secret: SecretStr = SecretStr("dev-council-secret-change-me")
    # Key recovery (docs/RECOVERY.md).
    id_number_secret: SecretStr = Field(
        default=SecretStr("dev-id-number-secret-change-me"),
        description="The key of the HMAC-SHA256 an identity document's number is kept as at a key "
        "recovery: the number itself is never stored.",
    )
    fund_minimum_pledge_fen: int = Field(
        default=1_000_000,
        ge=1,
        le=2**53,
        description="The least a business may pledge to keep in its advance-compensation fund "
        "(docs/ADVANCE_COMPENSATION.md), in fen: ¥10,000 by default.",
    )
    fund_versions_per_run: int = Field(
        default=VERSIONS_PER_RUN,
        ge=1,
        description="How many changes (steps, deposits, cases, bank receipts) a fund's workflow takes "
        "in one run before it continues as new, carrying its state (docs/ADVANCE_COMPENSATION.md); "
        "for a fund opened after it is set.",
    )
    recovery_waiting_hours: int = Field(
        default=48,
        ge=1,
        description="How long after the council's second signature a key recovery takes effect: the "
        "time the party's surviving keys have to cancel it.",
    )
    signature_max_skew_seconds: int = 900
    api_token_days: int = Field(
        default=90, ge=1, description="How long an API token (registration or `token.issue`) is valid."
    )
    session_hours: int = Field(default=12, ge=1, description="How long a browser's sign-in lasts.")

    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Addresses (comma-separated, CIDR allowed, `*` for any) whose X-Forwarded-For and "
        "X-Forwarded-Proto the API and the bank believe: the HTTPS proxy in front of them, and no one else.",
    )
    # Per client address, per API process; `limits` notation, several separated by `;`.
    rate_limit_registration: str = Field(default="30/minute;300/hour", description="POST /parties")
    rate_limit_enrolment_failures: str = Field(
        default="5/minute;20/hour", description="refused X-Enrolment-Secret guesses at POST /parties"
    )
    rate_limit_sign_in: str = Field(default="30/minute;300/hour", description="POST /session")
    rate_limit_recovery: str = Field(
        default="5/minute;30/hour", description="POST /key-recoveries (a new device asking to be bound)"
    )
    rate_limit_pairing_failures: str = Field(
        default="10/minute;30/hour", description="wrong pairing codes at /pairings (a new device's guesses)"
    )
    pairing_minutes: int = Field(
        default=10, ge=1, le=60, description="How long a device-pairing code (api/routes/keys.py) is valid."
    )

    # Notifications (notify/, docs/NOTIFICATIONS.md): apprise URL templates, `{address}` filled in.
    email_url_template: SecretStr = Field(
        default=SecretStr(""),
        description="apprise URL of outgoing mail with `{address}` for the recipient (URL-encoded), e.g. "
        "`mailtos://user:pass@smtp.example.com/{address}?from=escrow%40example.com`; empty means the "
        "local SMTP server `make run` starts (ESCROW_DEV_SMTP_PORT).",
    )
    sms_url_template: SecretStr = Field(
        default=SecretStr(""),
        description="apprise URL of the SMS gateway with `{address}` for the +86 mobile (URL-encoded); "
        "empty means the sandbox SMS gateway `make run` starts (ESCROW_DEV_SMS_PORT), reached with "
        "apprise's generic JSON plugin: `json://127.0.0.1:<port>/sms?:to={address}`.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where people open the pages; links in messages start so.",
    )
    dev_smtp_port: int = Field(
        default=8025, description="Where `make run`'s local SMTP server (aiosmtpd) listens on 127.0.0.1."
    )
    dev_sms_port: int = Field(
        default=8026, description="Where `make run`'s sandbox SMS gateway listens on 127.0.0.1."
    )
    verification_code_minutes: int = Field(
        default=15, ge=1, description="How long a channel's 6-digit verification code is valid."
    )

    holidays_file: Path = Field(
        default=Path(__file__).with_name("holidays_cn.json"),
        description="State Council holiday notices newer than the installed python-holidays "
        "(format: config/calendar_cn.py); working days come from python-holidays' China calendar.",
    )

    # The evidence store (evidence/store.py, docs/EVIDENCE.md).
    evidence_store: Literal["local", "memory", "s3"] = Field(
        default="local",
        description="local: files under DATA_DIR/evidence; memory: gone with the process (tests); "
        "s3: an S3-compatible bucket (the ESCROW_EVIDENCE_S3_* settings).",
    )
    evidence_s3_endpoint: str = Field(
        default="",
        description="The bucket service's URL (https://...; http://... is spoken to in plain HTTP).",
    )
    evidence_s3_bucket: str = Field(default="", description="The bucket holding the evidence files.")
    evidence_s3_prefix: str = Field(default="", description="A folder in the bucket for this deployment.")
    evidence_s3_region: str = Field(default="us-east-1", description="The bucket's region.")
    evidence_s3_virtual_hosted: bool = Field(
        default=False,
        description="Address the bucket in the host name (virtual-hosted style, the endpoint naming the "
        "bucket), as Alibaba OSS and Tencent COS require; path style otherwise (MinIO, AWS).",
    )
    evidence_s3_key_id: SecretStr = Field(default=SecretStr(""), description="Access key id for the bucket.")
    evidence_s3_secret: SecretStr = Field(
        default=SecretStr(""), description="Secret access key for the bucket."
    )
    evidence_grace_hours: int = Field(
        default=24, ge=1, description="How long an uploaded file no signed step names is kept."
    )
    evidence_sweep_minutes: int = Field(
        default=60, ge=1, description="How often the worker's schedule sweeps unreferenced files."
    )

    @field_validator(
        "rate_limit_registration",
        "rate_limit_enrolment_failures",
        "rate_limit_sign_in",
        "rate_limit_recovery",
        "rate_limit_pairing_failures",
    )
    @classmethod
    def _readable_limit(cls, value: str) -> str:
        parse_many(value)  # a limit that cannot be read stops the process at start, not at the first request
        return value

    @model_validator(mode="after")
    def _evidence_store_complete(self) -> Self:
        """A bucket needs its address and keys, and production never keeps evidence in memory: the
        files are what a panel decides on, and a restart would lose them (a single-machine
        deployment keeps them on its data volume, `local`)."""
        if self.environment == "production" and self.evidence_store == "memory":
            raise PydanticCustomError(
                "evidence_store",
                "ESCROW_EVIDENCE_STORE=memory loses every file at a restart: use local or s3 in production",
            )
        if self.evidence_store == "s3":
            needed = {
                "ESCROW_EVIDENCE_S3_ENDPOINT": self.evidence_s3_endpoint,
                "ESCROW_EVIDENCE_S3_BUCKET": self.evidence_s3_bucket,
                "ESCROW_EVIDENCE_S3_KEY_ID": self.evidence_s3_key_id.get_secret_value(),
                "ESCROW_EVIDENCE_S3_SECRET": self.evidence_s3_secret.get_secret_value(),
            }
            if missing := [name for name, value in needed.items() if not value]:
                raise PydanticCustomError(
                    "evidence_store",
                    "an s3 evidence store needs {missing}",
                    {"missing": ", ".join(missing)},
                )
        return self

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> Self:
        """Every secret whose default is a development value, checked against that value (and empty)."""
        left = [
            f"{self.model_config['env_prefix']}{name.upper()}"
            for name, field in type(self).model_fields.items()
            if isinstance(field.default, SecretStr)
            and field.default.get_secret_value()
            and getattr(self, name).get_secret_value() in (field.default.get_secret_value(), "")
        ]
        if not left:
            return self
        names = " and ".join([", ".join(left[:-1]), left[-1]] if len(left) > 1 else left)
        if self.environment == "dev":
            warnings.warn(
                f"development secrets in use ({names}): fine on this machine, never in a deployment.",
                DevelopmentSecretWarning,
                stacklevel=1,
            )
            return self
        raise PydanticCustomError(
            "development_secret",
            "{names} must be set to a secret of your own: with ESCROW_ENVIRONMENT={environment} "
            "no secret may keep its development value (or be empty).",
            {"names": names, "environment": self.environment},
        )

    def work_calendar(self, first_year: int, last_year: int | None = None) -> WorkCalendar:
        """China's working days from `first_year` to `last_year` (default: YEARS_AHEAD later), as
        handed to a case workflow at filing and by `escrow calendar --push`."""
        last = first_year + YEARS_AHEAD if last_year is None else last_year
        return china_calendar(first_year, last, read_notices(self.holidays_file))

    def app_database_url(self) -> str:
        return self.database_url.get_secret_value() or f"sqlite:///{self.data_dir / 'escrow.db'}"

    def bank_db_url(self) -> str:
        return self.bank_database_url.get_secret_value() or f"sqlite:///{self.data_dir / 'bank.db'}"


# A private stack driven by one program from loopback (the tests, `escrow chaos`, `escrow bench`)
# registers and signs in hundreds of parties a minute from one address; no person does.
LOOPBACK_DRIVER_LIMITS = {
    "rate_limit_registration": "100000/minute",
    "rate_limit_enrolment_failures": "100000/minute",
    "rate_limit_sign_in": "100000/minute",
    "rate_limit_recovery": "100000/minute",
    "rate_limit_pairing_failures": "100000/minute",
}


@lru_cache
def get_settings() -> Settings:
    return Settings()


def settings_problem(exc: ValidationError) -> str:
    """Why the settings cannot be used, in one line naming the variables, for a process that stops."""
    prefix = Settings.model_config["env_prefix"]
    return "; ".join(
        f"{prefix}{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" if e["loc"] else e["msg"]
        for e in exc.errors()
    )
