"""Order No. 43 (家用汽车产品修理更换退货责任规定), article by article, at each boundary its words draw.

Each test quotes the words it checks. The facts go in as a claim states them (dates, not day
counts) wherever the article counts from a day, so the start of the periods (Art. 18 para. 2)
is tested with every window that runs from it.
"""

from dataclasses import replace
from datetime import date

import pytest

from domain.calendar import WorkCalendar
from expert_panels.car_claim import car_facts_from_claim, claimed_remedy, dealer_deadlines, finding_document
from expert_panels.car_remedy import (
    LOSSES_WITH_CAR_REMEDY,
    MAIN_ASSEMBLIES,
    REGULATION,
    SYSTEM_OF_FAULT,
    CarFacts,
    Defence,
    FaultPart,
    InvalidCarFacts,
    Remedy,
    losses_with,
    statutory_remedy,
)

INVOICED = "2026-03-01"  # the invoice date every claim below starts from unless it says otherwise


def on(day: str, **facts) -> dict:
    """A claim invoiced on 2026-03-01 whose fault showed on `day`."""
    return {"invoiced_on": INVOICED, "fault_on": day, "km": 100, "fault_part": "other", **facts}


def decided(claim: dict) -> tuple[str, str]:
    found = claimed_remedy(claim)
    return found["rule"], found["remedy"]


def facts(days=100, km=5_000, part="other", **more) -> CarFacts:
    return CarFacts(days_since_delivery=days, km=km, fault_part=part, **more)


ART22 = ("art22_main_assembly_within_7_days", "refund_or_replace")
ART20 = ("art20_main_assembly_part_within_60_days_3000_km", "replace_part")
ART23 = ("art23_safety_failure_within_60_days_3000_km", "refund_or_replace")
REPAIR = ("art19_free_repair", "repair")


# ------------------------------------------------------------ Art. 18 para. 2: where the periods start
@pytest.mark.parametrize(
    ("fault_on", "rule"),
    [("2026-03-08", ART22), ("2026-03-09", ART20)],  # day 7 after the invoice, then day 8
)
def test_art22_seven_days_count_from_the_invoice_date(fault_on, rule):
    """Art. 22 「自三包有效期起算之日起7日内」 with Art. 18 para. 2 「自销售者开具购车发票之日起计算」:
    a claim giving only the invoice date counts from it; day 7 is inside, day 8 is not."""
    claim = on(fault_on, fault_part="engine", needs_main_part_replacement=True)
    assert decided(claim) == rule


@pytest.mark.parametrize(
    ("delivered_on", "fault_on", "rule"),
    [
        (INVOICED, "2026-03-08", ART22),  # the same day: from the invoice date, day 7
        (INVOICED, "2026-03-09", ART20),
        ("2026-03-05", "2026-03-12", ART22),  # delivered 4 days after invoicing: day 7 from delivery
        ("2026-03-05", "2026-03-13", ART20),  # day 8 from delivery (day 12 from the invoice)
    ],
)
def test_art18_where_invoice_and_delivery_differ_the_periods_run_from_delivery(delivered_on, fault_on, rule):
    """Art. 18 para. 2 「开具购车发票日期与交付家用汽车产品日期不一致的，自交付之日起计算」."""
    claim = on(
        fault_on, delivered_on=delivered_on, fault_part="transmission", needs_main_part_replacement=True
    )
    assert decided(claim) == rule


@pytest.mark.parametrize(("fault_on", "rule"), [("2026-04-30", ART23), ("2026-05-01", REPAIR)])
def test_art23_sixty_days_count_from_the_invoice_date(fault_on, rule):
    """Art. 23 「自三包有效期起算之日起60日内」: 2026-04-30 is day 60 after a 2026-03-01 invoice."""
    assert decided(on(fault_on, fault_part="brakes")) == rule


def test_a_claim_needs_an_invoice_or_a_delivery_date():
    """Art. 18 para. 2 names the two days the periods can start from; without either nothing is counted."""
    with pytest.raises(InvalidCarFacts) as refused:
        car_facts_from_claim({"fault_on": "2026-03-08", "km": 1, "fault_part": "other"})
    assert refused.value.code == "car_start_date_missing"
    only_delivery = {"delivered_on": INVOICED, "fault_on": "2026-03-08", "km": 1, "fault_part": "other"}
    assert car_facts_from_claim(only_delivery).days_since_delivery == 7


