"""Public consumer warnings (消费预警): what two council members sign, and the Atom feed.

The rule (docs/PUBLIC_RECORD.md, "Consumer warnings"): a council member drafts a warning, by
hand or from a complaint spike (public_record/alerts.py), whose figures are copied in as the
rule computed them. Nothing of a draft is public. Two DIFFERENT council members each sign a
`warning.publish` envelope over the warning's id and the digest of its words (the drafter may
be one of them); at the second signature it is published. Withdrawal is the same with
`warning.withdraw` over the id and the reason, both members signing the same reason. A
withdrawn warning leaves the current list but stays on the page's "withdrawn" list, in the
JSON and in the feed, marked withdrawn with its reason: what was once public stays accounted for.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree as ET

from domain.canonical import content_hash
from expert_panels.registry import SPECIALTIES

WARNING_PUBLISH = "warning.publish"
WARNING_WITHDRAW = "warning.withdraw"
SIGNATURES_NEEDED = 2
ATOM_TYPE = "application/atom+xml; charset=utf-8"
ATOM_NS = "http://www.w3.org/2005/Atom"


def categories() -> list[str]:
    """What a warning may be about: a domain, or a domain and one of its specialties (the same
    `renovation/waterproofing` a complaint's category is)."""
    found: list[str] = []
    for domain, specialties in SPECIALTIES.items():
        found += [domain, *(f"{domain}/{s}" for s in specialties)]
    return found


def words_digest(
    *,
    title_zh: str,
    title_en: str,
    text_zh: str,
    text_en: str,
    category: str,
    business_ids: Sequence[str],
    valid_from: date,
    valid_until: date,
    spike: dict[str, Any] | None,
) -> str:
    """The digest both members sign for publication: every word and figure the public will read."""
    return content_hash(
        {
            "title_zh": title_zh,
            "title_en": title_en,
            "text_zh": text_zh,
            "text_en": text_en,
            "category": category,
            "business_ids": list(business_ids),
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
            "spike": None if spike is None else {k: str(v) for k, v in sorted(spike.items())},
        }
    )


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    summary: str
    link: str
    published: datetime
    updated: datetime
    withdrawn: bool


def atom_feed(*, base_url: str, title: str, updated: datetime, entries: Sequence[FeedEntry]) -> bytes:
    """An Atom 1.0 document (RFC 4287): one entry per published warning, withdrawn ones too."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "id", f"{base_url}/public/warnings.atom")
    sub(feed, "title", title)
    sub(feed, "updated", updated.isoformat())
    sub(feed, "link", href=f"{base_url}/public/warnings.atom", rel="self")
    sub(feed, "link", href=f"{base_url}/public/warnings", rel="alternate")
    author = sub(feed, "author")
    sub(author, "name", "Consumer council")
    for entry in entries:
        item = sub(feed, "entry")
        sub(item, "id", f"{base_url}/public/warnings#{entry.id}")
        sub(item, "title", entry.title)
        sub(item, "link", href=f"{base_url}{entry.link}", rel="alternate")
        sub(item, "published", entry.published.isoformat())
        sub(item, "updated", entry.updated.isoformat())
        sub(item, "summary", entry.summary)
        if entry.withdrawn:
            sub(item, "category", term="withdrawn")
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document
