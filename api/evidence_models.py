"""What the API says about an evidence file (never the table row itself)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class EvidenceFilePublic(BaseModel):
    digest: str = Field(description="'sha256:' and the hex SHA-256 of the file's bytes")
    size_bytes: int
    media_type: str = Field(description="read from the file's first bytes, never from its name")
    kind: Literal["photo", "video", "document"]
    uploaded_by: str = Field(description="the uploading party's id")
    uploaded_at: datetime
    thumbnail: bool = Field(description="whether GET /evidence/{digest}/thumbnail has a picture")
