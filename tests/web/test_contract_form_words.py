"""Every word the contract form's script says about the payment plan (web/escrow_pages.py
PLAN_WORDS) is there in both languages: a missing one would show its key."""

import pytest

from web.escrow_pages import PLAN_WORDS
from web.i18n import LANGUAGES, messages


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_word_the_plan_script_asks_for_is_there(language):
    assert "errors.idempotency_key_reused" in PLAN_WORDS
    assert [key for key in PLAN_WORDS if key not in messages(language)] == []
