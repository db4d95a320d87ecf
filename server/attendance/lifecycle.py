"""The attendance lifecycle: its states, the moves allowed between them, and what counts.

Every change of an attendance's state goes through transition() (added with the lifecycle work);
nothing else writes `state`. The tables below are the one definition used by hours review,
closing, annulment, history, reports and the app's labels.
"""

STATES = ("checked_in", "checked_out", "pending", "confirmed", "rejected", "no_checkout", "annulled")
LABELS = {
    "checked_in": ("已签到", "Checked in"),
    "checked_out": ("已签退", "Checked out"),
    "pending": ("待确认", "Awaiting confirmation"),
    "confirmed": ("已确认", "Confirmed"),
    "rejected": ("未通过", "Rejected"),
    "no_checkout": ("未签退", "No check-out"),
    "annulled": ("已作废", "Annulled"),
}
OPEN = ("checked_in",)                    # a check-out may still come
COUNTED = ("checked_out", "confirmed")    # hours_confirmed of these count toward hours and points
ATTENDED = tuple(s for s in STATES if s not in ("annulled", "rejected"))  # was there, for participation

# action -> (states it may start from, state it ends in; None: kept, or decided by the action)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "check_out": (("checked_in",), None),              # checked_out, or pending when the kind needs confirmation
    "confirm": (("pending",), "confirmed"),
    "adjust": (("pending", "confirmed", "rejected", "checked_out"), "confirmed"),
    "reject": (("pending", "confirmed", "checked_out", "no_checkout"), "rejected"),
    "set": (("no_checkout",), "confirmed"),
    "close": (("checked_in",), "no_checkout"),
    "annul": (tuple(s for s in STATES if s != "annulled"), "annulled"),
    "dispute": (("pending", "confirmed", "rejected", "no_checkout", "checked_out"), None),  # the member objects
}


def allowed(action: str, state: str) -> bool:
    return state in TRANSITIONS[action][0]
