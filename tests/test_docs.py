"""The documentation keeps up with the code: every setting, every error code, no link out.

The README is the newcomer's path; the reference lives in docs/, one page per subject.
These checks fail when a setting or an error code is added without its line in the page
that lists them all, or when a page points outside the repository (a reader of a fresh
clone has nothing else).
"""

import re
from pathlib import Path

from api.deps import REFUSED_TOKEN
from config.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
# Where API and bank refusals are raised: routes, pages, the JSON policy, the machines' rejections,
# the channel addresses notify/ refuses.
CODE_DIRS = (
    "api",
    "web",
    "config",
    "domain",
    "evidence",
    "expert_panels",
    "sandbox_bank",
    "public_record",
    "notify",
)

# `ApiError(409, "code"`, `JsonRefused(413, "code"`, `BankError(403, "code"`, `error_reply(422, "code"`, the
# machines' `invalid("code"`, `forbidden(...)`, `conflict(...)`, `duplicate(...)`.
RAISED = re.compile(
    r"(?:\b\w+Error|\b\w+Refused|\berror_reply|(?<![\w.])(?:invalid|forbidden|conflict|duplicate))"
    r"\(\s*(?:[\w.]+\s*,\s*)?\"([a-z][a-z0-9_]*)\""
)
# `ApiError(404, f"{process.noun}_not_found"`: one code per kind of workflow.
PER_PROCESS = re.compile(r"Error\(\s*\d+\s*,\s*f\"\{process\.noun\}(_[a-z_]+)\"")
# Starlette's own refusals mapped onto codes: `{404: "not_found", 405: "method_not_allowed"}`,
# and the code for any other status, `.get(status, "http_error")`.
BY_STATUS = re.compile(r"\b\d{3}: \"([a-z][a-z0-9_]*)\"|\.get\([\w.]+, \"([a-z][a-z0-9_]*)\"\)")
LINK = re.compile(r"\]\(([^)]+)\)")


def raised_codes() -> set[str]:
    codes: set[str] = set(REFUSED_TOKEN)
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            codes.update(RAISED.findall(text))
            codes.update(noun + suffix for suffix in PER_PROCESS.findall(text) for noun in ("escrow", "case"))
            if path.name == "errors.py":
                codes.update(code for pair in BY_STATUS.findall(text) for code in pair if code)
    return codes


def pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def test_the_collector_finds_codes_from_every_way_they_are_raised() -> None:
    codes = raised_codes()
    # An API route, the JSON policy, a token refusal, an escrow and a case machine rejection,
    # a per-process code and the bank's own: if one of these goes, the regexes went stale.
    for code in (
        "idempotency_key_reused",
        "json_too_deep",
        "token_revoked",
        "stage_frozen",
        "strike_used",
        "escrow_not_found",
        "case_closed",
        "not_found",
        "invalid_rows",
    ):
        assert code in codes, code


def test_every_error_code_is_in_the_security_page() -> None:
    security = (DOCS / "SECURITY.md").read_text(encoding="utf-8")
    missing = sorted(code for code in raised_codes() if f"`{code}`" not in security)
    assert not missing, f"error codes raised but not listed in docs/SECURITY.md: {missing}"


def test_every_setting_is_in_the_settings_page() -> None:
    settings = (DOCS / "SETTINGS.md").read_text(encoding="utf-8")
    prefix = Settings.model_config["env_prefix"].upper()
    names = [prefix + name.upper() for name in Settings.model_fields]
    missing = [name for name in names if name not in settings]
    assert names and not missing, f"settings not in docs/SETTINGS.md: {missing}"


def test_no_page_links_outside_the_repository() -> None:
    for page in pages():
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text, page.name
        for target in LINK.findall(text):
            assert "://" not in target, f"{page.name} links outside the repository: {target}"
            path = target.split("#", 1)[0]
            if path:
                assert (page.parent / path).resolve().exists(), f"{page.name}: {target} is not a file here"


def test_the_readme_is_the_short_path_with_both_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text
    assert len(text.splitlines()) < 200
