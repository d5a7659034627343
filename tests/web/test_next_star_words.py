"""The rating page's "what would raise it a star" (web/templates/public/_next_star.html) in both
languages, from the rule's own answer (public_record/ratings.py `next_star`)."""

from functools import partial

import pytest

from public_record.ratings import Lift, Rating
from web.i18n import translate
from web.templating import templates

FOUR_STARS = Rating("P-RATED00001", 12, 4, 0.82, ())


def said(language: str, rating: Rating, lift: Lift | None) -> str:
    template = templates.get_template("public/_next_star.html")
    return " ".join(template.render(t=partial(translate, language), rating=rating, lift=lift).split())


@pytest.mark.parametrize(
    ("lift", "en", "zh"),
    [
        (Lift("decisions", 5, 0.9, 15), "15 more engagements without a complaint", "再有 15 次业务往来"),
        (Lift("first_pass", 5, 0.9, 7), "7 more stages passing their first inspection", "连续 7 个阶段"),
        # a median shown rounded down, so reaching the figure shown does give the star
        (Lift("release", 5, 0.7, 10.87), "A median of 10.8 days or fewer", "缩短到 10.8 天以内"),
        (None, "No single part can raise it a star", "单靠某一项无法再升一星"),
    ],
)
def test_the_change_that_would_raise_a_star_is_said_in_both_languages(lift, en, zh):
    assert en in said("en", FOUR_STARS, lift)
    assert zh in said("zh-CN", FOUR_STARS, lift)
    if lift is not None:
        assert "5 stars" in said("en", FOUR_STARS, lift) and "5 星" in said("zh-CN", FOUR_STARS, lift)


def test_nothing_is_said_at_five_stars_or_before_any():
    assert said("en", Rating("P-RATED00001", 12, 5, 0.95, ()), None) == ""
    assert said("en", Rating("P-RATED00001", 3, None, None, ()), None) == ""
