"""What the service record shows for an event: recipient, content, leader, recorder."""


from server.auth.models import User
from server.common import audit
from server.extensions import db
from server.hours.common import commit, managed_event
from server.hours.models import EventServiceInfo

INFO_FIELDS = ("recipient", "content", "leader_name", "recorder_name")


def get_service_info(user: User, event_id: int) -> dict:
    event = managed_event(user, event_id)
    info = db.session.get(EventServiceInfo, event.id)
    return {"event_id": event.id, **{f: getattr(info, f) if info else "" for f in INFO_FIELDS}}


def put_service_info(user: User, event_id: int, data: dict) -> dict:
    """What the service record shows for this event: recipient, content, leader, recorder."""
    event = managed_event(user, event_id)
    info = db.session.get(EventServiceInfo, event.id)
    before = {f: getattr(info, f) for f in INFO_FIELDS} if info else None
    if info is None:
        info = EventServiceInfo(event_id=event.id, **{f: "" for f in INFO_FIELDS})
        db.session.add(info)
    for f in INFO_FIELDS:
        if f in data and data[f] is not None:
            setattr(info, f, data[f].strip())
    info.updated_by_id = user.id
    audit.record(user.id, "event.service_info", "event", event.id, before,
                 {f: getattr(info, f) for f in INFO_FIELDS})
    commit()
    return get_service_info(user, event_id)
