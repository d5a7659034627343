"""The three-guarantee remedy (SAMR Order No. 43 of 2021) at and around every boundary."""

from datetime import date

import pytest

from expert_panels.car_remedy import (
    REGULATION,
    RULES,
    CarFacts,
    FaultPart,
    InvalidCarFacts,
    Remedy,
    repair_days,
    statutory_remedy,
    usage_fee_fen,
)

REFUND_OR_REPLACE, REPLACE_PART, REPAIR, NONE = (
    Remedy.REFUND_OR_REPLACE,
    Remedy.REPLACE_PART,
    Remedy.REPAIR,
    Remedy.NONE,
)


def facts(days=100, km=5_000, part="other", **more) -> CarFacts:
    return CarFacts(days_since_delivery=days, km=km, fault_part=part, **more)


def case(rule, remedy, **kw):
    return pytest.param(kw, rule, remedy, id=f"{rule}:{','.join(f'{k}={v}' for k, v in kw.items())}")


@pytest.mark.parametrize(
    ("kw", "rule", "remedy"),
    [
        # Art. 22: within 7 days, a main assembly needs replacing
        case(
            "art22_main_assembly_within_7_days",
            REFUND_OR_REPLACE,
            days=7,
            km=900,
            part="engine",
            needs_main_part_replacement=True,
        ),
        case(
            "art22_main_assembly_within_7_days",
            REFUND_OR_REPLACE,
            days=0,
            km=5,
            part="drive_motor",
            needs_main_part_replacement=True,
        ),
        case(
            "art20_main_assembly_part_within_60_days_3000_km",
            REPLACE_PART,
            days=8,
            km=900,
            part="engine",
            needs_main_part_replacement=True,
        ),
        case(
            "art22_main_assembly_within_7_days",
            REFUND_OR_REPLACE,
            days=7,
            km=9_000,
            part="traction_battery",
            needs_main_part_replacement=True,
        ),  # no km limit in Art. 22
        case("art19_free_repair", REPAIR, days=7, km=900, part="transmission"),  # no main part concerned
        case(
            "art19_free_repair",
            REPAIR,
            days=7,
            km=900,
            part="steering_defect",
            needs_main_part_replacement=True,
        ),  # not one of the four assemblies
        # Art. 23: within 60 days or 3,000 km, the five early safety failures
        case(
            "art23_safety_failure_within_60_days_3000_km",
            REFUND_OR_REPLACE,
            days=60,
            km=3_000,
            part="steering",
        ),
        case("art19_free_repair", REPAIR, days=61, km=100, part="steering"),
        case("art19_free_repair", REPAIR, days=10, km=3_001, part="brakes"),
        case(
            "art23_safety_failure_within_60_days_3000_km", REFUND_OR_REPLACE, days=60, km=100, part="brakes"
        ),
        case(
            "art23_safety_failure_within_60_days_3000_km",
            REFUND_OR_REPLACE,
            days=1,
            km=3_000,
            part="body_crack",
        ),
        case(
            "art23_safety_failure_within_60_days_3000_km", REFUND_OR_REPLACE, days=30, km=10, part="fuel_leak"
        ),
        case(
            "art23_safety_failure_within_60_days_3000_km",
            REFUND_OR_REPLACE,
            days=30,
            km=10,
            part="battery_fire",
        ),
        case("art19_free_repair", REPAIR, days=30, km=10, part="brake_defect"),  # short of failure
        case("art19_free_repair", REPAIR, days=30, km=10, part="body"),
        # Art. 20: within 60 days or 3,000 km, a main part of an assembly: a new assembly
        case(
            "art20_main_assembly_part_within_60_days_3000_km",
            REPLACE_PART,
            days=60,
            km=3_000,
            part="transmission",
            main_part_fault=True,
        ),
        case("art19_free_repair", REPAIR, days=61, km=100, part="transmission", main_part_fault=True),
        case("art19_free_repair", REPAIR, days=20, km=3_001, part="drive_motor", main_part_fault=True),
        case("art19_free_repair", REPAIR, days=20, km=100, part="suspension", main_part_fault=True),
        # Art. 24(1)(i): a serious safety fault repaired twice and not cured
        case(
            "art24_serious_safety_fault_repaired_twice",
            REFUND_OR_REPLACE,
            serious_safety_fault_failed_repairs=2,
        ),
        case("art19_free_repair", REPAIR, serious_safety_fault_failed_repairs=1),
        # Art. 24(1)(ii): an assembly itself replaced twice, still not working
        case("art24_assembly_replaced_twice", REFUND_OR_REPLACE, part="engine", assembly_replacements=2),
        case("art19_free_repair", REPAIR, part="engine", assembly_replacements=1),
        case("art19_free_repair", REPAIR, part="engine", assembly_replacements=2, still_not_working=False),
        case("art19_free_repair", REPAIR, part="suspension", assembly_replacements=2),
        # Art. 24(1)(iii): the same main part replaced twice, still not working
        case(
            "art24_same_main_part_replaced_twice",
            REFUND_OR_REPLACE,
            part="suspension",
            same_main_part_replacements=2,
        ),
        case(
            "art24_same_main_part_replaced_twice",
            REFUND_OR_REPLACE,
            part="brake_defect",
            same_main_part_replacements=3,
        ),
        case("art19_free_repair", REPAIR, part="suspension", same_main_part_replacements=1),
        case("art19_free_repair", REPAIR, part="other", same_main_part_replacements=2),
        case(
            "art19_free_repair", REPAIR, part="body", same_main_part_replacements=2, still_not_working=False
        ),
        # Art. 24(1)(iv): over 30 days under repair, or the same problem repaired more than 4 times
        case("art24_over_30_days_under_repair", REFUND_OR_REPLACE, total_days_under_repair=31),
        case("art19_free_repair", REPAIR, total_days_under_repair=30),
        case("art24_same_problem_repaired_over_4_times", REFUND_OR_REPLACE, same_problem_repairs=5),
        case("art19_free_repair", REPAIR, same_problem_repairs=4),
        # the three-guarantee period edge: 2 years (730 days by default) and 50,000 km
        case(
            "art24_over_30_days_under_repair",
            REFUND_OR_REPLACE,
            days=730,
            km=50_000,
            total_days_under_repair=31,
        ),
        case("art19_free_repair", REPAIR, days=731, km=40_000, total_days_under_repair=31),
        case("art19_free_repair", REPAIR, days=700, km=50_001, same_problem_repairs=9),
        # the repair-warranty edge: 3 years (1,095 days by default) and 60,000 km
        case("art19_free_repair", REPAIR, days=1_095, km=60_000),
        case("outside_repair_warranty", NONE, days=1_096, km=10_000),
        case("outside_repair_warranty", NONE, days=400, km=60_001),
    ],
)
def test_rules_and_boundaries(kw, rule, remedy):
    finding = statutory_remedy(facts(**kw))
    assert (finding.rule, finding.remedy) == (rule, remedy)
    assert finding.article.startswith(REGULATION)
    assert finding.grounds[0].rule == rule


