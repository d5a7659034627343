"""The statutory remedy for a household car under China's 2021 three-guarantee rules.

家用汽车产品修理更换退货责任规定 (SAMR Order No. 43 of 2021-07-22, in force 2022-01-01).
The panel is shown what the regulation gives the consumer on the established facts;
the experts confirm it or depart from it with reasons. Every rule is a row of
`RULES`, tried in order, so the first that applies is the remedy and the others are
listed as further grounds.

Article numbers and texts were checked against the full text of Order No. 43 as
transcribed in the public LawRefBook/Laws repository
(部门规章/市场监督管理总局/家用汽车产品修理更换退货责任规定(2021-07-22).md).
They were not checked against the official SAMR gazette print.

What the text says, as encoded here (and where it differs from a quick summary):
- Art. 18: three-guarantee period at least 2 years or 50,000 km, repair-warranty
  period at least 3 years or 60,000 km, whichever comes first; both run from the
  invoice date, or from delivery where the two differ.
- Art. 19: within the repair-warranty period a quality problem is repaired free.
- Art. 20: within 60 days or 3,000 km, a quality problem in a main part of the
  engine, transmission, traction battery or drive motor lets the consumer choose a
  free replacement of that assembly (not of the car): remedy "replace_part".
- Art. 22: within 7 days, a quality problem needing replacement of the engine,
  transmission, traction battery, drive motor or one of their main parts: replace
  the car or refund, the consumer's choice, free.
- Art. 23: within 60 days or 3,000 km, steering failure, brake failure, body
  cracking, fuel leak or traction-battery fire: replace the car or refund, free.
- Art. 24 para. 1: within the three-guarantee period, (i) a serious safety fault
  repaired twice and still there (or a new one), (ii) the engine, transmission,
  battery or motor itself replaced twice and still not working, (iii) the same main
  part of those or of steering, brakes, suspension, drivetrain, emission control or
  body replaced twice and still not working, (iv) over 30 days under repair in
  total, or the same problem repaired more than 4 times: replace or refund. The 2021
  text gives refund as well as replacement for all four (the 2012 rules gave only
  replacement for (iv)), so this calculator never answers "replace" alone.
- Art. 27: after an Art. 24 replacement or refund the consumer pays a usage fee of
  price x km / 1000 x n, n set by the maker and at most 0.5%; Arts. 22 and 23 are free.
- Art. 40: a single repair's time counts each started 24 hours as a day.

Day counting: `days_since_delivery` is `(as_of - start).days`, the start day not
counted (Civil Code Art. 201), so "within 7 days" holds while it is at most 7. The
rare extension when a period's last day is a public holiday (Civil Code Art. 203)
is not applied here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from domain.money import MAX_AMOUNT_FEN, yuan
from expert_panels.periods import period_days, require_date

REGULATION = "家用汽车产品修理更换退货责任规定（国家市场监督管理总局令第43号）"

THREE_GUARANTEE_YEARS, THREE_GUARANTEE_KM = 2, 50_000  # Art. 18, statutory minimum
REPAIR_WARRANTY_YEARS, REPAIR_WARRANTY_KM = 3, 60_000  # Art. 18, statutory minimum
MIN_THREE_GUARANTEE_DAYS = 730  # the shortest 2 calendar years
MIN_REPAIR_WARRANTY_DAYS = 1095  # the shortest 3 calendar years
MAX_USAGE_COEFFICIENT_PPM = 5_000  # Art. 27: n at most 0.5%, in parts per million


class FaultPart(StrEnum):
    ENGINE = "engine"
    TRANSMISSION = "transmission"
    TRACTION_BATTERY = "traction_battery"
    DRIVE_MOTOR = "drive_motor"
    STEERING = "steering"  # the steering system failed (转向系统失效)
    BRAKES = "brakes"  # the braking system failed (制动系统失效)
    BODY_CRACK = "body_crack"  # 车身开裂
    FUEL_LEAK = "fuel_leak"  # 燃油泄漏
    BATTERY_FIRE = "battery_fire"  # 动力蓄电池起火
    STEERING_DEFECT = "steering_defect"  # a steering fault short of failure
    BRAKE_DEFECT = "brake_defect"  # a braking fault short of failure
    SUSPENSION = "suspension"
    DRIVETRAIN = "drivetrain"
    EMISSION_CONTROL = "emission_control"
    BODY = "body"  # a body fault other than cracking
    OTHER = "other"


class Remedy(StrEnum):
    REFUND_OR_REPLACE = "refund_or_replace"  # the consumer chooses: a replacement car or a refund
    REPLACE_PART = "replace_part"  # a free replacement engine/transmission/battery/motor (Art. 20)
    REPAIR = "repair"  # free repair (Art. 19)
    NONE = "none"  # outside the repair-warranty period: no remedy under these rules


MAIN_ASSEMBLIES = frozenset(
    {FaultPart.ENGINE, FaultPart.TRANSMISSION, FaultPart.TRACTION_BATTERY, FaultPart.DRIVE_MOTOR}
)
EARLY_SAFETY_FAILURES = frozenset(
    {FaultPart.STEERING, FaultPart.BRAKES, FaultPart.BODY_CRACK, FaultPart.FUEL_LEAK, FaultPart.BATTERY_FIRE}
)
# Art. 24(1)(iii): the systems whose same main part replaced twice counts (with the assemblies).
SYSTEM_OF_FAULT: dict[FaultPart, str] = {
    FaultPart.ENGINE: "engine",
    FaultPart.TRANSMISSION: "transmission",
    FaultPart.TRACTION_BATTERY: "traction_battery",
    FaultPart.BATTERY_FIRE: "traction_battery",
    FaultPart.DRIVE_MOTOR: "drive_motor",
    FaultPart.STEERING: "steering",
    FaultPart.STEERING_DEFECT: "steering",
    FaultPart.BRAKES: "brakes",
    FaultPart.BRAKE_DEFECT: "brakes",
    FaultPart.SUSPENSION: "suspension",
    FaultPart.DRIVETRAIN: "drivetrain",
    FaultPart.EMISSION_CONTROL: "emission_control",
    FaultPart.BODY: "body",
    FaultPart.BODY_CRACK: "body",
}


class InvalidCarFacts(ValueError):
    """Facts the calculator cannot reason about (negative counts, unknown part, short periods)."""


def _count(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidCarFacts(f"{name} must be a non-negative integer")


@dataclass(frozen=True)
class CarFacts:
    days_since_delivery: int  # from the invoice date, or delivery where they differ (Art. 18)
    km: int
    fault_part: FaultPart
    needs_main_part_replacement: bool = (
        False  # Art. 22: the assembly or one of its main parts must be replaced
    )
    main_part_fault: bool = (
        False  # Art. 20: the fault lies in a main part (listed on the three-guarantee card)
    )
    serious_safety_fault_failed_repairs: int = 0  # repairs after which the fault stayed or a new one came
    assembly_replacements: int = 0  # Art. 24(1)(ii): the whole engine/transmission/battery/motor
    same_main_part_replacements: int = 0  # Art. 24(1)(iii): the same main part of the faulty system
    still_not_working: bool = True  # (ii) and (iii) apply only if it still does not work
    total_days_under_repair: int = 0  # Art. 24(1)(iv), without the times its para. 3 leaves out
    same_problem_repairs: int = 0
    three_guarantee_days: int = MIN_THREE_GUARANTEE_DAYS  # use `on_dates` for the exact calendar length
    three_guarantee_km: int = THREE_GUARANTEE_KM
    repair_warranty_days: int = MIN_REPAIR_WARRANTY_DAYS
    repair_warranty_km: int = REPAIR_WARRANTY_KM

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "fault_part", FaultPart(self.fault_part))
        except ValueError:
            known = ", ".join(p.value for p in FaultPart)
            raise InvalidCarFacts(f"unknown fault part {self.fault_part!r}; known: {known}") from None
        for name in (
            "days_since_delivery",
            "km",
            "serious_safety_fault_failed_repairs",
            "assembly_replacements",
            "same_main_part_replacements",
            "total_days_under_repair",
            "same_problem_repairs",
        ):
            _count(getattr(self, name), name)
        for name in ("needs_main_part_replacement", "main_part_fault", "still_not_working"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidCarFacts(f"{name} must be true or false")
        minimums = {
            "three_guarantee_days": MIN_THREE_GUARANTEE_DAYS,
            "three_guarantee_km": THREE_GUARANTEE_KM,
            "repair_warranty_days": MIN_REPAIR_WARRANTY_DAYS,
            "repair_warranty_km": REPAIR_WARRANTY_KM,
        }
        for name, minimum in minimums.items():
            _count(getattr(self, name), name)
            if getattr(self, name) < minimum:
                raise InvalidCarFacts(f"{name} cannot be below the statutory minimum of {minimum} (Art. 18)")

    @classmethod
    def on_dates(
        cls,
        start: date,
        as_of: date,
        *,
        three_guarantee_years: int = THREE_GUARANTEE_YEARS,
        repair_warranty_years: int = REPAIR_WARRANTY_YEARS,
        **facts: Any,
    ) -> "CarFacts":
        """Facts from calendar dates: day count and period lengths exact across leap years."""
        require_date(start, "start")
        require_date(as_of, "as_of")
        if as_of < start:
            raise InvalidCarFacts("as_of is before the three-guarantee period starts")
        return cls(
            days_since_delivery=(as_of - start).days,
            three_guarantee_days=period_days(start, three_guarantee_years),
            repair_warranty_days=period_days(start, repair_warranty_years),
            **facts,
        )

    @property
    def within_warranty(self) -> bool:
        """Within the three-guarantee period (三包有效期): days and km both inside, Art. 18."""
        return self.days_since_delivery <= self.three_guarantee_days and self.km <= self.three_guarantee_km

    @property
    def within_repair_warranty(self) -> bool:
        """Within the repair-warranty period (包修期), Art. 18."""
        return self.days_since_delivery <= self.repair_warranty_days and self.km <= self.repair_warranty_km

    @property
    def within_60_days_3000_km(self) -> bool:
        return self.days_since_delivery <= 60 and self.km <= 3_000


@dataclass(frozen=True)
class Rule:
    code: str
    article: str
    remedy: Remedy
    summary: str
    applies: Callable[[CarFacts], bool]
    usage_fee: bool = False  # Art. 27: the consumer pays a usage fee on replacement or refund


def _cite(article: str) -> str:
    return f"{REGULATION}{article}"


def _serious_safety_fault(f: CarFacts) -> bool:
    return f.within_warranty and f.serious_safety_fault_failed_repairs >= 2


def _assembly_replaced_twice(f: CarFacts) -> bool:
    return (
        f.within_warranty
        and f.fault_part in MAIN_ASSEMBLIES
        and f.assembly_replacements >= 2
        and f.still_not_working
    )


def _main_part_replaced_twice(f: CarFacts) -> bool:
    return (
        f.within_warranty
        and f.fault_part in SYSTEM_OF_FAULT
        and f.same_main_part_replacements >= 2
        and f.still_not_working
    )


# Every article number below was checked against the Order No. 43 text named in the module docstring.
RULES: tuple[Rule, ...] = (
    Rule(
        "art22_main_assembly_within_7_days",
        _cite("第二十二条"),
        Remedy.REFUND_OR_REPLACE,
        "within 7 days, the engine, transmission, traction battery or drive motor (or a main part) "
        "needs replacing: a replacement car or a refund, free",
        lambda f: (
            f.days_since_delivery <= 7 and f.fault_part in MAIN_ASSEMBLIES and f.needs_main_part_replacement
        ),
    ),
    Rule(
        "art23_safety_failure_within_60_days_3000_km",
        _cite("第二十三条"),
        Remedy.REFUND_OR_REPLACE,
        "within 60 days or 3,000 km, steering or brake failure, body cracking, fuel leak or battery fire: "
        "a replacement car or a refund, free",
        lambda f: f.within_60_days_3000_km and f.fault_part in EARLY_SAFETY_FAILURES,
    ),
    Rule(
        "art24_serious_safety_fault_repaired_twice",
        _cite("第二十四条第一款第（一）项"),
        Remedy.REFUND_OR_REPLACE,
        "within the three-guarantee period, a serious safety fault repaired twice and not cured: "
        "a replacement car or a refund",
        _serious_safety_fault,
        usage_fee=True,
    ),
    Rule(
        "art24_assembly_replaced_twice",
        _cite("第二十四条第一款第（二）项"),
        Remedy.REFUND_OR_REPLACE,
        "within the three-guarantee period, the engine, transmission, traction battery or drive motor "
        "replaced twice and still not working: a replacement car or a refund",
        _assembly_replaced_twice,
        usage_fee=True,
    ),
    Rule(
        "art24_same_main_part_replaced_twice",
        _cite("第二十四条第一款第（三）项"),
        Remedy.REFUND_OR_REPLACE,
        "within the three-guarantee period, the same main part replaced twice and still not working: "
        "a replacement car or a refund",
        _main_part_replaced_twice,
        usage_fee=True,
    ),
    Rule(
        "art24_over_30_days_under_repair",
        _cite("第二十四条第一款第（四）项"),
        Remedy.REFUND_OR_REPLACE,
        "within the three-guarantee period, more than 30 days under repair in total: "
        "a replacement car or a refund",
        lambda f: f.within_warranty and f.total_days_under_repair > 30,
        usage_fee=True,
    ),
    Rule(
        "art24_same_problem_repaired_over_4_times",
        _cite("第二十四条第一款第（四）项"),
        Remedy.REFUND_OR_REPLACE,
        "within the three-guarantee period, the same problem repaired more than 4 times: "
        "a replacement car or a refund",
        lambda f: f.within_warranty and f.same_problem_repairs > 4,
        usage_fee=True,
    ),
    Rule(
        "art20_main_assembly_part_within_60_days_3000_km",
        _cite("第二十条"),
        Remedy.REPLACE_PART,
        "within 60 days or 3,000 km, a main part of the engine, transmission, traction battery or "
        "drive motor is faulty: the consumer may choose a free replacement of that assembly",
        lambda f: (
            f.within_60_days_3000_km
            and f.fault_part in MAIN_ASSEMBLIES
            and (f.main_part_fault or f.needs_main_part_replacement)
        ),
    ),
    Rule(
        "art19_free_repair",
        _cite("第十九条"),
        Remedy.REPAIR,
        "within the repair-warranty period: free repair, parts and labour",
        lambda f: f.within_repair_warranty,
    ),
    Rule(
        "outside_repair_warranty",
        _cite("第十八条"),
        Remedy.NONE,
        "outside the repair-warranty period (3 years or 60,000 km at least): no remedy under these rules; "
        "the contract and general consumer law may still give one",
        lambda f: not f.within_repair_warranty,
    ),
)


@dataclass(frozen=True)
class Ground:
    rule: str
    article: str
    remedy: Remedy


@dataclass(frozen=True)
class RemedyFinding:
    remedy: Remedy
    rule: str
    article: str
    summary: str
    usage_fee: bool  # Art. 27 applies to a replacement or refund on this ground
    within_warranty: bool
    within_repair_warranty: bool
    grounds: tuple[Ground, ...]  # every rule that applies, the deciding one first


def statutory_remedy(facts: CarFacts) -> RemedyFinding:
    """What Order No. 43 gives the consumer on these facts: the first rule of `RULES` that applies."""
    applying = [rule for rule in RULES if rule.applies(facts)]
    first = applying[0]  # the last two rules cover every case between them
    return RemedyFinding(
        remedy=first.remedy,
        rule=first.code,
        article=first.article,
        summary=first.summary,
        usage_fee=first.usage_fee,
        within_warranty=facts.within_warranty,
        within_repair_warranty=facts.within_repair_warranty,
        grounds=tuple(Ground(r.code, r.article, r.remedy) for r in applying),
    )


def repair_days(hours: int) -> int:
    """A single repair's time in days: each started 24 hours is a day (Art. 40)."""
    _count(hours, "hours")
    return -(-hours // 24)


def usage_fee_fen(price_fen: int, km: int, coefficient_ppm: int) -> int:
    """Art. 27 usage fee, price x km / 1000 x n, with n in parts per million (0.5% = 5000).

    Rounded down to the fen, so the consumer never pays more than the formula says.
    """
    _count(price_fen, "price_fen")
    _count(km, "km")
    _count(coefficient_ppm, "coefficient_ppm")
    if coefficient_ppm > MAX_USAGE_COEFFICIENT_PPM:
        raise InvalidCarFacts("the usage coefficient n may not exceed 0.5% (Art. 27)")
    fee = price_fen * km * coefficient_ppm // (1_000 * 1_000_000)
    for name, amount in (("price_fen", price_fen), ("the usage fee", fee)):
        if amount > MAX_AMOUNT_FEN:
            raise InvalidCarFacts(f"{name} may not exceed {yuan(MAX_AMOUNT_FEN)}")
    return fee
