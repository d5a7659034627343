import base64
import hashlib
from datetime import UTC, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from db import crud, tokens
from tests.db.factories import TOKEN_LIFETIME, make_party, make_public_key


def test_created_party_is_found_by_its_api_token_which_is_not_stored(session: Session) -> None:
    key = make_public_key()
    party, token = crud.create_party(
        session=session,
        role="contractor",
        display_name=" Guilin Decor ",
        public_key=key,
        token_lifetime=timedelta(days=30),
    )

    assert party.id.startswith("P-") and len(party.id) == 12
    assert party.display_name == "Guilin Decor"
    assert party.created_at.tzinfo == UTC
    found, row = tokens.authenticate(session=session, secret=token, kind="api")
    assert found == party
    assert row.expires_at - row.created_at == timedelta(days=30)
    with pytest.raises(tokens.TokenRefused, match="bad_token"):
        tokens.authenticate(session=session, secret=token + "x", kind="api")
    with pytest.raises(tokens.TokenRefused, match="bad_token"):
        tokens.authenticate(session=session, secret=token, kind="session")
    stored = [
        {str(value) for value in row.values()}
        for table in ("party", "party_token")
        for row in session.execute(text(f"SELECT * FROM {table}")).mappings()
    ]
    assert all(token not in values for values in stored)
    assert hashlib.sha256(token.encode()).hexdigest() in stored[1]


def test_each_party_gets_its_own_token(session: Session) -> None:
    first, first_token = crud.create_party(
        session=session,
        role="owner",
        display_name="A",
        public_key=make_public_key(),
        token_lifetime=TOKEN_LIFETIME,
    )
    second, second_token = crud.create_party(
        session=session,
        role="owner",
        display_name="B",
        public_key=make_public_key(),
        token_lifetime=TOKEN_LIFETIME,
    )

    assert first.id != second.id
    assert first_token != second_token
    assert tokens.authenticate(session=session, secret=second_token, kind="api")[0] == second


def test_public_key_is_unique_and_the_session_stays_usable(session: Session) -> None:
    key = make_public_key()
    owner = make_party(session)
    crud.create_party(
        session=session, role="owner", display_name="A", public_key=key, token_lifetime=TOKEN_LIFETIME
    )

    with pytest.raises(crud.PublicKeyTakenError):
        crud.create_party(
            session=session, role="inspector", display_name="B", public_key=key, token_lifetime=TOKEN_LIFETIME
        )

    assert crud.get_party_by_public_key(session=session, public_key=key).display_name == "A"
    assert crud.get_party(session=session, party_id=owner.id) == owner
    assert len(crud.list_parties(session=session, ids=[owner.id, "P-UNKNOWN000"])) == 1


@pytest.mark.parametrize(
    ("role", "public_key"),
    [
        ("owner", base64.b64encode(b"x" * 31).decode()),
        ("owner", "not base64!"),
        ("banker", make_public_key()),
    ],
)
def test_bad_role_or_key_is_refused(session: Session, role: str, public_key: str) -> None:
    with pytest.raises(ValueError):
        crud.create_party(
            session=session, role=role, display_name="A", public_key=public_key, token_lifetime=TOKEN_LIFETIME
        )
    assert crud.list_parties(session=session, ids=["anything"]) == []
    assert session.execute(text("SELECT count(*) FROM party")).scalar_one() == 0
    assert session.execute(text("SELECT count(*) FROM party_token")).scalar_one() == 0


def test_list_parties_returns_exactly_the_ids_asked_for(session: Session) -> None:
    parties = [make_party(session, name=f"party {i}") for i in range(3)]

    found = crud.list_parties(session=session, ids=[parties[0].id, parties[2].id])

    assert {party.id for party in found} == {parties[0].id, parties[2].id}
    assert crud.list_parties(session=session, ids=[]) == []


def test_list_parties_by_role_returns_only_that_role(session: Session) -> None:
    councils = [make_party(session, "council", name=f"council {i}") for i in range(2)]
    make_party(session, "owner")

    assert crud.list_parties_by_role(session=session, role="council") == councils
    assert crud.list_parties_by_role(session=session, role="inspector") == []
