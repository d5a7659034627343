"""Bodies of the contact-channel, preference and inbox endpoints (never the table models)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from notify.channels import ChannelKind
from notify.kinds import MessageKind


class ChannelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ChannelKind
    address: str = Field(
        min_length=1,
        max_length=500,
        description="email: name@example.com; sms: a mainland mobile (+86 and 11 digits); chat: the apprise "
        "URL of a WeCom group bot (wecombot://KEY), DingTalk (dingtalk://TOKEN) or Feishu (feishu://TOKEN)",
    )


class ChannelPublic(BaseModel):
    id: str
    kind: ChannelKind
    address: str = Field(description="as stored; a chat URL holds its bot's secret and is shown masked")
    verified_at: datetime | None = Field(description="unset until the code sent over it is entered")
    code_expires_at: datetime | None = Field(description="when the code last sent stops working")
    created_at: datetime


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[0-9]{6}$", description="the 6 digits sent over the channel")


class PreferencesPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Literal["zh-CN", "en"] = Field(description="the language messages are written in")
    muted: list[MessageKind] = Field(
        max_length=len(MessageKind),
        description="kinds never sent over any channel (they still land in the inbox)",
    )
    quiet_hours: bool = Field(description="hold SMS and chat between 22:00 and 08:00 Asia/Shanghai")


class NotificationPublic(BaseModel):
    id: int
    kind: MessageKind
    subject_id: str | None = Field(description="the escrow or case it is about")
    title: str = Field(description="in the party's language (its preferences)")
    body: str
    params: dict[str, Any]
    link: str = Field(description="the page to open, a path on this site")
    created_at: datetime
    read_at: datetime | None


class InboxPublic(BaseModel):
    unread: int = Field(description="the party's unread notifications, all of them (not only this page)")
    notifications: list[NotificationPublic] = Field(description="newest first")


class MarkedRead(BaseModel):
    marked: int = Field(description="how many notifications this call marked read")