# ------------------------------------------------------ Art. 18 para. 1: minimums a maker may exceed
@pytest.mark.parametrize(
    ("promise", "rule"),
    [
        ({}, REPAIR),  # 2028-03-02 is a day past 2 years: outside the statutory three-guarantee period
        ({"three_guarantee_years": 3}, ("art24_same_problem_repaired_over_4_times", "refund_or_replace")),
    ],
)
def test_art18_a_longer_promised_three_guarantee_period_extends_it(promise, rule):
    """Art. 18 「三包有效期不得低于2年或者行驶里程50,000公里」: a minimum, so a maker's promise of
    3 years keeps Art. 24 open a day after the second anniversary."""
    assert decided(on("2028-03-02", same_problem_repairs=5, **promise)) == rule


@pytest.mark.parametrize(
    ("promise", "rule"),
    [
        ({}, REPAIR),
        ({"three_guarantee_km": 80_000}, ("art24_over_30_days_under_repair", "refund_or_replace")),
    ],
)
def test_art18_a_longer_promised_distance_extends_the_three_guarantee_period(promise, rule):
    """Art. 18 「行驶里程50,000公里，以先到者为准」: at 50,001 km the statutory period is over, a
    promised 80,000 km is not."""
    assert decided(on("2026-06-01", km=50_001, total_days_under_repair=31, **promise)) == rule


@pytest.mark.parametrize(
    ("promise", "rule"), [({}, ("outside_repair_warranty", "none")), ({"repair_warranty_years": 5}, REPAIR)]
)
def test_art18_a_longer_promised_repair_warranty_keeps_free_repair(promise, rule):
    """Art. 18 「包修期不得低于3年或者行驶里程60,000公里」 and Art. 19: four years on, only a promised
    5-year repair warranty still gives free repair."""
    assert decided(on("2030-03-01", **promise)) == rule


@pytest.mark.parametrize(
    "promise",
    [
        {"three_guarantee_years": 1},
        {"repair_warranty_years": 2},
        {"three_guarantee_km": 49_999},
        {"repair_warranty_km": 59_999},
    ],
)
def test_art18_a_promise_below_the_minimum_is_refused(promise):
    """Art. 18 「不得低于」: a period shorter than the law's is no promise the calculator takes."""
    with pytest.raises(InvalidCarFacts) as refused:
        car_facts_from_claim(on("2026-03-08", **promise))
    assert refused.value.code == "car_period_below_minimum"


# ------------------------------------------------------------------------------ Art. 19
@pytest.mark.parametrize(
    ("fault_on", "rule"), [("2029-03-01", REPAIR), ("2029-03-02", ("outside_repair_warranty", "none"))]
)
def test_art19_free_repair_until_the_repair_warranty_ends_three_years_from_the_invoice(fault_on, rule):
    """Art. 19 「家用汽车产品在包修期内出现质量问题…消费者可以…选择修理者免费修理」, the period
    「不得低于3年」 from the invoice date (Art. 18): the third anniversary is inside, the next day is not."""
    assert decided(on(fault_on)) == rule


# ------------------------------------------------------------------------------ Art. 20
@pytest.mark.parametrize(
    ("days", "km", "within"), [(60, 3_000, True), (61, 3_000, False), (60, 3_001, False), (1, 3_001, False)]
)
@pytest.mark.parametrize(
    "part", ["engine", "transmission", "traction_battery", "battery_fire", "drive_motor"]
)
def test_art20_a_main_part_within_60_days_or_3000_km_gives_a_new_assembly(days, km, within, part):
    """Art. 20 「60日内或者行驶里程3000公里之内（以先到者为准），因发动机、变速器、动力蓄电池、
    行驶驱动电机的主要零部件出现质量问题的，消费者可以…选择更换」: the assembly, free; whichever
    limit comes first ends it. A battery fire is the 动力蓄电池 too, where Art. 23's car comes first."""
    found = statutory_remedy(facts(days, km, part, main_part_fault=True))
    assert (ART20[0] in [g.rule for g in found.grounds]) is within
    deciding = (ART23 if part == "battery_fire" else ART20) if within else REPAIR
    assert (found.rule, found.remedy.value, found.usage_fee) == (*deciding, False)  # 修理者应当免费更换


