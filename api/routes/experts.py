"""The council's expert registry: create, update, deactivate and reactivate, list and import experts.

Every route, reads included, is the council's alone (403 `council_only`): the
registry holds who works for whom, which is not for the parties to browse.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session

from api import error_catalogue, expert_csv
from api.deps import CurrentParty, Offset, SessionDep
from api.errors import ApiError, error_responses, reply_language
from api.expert_models import (
    AffiliationPublic,
    ExpertCreate,
    ExpertPublic,
    ExpertsPublic,
    ExpertUpdate,
    ImportedRow,
    ImportResult,
    RowError,
)
from api.idempotency import answer_once, header_key, idempotency_header
from db import experts
from db.models import Party
from domain.roles import Role
from expert_panels.registry import Affiliation, InvalidExpert, affiliation_from_document, expert_from_document

MAX_CSV_BYTES = 2 * 1024 * 1024
ExpertKey = Annotated[
    str | None,
    idempotency_header(
        "a key the caller draws once per expert form (the council's page draws one when it shows "
        "the form): the same council member, key and body asked again get the first answer "
        "(201, the same expert, as it was then); the same key with another body is refused with "
        "409 idempotency_key_reused"
    ),
]


def require_council(party: CurrentParty) -> Party:
    if party.role != Role.COUNCIL.value:
        raise ApiError(403, "council_only", "only the council manages the expert registry")
    return party


router = APIRouter(
    prefix="/experts",
    tags=["expert registry"],
    dependencies=[Depends(require_council)],
    responses=error_responses(401, 403),  # 403 `council_only`
)


def _public(stored: experts.StoredExpert) -> ExpertPublic:
    expert = stored.expert
    return ExpertPublic(
        expert_id=expert.expert_id,
        name=expert.name,
        domain=expert.domain,
        specialties=sorted(expert.specialties),
        affiliations=affiliations_out(expert.affiliations),
        party_id=stored.party_id,
        open_cases=expert.open_cases,
        active=expert.active,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
    )


def affiliations_out(affiliations: list[Affiliation]) -> list[AffiliationPublic]:
    return [AffiliationPublic(org_id=a.org_id, kind=a.kind, start=a.start, end=a.end) for a in affiliations]


def _invalid(exc: InvalidExpert) -> ApiError:
    """The registry rule's own code and values (`unknown_specialty`, `ends_before_start`, ...), so
    the form says what is wrong in the reader's language, as a CSV import's row does; the
    catch-all `invalid_expert` only where the rule has no sentence of its own."""
    return ApiError(
        422, exc.code, f"{exc.field}: {exc.message}", details={"field": exc.field}, params=exc.params
    )


def _link_error(exc: Exception, party_id: str | None) -> ApiError:
    """The refusal of linking `party_id`: for the expert forms, and for a row of an import."""
    if isinstance(exc, experts.NotAnExpertPartyError):
        return ApiError(
            422, "not_an_expert_party", str(exc), params={"party_id": party_id} if party_id else {}
        )
    return ApiError(409, "party_already_linked", str(exc), params={"party_id": party_id} if party_id else {})


def _not_found(expert_id: str) -> ApiError:
    return ApiError(404, "expert_not_found", f"no expert {expert_id!r} in the registry")


def affiliations_in(items: list[Any]) -> list[Affiliation]:
    """Affiliations of a request body, read by the registry's rules (the inspector list's too)."""
    return [
        affiliation_from_document(item.model_dump(mode="json"), f"affiliations[{n}]")
        for n, item in enumerate(items)
    ]


@router.post("", status_code=201, response_model=ExpertPublic, responses=error_responses(409))
def create_expert(
    body: ExpertCreate, party: CurrentParty, session: SessionDep, idempotency_key: ExpertKey = None
) -> ExpertPublic:
    """Add an expert. 409 `expert_exists` if the id is taken, 409 `party_already_linked`,
    422 for a registry rule, its own code (`unknown_specialty`, `specialties_required`,
    `unknown_domain`, `value_required`, `unknown_affiliation_kind`, `ends_before_start`, ...; `field`
    names the field), 422 `not_an_expert_party`.

    With an Idempotency-Key, asking again (same council member, key and body) answers 201 with
    the expert the first request made, so a form sent twice makes one expert.
    """
    document = body.model_dump(mode="json", exclude={"party_id"})

    def create() -> tuple[dict[str, Any], str]:
        document["expert_id"] = body.expert_id or experts.new_expert_id()
        try:
            expert = expert_from_document(document)
            stored = experts.create_expert(session=session, expert=expert, party_id=body.party_id)
        except InvalidExpert as exc:
            raise _invalid(exc) from None
        except experts.ExpertExistsError:
            expert_id = document["expert_id"]
            raise ApiError(
                409, "expert_exists", f"expert {expert_id!r} already exists", params={"expert_id": expert_id}
            ) from None
        except (experts.NotAnExpertPartyError, experts.PartyAlreadyLinkedError) as exc:
            raise _link_error(exc, body.party_id) from None
        return _public(stored).model_dump(mode="json"), stored.expert.expert_id

    key = header_key("expert.create", party.id, idempotency_key, body.model_dump(mode="json"), "expert")
    return ExpertPublic.model_validate(answer_once(session, key=key, input_type=str, create=create).answer)


@router.get("", response_model=ExpertsPublic)
def list_experts(
    session: SessionDep,
    domain: Annotated[str | None, Query(description="car or renovation")] = None,
    specialty: Annotated[str | None, Query(description="experts listing this specialty")] = None,
    active: Annotated[bool | None, Query(description="omitted: active and deactivated")] = None,
    q: Annotated[str | None, Query(max_length=200, description="part of the name, any case")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> ExpertsPublic:
    """Experts matching every filter given, ordered by expert id; `count` is the total over all pages."""
    found, count = experts.list_experts(
        session=session,
        domain=domain,
        specialty=specialty,
        active=active,
        q=q,
        limit=limit,
        offset=offset,
    )
    return ExpertsPublic(data=[_public(stored) for stored in found], count=count)


async def _csv_text(request: Request) -> str:
    media_type, _, params = request.headers.get("content-type", "").partition(";")
    if media_type.strip().lower() not in ("text/csv", "text/plain"):
        raise ApiError(415, "csv_required", "send the CSV file itself as the body, Content-Type: text/csv")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_CSV_BYTES:
            raise ApiError(413, "csv_too_large", f"the file must be at most {MAX_CSV_BYTES} bytes; split it")
    try:
        return expert_csv.decode(bytes(body), charset)
    except expert_csv.CsvFileError as exc:
        raise ApiError(422, "invalid_csv", str(exc)) from None


_IMPORT_EXAMPLE = (
    "expert_id,name,domain,specialties,affiliations,party_id\n"
    ",Zhang Wei,renovation,waterproofing;plumbing,ORG-GUILIN-DECOR|employed|2019-03-01|2022-06-30,\n"
    "EXP-LI-01,Li Na,car,engine;transmission,ORG-DEALER-7|paid|2024-01-01,\n"
)


@router.post(
    "/import",
    response_model=ImportResult,
    responses=error_responses(
        409, 413, 415
    ),  # 413 `csv_too_large`, 415 `csv_required`; 422 `invalid_rows`, `invalid_csv`
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}, "example": _IMPORT_EXAMPLE}},
        }
    },
)
def import_experts(
    request: Request, session: SessionDep, csv_text: Annotated[str, Depends(_csv_text)]
) -> Any:
    """Import experts from a CSV file sent as the request body (`Content-Type: text/csv`; UTF-8
    unless a charset is named, e.g. `text/csv; charset=gb18030`; not a multipart form).

    Columns (header row required, any order): `expert_id` (optional; empty: made up),
    `name`, `domain` (car or renovation), `specialties` (semicolon-separated, from the
    domain's set), `affiliations` (optional; semicolon-separated `org_id|kind|start|end`,
    kind employed or paid, ISO dates, end optional), `party_id` (optional; a party with role
    expert).

    All or nothing: when every row is valid all are stored and the answer lists each row
    with its expert id. Otherwise nothing is stored and the answer is 422 `invalid_rows`
    with `rows`: one `{row, field, code, message, reason, params}` per problem, rows counted
    with the header as row 1; `message` is in the language of `Accept-Language`. An id
    already in the registry or twice in the file is a row problem. A file that cannot be read
    as a whole (encoding, header, no rows) is 422 `invalid_csv`.
    """
    try:
        parsed, problems = expert_csv.parse_experts(csv_text, new_id=experts.new_expert_id)
    except expert_csv.CsvFileError as exc:
        raise ApiError(422, "invalid_csv", str(exc)) from None
    problems = sorted(problems + _registry_problems(session, parsed), key=lambda p: p.row)
    if problems:
        bad_rows = len({p.row for p in problems})
        raise ApiError(
            422,
            "invalid_rows",
            f"{bad_rows} row(s) are invalid; nothing was imported",
            details={"rows": [_row_error(p, reply_language(request.scope)).model_dump() for p in problems]},
        )
    try:
        experts.create_experts(session=session, experts=[(row.expert, row.party_id) for row in parsed])
    except experts.ExpertExistsError as exc:  # a concurrent writer got there first
        raise ApiError(409, "expert_exists", f"{exc}; nothing was imported") from None
    except experts.PartyAlreadyLinkedError as exc:
        raise ApiError(409, "party_already_linked", f"{exc}; nothing was imported") from None
    return ImportResult(
        imported=len(parsed),
        rows=[ImportedRow(row=row.row, expert_id=row.expert.expert_id) for row in parsed],
    )


def _row_error(problem: expert_csv.RowProblem, language: str) -> RowError:
    """A row's problem said in `language`, its code and values kept for programs."""
    said = error_catalogue.message(problem.code, language, problem.params)
    return RowError(
        row=problem.row,
        field=problem.field,
        code=problem.code,
        message=said or problem.reason,
        reason=problem.reason,
        params=problem.params,
    )


