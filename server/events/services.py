"""Event rules: kind defaults, the check-in window, who may create and change what."""
from datetime import timedelta

from server.events.models import Event

KIND_DEFAULTS = {
    "party_day": {"requires_checkout": False, "requires_confirmation": False, "audience": "organization"},
    "volunteer_service": {"requires_checkout": True, "requires_confirmation": False, "audience": "open"},
    "community_duty": {"requires_checkout": True, "requires_confirmation": True, "audience": "community"},
}


def new_event(kind, title, starts_at, ends_at, host_org_id=None, host_community_id=None,
              opens_before=timedelta(minutes=30), closes_after=timedelta(minutes=30), **fields) -> Event:
    """An event with its kind's defaults; fields override them."""
    values = {**KIND_DEFAULTS[kind], **fields}
    return Event(kind=kind, title=title, starts_at=starts_at, ends_at=ends_at, host_org_id=host_org_id,
                 host_community_id=host_community_id, window_opens_at=starts_at - opens_before,
                 window_closes_at=ends_at + closes_after, **values)