# ------------------------------------------------------------------------------ Art. 22
@pytest.mark.parametrize(
    "part", ["engine", "transmission", "traction_battery", "battery_fire", "drive_motor"]
)
def test_art22_any_name_of_the_four_assemblies_within_7_days(part):
    """Art. 22 「7日内，因质量问题需要更换发动机、变速器、动力蓄电池、行驶驱动电机或者其主要零部件的，
    消费者可以…选择更换家用汽车产品或者退货。销售者应当免费更换或者退货」 (no km limit in it)."""
    found = statutory_remedy(facts(7, 9_000, part, needs_main_part_replacement=True))
    assert (found.rule, found.remedy.value, found.usage_fee) == (*ART22, False)
    assert statutory_remedy(facts(8, 9_000, part, needs_main_part_replacement=True)).rule != ART22[0]


# ------------------------------------------------------------------------------ Art. 23
@pytest.mark.parametrize(("km", "rule"), [(3_000, ART23[0]), (3_001, "art19_free_repair")])
@pytest.mark.parametrize("part", ["steering", "brakes", "body_crack", "fuel_leak", "battery_fire"])
def test_art23_five_failures_within_3000_km(km, rule, part):
    """Art. 23 「60日内或者行驶里程3000公里之内（以先到者为准），因质量问题出现转向系统失效、
    制动系统失效、车身开裂、燃油泄漏或者动力蓄电池起火的…销售者应当免费更换或者退货」."""
    assert statutory_remedy(facts(30, km, part)).rule == rule


# ------------------------------------------------------------------------------ Art. 24 para. 1
@pytest.mark.parametrize(
    ("repairs", "rule"), [(1, "art19_free_repair"), (2, "art24_serious_safety_fault_repaired_twice")]
)
def test_art24_i_a_serious_safety_fault_repaired_twice(repairs, rule):
    """Art. 24(1)(i) 「因严重安全性能故障累计进行2次修理，但仍未排除该故障或者出现新的严重安全性能故障的」."""
    assert statutory_remedy(facts(serious_safety_fault_failed_repairs=repairs)).rule == rule


@pytest.mark.parametrize(
    "part", ["engine", "transmission", "traction_battery", "battery_fire", "drive_motor"]
)
@pytest.mark.parametrize(
    ("replaced", "still_failing", "rule"),
    [
        (1, True, "art19_free_repair"),
        (2, True, "art24_assembly_replaced_twice"),
        (2, False, "art19_free_repair"),
    ],
)
def test_art24_ii_an_assembly_replaced_twice_the_traction_battery_by_any_name(
    part, replaced, still_failing, rule
):
    """Art. 24(1)(ii) 「发动机、变速器、动力蓄电池、行驶驱动电机因其质量问题累计更换2次，仍不能正常使用的」:
    a traction battery stated as `battery_fire` is the 动力蓄电池 (the defect issue 19 found)."""
    found = statutory_remedy(
        facts(part=part, assembly_replacements=replaced, still_not_working=still_failing)
    )
    assert found.rule == rule
    assert found.usage_fee is (rule != "art19_free_repair")  # Art. 27 on an Art. 24 ground


@pytest.mark.parametrize(
    ("replaced", "rule"), [(1, "art19_free_repair"), (2, "art24_same_main_part_replaced_twice")]
)
@pytest.mark.parametrize("part", sorted(SYSTEM_OF_FAULT))
def test_art24_iii_the_same_main_part_replaced_twice_in_every_named_system(replaced, rule, part):
    """Art. 24(1)(iii) 「发动机、变速器、动力蓄电池、行驶驱动电机、转向系统、制动系统、悬架系统、传动系统、
    污染控制装置、车身的同一主要零部件因其质量问题累计更换2次，仍不能正常使用的」."""
    assert statutory_remedy(facts(part=part, same_main_part_replacements=replaced)).rule == rule


def test_art24_para2_an_assembly_and_its_main_part_are_not_counted_together():
    """Art. 24 para. 2 「发动机、变速器、动力蓄电池、行驶驱动电机的更换次数与其主要零部件的更换次数
    不重复计算」:
    one new battery and one new battery module are one replacement of each, not two of either."""
    found = statutory_remedy(
        facts(part="traction_battery", assembly_replacements=1, same_main_part_replacements=1)
    )
    assert found.rule == "art19_free_repair"


