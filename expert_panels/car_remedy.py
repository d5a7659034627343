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
- Art. 18 para. 1: three-guarantee period "不得低于" 2 years or 50,000 km, repair-warranty
  period "不得低于" 3 years or 60,000 km, whichever comes first. They are minimums: a
  maker's longer promise replaces them (Art. 4 para. 2 binds it to what it promised).
- Art. 18 para. 2: both periods, and so the 7-day and 60-day windows of Arts. 20, 22 and
  23 ("自三包有效期起算之日起"), run from the invoice date; where the invoice date and the
  delivery date differ, from delivery (`car_claim.period_start` picks the day).
- Art. 19: within the repair-warranty period a quality problem is repaired free.
- Art. 20: within 60 days or 3,000 km, a quality problem in a main part of the engine,
  transmission, traction battery or drive motor lets the consumer choose a free
  replacement of that assembly (not of the car): remedy "replace_part".
- Art. 22: within 7 days, a quality problem needing replacement of the engine,
  transmission, traction battery, drive motor or one of their main parts: replace
  the car or refund, the consumer's choice, free.
- Art. 23: within 60 days or 3,000 km, steering failure, brake failure, body
  cracking, fuel leak or traction-battery fire: replace the car or refund, free.
- Art. 24 para. 1: within the three-guarantee period, (i) a serious safety fault
  repaired twice and still there (or a new one), (ii) the engine, transmission,
  traction battery or drive motor itself replaced twice and still not working, (iii)
  the same main part of those or of steering, brakes, suspension, drivetrain, emission
  control or body replaced twice and still not working, (iv) over 30 days under repair
  in total, or the same problem repaired more than 4 times: replace or refund. The 2021
  text gives refund as well as replacement for all four (the 2012 rules gave only
  replacement for (iv)), so this calculator never answers "replace" alone. Para. 2:
  replacements of an assembly and of its main parts are counted apart
  (`assembly_replacements`, `same_main_part_replacements`). Para. 3: transport time of
  special parts and of the traction battery and rescue travel time are not repair time;
  `total_days_under_repair` is stated without them.
- The traction battery is one system however its fault is named: `traction_battery` and
  `battery_fire` both belong to it in `SYSTEM_OF_FAULT`, and every rule that names the
  engine, transmission, traction battery or drive motor (Arts. 20, 22, 24(1)(ii)) reads
  `MAIN_ASSEMBLIES`, which is derived from that one map.
- Art. 25: a replacement is due but the seller has no car of the same brand and model
  and none of at least the original configuration: the consumer may take a refund, so
  "refund_or_replace" becomes "refund" (`no_comparable_car`).
- Art. 27: after an Art. 24 para. 1 replacement or refund the consumer pays a usage fee
  of price x km / 1000 x n, n set by the maker and at most 0.5%; Arts. 20, 22 and 23 are
  free, and Art. 25 does not change whether the fee is due (it follows the ground).
- Art. 32: within the repair-warranty period the business is exempt for the quality
  problem when it proves one of five things (`Defence`); a proved defence makes the
  remedy "none". The claim may carry the defences raised; the finding says, for each
  one raised, what the remedy would be were it proved (`if_proved`).
- Art. 40: the rules cover household cars only ("为生活消费需要而购买和使用"); a car
  bought or used for business falls outside them (`use`, or the respondent's
  `not_household_use` defence). A single repair's time counts each started 24 hours
  as a day (`repair_days`).
- Art. 21: within the repair-warranty period, a single repair for a quality problem that
  takes more than 5 days (waiting for parts included) obliges the repairer, from the 6th
  day, to lend a courtesy car or pay reasonable transport costs. A claim that states the
  repair's hours (`repair_hours`, counted into days as Art. 40 says) is given the days
  owed (`courtesy_car`); a proved Art. 32 or Art. 40 exemption owes none. Not computed:
  which of the two, and what transport cost is "reasonable" (合理): the text sets no
  figure, and "经营者与消费者另有约定的，按照约定的方式予以补偿" lets an agreement
  replace both.
