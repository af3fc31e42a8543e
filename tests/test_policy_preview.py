"""The what-if before a new policy value of the first pool (issue #17): its members' records judged
under the values in force and with the new one, and the risk flags it would open or close — nothing
written; on the 政策参数 page, shown and exported."""
from datetime import date

import pytest
from sqlalchemy import func, select

from models import County, PolicyValue, RecordVerdict, RiskFlag
from pool.eligibility.rulebook import RuleChangeRefused
from pool.monitoring import policy_preview

from .test_lifecycle import dy, officer  # noqa: F401 - fixtures
from .test_monitoring import pool_member, run

DAY = date(2026, 3, 2)


def test_a_stricter_ratio_names_whose_criteria_move_and_the_flags_it_would_open(session, dy):
    members = [pool_member(session, dy) for _ in range(2)]
    session.commit()
    run(session, DAY)
    flags_before = session.scalar(select(func.count()).select_from(RiskFlag))
    kept = session.scalar(select(func.count()).select_from(RecordVerdict))
    same = policy_preview.preview(session, "min_rd_staff_ratio", "0.20", date(2026, 4, 1), DAY)
    assert (same["checked"], same["changes"], same["flags"]) == (2, [], {"opened": [], "closed": []})
    # 30 of their 100 staff do R&D (30 %): a 40 % floor fails them both, at criterion 7 only
    shown = policy_preview.preview(session, "min_rd_staff_ratio", "0.40", date(2026, 4, 1), DAY)
    assert shown["checked"] == 2 and shown["draft"] == "2026-04-01"
    assert {c["uscc"] for c in shown["changes"]} == {m.uscc for m in members}
    change = shown["changes"][0]
    assert change["verdict_after"] == "ineligible" != change["verdict_before"]
    assert [(k["id"], k["before"], k["after"]) for k in change["criteria"]] == [(7, "pass", "fail")]
    assert "40" in change["criteria"][0]["detail_after"]
    assert sorted((f["name"], f["kind"]) for f in shown["flags"]["opened"]) == sorted(
        (m.name, "criteria_drift") for m in members)
    assert shown["flags"]["closed"] == []
    # writes nothing: no value, no flag, no verdict kept under the draft
    assert session.scalar(select(func.count()).select_from(PolicyValue)) == 0
    assert session.scalar(select(func.count()).select_from(RiskFlag)) == flags_before
    assert session.scalar(select(func.count()).select_from(RecordVerdict)) == kept
    assert len(policy_preview.preview(session, "min_rd_staff_ratio", "0.40", date(2026, 4, 1), DAY,
                                      county_ids=[dy.id + 1000])["changes"]) == 0


@pytest.mark.parametrize("key, value, field", [("nope", "1", "key"), ("min_rd_ratio", "\"abc\"", "value")])
def test_a_value_the_parameter_does_not_take_is_refused_naming_the_field(session, key, value, field):
    with pytest.raises(RuleChangeRefused) as refused:
        policy_preview.preview(session, key, value, date(2026, 4, 1), DAY)
    assert refused.value.field == field


def test_the_policy_page_previews_and_exports_and_saves_nothing(client, auth, world, use_db, freeze_today):
    freeze_today(DAY)
    with use_db() as session:
        names = [pool_member(session, session.get(County, county.id)).name for county in (world.dy, world.yx)]
        session.commit()
    auth.login("admin")
    form = {"key": "min_rd_staff_ratio", "value": "0.40", "valid_from": "2026-04-01", "source": "市局通知"}
    page = client.post("/rules/policy", data={**form, "preview": "1"}).get_data(as_text=True)
    assert "影响预览" in page and "7. " in page and "会新增的风险提示" in page
    assert all(f"{name}（" in page for name in names)
    exported = client.post("/rules/policy", data={**form, "export": "1"})
    assert exported.mimetype == "text/csv" and "新取值下的结论" in exported.get_data(as_text=True)
    bad = client.post("/rules/policy", data={**form, "value": "\"abc\"", "preview": "1"})
    assert bad.status_code == 422 and "取值无效" in bad.get_data(as_text=True)
    with use_db() as session:
        assert session.scalar(select(func.count()).select_from(PolicyValue)) == 0
    auth.logout()
    auth.login("dy")
    assert client.post("/rules/policy", data={**form, "preview": "1"}).status_code == 403