@pytest.mark.parametrize(
    ("days", "repairs", "rule"),
    [
        (30, 0, "art19_free_repair"),
        (31, 0, "art24_over_30_days_under_repair"),
        (0, 4, "art19_free_repair"),
        (0, 5, "art24_same_problem_repaired_over_4_times"),
    ],
)
def test_art24_iv_over_30_days_or_more_than_4_repairs(days, repairs, rule):
    """Art. 24(1)(iv) 「因质量问题累计修理时间超过30日，或者因同一质量问题累计修理超过4次的」:
    "超过" is strictly more, so 30 days and 4 repairs are not enough."""
    found = statutory_remedy(facts(total_days_under_repair=days, same_problem_repairs=repairs))
    assert found.rule == rule


# ------------------------------------------------------- the traction battery is one system
def test_every_name_of_the_traction_battery_is_the_same_assembly_in_every_rule():
    """Arts. 20, 22 and 24(1)(ii)-(iii) name the 动力蓄电池; Art. 23 names its fire. One map,
    `SYSTEM_OF_FAULT`, says which parts are the battery, and `MAIN_ASSEMBLIES` is drawn from it."""
    battery = {p for p in FaultPart if SYSTEM_OF_FAULT.get(p) == "traction_battery"}
    assert battery == {FaultPart.TRACTION_BATTERY, FaultPart.BATTERY_FIRE}
    assert {p.value for p in MAIN_ASSEMBLIES} == {
        "engine",
        "transmission",
        "traction_battery",
        "battery_fire",
        "drive_motor",
    }
    # outside Art. 23's window the two names must give the same finding on every combination
    for days in (5, 50, 100, 800):
        for more in (
            {"needs_main_part_replacement": True},
            {"main_part_fault": True},
            {"assembly_replacements": 2},
            {"same_main_part_replacements": 2},
            {"assembly_replacements": 2, "still_not_working": False},
        ):
            as_battery = statutory_remedy(facts(days, 4_000, "traction_battery", **more))
            as_fire = statutory_remedy(facts(days, 4_000, "battery_fire", **more))
            assert as_battery == as_fire, (days, more)


# ------------------------------------------------------------------------------ Art. 25
@pytest.mark.parametrize(
    "kw",
    [
        {"days": 5, "part": "engine", "needs_main_part_replacement": True},  # Art. 22
        {"days": 30, "km": 100, "part": "fuel_leak"},  # Art. 23
        {"serious_safety_fault_failed_repairs": 2},  # Art. 24(1)(i)
        {"part": "battery_fire", "assembly_replacements": 2},  # Art. 24(1)(ii)
        {"part": "body", "same_main_part_replacements": 2},  # Art. 24(1)(iii)
        {"total_days_under_repair": 31},  # Art. 24(1)(iv)
    ],
)
def test_art25_no_comparable_car_turns_a_replacement_into_a_refund(kw):
    """Art. 25 「符合…更换条件，销售者无同品牌同型号家用汽车产品的，应当…更换不低于原车配置的家用汽车产品。
    无不低于原车配置的家用汽车产品，消费者…选择退货的，销售者应当退货」: the ground stays, the remedy
    becomes a refund, and the Art. 27 fee follows the ground, not Art. 25."""
    base = facts(**kw)
    before, after = statutory_remedy(base), statutory_remedy(replace(base, no_comparable_car=True))
    assert before.remedy is Remedy.REFUND_OR_REPLACE and before.no_comparable_car is None
    assert (after.remedy, after.rule, after.article, after.usage_fee) == (
        Remedy.REFUND,
        before.rule,
        before.article,
        before.usage_fee,
    )
    assert after.no_comparable_car is not None and after.no_comparable_car.article.endswith("第二十五条")


@pytest.mark.parametrize(
    ("kw", "remedy"),
    [
        ({"days": 20, "km": 100, "part": "engine", "main_part_fault": True}, Remedy.REPLACE_PART),
        ({}, Remedy.REPAIR),
    ],
)
def test_art25_leaves_remedies_that_are_no_replacement_of_the_car_alone(kw, remedy):
    """Art. 25 speaks of 「更换条件」 for the car: Art. 20's new assembly and Art. 19's repair stay."""
    found = statutory_remedy(facts(no_comparable_car=True, **kw))
    assert (found.remedy, found.no_comparable_car) == (remedy, None)