- Art. 26: a replacement car or a refund also makes good the registration fees, the
  seller's add-on and decoration charges less depreciation, and the seller's service
  charges; taxes and insurance follow national rules (`LOSSES_WITH_CAR_REMEDY`, shown
  with any remedy that replaces or refunds the car, not with Art. 20's replacement of an
  assembly). The amounts are not computed: the claim does not state what the buyer paid
  for them, the text gives no depreciation rate for item (2), and para. 2 refers taxes
  and insurance to rules outside this Order.
- Art. 28: a seller that receives a request for replacement or refund within the
  three-guarantee period answers within 10 working days of receiving it (with reasons
  if it refuses) and, where the conditions are met, completes it within 20 working days
  of the request. A claim that states the day of the request (`requested_on`, taken as
  the day the seller received it) is given both days on the case's working-day calendar
  (`car_claim.dealer_deadlines`). Para. 2's refund when a replacement is not completed
  within 20 working days changes no remedy computed here: "refund_or_replace" already
  leaves the refund to the buyer's choice, and whether a delay was the buyer's own is a
  fact only the panel can find.

Day counting: `days_since_delivery` is `(as_of - start).days`, the start day not
counted (Civil Code Art. 201), so "within 7 days" holds while it is at most 7. A period
whose last day is a statutory rest day ends on the day after the rest (Civil Code Art. 203:
"期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日"): given the case's work calendar,
`CarFacts.on_dates` moves the last day of the 7 days (Art. 22), the 60 days (Art. 23), the
three-guarantee period and the repair-warranty period (Art. 18) so, and the finding names each
moved period the facts fall in only because it moved (`moved_periods`), so the panel and the
parties see that the finding rests on it. Art. 204 lets a law or the parties count otherwise;
Order No. 43 does not.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from domain.money import MAX_AMOUNT_FEN, yuan
from expert_panels.periods import add_years, period_end, require_date

REGULATION = "家用汽车产品修理更换退货责任规定（国家市场监督管理总局令第43号）"

THREE_GUARANTEE_YEARS, THREE_GUARANTEE_KM = 2, 50_000  # Art. 18, statutory minimum
REPAIR_WARRANTY_YEARS, REPAIR_WARRANTY_KM = 3, 60_000  # Art. 18, statutory minimum
MIN_THREE_GUARANTEE_DAYS = 730  # the shortest 2 calendar years
MIN_REPAIR_WARRANTY_DAYS = 1095  # the shortest 3 calendar years
REFUND_WINDOW_DAYS = 7  # Art. 22: "自三包有效期起算之日起7日内"
EARLY_FAILURE_DAYS = 60  # Art. 23: "60日内或者行驶里程3000公里之内"
# Civil Code Art. 203: a period's last day that is a statutory rest day moves to the day after the rest.
ART203_RULE, ART203_ARTICLE = "civil_code_203_period_end", "《中华人民共和国民法典》第二百零三条"
# The periods `on_dates` counts, by the name a moved one is given in the finding.
PERIODS = ("refund_window", "early_failure", "three_guarantee", "repair_warranty")
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
    REFUND = "refund"  # Art. 25: a replacement is due but no comparable car exists, so a refund
    REPLACE_PART = "replace_part"  # a free replacement engine/transmission/battery/motor (Art. 20)
    REPAIR = "repair"  # free repair (Art. 19)
    NONE = "none"  # no remedy under these rules (outside the period, excluded, or a defence proved)


class Use(StrEnum):
    """What the car was bought and used for: the rules cover household cars only (Art. 40)."""

    HOUSEHOLD = "household"  # 为生活消费需要而购买和使用
    COMMERCIAL = "commercial"  # bought or used for business: outside these rules