def _registry_problems(session: Session, parsed: list[expert_csv.ParsedRow]) -> list[expert_csv.RowProblem]:
    """The rows that are fine on their own but clash with the registry."""
    problems = []
    taken = experts.existing_expert_ids(session=session, expert_ids=[row.expert.expert_id for row in parsed])
    for row in parsed:
        expert_id = row.expert.expert_id
        if expert_id in taken:
            refusal = InvalidExpert(
                "expert_id",
                f"{expert_id!r} is already in the registry",
                "expert_exists",
                params={"expert_id": expert_id},
            )
            problems.append(expert_csv.RowProblem.of(row.row, refusal))
        if row.party_id is not None:
            try:
                experts.check_party_link(session=session, party_id=row.party_id)
            except (experts.NotAnExpertPartyError, experts.PartyAlreadyLinkedError) as exc:
                link = _link_error(exc, row.party_id)
                problems.append(
                    expert_csv.RowProblem(row.row, "party_id", link.code, link.message, dict(link.params))
                )
    return problems


@router.get("/{expert_id}", response_model=ExpertPublic, responses=error_responses(404))
def get_expert(expert_id: str, session: SessionDep) -> ExpertPublic:
    """One expert of the council's registry: specialties, status and declared ties."""
    stored = experts.get_expert(session=session, expert_id=expert_id)
    if stored is None:
        raise _not_found(expert_id)
    return _public(stored)