# ------------------------------------------------------------------------------ Art. 32
DEFENCE_RULES = {
    Defence.DISCLOSED_DEFECT: ("art32_disclosed_defect", "第三十二条第一款第（一）项"),
    Defence.NOT_AS_MANUAL: ("art32_not_as_manual", "第三十二条第一款第（二）项"),
    Defence.MODIFICATION: ("art32_modification", "第三十二条第一款第（三）项"),
    Defence.IMPROPER_HANDLING: ("art32_improper_handling", "第三十二条第一款第（四）项"),
    Defence.FORCE_MAJEURE: ("art32_force_majeure", "第三十二条第一款第（五）项"),
    Defence.NOT_HOUSEHOLD_USE: ("art40_not_household", "第四十条"),
}


@pytest.mark.parametrize("defence", list(Defence))
def test_art32_each_defence_raised_is_shown_with_what_it_would_change_and_proved_it_flips_the_remedy(defence):
    """Art. 32 「包修期内家用汽车产品有下列情形之一的，可以免除经营者对下列质量问题承担的三包责任」:
    (一) written disclosure, (二) use against the manual, (三) modification, (四) improper handling,
    (五) force majeure; and Art. 40's household car. Raised, the remedy stands and the finding says
    what proving it would change; proved, the remedy is none on that article."""
    rule, article = DEFENCE_RULES[defence]
    raised = facts(total_days_under_repair=31, defences=[defence.value])
    shown = statutory_remedy(raised)
    assert (shown.rule, shown.remedy) == ("art24_over_30_days_under_repair", Remedy.REFUND_OR_REPLACE)
    assert [(g.rule, g.remedy) for g in shown.if_proved] == [(rule, Remedy.NONE)]
    assert shown.if_proved[0].article.endswith(article)
    proved = statutory_remedy(replace(raised, proved_defences=(defence,)))
    assert (proved.rule, proved.remedy, proved.usage_fee, proved.if_proved) == (rule, Remedy.NONE, False, ())
    assert [g.rule for g in proved.grounds] == [rule]  # excluded: no other rule applies


def test_art32_a_defence_outside_the_repair_warranty_changes_nothing():
    """Art. 32 exempts 「包修期内」; after it the rules give nothing anyway, so no defence is shown as
    changing the remedy."""
    found = statutory_remedy(facts(days=1_200, defences=["force_majeure", "modification"]))
    assert (found.rule, found.if_proved) == ("outside_repair_warranty", ())
    proved = statutory_remedy(facts(days=1_200, proved_defences=["force_majeure"]))
    assert proved.rule == "outside_repair_warranty"


def test_art32_several_defences_are_listed_in_the_articles_order():
    claim = on("2026-03-05", fault_part="engine", needs_main_part_replacement=True)
    found = claimed_remedy({**claim, "defences": ["force_majeure", "disclosed_defect"]})
    assert found["remedy"] == "refund_or_replace"
    assert [g["rule"] for g in found["if_proved"]] == ["art32_disclosed_defect", "art32_force_majeure"]


@pytest.mark.parametrize(
    ("defences", "code"),
    [
        ("force_majeure", "invalid_car_defences"),  # one name, not a list
        (["act_of_god"], "invalid_car_defences"),
        (["modification", "modification"], "invalid_car_defences"),
        ([3], "invalid_car_defences"),
    ],
)
def test_malformed_defences_are_refused_with_a_code(defences, code):
    with pytest.raises(InvalidCarFacts) as refused:
        car_facts_from_claim(on("2026-03-05", defences=defences))
    assert refused.value.code == code


# ------------------------------------------------------------------------------ Art. 40
@pytest.mark.parametrize(("use", "rule"), [("household", ART22[0]), ("commercial", "art40_not_household")])
def test_art40_the_rules_cover_household_cars_only(use, rule):
    """Art. 40 「家用汽车产品，指消费者为生活消费需要而购买和使用的乘用车和皮卡车」: a car bought or
    used for business is outside the rules, even on facts that would give a new car in week one."""
    claim = on("2026-03-05", fault_part="engine", needs_main_part_replacement=True, use=use)
    found = claimed_remedy(claim)
    assert found["rule"] == rule
    assert found["remedy"] == ("refund_or_replace" if use == "household" else "none")
    if use == "commercial":
        assert found["article"].endswith("第四十条") and [g["rule"] for g in found["grounds"]] == [rule]


