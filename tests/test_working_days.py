"""Working days from a kept library (issue 19 point 2; DESIGN "Law the rules follow", "Time").

python-holidays' China calendar gives every year's statutory holidays and, for the years whose
State Council notice it carries, the notice's days off and weekend working days; the override file
(config/holidays_cn.json) adds a notice newer than the library. The python-holidays pinned in
requirements.lock (0.109) carries notices up to 2026, so 2027 on is provisional here: a release
of the library with the 2027 notice moves these tests' 2027 cases to official.
"""

from datetime import date, timedelta

from typer.testing import CliRunner

from cli.calendar import due_line
from cli.main import app
from config.calendar_cn import Notice, china_calendar, read_notices
from config.settings import Settings

# The State Council General Office's notice on the 2026 holidays (published November 2025):
# every day off it announces, and every weekend day it makes a working day.
NOTICE_2026_DAYS_OFF = [
    *("2026-01-01", "2026-01-02", "2026-01-03"),  # New Year
    *(f"2026-02-{d}" for d in range(15, 24)),  # Spring Festival, 15 to 23 February
    *("2026-04-04", "2026-04-05", "2026-04-06"),  # Qingming
    *(f"2026-05-0{d}" for d in range(1, 6)),  # Labour Day
    *("2026-06-19", "2026-06-20", "2026-06-21"),  # Dragon Boat
    *("2026-09-25", "2026-09-26", "2026-09-27"),  # Mid-Autumn
    *(f"2026-10-0{d}" for d in range(1, 8)),  # National Day
]
NOTICE_2026_WORKDAYS = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]


def every_day(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


def test_2026_is_the_state_councils_notice_to_the_day():
    off = {date.fromisoformat(d) for d in NOTICE_2026_DAYS_OFF}
    worked = {date.fromisoformat(d) for d in NOTICE_2026_WORKDAYS}
    calendar = china_calendar(2026, 2026, read_notices(Settings().holidays_file))
    differing = [
        day
        for day in every_day(2026)
        if calendar.is_working_day(day) != (day in worked or (day.weekday() < 5 and day not in off))
    ]
    assert differing == []
    assert calendar.official_years == {2026} and calendar.provisional_years == set()


def test_a_year_is_official_only_with_its_notice():
    calendar = china_calendar(2025, 2028, {})
    assert calendar.official_years == {2025, 2026}  # the library carries their make-up days
    assert calendar.provisional_years == {2027, 2028}  # statutory holidays only
    # a provisional year still has its statutory holidays, and the rest day for one on a weekend
    assert not calendar.is_working_day(date(2027, 10, 1))  # National Day, a Friday
    assert not calendar.is_working_day(date(2027, 10, 4))  # for 2 and 3 October, a weekend


def test_a_notice_in_the_override_file_replaces_the_librarys_year_and_makes_it_official(tmp_path):
    override = tmp_path / "holidays.json"
    override.write_text(
        '{"about": "test", "years": {"2027": {"notice": "a notice for 2027",'
        ' "holidays": ["2027-02-05", "2027-02-11"], "makeup_workdays": ["2027-02-20"]}}}'
    )
    notices = read_notices(override)
    assert notices == {
        2027: Notice(
            "a notice for 2027",
            frozenset({date(2027, 2, 5), date(2027, 2, 11)}),
            frozenset({date(2027, 2, 20)}),
        )
    }
    calendar = china_calendar(2027, 2027, notices)
    assert calendar.official_years == {2027} and calendar.provisional_years == set()
    assert not calendar.is_working_day(date(2027, 2, 11))  # the notice's day off
    assert calendar.is_working_day(date(2027, 2, 20))  # its Saturday worked
    assert calendar.is_working_day(date(2027, 2, 9))  # the library's guess for 2027, replaced
    assert calendar.is_working_day(date(2027, 10, 4))


def test_the_shipped_override_file_reads_and_names_only_official_years():
    notices = read_notices(Settings().holidays_file)
    calendar = china_calendar(2026, 2026 + 10, notices)
    assert set(notices) <= calendar.official_years


def test_the_calendar_document_keeps_only_what_changes_a_count_and_reads_back():
    calendar = Settings().work_calendar(2025)
    document = calendar.document()
    assert document["official_years"] == ["2025", "2026"]
    assert document["provisional_years"] == ["2027", "2028"]
    assert all(date.fromisoformat(d).weekday() < 5 for d in document["holidays"])
    assert all(date.fromisoformat(d).weekday() >= 5 for d in document["makeup_workdays"])
    assert date(2026, 10, 3) not in calendar.holidays  # a Saturday off: no count changes
    assert type(calendar).from_document(document) == calendar


# The issue's cases, counted as a case filed that day counts its 7-working-day acceptance
# (SAMR Order No. 20 art. 14).
ISSUE_CASES = [
    # Fri 26 Sep 2025: Sun 28 Sep (worked) 1, 29-30 Sep 2-3, National Day and Mid-Autumn off
    # 1-8 Oct, 9-10 Oct 4-5, Sat 11 Oct (worked) 6, Mon 13 Oct 7
    ("2025-09-26", "2025-10-13", "official"),
    # Mon 28 Dec 2026: 29-31 Dec 1-3, 1 Jan 2027 off, 4-7 Jan 4-7
    ("2026-12-28", "2027-01-07", "provisional"),
    # Thu 28 Jan 2027: 29 Jan 1, 1-4 Feb 2-5, Spring Festival off 5-10 Feb (eve, days 1 to 3
    # and the rest days for those on the weekend), 11-12 Feb 6-7
    ("2027-01-28", "2027-02-12", "provisional"),
]


def test_the_issues_deadlines_skip_the_holidays():
    for start, due, status in ISSUE_CASES:
        filed = date.fromisoformat(start)
        assert due_line(Settings().work_calendar(filed.year), filed, 7) == (date.fromisoformat(due), status)


def test_escrow_calendar_prints_the_due_date_and_its_status_last():
    runner = CliRunner()
    for start, due, status in ISSUE_CASES:
        result = runner.invoke(app, ["calendar", "--from", start, "--working-days", "7"])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[-1] == f"{due} {status}"
    table = runner.invoke(app, ["calendar", "--from", "2025-09-26", "--working-days", "7"]).output
    assert "National Day" in table and "2025-10-08" in table and "2025-10-11" in table


def test_escrow_calendar_wants_a_start_and_a_count_or_push():
    result = CliRunner().invoke(app, ["calendar", "--from", "2025-09-26"])
    assert result.exit_code == 2 and "--working-days" in result.output
    result = CliRunner().invoke(app, ["calendar", "--from", "26/09/2025", "--working-days", "7"])
    assert result.exit_code == 2
