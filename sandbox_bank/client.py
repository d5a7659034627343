"""Async client for the sandbox bank, used by activities, the demo and tests.

The client never retries by itself. It sorts every failure into one of two
kinds so the caller (a Temporal activity, usually) can decide:

- `BankRejected`: the bank understood and refused (4xx). Retrying the same
  instruction gets the same refusal, so it must not be retried blindly.
- `BankUnavailable`: the outcome is unknown or the bank is down (5xx, timeout,
  broken connection, unreadable answer). The money may or may not have moved;
  retrying with the same idempotency key is safe and gives the first result.
"""

import ssl
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from types import TracebackType
from typing import Any, Self, TypeVar, cast
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter, ValidationError

from config.settings import Settings

T = TypeVar("T")

# Statuses that say "try again later" even though they are 4xx.
RETRYABLE_4XX = {408, 429}


class BankError(Exception):
    pass


class BankRejected(BankError):
    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class BankUnavailable(BankError):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Account:
    account_id: str
    balance_fen: int
    created: bool


@dataclass(frozen=True)
class BankMovement:
    tx_id: str
    account_id: str
    kind: str
    amount_fen: int
    reference: str
    idempotency_key: str
    created_at: datetime
    # True when the bank answered a retry from its idempotency record.
    replayed: bool = False


@dataclass(frozen=True)
class AccountBalance:
    account_id: str
    balance_fen: int
    deposited_fen: int
    paid_out_fen: int
    refunded_fen: int


@dataclass(frozen=True)
class StatementEntry:
    tx_id: str
    kind: str
    amount_fen: int
    idempotency_key: str
    reference: str
    created_at: datetime
    balance_after_fen: int


@dataclass(frozen=True)
class LedgerCheck:
    balanced: bool
    transactions: int
    sum_fen: int


@dataclass(frozen=True)
class UnconfirmedDeposit:
    event_id: str
    account_id: str
    tx_id: str
    amount_fen: int
    reference: str
    deposited_at: datetime
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class JournalEntry:
    tx_id: str
    account_id: str
    kind: str
    amount_fen: int
    reference: str
    idempotency_key: str
    created_at: datetime


@dataclass(frozen=True)
class Journal:
    totals_fen: dict[str, int]
    held_fen: int
    entries: list[JournalEntry]


@dataclass(frozen=True)
class Faults:
    error_rate: float = 0.0
    latency_ms: int = 0
    drop_after_commit_rate: float = 0.0
    seed: int | None = None