@pytest.mark.parametrize(("use", "code"), [("taxi", "invalid_car_use"), (1, "invalid_car_use")])
def test_an_unknown_use_is_refused(use, code):
    with pytest.raises(InvalidCarFacts) as refused:
        car_facts_from_claim(on("2026-03-05", use=use))
    assert refused.value.code == code


def test_a_yes_or_no_fact_must_be_true_or_false():
    with pytest.raises(InvalidCarFacts, match="no_comparable_car"):
        car_facts_from_claim(on("2026-03-05", no_comparable_car="yes"))


# ------------------------------------------------------------------------------ Art. 21
@pytest.mark.parametrize(
    ("hours", "days", "owed"),
    [(96, 4, 0), (120, 5, 0), (121, 6, 1), (144, 6, 1), (145, 7, 2), (241, 11, 6)],
)
def test_art21_a_repair_over_5_days_owes_a_courtesy_car_from_the_6th_day(hours, days, owed):
    """Art. 21 「在包修期内因质量问题单次修理时间超过5日（包括等待修理零部件时间）的，修理者应当自第6日起
    为消费者提供备用车，或者向消费者支付合理的交通费用补偿」, the repair counted as Art. 40 says:
    「每满24小时，为1日；余下时间不足24小时的，以1日计」. 5 days owe nothing; 121 hours are 6 days,
    the 6th owed."""
    courtesy = statutory_remedy(facts(repair_hours=hours)).courtesy_car
    assert courtesy is not None and courtesy.article == REGULATION + "第二十一条"
    assert (courtesy.repair_days, courtesy.days_owed) == (days, owed)


def test_art21_only_within_the_repair_warranty_period_and_not_for_an_exempt_problem():
    """「在包修期内」: the day after the repair-warranty period a long repair owes nothing; nor does a
    problem the business is exempt for once proved (Art. 32 「可以免除经营者对下列质量问题承担的三包责任」,
    Art. 40's non-household car)."""
    inside = facts(days=1_095, repair_hours=240)
    assert statutory_remedy(inside).courtesy_car.days_owed == 5
    assert statutory_remedy(replace(inside, days_since_delivery=1_096)).courtesy_car.days_owed == 0
    for proved in (Defence.MODIFICATION, Defence.NOT_HOUSEHOLD_USE):
        exempt = replace(inside, defences=(proved,), proved_defences=(proved,))
        assert statutory_remedy(exempt).courtesy_car.days_owed == 0
    raised = statutory_remedy(replace(inside, defences=(Defence.MODIFICATION,)))
    assert raised.courtesy_car.days_owed == 5  # raised, not proved: still owed


def test_art21_from_a_claim_and_refused_when_malformed():
    claim = on("2026-06-01", repair_hours=130)
    assert claimed_remedy(claim)["courtesy_car"] == {
        "rule": "art21_courtesy_car",
        "article": REGULATION + "第二十一条",
        "repair_days": 6,
        "days_owed": 1,
    }
    for bad in (-1, "130", True):
        with pytest.raises(InvalidCarFacts, match="repair_hours"):
            car_facts_from_claim(on("2026-06-01", repair_hours=bad))


# ------------------------------------------------------------------------------ Art. 26
@pytest.mark.parametrize(
    ("kw", "losses"),
    [
        ({"total_days_under_repair": 31}, LOSSES_WITH_CAR_REMEDY),  # replacement or refund
        ({"total_days_under_repair": 31, "no_comparable_car": True}, LOSSES_WITH_CAR_REMEDY),  # refund
        ({"days": 20, "km": 100, "part": "engine", "main_part_fault": True}, ()),  # Art. 20: an assembly
        ({}, ()),  # Art. 19: repair
        ({"days": 1_096}, ()),  # nothing
    ],
)
def test_art26_a_replacement_car_or_a_refund_makes_good_the_three_losses(kw, losses):
    """Art. 26 「销售者为消费者更换家用汽车产品或者退货，应当赔偿消费者下列损失：
    （一）车辆登记费用；（二）销售者收取的扣除相应折旧后的加装、装饰费用；（三）销售者向消费者收取的相关服务费用」:
    with the car replaced or refunded, never with Art. 20's new assembly or a repair."""
    assert losses_with(statutory_remedy(facts(**kw)).remedy) == losses
    assert LOSSES_WITH_CAR_REMEDY == ("registration_fees", "add_ons_less_depreciation", "service_charges")


