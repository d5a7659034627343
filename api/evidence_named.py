"""A signed step may name only files the evidence store holds: checked before it is forwarded.

The files a payload names are found through its model's declarations (`files_in_raw`: fields
typed `Files` or `OneFile`), so no list of evidence fields is kept here. A step naming a file
that was never uploaded (or was swept) is refused with 422 `file_not_uploaded`, before it
reaches the workflow: a panel must never be asked to decide on a hash nobody can open. The
named files are marked (`last_named_at`), so the sweep leaves alone a file a step is being
signed with until the projection has recorded the reference.
"""

from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from api.errors import ApiError
from db.evidence import name_files
from domain.steps.files import files_in_raw


def require_uploaded(session: Session, model: type[BaseModel], payload: Any) -> list[str]:
    """The files the payload names, each held by the store; refused (422) if one is not."""
    named = files_in_raw(model, payload)
    missing = name_files(session=session, digests=named)
    if missing:
        raise ApiError(
            422,
            "file_not_uploaded",
            f"the step names the file {missing[0]}, which the evidence store does not hold: "
            f"upload it (PUT /evidence/{missing[0]}) before signing",
        )
    return named
