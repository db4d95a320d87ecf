"""How long a member served: clipped to the event, rounded down to the step."""
import math
from datetime import datetime


def compute_hours(starts_at: datetime, ends_at: datetime, checkin_at: datetime,
                  checkout_at: datetime, step: float) -> float:
    """Time inside the scheduled event only, so early arrival or a late checkout adds nothing."""
    begin = max(checkin_at, starts_at)
    end = min(checkout_at, ends_at)
    seconds = max(0.0, (end - begin).total_seconds())
    hours = seconds / 3600
    return math.floor(hours / step + 1e-9) * step if step > 0 else hours
