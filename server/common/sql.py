"""Query-shape helpers that say to a planner what it cannot know."""
from sqlalchemy import func


def unindexed(column):
    """The column as an expression no index serves. SQLite cannot tell that a year's date range holds every
    row of the year, so for an organization's events it walks the date index over the whole city's year
    instead of its few organizations' events by host (an organ's league table at city scale: 270 -> 150 ms);
    PostgreSQL plans the same either way."""
    return func.coalesce(column, column)
