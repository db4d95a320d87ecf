"""The few facts of an event shown beside every answer about it (scans, history, lists)."""
from server.common.timeutil import iso_local


def event_brief(event) -> dict:
    return {"id": event.id, "title": event.title, "kind": event.kind, "place_name": event.place_name,
            "starts_at": iso_local(event.starts_at), "ends_at": iso_local(event.ends_at)}
