"""Every kind of event and how it behaves: the one place that names a kind.

Adding a kind is a row here, a migration for its points rule row, and nothing else.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """How one kind of event behaves; code elsewhere asks these questions instead of naming kinds."""

    code: str
    label_zh: str
    label_en: str
    host: str                    # "organization" or "community": who may host it
    audience: str                # default audience (see events.models.AUDIENCES)
    records_hours: bool          # check-out, hours served (else check-in only)
    needs_confirmation: bool     # hours count only once a liaison confirms them
    late_rule: bool              # check-ins after start + late_after_minutes are late
    pays_at_checkin: bool        # the points rule pays checkin_points / late_checkin_points
    deducts_absence: bool        # roster members absent when it closes get absence_points
    expects_roster: bool         # expected attendees = the host branch's roster (attendance rate, absentees)
    default_rule: tuple[int, int, int, int]  # checkin, late_checkin, absence, per_hour points
    reviewed_by: str | None = None  # "liaison" (host community) or "organizer" (host tree); None: no hours review
    org_life: bool = False          # a meeting of organizational life (三会一课, Party day): leave, records, compliance
    min_per: tuple[str, int] | None = None  # default requirement: at least n per "month" / "quarter" / "year"

    def label(self, lang: str = "zh") -> str:
        return self.label_en if lang == "en" else self.label_zh

    def rule_code(self, what: str) -> str:
        """Points rule codes: '<kind>.checkin', '.late_checkin', '.absence', '.hours'."""
        return f"{self.code}.{what}"


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("party_day", "主题党日", "Party day", host="organization", audience="organization",
         records_hours=False, needs_confirmation=False, late_rule=True, pays_at_checkin=True,
         deducts_absence=True, expects_roster=True, default_rule=(5, 3, -2, 0), org_life=True,
         min_per=("month", 1)),
    # 三会一课: check-in only by the same QR flow; the audience says who is expected (the branch, its
    # committee members 支委, or one Party group 党小组)
    Kind("branch_assembly", "支部党员大会", "Branch general meeting", host="organization", audience="organization",
         records_hours=False, needs_confirmation=False, late_rule=True, pays_at_checkin=True,
         deducts_absence=True, expects_roster=True, default_rule=(5, 3, -2, 0), org_life=True,
         min_per=("quarter", 1)),
    Kind("committee_meeting", "支委会", "Branch committee meeting", host="organization", audience="committee",
         records_hours=False, needs_confirmation=False, late_rule=True, pays_at_checkin=True,
         deducts_absence=True, expects_roster=True, default_rule=(3, 2, -2, 0), org_life=True,
         min_per=("month", 1)),
    Kind("group_meeting", "党小组会", "Party group meeting", host="organization", audience="group",
         records_hours=False, needs_confirmation=False, late_rule=True, pays_at_checkin=True,
         deducts_absence=True, expects_roster=True, default_rule=(3, 2, -1, 0), org_life=True,
         min_per=("month", 1)),
    Kind("party_lecture", "党课", "Party lecture", host="organization", audience="organization",
         records_hours=False, needs_confirmation=False, late_rule=True, pays_at_checkin=True,
         deducts_absence=True, expects_roster=True, default_rule=(5, 3, -2, 0), org_life=True,
         min_per=("quarter", 1)),
    Kind("volunteer_service", "志愿服务", "Volunteer service", host="organization", audience="open",
         records_hours=True, needs_confirmation=False, late_rule=False, pays_at_checkin=False,
         deducts_absence=False, expects_roster=False, default_rule=(0, 0, 0, 10), reviewed_by="organizer"),
    Kind("community_duty", "社区服务", "Community service", host="community", audience="community",
         records_hours=True, needs_confirmation=True, late_rule=False, pays_at_checkin=False,
         deducts_absence=False, expects_roster=False, default_rule=(0, 0, 0, 10), reviewed_by="liaison"),
)}
CODES = tuple(KINDS)


def kind_of(code: str) -> Kind:
    return KINDS[code]


def codes_where(**flags) -> tuple[str, ...]:
    """Kinds with the given flags, for SQL filters: codes_where(records_hours=True)."""
    return tuple(k.code for k in KINDS.values() if all(getattr(k, f) == v for f, v in flags.items()))
SLOT_KIND = next(k.code for k in KINDS.values() if k.host == "community")  # a community's duty slots are its events
