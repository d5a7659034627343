"""Over random registries: nobody who must be kept out is ever drawn, and a returned panel meets its quota.

The oracle below re-derives eligibility straight from the rules in DESIGN.md with its
own date arithmetic, so it does not share the code under test.
"""

from datetime import date, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from expert_panels.draw import DrawRequest, PanelUnfillable, draw_panel, replace_seat, verify_draw
from expert_panels.registry import SPECIALTIES, Affiliation, Expert

ORGS = ["ORG-A", "ORG-B", "ORG-C", "ORG-D"]
MAIN_SPECIALTIES = ("waterproofing", "plumbing")
FIRST_DAY, LAST_DAY = date(2016, 1, 1), date(2028, 12, 31)


def years_before(day: date, years: int) -> date:
    if (day.month, day.day) == (2, 29):
        day = day - timedelta(days=1)
    return date(day.year - years, day.month, day.day)


def must_be_kept_out(req: DrawRequest, e: Expert) -> bool:
    window_start = years_before(req.as_of, req.conflict_years)
    conflicted = any(
        a.org_id in req.party_org_ids and (a.end is None or a.end >= window_start) for a in e.affiliations
    )
    return (
        conflicted
        or not e.active
        or e.domain != req.domain
        or e.open_cases >= req.workload_cap
        or e.expert_id in req.struck
        or e.expert_id in req.excluded
    )


dates = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)


@st.composite
def affiliations(draw):
    start = draw(dates)
    end = draw(st.none() | st.integers(min_value=0, max_value=2000).map(lambda n: start + timedelta(days=n)))
    return Affiliation(draw(st.sampled_from(ORGS)), draw(st.sampled_from(["employed", "paid"])), start, end)


@st.composite
def registries(draw):
    size = draw(st.integers(min_value=2, max_value=18))
    experts = []
    for n in range(size):
        domain = draw(st.sampled_from(["renovation", "renovation", "renovation", "car"]))
        # renovation experts lean towards the two specialties cases are drawn for, so panels do form
        pool = SPECIALTIES[domain] + (MAIN_SPECIALTIES * 3 if domain == "renovation" else ())
        specialties = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        experts.append(
            Expert(
                expert_id=f"E{n:02}",
                name=f"Expert {n}",
                domain=domain,
                specialties=specialties,
                affiliations=draw(st.lists(affiliations(), max_size=2)),
                open_cases=draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3, 4, 5])),
                active=draw(st.sampled_from([True, True, True, True, False])),
            )
        )
    # a few clean specialists so that panels form often, while the random ones test the exclusions
    for n in range(draw(st.integers(min_value=0, max_value=5))):
        experts.append(Expert(f"K{n:02}", f"Clean {n}", "renovation", list(MAIN_SPECIALTIES)))
    return experts


@st.composite
def cases(draw):
    experts = draw(registries())
    ids = [e.expert_id for e in experts]
    some_ids = st.lists(st.sampled_from(ids), max_size=2, unique=True) if ids else st.just([])
    req = DrawRequest(
        case_id=f"CASE-2026-{draw(st.integers(min_value=1, max_value=99999)):05}",
        domain="renovation",
        main_specialty=draw(st.sampled_from(MAIN_SPECIALTIES)),
        party_org_ids=tuple(draw(st.lists(st.sampled_from(ORGS), min_size=1, max_size=2, unique=True))),
        as_of=draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31))),
        panel_size=draw(st.integers(min_value=1, max_value=5)),
        min_main_specialty=draw(st.integers(min_value=0, max_value=3)),
        workload_cap=draw(st.integers(min_value=1, max_value=4)),
        conflict_years=draw(st.integers(min_value=0, max_value=4)),
        struck={i: "struck by a party" for i in draw(some_ids)},
        excluded={i: "previous panel" for i in draw(some_ids)},
        alternates=draw(st.integers(min_value=0, max_value=3)),
    )
    order = draw(st.permutations(experts))
    seed = draw(st.text(alphabet="0123456789abcdef-", min_size=1, max_size=16))
    return req, experts, order, seed


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_nobody_kept_out_is_ever_drawn_and_the_quota_holds(case):
    req, experts, shuffled, seed = case
    kept_out = {e.expert_id for e in experts if must_be_kept_out(req, e)}
    specialists = {e.expert_id for e in experts if req.main_specialty in e.specialties}
    eligible = [e.expert_id for e in experts if e.expert_id not in kept_out]
    quota = min(req.min_main_specialty, req.panel_size)
    try:
        record = draw_panel(req, experts, seed)
    except PanelUnfillable as exc:
        event(f"unfillable: {exc.requirement}")
        # refused only when the eligible pool really is too small
        assert len(eligible) < req.panel_size or len(set(eligible) & specialists) < quota
        return

    event("panel drawn" + (" with someone kept out" if kept_out else ""))
    assert set(record.exclusions) == kept_out
    drawn = record.panel + record.alternates
    assert not set(drawn) & kept_out
    assert len(record.panel) == req.panel_size and len(set(drawn)) == len(drawn)
    assert len(record.alternates) == min(req.alternates, len(eligible) - req.panel_size)
    assert sum(1 for i in record.panel if i in specialists) >= quota
    assert record.chair == record.panel[0]
    assert draw_panel(req, shuffled, seed) == record
    assert verify_draw(record, shuffled) == []

    # seats passing to alternates never bring in anyone kept out, and keep the quota
    while record.alternates:
        try:
            record, chosen = replace_seat(record, record.panel[0], "declined")
        except PanelUnfillable:
            break
        assert chosen not in kept_out
        assert sum(1 for i in record.panel if i in specialists) >= quota
    assert verify_draw(record, experts) == []
