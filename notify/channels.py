"""Where a message can reach a party: an email address, a mainland mobile, or a work chat.

A channel is stored as its kind and address; the apprise URL that reaches it is built only when
sending (`target_url`), from the settings' templates for email and SMS, so a change of mail
provider or SMS gateway touches no stored row. A chat channel's address IS an apprise URL of
the party's own group bot (WeCom, DingTalk or Feishu: the work chats people in China use); it
holds the bot's secret token, so it is never answered back whole (`masked`).

Pure except for `check_chat_url`, which asks apprise (imported there, so the notifier workflow
can import the rest) whether it can use the URL.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote


class ChannelKind(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    CHAT = "chat"


# apprise's schemes for the WeCom group bot, DingTalk and Feishu; no other service is offered.
CHAT_SCHEMES = ("wecombot", "dingtalk", "feishu")
EMAIL = re.compile(r"^[^@\s<>,;]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
MAINLAND_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
MAX_ADDRESS = 500


@dataclass(frozen=True)
class ChannelRefused(ValueError):
    """An address that cannot be a channel of its kind; `code` is the API's error code."""

    code: str
    reason: str


def normalise(kind: ChannelKind, address: str) -> str:
    """The address as stored (an email lower-cased after the @, a mobile as +86 and 11 digits),
    or `ChannelRefused` saying why it is not one."""
    address = address.strip()
    if kind is ChannelKind.EMAIL:
        if len(address) > 254 or not EMAIL.match(address):
            raise ChannelRefused("bad_email", "an email address looks like name@example.com")
        local, _, domain = address.rpartition("@")
        return f"{local}@{domain.lower()}"
    if kind is ChannelKind.SMS:
        match = MAINLAND_MOBILE.match(re.sub(r"[\s-]", "", address))
        if match is None:
            raise ChannelRefused(
                "bad_mobile", "a mobile is a mainland China number: +86 and 11 digits from 13"
            )
        return f"+86{match.group(1)}"
    check_chat_url(address)
    return address


def check_chat_url(url: str) -> None:
    """Refuse a chat URL apprise cannot use or whose service is not one of `CHAT_SCHEMES`."""
    import apprise  # here, not at the top: the rest of this module is imported by workflows

    scheme, sep, _ = url.partition("://")
    if (
        not sep
        or len(url) > MAX_ADDRESS
        or scheme.lower() not in CHAT_SCHEMES
        or apprise.Apprise.instantiate(url) is None
    ):
        raise ChannelRefused(
            "bad_channel_url",
            "a chat channel is the apprise URL of a WeCom group bot (wecombot://KEY), "
            "DingTalk (dingtalk://TOKEN) or Feishu (feishu://TOKEN)",
        )


def masked(kind: ChannelKind, address: str) -> str:
    """What the API and pages show of an address: a chat URL keeps its service and 4 characters."""
    if kind is not ChannelKind.CHAT:
        return address
    scheme, _, rest = address.partition("://")
    return f"{scheme}://{rest[:4]}…"


def target_url(kind: ChannelKind, address: str, *, email_template: str, sms_template: str) -> str:
    """The apprise URL that reaches `address`: a template with `{address}` (URL-encoded) for email
    and SMS, the party's own URL for chat."""
    if kind is ChannelKind.CHAT:
        return address
    template = email_template if kind is ChannelKind.EMAIL else sms_template
    return template.replace("{address}", quote(address, safe=""))
