"""Event kinds are data: the kinds table (server/events/kinds.py) is the only place in the server and the app
that names a kind (the app's labels and flags, generated from it: tests/test_web_shell.py)."""
import re
from pathlib import Path

from server.events.kinds import KINDS, codes_where

ROOT = Path(__file__).resolve().parent.parent
# A kind code opening a string literal ("party_day", 'party_day.absence', `kind_...` is not one): code that
# names a kind. Prose (docstrings, API descriptions) may mention kinds; behaviour may not.
KIND_CODE = re.compile(r"[\"'`](" + "|".join(KINDS) + r")\b")
# The table itself; seed data that creates events of a kind by name (the demo) is data, not behaviour.
ALLOWED = {"server/events/kinds.py", "server/demo.py", "server/community/demo.py", "server/hours/demo_data.py",
           "server/orglife/demo.py"}


def _sources():
    for folder, pattern in (("server", "*.py"), ("mobile_web", "*.js"), ("mobile_web", "*.html"),
                            ("mobile_web", "*.css"), ("server/web/templates", "*.html")):
        for path in sorted((ROOT / folder).rglob(pattern)):
            rel = path.relative_to(ROOT).as_posix()
            if "/vendor/" not in rel and rel not in ALLOWED:
                yield rel, path.read_text(encoding="utf-8")


def test_no_kind_is_named_outside_the_kinds_table():
    found = [f"{rel}:{n}: {line.strip()}" for rel, text in _sources()
             for n, line in enumerate(text.splitlines(), 1) if KIND_CODE.search(line)]
    assert found == [], "kind codes named outside server/events/kinds.py:\n" + "\n".join(found)


def test_the_check_finds_a_planted_kind_literal():
    assert KIND_CODE.search('if (event.kind === "party_day") {')
    assert KIND_CODE.search("code = 'party_day.absence'")
    assert not KIND_CODE.search("report.party_days.map(…)")  # a plural field name is not a kind
    assert not KIND_CODE.search('"""Each slot gets its own party_day event."""'[3:])


def test_flags_answer_the_questions_code_asks():
    assert codes_where(records_hours=True) == tuple(k for k in KINDS if KINDS[k].records_hours)
    assert all(KINDS[k].reviewed_by for k in codes_where(records_hours=True))
    assert all(k.host in ("organization", "community") for k in KINDS.values())