@pytest.mark.parametrize(
    ("rule", "article"),
    [
        ("art22_main_assembly_within_7_days", "第二十二条"),
        ("art23_safety_failure_within_60_days_3000_km", "第二十三条"),
        ("art24_serious_safety_fault_repaired_twice", "第二十四条第一款第（一）项"),
        ("art24_assembly_replaced_twice", "第二十四条第一款第（二）项"),
        ("art24_same_main_part_replaced_twice", "第二十四条第一款第（三）项"),
        ("art24_over_30_days_under_repair", "第二十四条第一款第（四）项"),
        ("art24_same_problem_repaired_over_4_times", "第二十四条第一款第（四）项"),
        ("art20_main_assembly_part_within_60_days_3000_km", "第二十条"),
        ("art19_free_repair", "第十九条"),
        ("outside_repair_warranty", "第十八条"),
    ],
)
def test_article_citations(rule, article):
    assert {r.code: r.article for r in RULES}[rule] == REGULATION + article


def test_usage_fee_only_on_article_24_grounds():
    """Art. 27 「消费者依照本规定第二十四条第一款规定更换家用汽车产品或者退货的，应当…支付…使用补偿费」."""
    assert {r.code for r in RULES if r.usage_fee} == {r.code for r in RULES if r.code.startswith("art24")}


