"""Every word the contract form's script says about the payment plan (web/escrow_pages.py
PLAN_WORDS) is there in both languages: a missing one would show its key."""

import pytest

from web.escrow_pages import PLAN_WORDS
from web.i18n import LANGUAGES, messages


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_word_the_plan_script_asks_for_is_there(language):
    asked = {key if isinstance(key, str) else key[1] for key in PLAN_WORDS}  # (asked as, message)
    assert "contract_form.key_reused" in asked
    assert [key for key in asked if key not in messages(language)] == []
