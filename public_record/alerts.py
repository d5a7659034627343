"""Complaint spikes: a category or a business whose complaints jump against its own baseline.

The rule (docs/PUBLIC_RECORD.md): complaints are counted per calendar month (Asia/Shanghai).
For each category and each business, the month under review is compared with the
BASELINE_MONTHS months before it (months without complaints count as zero):

    threshold = max(MIN_COUNT, mean + SPREAD * max(sd, sqrt(mean), 1))

and an alert is raised when the month's count reaches the threshold. `sd` is the baseline's
population standard deviation; the floor sqrt(mean) is the spread a steady Poisson rate
has anyway, and 1 keeps a flat baseline from alarming at its first extra complaint.
MIN_COUNT keeps small numbers quiet: four complaints are never a spike.
"""

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from statistics import fmean, pstdev

from domain.alert_codes import AlertParams
from public_record.complaints import Complaint
from public_record.periods import Month

BASELINE_MONTHS = 3
MIN_COUNT = 5
SPREAD = 3.0


@dataclass(frozen=True)
class SpikeAlert:
    subject: str  # "category" | "business"
    key: str  # renovation/waterproofing, or the business's party id
    label: str  # what a person reads
    month: str
    count: int
    baseline: list[int]  # oldest first
    mean: float
    sd: float
    threshold: float

    @property
    def business_key(self) -> str:
        return f"complaint-spike:{self.subject}:{self.key}:{self.month}"

    @property
    def params(self) -> AlertParams:
        """What the council's alert (code COMPLAINT_SPIKE) says, rendered in the reader's language."""
        return {
            "label": self.label,
            "count": str(self.count),
            "month": self.month,
            "baseline": ", ".join(map(str, self.baseline)),
            "mean": f"{self.mean:.1f}",
            "sd": f"{self.sd:.1f}",
            "threshold": f"{self.threshold:.1f}",
        }


def threshold(baseline: list[int]) -> tuple[float, float, float]:
    """(mean, sd, threshold) of a baseline."""
    mean, sd = fmean(baseline), pstdev(baseline)
    return mean, sd, max(MIN_COUNT, mean + SPREAD * max(sd, math.sqrt(mean), 1.0))


def spikes(
    complaints: list[Complaint], month: Month, labels: dict[str, str] | None = None
) -> list[SpikeAlert]:
    """Alerts for `month`, categories first, each group by count descending."""
    months = [month]
    for _ in range(BASELINE_MONTHS):
        months.insert(0, months[0].previous())
    filed = [c for c in complaints if c.is_complaint]
    found = []
    keys: tuple[tuple[str, Callable[[Complaint], str]], ...] = (
        ("category", lambda c: c.category),
        ("business", lambda c: c.business_id),
    )
    for subject, key_of in keys:
        counts: dict[str, Counter[Month]] = {}
        for complaint in filed:
            counts.setdefault(key_of(complaint), Counter())[Month.of(complaint.filed_at)] += 1
        group = []
        for key, per_month in counts.items():
            count = per_month[month]
            baseline = [per_month[m] for m in months[:-1]]
            mean, sd, limit = threshold(baseline)
            if count >= limit:
                label = (labels or {}).get(key, key)
                group.append(SpikeAlert(subject, key, label, str(month), count, baseline, mean, sd, limit))
        found += sorted(group, key=lambda a: (-a.count, a.key))
    return found
