"""Registration, enrolment-secret guesses and sign-in are limited per client address: over the
limit, 429 `rate_limited` with Retry-After, and nothing is registered or signed in."""

from dataclasses import asdict

import pytest
from sqlmodel import Session, func, select

from api.rate_limits import RateLimits
from client.keys import PartyKey
from client.party import Party
from config.settings import LOOPBACK_DRIVER_LIMITS, Settings
from db.engine import make_engine
from db.models import Party as PartyRow
from tests.kits.servers import api_alone

SECRET = "rate-test-council-secret"


def assert_limited(response) -> None:
    assert response.status_code == 429
    assert response.json()["detail"]["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= 60


def parties_in(tmp_path) -> int:
    engine = make_engine(Settings(data_dir=tmp_path, database_url="").app_database_url())
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(PartyRow)).one()
    engine.dispose()
    return count


def registration(role: str = "owner") -> dict:
    return {"role": role, "display_name": "Someone", "public_key": PartyKey.generate().public_key_b64}


async def test_registrations_beyond_the_limit_wait_and_register_nobody(tmp_path):
    async with api_alone(tmp_path, rate_limit_registration="3/minute") as http:
        for n in range(3):
            assert (await http.post("/parties", json=registration())).status_code == 201, n
        assert_limited(await http.post("/parties", json=registration()))
        # another client behind the trusted proxy (loopback, the default) has its own budget
        other = await http.post("/parties", json=registration(), headers={"X-Forwarded-For": "198.51.100.9"})
        assert other.status_code == 201
    assert parties_in(tmp_path) == 4


async def test_a_client_cannot_dodge_the_limit_by_claiming_another_address(tmp_path):
    async with api_alone(
        tmp_path, rate_limit_registration="2/minute", forwarded_allow_ips="192.0.2.1"
    ) as http:
        for n in range(2):
            forged = {"X-Forwarded-For": f"198.51.100.{n}"}
            assert (await http.post("/parties", json=registration(), headers=forged)).status_code == 201
        assert_limited(
            await http.post("/parties", json=registration(), headers={"X-Forwarded-For": "198.51.100.7"})
        )


async def test_enrolment_secret_guesses_run_out_and_then_even_the_right_secret_waits(tmp_path):
    settings = {"council_enrolment_secret": SECRET, "rate_limit_enrolment_failures": "3/minute"}
    async with api_alone(tmp_path, **settings) as http:
        # right secrets are not guesses: a council enrols many members
        for _ in range(5):
            await Party(http, "council", "Member").register(enrolment_secret=SECRET)
        for guess in ("guess-1", "guess-2", "guess-3"):
            response = await http.post(
                "/parties", json=registration("council"), headers={"X-Enrolment-Secret": guess}
            )
            assert response.json()["detail"]["code"] == "enrolment_secret_required"
        assert_limited(
            await http.post("/parties", json=registration("council"), headers={"X-Enrolment-Secret": SECRET})
        )
        assert_limited(
            await http.post("/parties", json=registration("bank"), headers={"X-Enrolment-Secret": "x"})
        )
        # an owner needs no secret: guessing does not stop this address registering one
        assert (await http.post("/parties", json=registration("owner"))).status_code == 201
    assert parties_in(tmp_path) == 6


async def test_sign_ins_beyond_the_limit_wait_and_set_no_cookie(tmp_path):
    async with api_alone(tmp_path, rate_limit_sign_in="2/minute") as http:
        owner = await Party(http, "owner", "Signing In").register()
        sign_in = asdict(owner.sign("session.open", owner.id, {}))
        forged = sign_in | {"signature": "A" * 88}
        assert (await http.post("/session", json=forged)).status_code == 403  # counts too
        assert await owner.open_session()
        refused = await http.post("/session", json=asdict(owner.sign("session.open", owner.id, {})))
        assert_limited(refused)
        assert "set-cookie" not in refused.headers


async def test_key_recovery_requests_beyond_the_limit_wait_and_ask_nothing(tmp_path):
    """A new device asks with no token (docs/RECOVERY.md): counted like a registration, refused
    requests included, and one over the limit is not even read."""
    async with api_alone(tmp_path, rate_limit_recovery="2/minute") as http:
        owner = await Party(http, "owner", "Lost Every Key").register()
        new = PartyKey.generate()
        forged = asdict(new.sign_pairing(owner.id, "phone")) | {"signature": "A" * 88}
        refused = await http.post("/key-recoveries", json={"party_id": owner.id, "pairing": forged})
        assert refused.status_code == 403  # counts too
        pairing = asdict(new.sign_pairing(owner.id, "phone"))
        assert (
            await http.post("/key-recoveries", json={"party_id": owner.id, "pairing": pairing})
        ).status_code == 201
        again = asdict(PartyKey.generate().sign_pairing(owner.id, "phone"))
        assert_limited(await http.post("/key-recoveries", json={"party_id": owner.id, "pairing": again}))


async def test_wrong_pairing_codes_run_out_and_then_even_the_right_code_waits(tmp_path):
    async with api_alone(tmp_path, rate_limit_pairing_failures="3/minute") as http:
        owner = await Party(http, "owner", "Pairing").register()
        opened = (await http.post("/parties/me/pairings", headers=owner.auth)).json()
        for guess in ("AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC"):
            wrong = await http.post("/pairings/lookup", json={"code": guess})
            assert wrong.json()["detail"]["code"] == "wrong_pairing_code"
        assert_limited(await http.post("/pairings/lookup", json={"code": opened["code"]}))
        possession = asdict(PartyKey.generate().sign_pairing(owner.id, "phone"))
        body = {"code": opened["code"], "possession": possession}
        assert_limited(await http.post(f"/pairings/{opened['id']}/key", json=body))
        # another address behind the trusted proxy still pairs
        elsewhere = {"X-Forwarded-For": "198.51.100.9"}
        found = await http.post("/pairings/lookup", json={"code": opened["code"]}, headers=elsewhere)
        assert found.status_code == 200


def test_limits_are_read_from_the_settings_and_bad_ones_refused_at_start():
    limits = RateLimits(Settings(rate_limit_sign_in="1/minute"))
    assert limits.attempt("sign_in", "192.0.2.5") == 0
    assert 1 <= limits.attempt("sign_in", "192.0.2.5") <= 60
    assert limits.attempt("sign_in", "192.0.2.6") == 0
    with pytest.raises(ValueError, match="rate limit"):
        Settings(rate_limit_registration="a lot")


def test_the_test_and_tool_stacks_register_freely_but_the_defaults_do_not():
    busy, default = Settings(**LOOPBACK_DRIVER_LIMITS), Settings()
    for name in LOOPBACK_DRIVER_LIMITS:
        assert int(getattr(busy, name).split("/")[0]) >= 10_000
        assert int(getattr(default, name).split("/")[0]) <= 30
