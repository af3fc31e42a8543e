"""No N+1: a list page sends as many SQL statements for 30 rows as for 5.

Each row added gets its own enterprise (alternating between the two counties)
and, for the saved checks, its own author, so a relationship loaded lazily
per row would add statements with the rows.
"""
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from models import (
    Application, IntakeRound, OutboxMail, PoolEvent, RiskFlag, User, db,
)
from models.event import STATE_CHANGE
from tests import model_factories as mf

ON = date(2025, 6, 30)


def _enterprises(session, world, n, offset, state="admitted"):
    counties = [session.get(mf.County, world.dy.id), session.get(mf.County, world.yx.id)]
    return [mf.enterprise(session, counties[(offset + i) % 2], state=state,
                          admitted_on=date(2025, 1, 2)) for i in range(n)]


def _add_enterprises(session, world, n, offset):
    _enterprises(session, world, n, offset)


def _add_checks(session, world, n, offset):
    for i, e in enumerate(_enterprises(session, world, n, offset, state="applied")):
        author = User(username=f"author{offset + i}", display_name=f"作者{offset + i}",
                      role="county_officer", county_id=e.county_id, password_hash="-")
        session.add(author)
        session.flush()
        session.add(Application(county_id=e.county_id, enterprise_id=e.id, uscc=e.uscc, name=e.name,
                                as_of=ON, verdict="eligible", data={}, result={},
                                created_by_id=author.id))


def _add_flags(session, world, n, offset):
    for e in _enterprises(session, world, n, offset):
        session.add(RiskFlag(enterprise_id=e.id, county_id=e.county_id, kind="no_progress",
                             severity="warning", opened_on=ON, last_seen_on=ON, detail="无实质性进展"))


def _add_mails(session, world, n, offset):
    for e in _enterprises(session, world, n, offset):
        session.add(OutboxMail(key=f"k{e.id}", reason="alert", to_addr=f"c{e.id}@example.com",
                               subject="提醒", text_body="正文", message_id=f"<{e.id}@pool>",
                               county_id=e.county_id, enterprise_id=e.id))


def _add_members(session, world, n, offset):
    for e in _enterprises(session, world, n, offset):
        session.add(PoolEvent(enterprise_id=e.id, county_id=e.county_id, kind=STATE_CHANGE,
                              from_state="applied", to_state="admitted", effective_on=date(2025, 1, 2),
                              reason="入库"))


def _add_rounds(session, world, n, offset):
    for i in range(n):
        k = offset + i
        session.add(IntakeRound(name=f"第{k + 1}批", opened_on=date(2020 + k // 12, k % 12 + 1, 1),
                                closed_on=date(2020 + k // 12, k % 12 + 1, 20)))


PAGES = [
    ("/enterprises/", _add_enterprises),
    ("/enterprises/?q=测试&state=admitted", _add_enterprises),
    ("/checks/", _add_checks),
    ("/monitor/", _add_flags),
    ("/monitor/outbox", _add_mails),
    (f"/reports/pool-on?date={ON}", _add_members),
    ("/actions/rounds", _add_rounds),
]


@contextmanager
def counting(app):
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _statements(app, client, url, marker):
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert marker in response.get_data(as_text=True)
    return len(statements)


@pytest.mark.parametrize("url,add", PAGES)
@pytest.mark.parametrize("viewer", ["admin", "dy"])
def test_list_page_statements_do_not_grow_with_rows(app, client, auth, world, use_db, url, add, viewer):
    if url.startswith("/monitor/outbox") and viewer != "admin":
        pytest.skip("the outbox is the administrator's")
    app.config["PAGE_SIZE"] = 100
    auth.login(viewer)
    client.get(url)  # warm up: first-request work (e.g. the rulebook) is not per row
    with use_db() as session:
        add(session, world, 5, 0)
        session.commit()
    few = _statements(app, client, url, "</html>")
    with use_db() as session:
        add(session, world, 25, 5)
        session.commit()
    many = _statements(app, client, url, "</html>")
    assert few == many, f"{url}: {few} statements with 5 rows, {many} with 30"


def test_the_counter_sees_a_lazy_load_per_row(app, world, use_db):
    """The listener counts what a per-row lazy load would add (the test can fail)."""
    with use_db() as session:
        _add_checks(session, world, 3, 0)
        session.commit()
    with counting(app) as statements, app.app_context():
        rows = db.session.query(Application).all()
        [a.created_by.display_name for a in rows]
    assert len(statements) >= 1 + 3
