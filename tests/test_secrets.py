"""Secrets come from the environment and never reach a log, a repr or a response they do not belong in.

The stack here is started inside the capture, every logger at DEBUG and uvicorn's
access log on, and driven through registration, enrolment, a contract, a deposit
confirmed by the bank's HMAC-signed webhook, the bank's admin switches and a few
refusals. Then neither the captured log records nor the process's stdout and
stderr may contain any secret: settings, party tokens or private keys.
"""

import base64
import logging

from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from client.keys import PartyKey
from config.settings import Settings
from db.engine import make_engine
from tests.conftest import running_stack, stack_settings
from tests.kits.flow import EscrowFlow

SECRETS_FROM_ENV = {
    "ESCROW_WEBHOOK_SECRET": "hmac-key-7f3a9c1e",
    "ESCROW_COUNCIL_ENROLMENT_SECRET": "council-enrol-5d2b8e40",
    "ESCROW_BANK_ADMIN_TOKEN": "bank-admin-91c4e6aa",
    "ESCROW_ID_NUMBER_SECRET": "id-number-hmac-3e8f1a",
    "ESCROW_TEMPORAL_API_KEY": "temporal-cloud-key-0b7d",
}
DB_PASSWORD = "db-pass-c0ffee42"


def test_secrets_are_read_from_the_environment_and_masked(monkeypatch):
    for name, value in SECRETS_FROM_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", f"postgresql://escrow:{DB_PASSWORD}@db.internal/escrow")
    monkeypatch.setenv("ESCROW_BANK_DATABASE_URL", f"postgresql://bank:{DB_PASSWORD}@db.internal/bank")
    settings = Settings()

    assert settings.webhook_secret.get_secret_value() == SECRETS_FROM_ENV["ESCROW_WEBHOOK_SECRET"]
    assert (
        settings.council_enrolment_secret.get_secret_value()
        == SECRETS_FROM_ENV["ESCROW_COUNCIL_ENROLMENT_SECRET"]
    )
    assert settings.bank_admin_token.get_secret_value() == SECRETS_FROM_ENV["ESCROW_BANK_ADMIN_TOKEN"]
    assert settings.temporal_api_key.get_secret_value() == SECRETS_FROM_ENV["ESCROW_TEMPORAL_API_KEY"]
    assert DB_PASSWORD in settings.app_database_url() and DB_PASSWORD in settings.bank_db_url()

    shown = [repr(settings), str(settings), settings.model_dump_json(), repr(settings.model_dump())]
    shown.append(repr(make_engine(settings.app_database_url())))  # SQLAlchemy masks the password
    for text in shown:
        for secret in (*SECRETS_FROM_ENV.values(), DB_PASSWORD):
            assert secret not in text


def private_key_forms(key: PartyKey) -> list[str]:
    raw = key.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return [base64.b64encode(raw).decode(), raw.hex(), base64.urlsafe_b64encode(raw).decode().rstrip("=")]


async def test_driving_the_stack_logs_no_secret(temporal_env, tmp_path, thread_pool, caplog, capfd):
    settings = stack_settings(
        temporal_env,
        tmp_path,
        webhook_secret=SECRETS_FROM_ENV["ESCROW_WEBHOOK_SECRET"],
        council_enrolment_secret=SECRETS_FROM_ENV["ESCROW_COUNCIL_ENROLMENT_SECRET"],
        bank_admin_token=SECRETS_FROM_ENV["ESCROW_BANK_ADMIN_TOKEN"],
        id_number_secret=SECRETS_FROM_ENV["ESCROW_ID_NUMBER_SECRET"],
    )
    caplog.set_level(logging.DEBUG)
    async with running_stack(
        temporal_env.client, settings, thread_pool, log_level="debug", own_ids=True
    ) as stack:
        flow = await EscrowFlow(stack).register()
        await flow.create_funded(total_fen=1_000_000)
        await flow.request_inspection(1)
        await stack.bank.set_faults(latency_ms=0)
        refused = await stack.http.get(f"/escrows/{flow.escrow_id}", headers={"Authorization": "Bearer x"})
        assert refused.status_code == 401
        forged = await stack.http.post(
            "/webhooks/bank", content=b"{}", headers={"X-Bank-Signature": "sha256=0"}
        )
        assert forged.status_code == 401
        self_appointed = await stack.http.post(
            "/parties",
            json={"role": "council", "display_name": "x", "public_key": PartyKey.generate().public_key_b64},
            headers={"X-Enrolment-Secret": "guess"},
        )
        assert self_appointed.status_code == 403

    parties = (flow.owner, flow.contractor, flow.inspector, flow.council)
    secrets = [*SECRETS_FROM_ENV.values()][:3] + [party.token for party in parties]
    secrets += [form for party in parties for form in private_key_forms(party.key)]
    out, err = capfd.readouterr()
    logged = "\n".join([caplog.text, out, err])
    assert "POST /parties" in logged, "the capture saw no request: the test would prove nothing"
    leaked = [secret for secret in secrets if secret in logged]
    assert leaked == []
