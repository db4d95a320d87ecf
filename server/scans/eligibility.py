"""Who may check in to an event, by its audience."""
from server.auth.models import User
from server.events.models import Event


def is_eligible(user: User, event: Event) -> bool:
    if event.audience == "open":
        return True
    if event.audience == "organization":
        return bool(user.branch and event.host_org and user.branch.path.startswith(event.host_org.path))
    if event.audience == "community":
        return user.community_id is not None and user.community_id == event.host_community_id
    return False