class Defence(StrEnum):
    """What the business may prove to be exempt for the quality problem (Art. 32 para. 1, Art. 40)."""

    DISCLOSED_DEFECT = "disclosed_defect"  # (1) told in writing at purchase of a lawful flaw
    NOT_AS_MANUAL = "not_as_manual"  # (2) used, maintained or serviced against the manual or card
    MODIFICATION = "modification"  # (3) modified, adjusted or taken apart against the manual
    IMPROPER_HANDLING = "improper_handling"  # (4) the consumer's own improper handling of the problem
    FORCE_MAJEURE = "force_majeure"  # (5) damage by force majeure
    NOT_HOUSEHOLD_USE = "not_household_use"  # Art. 40: not a household car


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
# Arts. 20, 22 and 24(1)(ii) name the engine, transmission, traction battery and drive motor:
# every fault part of those systems, however it is named (a battery fire is the traction battery).
ASSEMBLY_SYSTEMS = ("engine", "transmission", "traction_battery", "drive_motor")
MAIN_ASSEMBLIES = frozenset(part for part, system in SYSTEM_OF_FAULT.items() if system in ASSEMBLY_SYSTEMS)


class InvalidCarFacts(ValueError):
    """Facts the calculator cannot reason about (negative counts, unknown part, short periods).

    `code` is the machine-readable reason an API answers with.
    """

    def __init__(self, message: str, code: str = "invalid_car_facts") -> None:
        super().__init__(message)
        self.code = code


