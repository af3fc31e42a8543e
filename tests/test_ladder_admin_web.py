"""The city administrator's pool pages: a pool from a template, a version previewed then saved,
a parameter value, retirement — and nobody else changing them."""
import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from models import ChangeRecord, PoolChange

DAY = date(2026, 6, 30)
NEW = "huangshi-hightech-reserve"


@pytest.fixture(autouse=True)
def _today(freeze_today):
    freeze_today(DAY)


def text(response):
    return response.get_data(as_text=True)


def create(client, **overrides):
    data = {"template": "xuchang-2022", "code": NEW, "name": "黄石市高新技术企业备选库",
            "document": "黄石市高企培育工作方案", "city": "黄石", "issuer_region": "420200",
            "valid_from": "2026-06-30", "source": "市局党组会议纪要〔2026〕5号", **overrides}
    return client.post("/pools/new", data=data)


def test_a_pool_from_a_template_then_its_own_parameter_then_retired(client, auth, world, use_db):
    auth.login("admin")
    assert "从模板新建培育库" in text(client.get("/pools/"))
    refused = create(client, code="Bad Code")
    assert refused.status_code == 409 and "培育库代码须为" in text(refused) and "黄石市高企培育工作方案" in text(refused)
    assert create(client, valid_from="2026-07-01").status_code == 409
    assert create(client).status_code == 302
    page = text(client.get(f"/pools/{NEW}/settings"))
    assert "黄石市高企培育工作方案" in page and "xuchang-2022" in page and "市局党组会议纪要" in page

    late = client.post(f"/pools/{NEW}/parameters/new", data={"key": "city_region_prefixes", "value": '["4202"]',
                                                             "valid_from": "2022-11-25", "source": "市局通知"})
    assert late.status_code == 409 and "须晚于已有的最后一个生效日期" in text(late)
    bad = client.post(f"/pools/{NEW}/parameters/new", data={"key": "city_region_prefixes", "value": "[4202",
                                                            "valid_from": "2026-06-30", "source": "市局通知"})
    assert bad.status_code == 422 and "不是有效的 JSON" in text(bad)
    assert client.post(f"/pools/{NEW}/parameters/new", data={
        "key": "city_region_prefixes", "value": '["4202"]', "valid_from": "2026-06-30",
        "source": "市局通知"}).status_code == 302
    assert "[&#34;4202&#34;]" in text(client.get(f"/pools/{NEW}/settings"))

    assert client.post(f"/pools/{NEW}/retire", data={"valid_from": "2026-06-30", "source": " "}).status_code == 422
    assert client.post(f"/pools/{NEW}/retire", data={"valid_from": "2026-06-30",
                                                     "source": "并入省级备选库"}).status_code == 302
    assert "自 2026-06-30 起停用" in text(client.get("/pools/"))
    with use_db() as session:
        assert [r.kind for r in session.scalars(select(PoolChange).order_by(PoolChange.id))] == [
            "create", "parameter", "retire"]
        assert session.scalar(select(func.count()).select_from(ChangeRecord).where(
            ChangeRecord.entity == "pool_change")) == 3


def test_a_version_is_previewed_exported_and_saved_with_its_preview(client, auth, world, use_db):
    auth.login("admin")
    page = text(client.get("/pools/xuchang-2022/versions/new"))
    assert "科技型中小企业" in page  # the current version, ready to edit
    criteria = [{"id": 1, "title": "科技型中小企业", "clause": "二(一)2",
                 "rule": {"evaluator": "has_qualification", "types": ["tech_sme"]}}]
    form = {"valid_from": "2026-07-01", "source": "市局决定", "criteria": json.dumps(criteria, ensure_ascii=False)}
    broken = client.post("/pools/xuchang-2022/versions/new", data={**form, "criteria": "[{", "preview": "1"})
    assert broken.status_code == 422 and "不是有效的 JSON" in text(broken)
    unknown = client.post("/pools/xuchang-2022/versions/new", data={**form, "criteria": json.dumps(
        [{"id": 1, "title": "t", "clause": "c", "rule": {"evaluator": "guess"}}]), "preview": "1"})
    assert unknown.status_code == 422 and "未知的评价器 guess" in text(unknown)
    shown = client.post("/pools/xuchang-2022/versions/new", data={**form, "preview": "1"})
    assert shown.status_code == 200 and "影响预览" in text(shown) and "保存为新版本" in text(shown)
    exported = client.post("/pools/xuchang-2022/versions/new", data={**form, "export": "1"})
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert next(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))[0] == "企业名称"
    with use_db() as session:
        assert session.scalar(select(func.count()).select_from(PoolChange)) == 0
    early = client.post("/pools/xuchang-2022/versions/new", data={**form, "valid_from": "2022-11-25", "save": "1"})
    assert early.status_code == 409 and "须晚于" in text(early)
    assert client.post("/pools/xuchang-2022/versions/new", data={**form, "save": "1"}).status_code == 302
    assert "自 2026-07-01 起" in text(client.get("/pools/xuchang-2022/settings"))
    with use_db() as session:
        saved = session.scalar(select(PoolChange))
        assert saved.kind == "criteria" and saved.preview["checked"] == 0