# ------------------------------------------------------------------------------ Art. 28
# 2026: National Day 1-7 October off, Sunday 27 September and Saturday 10 October worked.
NATIONAL_DAY = WorkCalendar(
    holidays=frozenset(date(2026, 10, day) for day in range(1, 8)),
    makeup_workdays=frozenset({date(2026, 9, 27), date(2026, 10, 10)}),
    official_years=frozenset({2026}),
)


def test_art28_the_seller_answers_in_10_and_completes_in_20_working_days():
    """Art. 28 「应当自收到相关要求之日起10个工作日内向消费者作出答复」 and 「符合更换或者退货条件的，
    销售者应当自消费者提出更换或者退货要求之日起20个工作日内为消费者完成更换或者退货」: counted in working
    days from the day after the request. Asked on Friday 25 September 2026: with Sunday 27 September
    and Saturday 10 October worked and 1-7 October off, the 10th working day is Wednesday 14 October,
    the 20th Wednesday 28 October."""
    claim = on("2026-09-20", total_days_under_repair=31, requested_on="2026-09-25")
    deadlines = dealer_deadlines(claim, NATIONAL_DAY)
    assert deadlines is not None and deadlines.article == REGULATION + "第二十八条"
    assert (deadlines.requested_on, deadlines.answer_by, deadlines.complete_by) == (
        "2026-09-25",
        "2026-10-14",
        "2026-10-28",
    )


def test_art28_a_request_the_facts_do_not_support_is_still_answered_with_reasons():
    """「不符合更换或者退货条件的，应当在答复中说明理由」: an answer is due for every request; the 20 days to
    complete only where the facts give a replacement or refund."""
    repair = dealer_deadlines(on("2026-09-20", requested_on="2026-09-25"), NATIONAL_DAY)
    assert (repair.answer_by, repair.complete_by) == ("2026-10-14", None)
    # a defence the answer raises does not change what the claim's facts give
    raised = dealer_deadlines(
        on("2026-09-20", total_days_under_repair=31, requested_on="2026-09-25"),
        NATIONAL_DAY,
        ["modification"],
    )
    assert raised.complete_by == "2026-10-28"


@pytest.mark.parametrize(("requested_on", "within"), [("2028-03-01", True), ("2028-03-02", False)])
def test_art28_applies_to_a_request_within_the_three_guarantee_period(requested_on, within):
    """「三包有效期内销售者收到…更换家用汽车产品或者退货要求的」: two years from the 2026-03-01 invoice end on
    2028-03-01 (Art. 18); a request the day after sets the seller no days."""
    claim = on("2026-09-20", total_days_under_repair=31, requested_on=requested_on)
    deadlines = dealer_deadlines(claim, WorkCalendar())
    assert (deadlines.answer_by is not None, deadlines.complete_by is not None) == (within, within)


def test_art28_needs_the_day_of_the_request_and_refuses_one_before_the_period():
    assert dealer_deadlines(on("2026-09-20"), WorkCalendar()) is None
    with pytest.raises(InvalidCarFacts, match="requested_on"):
        car_facts_from_claim(on("2026-09-20", requested_on="2026-02-28"))
    with pytest.raises(InvalidCarFacts, match="requested_on"):
        car_facts_from_claim(on("2026-09-20", requested_on="25/09/2026"))
    assert "requested_on" not in claimed_remedy(on("2026-09-20", requested_on="2026-09-25"))