@router.patch("/{expert_id}", response_model=ExpertPublic, responses=error_responses(404, 409))
def update_expert(expert_id: str, body: ExpertUpdate, session: SessionDep) -> ExpertPublic:
    """Change the fields sent: `name`, `specialties`, `affiliations` (the whole list is replaced)
    and `party_id` (null unlinks; else a party with role expert, 422 `not_an_expert_party`)."""
    sent = body.model_fields_set
    changes: dict[str, Any] = {}
    try:
        for name in ("name", "specialties", "party_id"):
            if name in sent:
                changes[name] = getattr(body, name)
        if "affiliations" in sent:
            changes["affiliations"] = (
                None if body.affiliations is None else affiliations_in(body.affiliations)
            )
        stored = experts.update_expert(session=session, expert_id=expert_id, **changes)
    except InvalidExpert as exc:
        raise _invalid(exc) from None
    except experts.ExpertNotFoundError:
        raise _not_found(expert_id) from None
    except (experts.NotAnExpertPartyError, experts.PartyAlreadyLinkedError) as exc:
        raise _link_error(exc, body.party_id) from None
    return _public(stored)


@router.post("/{expert_id}/deactivation", response_model=ExpertPublic, responses=error_responses(404))
def deactivate_expert(expert_id: str, session: SessionDep) -> ExpertPublic:
    """Take the expert out of future draws; it stays listed with `active: false`. Repeating it is harmless."""
    return _set_active(session, expert_id, active=False)


@router.post("/{expert_id}/reactivation", response_model=ExpertPublic, responses=error_responses(404))
def reactivate_expert(expert_id: str, session: SessionDep) -> ExpertPublic:
    """Put a deactivated expert back into future draws (`active: true`). Repeating it is harmless."""
    return _set_active(session, expert_id, active=True)


def _set_active(session: Session, expert_id: str, *, active: bool) -> ExpertPublic:
    try:
        return _public(experts.set_expert_active(session=session, expert_id=expert_id, active=active))
    except experts.ExpertNotFoundError:
        raise _not_found(expert_id) from None
