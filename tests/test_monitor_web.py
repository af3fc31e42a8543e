"""The risk dashboard, "scan now" and the outbox page."""
from datetime import date, datetime, timezone

import pytest

from models.monitoring import OutboxMail, RiskFlag

from pool.web import monitor

TODAY = date(2026, 11, 24)


@pytest.fixture
def flags(use_db, world):
    with use_db() as session:
        session.add_all([
            RiskFlag(enterprise_id=world.dy_ent.id, county_id=world.dy.id, kind="no_progress",
                     severity="high", opened_on=date(2026, 11, 1), last_seen_on=date(2026, 11, 1),
                     detail="自 2025-03-01 起 21 个月无实质性进展"),
            RiskFlag(enterprise_id=world.yx_ent.id, county_id=world.yx.id, kind="annual_data_missing",
                     severity="warning", opened_on=date(2026, 6, 1), last_seen_on=date(2026, 11, 1),
                     detail="阳新：2025 年度数据未报送"),
        ])
        session.commit()


def test_dashboard_shows_only_own_countys_flags(client, auth, world, flags):
    auth.login("dy")
    page = client.get("/monitor/").get_data(as_text=True)
    assert "21 个月无实质性进展" in page and "阳新：2025 年度数据未报送" not in page
    auth.logout()
    auth.login("admin")
    page = client.get("/monitor/").get_data(as_text=True)
    assert "21 个月无实质性进展" in page and "阳新：2025 年度数据未报送" in page
    page = client.get("/monitor/?severity=warning").get_data(as_text=True)
    assert "21 个月无实质性进展" not in page and "阳新：2025 年度数据未报送" in page


def test_enterprise_page_shows_its_open_flags(client, auth, world, flags):
    auth.login("dy")
    page = client.get(f"/enterprises/{world.dy_ent.id}").get_data(as_text=True)
    assert "21 个月无实质性进展" in page


def test_only_the_admin_scans_and_sees_the_outbox(client, auth, world):
    auth.login("dy")
    assert client.post("/monitor/scan").status_code == 403
    assert client.get("/monitor/outbox").status_code == 403


def test_scan_now_runs_the_scan_for_today(client, auth, world, use_db, monkeypatch):
    monkeypatch.setattr(monitor, "today", lambda: TODAY)
    auth.login("admin")
    response = client.post("/monitor/scan", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "2026-11-24 风险扫描" in page
    with use_db() as session:
        # dy_ent was admitted 2025-03-01 (cache only, no events): a scan sees it in the pool.
        assert session.query(RiskFlag).filter_by(enterprise_id=world.dy_ent.id).count() >= 1


def test_outbox_lists_mails_and_retries_a_failed_one(client, auth, world, use_db):
    with use_db() as session:
        mail = OutboxMail(key="dy@example.gov.cn|alert|2026-11-24", reason="alert",
                          to_addr="dy@example.gov.cn", subject="【培育库】风险提醒",
                          text_body="正文", message_id="<x@pool.localhost>", state="failed",
                          attempts=8, last_error="Connection refused",
                          created_at=datetime(2026, 11, 24, tzinfo=timezone.utc))
        session.add(mail)
        session.commit()
        mail_id = mail.id
    auth.login("admin")
    page = client.get("/monitor/outbox?state=failed").get_data(as_text=True)
    assert "【培育库】风险提醒" in page and "Connection refused" in page
    client.post(f"/monitor/outbox/{mail_id}/retry")
    with use_db() as session:
        assert session.get(OutboxMail, mail_id).state == "pending"
