"""A small iCalendar (RFC 5545) writer: escaped text, folded lines, times in the configured zone with its
VTIMEZONE, two reminders (VALARM) per event. Only what the calendar feeds need; no dependency."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

ALARMS = (("-P1D", "明天"), ("-PT1H", "一小时后"))  # the day before and an hour before


def escape(text: str) -> str:
    return (text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n") \
        .replace("\n", "\\n")


def fold(line: str) -> str:
    """Lines of at most 75 octets, continued with CRLF and a space, never splitting a UTF-8 character."""
    out, current = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += b
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def vtimezone(zone: ZoneInfo, year: int) -> list[str]:
    """The zone's standard offset (and its summer offset where it has one) for the year's events."""
    jan, jul = (datetime(year, m, 1, tzinfo=zone).utcoffset() for m in (1, 7))
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]
    for name, offset in (("STANDARD", min(jan, jul)),) + ((("DAYLIGHT", max(jan, jul)),) if jan != jul else ()):
        lines += [f"BEGIN:{name}", "DTSTART:19700101T000000", f"TZOFFSETFROM:{_offset(offset)}",
                  f"TZOFFSETTO:{_offset(offset)}", f"END:{name}"]
    return lines + ["END:VTIMEZONE"]


def calendar(name: str, zone: ZoneInfo, events: list[dict], now: datetime) -> bytes:
    """events: uid, title, starts_at, ends_at (naive UTC), location, description, updated_at."""
    def local(value: datetime) -> str:
        return value.replace(tzinfo=UTC).astimezone(zone).strftime("%Y%m%dT%H%M%S")

    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Qiandao//OrgLife//ZH", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(name)}", f"X-WR-TIMEZONE:{zone.key}",
             *vtimezone(zone, now.year)]
    for e in events:
        lines += ["BEGIN:VEVENT", f"UID:{e['uid']}", f"DTSTAMP:{stamp}",
                  f"DTSTART;TZID={zone.key}:{local(e['starts_at'])}", f"DTEND;TZID={zone.key}:{local(e['ends_at'])}",
                  f"SUMMARY:{escape(e['title'])}", f"LOCATION:{escape(e.get('location', ''))}",
                  f"DESCRIPTION:{escape(e.get('description', ''))}",
                  f"LAST-MODIFIED:{(e.get('updated_at') or now).strftime('%Y%m%dT%H%M%SZ')}"]
        for trigger, when in ALARMS:
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"TRIGGER:{trigger}",
                      f"DESCRIPTION:{escape(when + '：' + e['title'])}", "END:VALARM"]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