def test_every_ground_is_listed_with_the_first_deciding():
    finding = statutory_remedy(
        facts(days=5, km=200, part="engine", needs_main_part_replacement=True, same_problem_repairs=5)
    )
    assert [g.rule for g in finding.grounds] == [
        "art22_main_assembly_within_7_days",
        "art24_same_problem_repaired_over_4_times",
        "art20_main_assembly_part_within_60_days_3000_km",
        "art19_free_repair",
    ]
    assert finding.usage_fee is False  # Art. 22 is free; the consumer picks the better ground


@pytest.mark.parametrize(
    ("start", "as_of", "within"),
    [
        (date(2023, 1, 10), date(2025, 1, 10), True),  # 731 days: 2024 is a leap year
        (date(2023, 1, 10), date(2025, 1, 11), False),
        (date(2024, 3, 1), date(2026, 3, 1), True),  # 730 days
        (date(2024, 3, 1), date(2026, 3, 2), False),
        (date(2024, 2, 29), date(2026, 2, 28), True),  # no 29 February: the month's last day
        (date(2024, 2, 29), date(2026, 3, 1), False),
    ],
)
def test_two_year_edge_on_calendar_dates(start, as_of, within):
    """Art. 18 「三包有效期不得低于2年」, in calendar years (Civil Code Art. 202), leap days included."""
    f = CarFacts.on_dates(start, as_of, km=1_000, fault_part="other", same_problem_repairs=5)
    assert f.within_warranty is within
    assert (statutory_remedy(f).remedy is REFUND_OR_REPLACE) is within


def test_a_longer_period_promised_by_the_maker_counts():
    f = facts(
        days=900,
        km=70_000,
        same_problem_repairs=5,
        three_guarantee_days=1_095,
        three_guarantee_km=100_000,
        repair_warranty_days=1_461,
        repair_warranty_km=100_000,
    )
    assert statutory_remedy(f).rule == "art24_same_problem_repaired_over_4_times"


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"part": "gearbox"}, "unknown fault part"),
        ({"days": -1}, "days_since_delivery"),
        ({"km": 1.5}, "km"),
        ({"same_problem_repairs": True}, "same_problem_repairs"),
        ({"needs_main_part_replacement": 1}, "needs_main_part_replacement"),
        ({"three_guarantee_days": 729}, "statutory minimum"),
        ({"three_guarantee_km": 49_999}, "statutory minimum"),
        ({"repair_warranty_days": 1_094}, "statutory minimum"),
        ({"repair_warranty_km": 59_999}, "statutory minimum"),
    ],
)
def test_bad_facts_are_refused(kw, message):
    with pytest.raises(InvalidCarFacts, match=message):
        facts(**kw)


def test_dates_must_be_in_order():
    with pytest.raises(InvalidCarFacts):
        CarFacts.on_dates(date(2025, 1, 2), date(2025, 1, 1), km=0, fault_part="other")


def test_fault_part_is_normalised():
    assert facts(part="engine").fault_part is FaultPart.ENGINE


@pytest.mark.parametrize(("hours", "days"), [(0, 0), (1, 1), (24, 1), (25, 2), (48, 2), (49, 3)])
def test_repair_days_count_each_started_day(hours, days):
    """Art. 40 「单次修理时间…以小时计算，每满24小时，为1日；余下时间不足24小时的，以1日计」."""
    assert repair_days(hours) == days


@pytest.mark.parametrize(
    ("price", "km", "ppm", "fee"),
    [
        (20_000_000, 10_000, 5_000, 1_000_000),  # 200,000 yuan x 10,000 km / 1000 x 0.5% = 10,000 yuan
        (15_000_000, 1_234, 3_000, 55_530),
        (10_000_001, 1, 5_000, 50),  # rounded down to the fen
        (10_000_000, 0, 5_000, 0),
    ],
)
def test_usage_fee(price, km, ppm, fee):
    """Art. 27 「补偿费=车价款（元）×行驶里程（公里）/1000（公里）×n」."""
    assert usage_fee_fen(price, km, ppm) == fee


def test_usage_coefficient_capped_at_half_a_percent():
    """Art. 27 「使用补偿系数n不得高于0.5%」: 5,000 ppm is allowed, 5,001 is not."""
    assert usage_fee_fen(10_000_000, 100, 5_000) == 5_000
    with pytest.raises(InvalidCarFacts, match="0.5%"):
        usage_fee_fen(10_000_000, 100, 5_001)
