"""Evidence files as a signed payload names them: by the SHA-256 of their bytes.

A file is uploaded to the evidence store first (evidence/), under the very value a step then
names with `FileHash` or `Files`. `files_named` finds every file a payload names, wherever its
models put them, so that nothing outside the declarations lists the evidence fields: the API
refuses a step naming a file the store does not hold, and the projection records which escrow
or case names which file, which is what decides who may read it.
"""

import hashlib
import re
from typing import Annotated, Any, Final

from pydantic import BaseModel, Field, StrictStr, ValidationError

from domain.steps.fields import MAX_ITEMS, refused_as

FILE_HASH_PATTERN: Final = r"^sha256:[0-9a-f]{64}$"
FILE_HASH = re.compile(FILE_HASH_PATTERN)


class _NamesFiles:
    """Marks a payload field whose value names evidence files (see `files_named`)."""


NAMES_FILES: Final = _NamesFiles()

# One file: 'sha256:' and the 64 lowercase hex digits of its bytes' SHA-256.
FileHash = Annotated[
    StrictStr,
    Field(pattern=FILE_HASH_PATTERN, description="'sha256:' and the hex SHA-256 of an uploaded file"),
    refused_as("not_a_file_hash"),
]
# The files a step attaches, each uploaded before the step is signed.
Files = Annotated[list[FileHash], Field(max_length=MAX_ITEMS), NAMES_FILES]
# One file a step names on its own (a report's document, say).
OneFile = Annotated[FileHash, NAMES_FILES]


def file_hash(data: bytes) -> str:
    """The value a file is named by in a signed payload, and stored under: 'sha256:' and its hex SHA-256."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def files_named(payload: BaseModel) -> list[str]:
    """Every file hash the payload names, in the order its fields declare them, each once."""
    found: dict[str, None] = {}
    for name, info in type(payload).model_fields.items():
        value = getattr(payload, name)
        if NAMES_FILES in info.metadata:
            found.update(dict.fromkeys(value if isinstance(value, list) else [value]))
        else:
            for nested in value if isinstance(value, list) else [value]:
                if isinstance(nested, BaseModel):
                    found.update(dict.fromkeys(files_named(nested)))
    return list(found)


def files_in_raw(model: type[BaseModel], raw: Any) -> list[str]:
    """The files a raw payload names when it is a valid `model`, else none: a malformed payload
    is refused by the machine with its own code, not here."""
    try:
        return files_named(model.model_validate(raw))
    except ValidationError:
        return []
