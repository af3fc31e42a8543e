"""Official catalogues the neighbouring policies refer to, shipped as data.

* 《战略性新兴产业分类（2018）》(国家统计局令第23号): 9 sectors, 40 second-level
  groups, GB/T 4754-2017 codes at class, group or division level; a starred
  (``partial``) code covers only part of its class.
* 《国家重点支持的高新技术领域》(国科发火〔2016〕32号 附件): 8 fields, 52
  second-level and 254 third-level items; not coded by GB/T 4754 (an enterprise
  declares its field).

Both are read once at import and validated — every GB/T code a real class,
group or division, the official counts — so a damaged file stops the
application.  :data:`CATALOGUES` describes each with its provenance for the
policy page.  The pools that use them (Xuchang's 高企备选库) come later.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from pool.reference import gbt4754

DATA = Path(__file__).resolve().parents[1] / "data"


@dataclass(frozen=True)
class Catalogue:
    key: str
    name: str
    document: str
    valid_from: str
    file: str
    rows: tuple[dict, ...]
    summary: str
    provenance: str


def _rows(name: str) -> tuple[dict, ...]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def _strategic_emerging() -> Catalogue:
    rows = _rows("strategic_emerging_2018_as_listed.csv")
    bad = [r["gbt4754_code"] for r in rows if not gbt4754.is_listed_code(r["gbt4754_code"])]
    if bad:
        raise ValueError(f"战略性新兴产业分类：{bad[:5]} 不是 GB/T 4754-2017 的门类以下代码")
    sectors = {r["sector_code"] for r in rows}
    level2 = {r["level2_code"] for r in rows}
    if (len(sectors), len(level2)) != (9, 40):
        raise ValueError(f"战略性新兴产业分类：应为 9 个产业、40 个二级分类，实为 {len(sectors)}、{len(level2)}")
    codes = {r["gbt4754_code"] for r in rows}
    return Catalogue(
        "strategic_emerging_2018", "战略性新兴产业分类（2018）", "国家统计局令第23号",
        "2018-11-07", "strategic_emerging_2018_as_listed.csv", rows,
        f"9 个产业、40 个二级分类、{len(rows)} 行，对应 {len(codes)} 个国民经济行业代码"
        f"（{sum(r['partial'] == 'true' for r in rows)} 行带 * 号，仅部分属于）",
        "两份公开统计工具数据副本逐行一致（二者并非独立来源）；9 个产业与 40 个二级分类名称经其他公开资料核对。"
        "官方文本称 485 个行业小类，此处列出 488 个不同代码，差异原因未明。")


def _hightech_fields() -> Catalogue:
    rows = _rows("hightech_fields_2016.csv")
    level1 = {r["level1_code"] for r in rows}
    level2 = {r["level2_code"] for r in rows}
    level3 = {r["level3_code"] for r in rows if r["level3_code"]}
    if (len(level1), len(level2), len(level3)) != (8, 52, 254):
        raise ValueError(f"高新技术领域：应为 8、52、254 项，实为 {len(level1)}、{len(level2)}、{len(level3)}")
    if any(not r["level2_code"].startswith(r["level1_code"] + ".") or
           (r["level3_code"] and not r["level3_code"].startswith(r["level2_code"] + ".")) for r in rows):
        raise ValueError("高新技术领域：层级编号不一致")
    return Catalogue(
        "hightech_fields_2016", "国家重点支持的高新技术领域", "国科发火〔2016〕32号 附件", "2016-01-01",
        "hightech_fields_2016.csv", rows, "8 个领域、52 个二级、254 个三级领域（不按国民经济行业分类编码，由企业申报所属领域）",
        "公开税务软件仓库中的编码清单，经另外两份公开副本核对（52 个二级名称一致）；未收录各条目下的说明文字。")


CATALOGUES: dict[str, Catalogue] = {c.key: c for c in (_strategic_emerging(), _hightech_fields())}


def strategic_emerging_matches(code: str) -> list[dict]:
    """The strategic-emerging rows whose GB/T code covers the class ``code``."""
    _, digits = gbt4754.split_code(code)
    return [r for r in CATALOGUES["strategic_emerging_2018"].rows if gbt4754.covers(r["gbt4754_code"], digits)]
