"""Political birthdays (政治生日): the day a member joined the Party (users.joined_party_on, from the roster's
入党时间 column or set by staff). Secretaries list a month's birthdays of their tree; on the day, the member's
home greets them with their years in the Party."""
from datetime import date

from sqlalchemy import extract, select

from server.auth.models import Organization, User
from server.auth.scope import scope_of
from server.common.errors import Forbidden, NotFound
from server.common.timeutil import to_local, utcnow
from server.extensions import db


def years_in_party(joined: date, on: date) -> int:
    return on.year - joined.year - ((on.month, on.day) < (joined.month, joined.day))


def is_birthday(joined: date, on: date) -> bool:
    """The same month and day; a 29 February joiner celebrates on 28 February in other years."""
    if (joined.month, joined.day) == (2, 29) and (on.month, on.day) == (2, 28):
        return on.year % 4 != 0 or (on.year % 100 == 0 and on.year % 400 != 0)
    return (joined.month, joined.day) == (on.month, on.day)


def today() -> date:
    return to_local(utcnow()).date()


def month_list(actor: User, org_id: int, year: int, month: int) -> dict:
    """Active members of the organization's tree whose Party birthday falls in the month, by day."""
    org = db.session.get(Organization, org_id)
    if org is None:
        raise NotFound(details={"org_id": org_id})
    if not scope_of(actor).manages_org(org):
        raise Forbidden(details={"org_id": org_id})
    rows = db.session.execute(
        select(User.id, User.name, User.joined_party_on, Organization.name.label("branch"))
        .join(Organization, Organization.id == User.branch_id)
        .where(Organization.path.startswith(org.path), User.active.is_(True), User.joined_party_on.is_not(None),
               extract("month", User.joined_party_on) == month)
        .order_by(extract("day", User.joined_party_on), User.name, User.id))
    items = []
    for r in rows:
        day = min(r.joined_party_on.day, 28) if (month, r.joined_party_on.day) == (2, 29) and year % 4 else \
            r.joined_party_on.day
        on = date(year, month, day)
        items.append({"member_id": r.id, "name": r.name, "branch_name": r.branch,
                      "joined_party_on": r.joined_party_on.isoformat(), "birthday": on.isoformat(),
                      "years": years_in_party(r.joined_party_on, on)})
    return {"org_id": org.id, "month": f"{year}-{month:02d}", "items": items}


def greeting(user: User) -> dict:
    """The member's own: whether today is their political birthday, and their years in the Party."""
    joined, on = user.joined_party_on, today()
    if joined is None:
        return {"joined_party_on": None, "today": False, "years": None}
    return {"joined_party_on": joined.isoformat(), "today": is_birthday(joined, on) and on > joined,
            "years": years_in_party(joined, on)}