def _count(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidCarFacts(f"{name} must be a non-negative integer")


@dataclass(frozen=True)
class MovedPeriod:
    """A period (one of `PERIODS`) whose last day was a statutory rest day, moved by Civil Code
    Art. 203 to the day after the rest; named only where the facts fall between the two days."""

    period: str
    last_day: str  # YYYY-MM-DD, as the period counts
    moved_to: str  # YYYY-MM-DD, the day after the rest
    rule: str = ART203_RULE
    article: str = ART203_ARTICLE


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
    use: Use = Use.HOUSEHOLD  # Art. 40
    no_comparable_car: bool = False  # Art. 25: no car of the same brand and model or better to replace it
    defences: tuple[Defence, ...] = ()  # Art. 32 (and Art. 40) defences raised, not yet proved
    proved_defences: tuple[Defence, ...] = ()  # those the panel finds proved
    repair_hours: int | None = None  # Art. 21: the single repair's time in hours, parts waited for included
    refund_window_days: int = REFUND_WINDOW_DAYS  # Art. 22's 7 days, longer where Art. 203 moved its end
    early_failure_days: int = EARLY_FAILURE_DAYS  # Art. 23's 60 days, likewise (`on_dates`)
    moved_periods: tuple[MovedPeriod, ...] = ()  # the moved periods the facts fall in only so

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "fault_part", FaultPart(self.fault_part))
        except ValueError:
            known = ", ".join(p.value for p in FaultPart)
            raise InvalidCarFacts(f"unknown fault part {self.fault_part!r}; known: {known}") from None
        try:
            object.__setattr__(self, "use", Use(self.use))
        except ValueError:
            known = ", ".join(u.value for u in Use)
            raise InvalidCarFacts(f"use must be one of {known} (Art. 40)", "invalid_car_use") from None
        for name in ("defences", "proved_defences"):
            object.__setattr__(self, name, _defences(getattr(self, name), name))
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
        if self.repair_hours is not None:
            _count(self.repair_hours, "repair_hours")
        for name in (
            "needs_main_part_replacement",
            "main_part_fault",
            "still_not_working",
            "no_comparable_car",
        ):
            if not isinstance(getattr(self, name), bool):
                raise InvalidCarFacts(f"{name} must be true or false")
        minimums = {
            "refund_window_days": REFUND_WINDOW_DAYS,
            "early_failure_days": EARLY_FAILURE_DAYS,
            "three_guarantee_days": MIN_THREE_GUARANTEE_DAYS,
            "three_guarantee_km": THREE_GUARANTEE_KM,
            "repair_warranty_days": MIN_REPAIR_WARRANTY_DAYS,
            "repair_warranty_km": REPAIR_WARRANTY_KM,
        }
        for name, minimum in minimums.items():
            _count(getattr(self, name), name)
            if getattr(self, name) < minimum:
                raise InvalidCarFacts(
                    f"{name} cannot be below the statutory minimum of {minimum} (Art. 18)",
                    "car_period_below_minimum",
                )

    @classmethod
    def on_dates(
        cls,
        start: date,
        as_of: date,
        *,
        three_guarantee_years: int = THREE_GUARANTEE_YEARS,
        repair_warranty_years: int = REPAIR_WARRANTY_YEARS,
        is_working_day: Callable[[date], bool] | None = None,
        **facts: Any,
    ) -> "CarFacts":
        """Facts from calendar dates: day count and period lengths exact across leap years, each
        period's end moved past a statutory rest day (Civil Code Art. 203) when the work calendar
        is given (`is_working_day`)."""
        require_date(start, "start")
        require_date(as_of, "as_of")
        for name, years, minimum in (
            ("three_guarantee_years", three_guarantee_years, THREE_GUARANTEE_YEARS),
            ("repair_warranty_years", repair_warranty_years, REPAIR_WARRANTY_YEARS),
        ):
            _count(years, name)
            if years < minimum:
                raise InvalidCarFacts(
                    f"{name} cannot be below the statutory minimum of {minimum} (Art. 18)",
                    "car_period_below_minimum",
                )
        if as_of < start:
            raise InvalidCarFacts("as_of is before the three-guarantee period starts")
        last_days = dict(
            zip(
                PERIODS,
                (
                    start + timedelta(days=REFUND_WINDOW_DAYS),
                    start + timedelta(days=EARLY_FAILURE_DAYS),
                    add_years(start, three_guarantee_years),
                    add_years(start, repair_warranty_years),
                ),
                strict=True,
            )
        )
        ends = {name: period_end(day, is_working_day) for name, day in last_days.items()}
        moved = tuple(
            MovedPeriod(name, last_days[name].isoformat(), ends[name].isoformat())
            for name in PERIODS
            if last_days[name] < as_of <= ends[name]
        )
        return cls(
            days_since_delivery=(as_of - start).days,
            refund_window_days=(ends["refund_window"] - start).days,
            early_failure_days=(ends["early_failure"] - start).days,
            three_guarantee_days=(ends["three_guarantee"] - start).days,
            repair_warranty_days=(ends["repair_warranty"] - start).days,
            moved_periods=moved,
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
        return self.days_since_delivery <= self.early_failure_days and self.km <= 3_000

    @property
    def system(self) -> str | None:
        """The system the faulty part belongs to (Art. 24(1)(iii)), the same for every name of it."""
        return SYSTEM_OF_FAULT.get(self.fault_part)


def _defences(value: Any, name: str) -> tuple[Defence, ...]:
    """Known defence names, each once, in the order of `Defence` (the articles' order)."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise InvalidCarFacts(f"{name} must be a list of defence names", "invalid_car_defences")
    known = {d.value: d for d in Defence}
    unknown = [v for v in value if not isinstance(v, str) or v not in known]
    if unknown:
        raise InvalidCarFacts(
            f"unknown defence {unknown[0]!r}; known: {', '.join(known)}", "invalid_car_defences"
        )
    if len(set(value)) != len(value):
        raise InvalidCarFacts(f"{name} names a defence twice", "invalid_car_defences")
    return tuple(d for d in Defence if d.value in value)


@dataclass(frozen=True)
class Rule:
    code: str
    article: str
    remedy: Remedy
    summary: str
    applies: Callable[[CarFacts], bool]
    usage_fee: bool = False  # Art. 27: the consumer pays a usage fee on replacement or refund
    excludes: bool = False  # Arts. 32 and 40: no other rule applies once this one does


def _cite(article: str) -> str:
    return f"{REGULATION}{article}"


def _serious_safety_fault(f: CarFacts) -> bool:
    return f.within_warranty and f.serious_safety_fault_failed_repairs >= 2


def _assembly_replaced_twice(f: CarFacts) -> bool:
    return (
        f.within_warranty
        and f.fault_part in MAIN_ASSEMBLIES  # a battery fire too: Art. 24(1)(ii)'s 动力蓄电池
        and f.assembly_replacements >= 2
        and f.still_not_working
    )


def _main_part_replaced_twice(f: CarFacts) -> bool:
    return (
        f.within_warranty
        and f.system is not None
        and f.same_main_part_replacements >= 2
        and f.still_not_working
    )


def _not_household(f: CarFacts) -> bool:
    return f.use is Use.COMMERCIAL or Defence.NOT_HOUSEHOLD_USE in f.proved_defences


def _proved(defence: Defence) -> Callable[[CarFacts], bool]:
    """Art. 32 exempts the business within the repair-warranty period (包修期内) once proved."""
    return lambda f: f.within_repair_warranty and defence in f.proved_defences


# Art. 32 para. 1, item by item: the defence, the item's number, and what it exempts.
_ART32_ITEMS = (
    (Defence.DISCLOSED_DEFECT, "一", "the buyer was told in writing at purchase of this flaw"),
    (
        Defence.NOT_AS_MANUAL,
        "二",
        "damage from use, maintenance or servicing against the manual or the three-guarantee card",
    ),
    (
        Defence.MODIFICATION,
        "三",
        "damage from modifying, adjusting or taking apart the car where the manual forbids it",
    ),
    (
        Defence.IMPROPER_HANDLING,
        "四",
        "damage from the buyer's own improper handling once the problem appeared",
    ),
    (Defence.FORCE_MAJEURE, "五", "damage by force majeure"),
)

# The rule each defence decides the remedy by once proved (what `if_proved` names it by).
DEFENCE_RULES: dict[Defence, str] = {
    Defence.NOT_HOUSEHOLD_USE: "art40_not_household",
    **{defence: f"art32_{defence.value}" for defence, _, _ in _ART32_ITEMS},
}

# Every article number below was checked against the Order No. 43 text named in the module docstring.
RULES: tuple[Rule, ...] = (
    Rule(
        DEFENCE_RULES[Defence.NOT_HOUSEHOLD_USE],
        _cite("第四十条"),
        Remedy.NONE,
        "not a household car (bought or used for business): these rules do not apply",
        _not_household,
        excludes=True,
    ),
    *(
        Rule(
            DEFENCE_RULES[defence],
            _cite(f"第三十二条第一款第（{item}）项"),
            Remedy.NONE,
            "within the repair-warranty period the business is exempt for this quality problem: " + what,
            _proved(defence),
            excludes=True,
        )
        for defence, item, what in _ART32_ITEMS
    ),
    Rule(
        "art22_main_assembly_within_7_days",
        _cite("第二十二条"),
        Remedy.REFUND_OR_REPLACE,
        "within 7 days, the engine, transmission, traction battery or drive motor (or a main part) "
        "needs replacing: a replacement car or a refund, free",
        lambda f: (
            f.days_since_delivery <= f.refund_window_days
            and f.fault_part in MAIN_ASSEMBLIES
            and f.needs_main_part_replacement
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


# Art. 25: where a replacement is due and no comparable car exists, the consumer may take a refund.
ART25_RULE, ART25_ARTICLE = "art25_no_comparable_car", _cite("第二十五条")
# Art. 21: from the 6th day of a single repair over 5 days, a courtesy car or transport costs.
ART21_RULE, ART21_ARTICLE = "art21_courtesy_car", _cite("第二十一条")
COURTESY_AFTER_DAYS = 5  # "单次修理时间超过5日 ... 自第6日起"
# Art. 26: what a replacement car or a refund makes good besides the car, item by item.
ART26_RULE, ART26_ARTICLE = "art26_losses", _cite("第二十六条")
LOSSES_WITH_CAR_REMEDY = ("registration_fees", "add_ons_less_depreciation", "service_charges")
CAR_REMEDIES = frozenset({Remedy.REFUND_OR_REPLACE, Remedy.REFUND})  # the car itself replaced or refunded
# Art. 28: the seller answers a request for replacement or refund, and completes it, in working days.
ART28_RULE, ART28_ARTICLE = "art28_dealer_deadlines", _cite("第二十八条")
ANSWER_WORKING_DAYS, COMPLETE_WORKING_DAYS = 10, 20


@dataclass(frozen=True)
class Ground:
    rule: str
    article: str
    remedy: Remedy


@dataclass(frozen=True)
class CourtesyCar:
    """Art. 21 on the stated repair: its length in days (Art. 40's count) and the days from the 6th
    on for which a courtesy car or reasonable transport costs are owed (0: none)."""

    rule: str
    article: str
    repair_days: int
    days_owed: int


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
    no_comparable_car: Ground | None = None  # Art. 25 turned "refund_or_replace" into "refund"
    if_proved: tuple[Ground, ...] = ()  # each raised defence that would change the remedy, and to what
    courtesy_car: CourtesyCar | None = None  # Art. 21, when the claim states the repair's hours
    moved_periods: tuple[MovedPeriod, ...] = ()  # Civil Code Art. 203: periods the facts fall in only so


def _refund_if_no_car(remedy: Remedy, facts: CarFacts) -> Remedy:
    """Art. 25: a replacement car is due but none comparable exists: the consumer takes a refund."""
    if facts.no_comparable_car and remedy is Remedy.REFUND_OR_REPLACE:
        return Remedy.REFUND
    return remedy


def _decide(facts: CarFacts) -> RemedyFinding:
    applying = [rule for rule in RULES if rule.applies(facts)]
    first = applying[0]  # the last two rules cover every case between them
    if first.excludes:
        applying = [first]
    remedy = _refund_if_no_car(first.remedy, facts)
    return RemedyFinding(
        remedy=remedy,
        rule=first.code,
        article=first.article,
        summary=first.summary,
        usage_fee=first.usage_fee,
        within_warranty=facts.within_warranty,
        within_repair_warranty=facts.within_repair_warranty,
        grounds=tuple(Ground(r.code, r.article, _refund_if_no_car(r.remedy, facts)) for r in applying),
        no_comparable_car=(
            Ground(ART25_RULE, ART25_ARTICLE, Remedy.REFUND) if remedy is not first.remedy else None
        ),
        courtesy_car=_courtesy_car(facts, exempt=first.excludes),
        moved_periods=facts.moved_periods,
    )


def _courtesy_car(facts: CarFacts, *, exempt: bool) -> CourtesyCar | None:
    """Art. 21: "在包修期内因质量问题单次修理时间超过5日（包括等待修理零部件时间）的，修理者应当自第6日起
    为消费者提供备用车，或者向消费者支付合理的交通费用补偿". Owed for the days from the 6th on, within
    the repair-warranty period, unless the business is exempt for the problem (Arts. 32, 40)."""
    if facts.repair_hours is None:
        return None
    days = repair_days(facts.repair_hours)
    owed = days - COURTESY_AFTER_DAYS if facts.within_repair_warranty and not exempt else 0
    return CourtesyCar(ART21_RULE, ART21_ARTICLE, days, max(owed, 0))


def losses_with(remedy: Remedy | str) -> tuple[str, ...]:
    """Art. 26: "销售者为消费者更换家用汽车产品或者退货，应当赔偿消费者下列损失" (registration fees; the
    seller's add-on and decoration charges less depreciation; the seller's service charges) with a
    remedy that replaces or refunds the car; none with a repair or Art. 20's replacement of an assembly."""
    return LOSSES_WITH_CAR_REMEDY if Remedy(remedy) in CAR_REMEDIES else ()


def statutory_remedy(facts: CarFacts) -> RemedyFinding:
    """What Order No. 43 gives the consumer on these facts: the first rule of `RULES` that applies,
    and for each defence raised but not proved, the remedy were it proved, where that differs."""
    finding = _decide(facts)
    if_proved = []
    for defence in facts.defences:
        if defence in facts.proved_defences:
            continue
        alternative = _decide(replace(facts, proved_defences=(*facts.proved_defences, defence)))
        if alternative.remedy is not finding.remedy:
            if_proved.append(Ground(alternative.rule, alternative.article, alternative.remedy))
    return replace(finding, if_proved=tuple(if_proved))


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