class BankClient:
    def __init__(
        self,
        base_url: str,
        timeout_seconds: float,
        admin_token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._admin_token = admin_token
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=timeout_seconds, transport=transport, verify=_tls_context()
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(
            settings.bank_url,
            settings.bank_timeout_seconds,
            admin_token=settings.bank_admin_token.get_secret_value(),
        )

    @property
    def base_url(self) -> str:
        return str(self._http.base_url).rstrip("/")

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def health(self) -> bool:
        """False rather than an exception: callers poll this while the bank starts."""
        try:
            response = await self._http.get("/health")
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def open_account(self, account_id: str) -> Account:
        response = await self._send("POST", "/accounts", json={"account_id": account_id})
        data = _json(response)
        return _build(Account, data, created=response.status_code == 201)

    async def deposit(
        self, account_id: str, amount_fen: int, payer: str, reference: str, idempotency_key: str
    ) -> BankMovement:
        body = {"amount_fen": amount_fen, "payer": payer, "reference": reference}
        return await self._move(account_id, "deposits", body, idempotency_key)

    async def payout(
        self,
        account_id: str,
        amount_fen: int,
        beneficiary: str,
        reference: str,
        idempotency_key: str,
    ) -> BankMovement:
        """Money to the contractor."""
        body = {"amount_fen": amount_fen, "beneficiary": beneficiary, "reference": reference}
        return await self._move(account_id, "payouts", body, idempotency_key)

    async def refund(
        self,
        account_id: str,
        amount_fen: int,
        beneficiary: str,
        reference: str,
        idempotency_key: str,
    ) -> BankMovement:
        """Money back to the owner."""
        body = {"amount_fen": amount_fen, "beneficiary": beneficiary, "reference": reference}
        return await self._move(account_id, "refunds", body, idempotency_key)

    async def transaction(self, tx_id: str) -> BankMovement:
        """One movement by its id, from the bank's books; `BankRejected` 404 when it has none.

        The id is quoted as one path segment, so an id from a webhook body cannot walk to
        another of the bank's routes.
        """
        response = await self._send("GET", f"/transactions/{quote(tx_id, safe='')}")
        return _build(BankMovement, _json(response))

    async def balance(self, account_id: str) -> AccountBalance:
        response = await self._send("GET", f"/accounts/{account_id}")
        return _build(AccountBalance, _json(response))

    async def statement(self, account_id: str) -> list[StatementEntry]:
        response = await self._send("GET", f"/accounts/{account_id}/statement")
        entries = _json(response).get("entries")
        if not isinstance(entries, list):
            raise BankUnavailable("the bank's statement has no entries list")
        return [_build(StatementEntry, entry) for entry in entries]

    async def ledger_check(self) -> LedgerCheck:
        return _build(LedgerCheck, _json(await self._send("GET", "/admin/ledger/check")))

    async def unconfirmed_deposits(self) -> list[UnconfirmedDeposit]:
        """Deposits whose confirmation webhook the platform has not acknowledged yet (admin)."""
        response = await self._send("GET", "/admin/deposits/unconfirmed", admin=True)
        try:
            return _adapter(list[UnconfirmedDeposit]).validate_python(response.json())
        except (ValueError, ValidationError) as exc:
            raise BankUnavailable(f"the bank's unconfirmed deposits do not fit: {exc}") from exc

    async def journal(self, limit: int = 100) -> Journal:
        """Ledger totals per kind and the newest movements (admin)."""
        response = await self._send("GET", "/admin/journal", params={"limit": limit}, admin=True)
        return _build(Journal, _json(response))

    async def faults(self) -> Faults:
        return _build(Faults, _json(await self._send("GET", "/admin/faults", admin=True)))

    async def set_faults(
        self,
        *,
        error_rate: float = 0.0,
        latency_ms: int = 0,
        drop_after_commit_rate: float = 0.0,
        seed: int | None = None,
    ) -> Faults:
        """Replaces every switch; call with no arguments to turn faults off."""
        body = {
            "error_rate": error_rate,
            "latency_ms": latency_ms,
            "drop_after_commit_rate": drop_after_commit_rate,
            "seed": seed,
        }
        response = await self._send("PUT", "/admin/faults", json=body, admin=True)
        return _build(Faults, _json(response))

    async def _move(
        self, account_id: str, action: str, body: dict[str, Any], idempotency_key: str
    ) -> BankMovement:
        response = await self._send(
            "POST",
            f"/accounts/{account_id}/{action}",
            json=body,
            headers={"Idempotency-Key": idempotency_key},
        )
        replayed = response.headers.get("Idempotent-Replayed") == "true"
        return _build(BankMovement, _json(response), replayed=replayed)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        admin: bool = False,
    ) -> httpx.Response:
        headers = dict(headers or {})
        if admin and self._admin_token is not None:
            headers["X-Admin-Token"] = self._admin_token
        try:
            response = await self._http.request(method, path, json=json, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise BankUnavailable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        if response.is_success:
            return response
        code, message = _error_detail(response)
        if response.status_code >= 500 or response.status_code in RETRYABLE_4XX:
            raise BankUnavailable(f"{method} {path}: {code}: {message}", response.status_code)
        raise BankRejected(code, message, response.status_code)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as exc:
        raise BankUnavailable(f"the bank answered {response.status_code} without JSON") from exc
    if not isinstance(data, dict):
        raise BankUnavailable(f"the bank answered {response.status_code} with a non-object")
    return data


def _error_detail(response: httpx.Response) -> tuple[str, str]:
    try:
        detail = response.json()["detail"]
        return str(detail["code"]), str(detail["message"])
    except (ValueError, KeyError, TypeError):
        return f"http_{response.status_code}", response.reason_phrase or "unexpected answer"


def _build(cls: type[T], data: dict[str, Any], **extra: Any) -> T:
    """A typed result, or BankUnavailable if the bank's answer does not fit."""
    try:
        return _adapter(cls).validate_python({**data, **extra})
    except ValidationError as exc:
        raise BankUnavailable(f"the bank's answer does not fit {cls.__name__}: {exc}") from exc


@cache
def _tls_context() -> ssl.SSLContext:
    """One per process: building one loads the CA bundle, about 0.1 s of CPU here, which a client
    made per request (the API's deposit check, the bank staff's pages) would pay every time."""
    return httpx.create_ssl_context()


def _adapter(cls: type[T]) -> TypeAdapter[T]:
    adapter: TypeAdapter[T] = _cached_adapter(cast(Any, cls))  # a type is hashable; mypy's type[T] is not
    return adapter


@cache
def _cached_adapter(cls: Any) -> TypeAdapter[Any]:
    """One adapter per result type: building one is slow, and `cache` would lose `_adapter`'s type."""
    return TypeAdapter(cls)