def test_officers_read_the_settings_and_change_nothing(client, auth, world, use_db):
    auth.login("dy")
    page = text(client.get("/pools/xuchang-2022/settings"))
    assert "许昌市高新技术企业备选库" in page and "新增标准版本" not in page
    for path in ("/pools/new", "/pools/xuchang-2022/versions/new", "/pools/xuchang-2022/parameters/new",
                 "/pools/xuchang-2022/retire"):
        assert client.get(path).status_code == 403
        assert client.post(path, data={"valid_from": "2026-06-30", "source": "x"}).status_code == 403
    with use_db() as session:
        assert session.scalar(select(func.count()).select_from(PoolChange)) == 0


def test_the_first_pool_is_changed_on_the_policy_page(client, auth, world):
    auth.login("admin")
    assert client.get("/pools/huangshi-2024/versions/new").status_code == 302
    assert "政策参数" in text(client.get("/pools/huangshi-2024/settings"))
    assert client.get("/pools/nowhere/settings").status_code == 404


def apply_to_xuchang(use_db) -> list[str]:
    """Every enterprise of the world applies to Xuchang's reserve pool today; their names."""
    from models import Enterprise, User
    from pool.ladder import memberships as ms

    with use_db() as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        enterprises = session.scalars(select(Enterprise).order_by(Enterprise.id)).all()
        for enterprise in enterprises:
            ms.apply(session, enterprise, "xuchang-2022", actor=admin, on=DAY, today=DAY)
        session.commit()
        return [e.name for e in enterprises]


def test_a_preview_lists_its_first_rows_on_the_page_and_every_one_in_the_export(client, auth, world, use_db,
                                                                                monkeypatch):
    from pool.web import what_if

    names = apply_to_xuchang(use_db)  # the world's two
    monkeypatch.setattr(what_if, "SHOWN_ROWS", 1)
    auth.login("admin")
    criteria = [{"id": 1, "title": "仅需人工判断", "clause": "测试", "rule": {"evaluator": "judgement", "question": "是否有潜力"}}]
    form = {"valid_from": "2026-07-01", "source": "市局决定", "criteria": json.dumps(criteria, ensure_ascii=False)}
    page = text(client.post("/pools/xuchang-2022/versions/new", data={**form, "preview": "1"}))
    assert len(names) == 2 and "核验 2 家" in page and "此处列出前 1 家，全部 2 家请导出" in page
    assert sum(name in page for name in names) == 1
    assert "此项修改不会开启或关闭任何风险提示" in page
    exported = client.post("/pools/xuchang-2022/versions/new", data={**form, "export": "1"}).get_data(as_text=True)
    assert all(name in exported for name in names)


def test_a_parameter_value_is_previewed_exported_and_saved_with_its_preview(client, auth, world, use_db):
    apply_to_xuchang(use_db)
    auth.login("admin")
    form = {"key": "city_region_prefixes", "value": '["4202"]', "valid_from": "2026-07-01", "source": "市局通知"}
    assert "预览影响" in text(client.get("/pools/xuchang-2022/parameters/new"))
    early = client.post("/pools/xuchang-2022/parameters/new", data={**form, "valid_from": "2022-11-25", "preview": "1"})
    assert early.status_code == 409 and "须晚于已有的最后一个生效日期" in text(early) and "4202" in text(early)
    shown = text(client.post("/pools/xuchang-2022/parameters/new", data={**form, "preview": "1"}))
    assert "核验 2 家" in shown and "1. 在许昌市登记注册：不符合 → 符合" in shown
    assert "新取值下的结论" in shown and "新版本结论" not in shown
    exported = client.post("/pools/xuchang-2022/parameters/new", data={**form, "export": "1"})
    assert exported.mimetype == "text/csv" and "1. 在许昌市登记注册" in exported.get_data(as_text=True)
    assert "新取值下的结论" in exported.get_data(as_text=True)
    with use_db() as session:
        assert session.scalar(select(func.count()).select_from(PoolChange)) == 0
    assert client.post("/pools/xuchang-2022/parameters/new", data={**form, "submit": "1"}).status_code == 302
    with use_db() as session:
        saved = session.scalar(select(PoolChange))
        assert saved.kind == "parameter" and saved.preview["checked"] == 2 and len(saved.preview["changes"]) == 2


def test_the_history_counts_each_saved_preview_and_the_administrator_exports_it(client, auth, world, use_db):
    apply_to_xuchang(use_db)
    auth.login("admin")
    form = {"key": "city_region_prefixes", "value": '["4202"]', "valid_from": "2026-07-01", "source": "市局通知"}
    assert client.post("/pools/xuchang-2022/parameters/new", data={**form, "submit": "1"}).status_code == 302
    page = text(client.get("/pools/xuchang-2022/settings"))
    assert "核验 2 家，结论变化 0 家，标准变化 2 家" in page
    with use_db() as session:
        change_id = session.scalar(select(PoolChange.id))
    exported = client.get(f"/pools/xuchang-2022/changes/{change_id}/preview.csv")
    assert exported.mimetype == "text/csv" and "1. 在许昌市登记注册" in exported.get_data(as_text=True)
    assert client.get(f"/pools/huangshi-continuing-2024/changes/{change_id}/preview.csv").status_code == 404
    auth.logout()
    auth.login("dy")
    officer_page = text(client.get("/pools/xuchang-2022/settings"))
    assert "标准变化 2 家" in officer_page and "preview.csv" not in officer_page
    assert client.get(f"/pools/xuchang-2022/changes/{change_id}/preview.csv").status_code in (302, 403)