# --------------------------------------------------------------------- the finding's document
def test_a_finding_on_facts_without_the_new_ones_is_the_document_it_always_was():
    """Recorded decisions carry the finding and are signed by their hash: the Art. 25 and
    Art. 32 keys appear only when the claim states them."""
    plain = finding_document(statutory_remedy(facts(total_days_under_repair=31)))
    assert sorted(plain) == [
        "article",
        "grounds",
        "remedy",
        "rule",
        "summary",
        "usage_fee",
        "within_repair_warranty",
        "within_warranty",
    ]
    stated = finding_document(
        statutory_remedy(facts(total_days_under_repair=31, no_comparable_car=True, defences=["modification"]))
    )
    assert stated["no_comparable_car"]["remedy"] == "refund"
    assert stated["if_proved"] == [
        {"rule": "art32_modification", "article": REGULATION + "第三十二条第一款第（三）项", "remedy": "none"}
    ]


# ------------------------------------------------- Civil Code Art. 203: a period ending on a rest day
def moved(claim: dict, calendar: WorkCalendar) -> list[tuple[str, str, str]]:
    found = claimed_remedy(claim, calendar=calendar)
    return [(m["period"], m["last_day"], m["moved_to"]) for m in found.get("moved_periods", [])]


@pytest.mark.parametrize(
    ("fault_on", "with_calendar", "without"),
    [("2026-10-01", ART22, ART22), ("2026-10-08", ART22, ART20), ("2026-10-09", ART20, ART20)],
)
def test_art203_seven_days_ending_on_a_holiday_run_to_the_day_after_the_rest(
    fault_on, with_calendar, without
):
    """「期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日」: invoiced Thursday 24
    September 2026, Art. 22's 7 days end on 1 October, the first day of the National Day holiday, so they run
    to Thursday 8 October, the day after it ends. The 9th is outside; without the case's calendar
    (a claim checked before filing) the 8th is outside too."""
    claim = on(fault_on, invoiced_on="2026-09-24", fault_part="engine", needs_main_part_replacement=True)
    assert decided(claim) == without
    found = claimed_remedy(claim, calendar=NATIONAL_DAY)
    assert (found["rule"], found["remedy"]) == with_calendar
    relied = fault_on == "2026-10-08"
    assert moved(claim, NATIONAL_DAY) == ([("refund_window", "2026-10-01", "2026-10-08")] if relied else [])


def test_art203_a_made_up_working_day_is_no_rest_day():
    """Sunday 27 September 2026 is worked (the make-up day before National Day): 7 days from the
    20th end on it, and the 28th is outside."""
    claim = on("2026-09-28", invoiced_on="2026-09-20", fault_part="engine", needs_main_part_replacement=True)
    assert decided(claim) == ART20
    assert (claimed_remedy(claim, calendar=NATIONAL_DAY)["rule"], moved(claim, NATIONAL_DAY)) == (
        ART20[0],
        [],
    )


def test_art203_a_three_guarantee_period_ending_on_a_saturday_runs_to_monday():
    """Two years from 7 March 2024 end on Saturday 7 March 2026 (Art. 18), so on Monday the 9th a car
    over 30 days under repair is still within the three-guarantee period (Art. 24(1)(iv)); the
    finding says it rests on the moved end."""
    claim = on("2026-03-09", invoiced_on="2024-03-07", total_days_under_repair=31)
    weekends = WorkCalendar()
    assert decided(claim) == REPAIR
    found = claimed_remedy(claim, calendar=weekends)
    assert (found["rule"], found["within_warranty"]) == ("art24_over_30_days_under_repair", True)
    assert found["moved_periods"] == [
        {
            "period": "three_guarantee",
            "last_day": "2026-03-07",
            "moved_to": "2026-03-09",
            "rule": "civil_code_203_period_end",
            "article": "《中华人民共和国民法典》第二百零三条",
        }
    ]
    assert (
        claimed_remedy(
            on("2026-03-10", invoiced_on="2024-03-07", total_days_under_repair=31), calendar=weekends
        )["rule"]
        == REPAIR[0]
    )


def test_art203_a_finding_that_rests_on_no_moved_period_is_the_document_it_always_was():
    """A decision's hash covers the finding: facts no moved end decides keep their document whole."""
    for claim in (on("2026-03-05", fault_part="engine", needs_main_part_replacement=True), on("2026-10-02")):
        assert claimed_remedy(claim, calendar=NATIONAL_DAY) == claimed_remedy(claim)
        assert "moved_periods" not in claimed_remedy(claim, calendar=NATIONAL_DAY)
