"""The parts of an enterprise record an officer keeps current — patents,
products, qualifications, trademarks, research partnerships — as data: each
field's label, kind and limits, and the rules that tie a part's fields together.

:mod:`pool.records.parts` applies them; the web forms, the API schemas and the
workbook read the same labels.  A value is checked here once, whoever sent it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Mapping

from models import Patent, Product, Qualification, ResearchPartnership, Trademark
from models.ip_assets import (
    PARTNER_TYPES, PATENT_ENDED, PATENT_KINDS, PATENT_ORIGINS, PATENT_STATUSES, QUALIFICATION_LEVELS,
    QUALIFICATION_TYPES,
)

from pool.eligibility.contract import PATENT_KIND_LABELS
from pool.eligibility.figures import PARTNER_LABELS
from pool.eligibility.profile import ORIGIN_LABELS, QUALIFICATION_LABELS
from pool.kernel.wording import phrase
from pool.records.changes import RecordRefused, checked_text

PATENT_STATUS_LABELS = {"pending": phrase("审查中"), "valid": phrase("有效"), "lapsed": phrase("失效"), "invalidated": phrase("被宣告无效"),
                        "expired": phrase("期满终止"), "transferred_out": phrase("已转让")}
LEVEL_LABELS = {"national": phrase("国家级"), "provincial": phrase("省级"), "municipal": phrase("市级")}
EARLIEST = date(1985, 4, 1)  # the Patent Law in force: no record of this kind is older
_OFFICE = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class Field:
    label: str
    kind: str  # text | day | flag | choice | office
    required: bool = False
    max_length: int = 200
    choices: Mapping[str, str] = field(default_factory=dict)
    future: bool = False  # a day that may lie ahead (the end of a validity), not an effective date

    def clean(self, name: str, value: Any, today: date) -> Any:
        """The value as stored, or :class:`RecordRefused` naming the field by its label."""
        if isinstance(value, str) and self.kind != "text":
            value = value.strip() or None
        if value is None or value == "":
            if self.required:
                raise RecordRefused(f"{self.label}不能为空", name)
            return None
        if self.kind == "text":
            return checked_text(name, value, required=self.required, max_length=self.max_length, label=self.label)
        if self.kind == "flag":
            if type(value) is not bool:
                raise RecordRefused(f"{self.label}须为“是”或“否”", name)
            return value
        if self.kind == "choice":
            if value not in self.choices:
                raise RecordRefused(f"{self.label}须为：{'、'.join(self.choices.values())}（实为 {value!r}）", name)
            return value
        if self.kind == "office":
            if not isinstance(value, str) or not _OFFICE.fullmatch(value.upper()):
                raise RecordRefused(f"{self.label}须为两位字母的国家或组织代码，如 CN、US、EP（实为 {value!r}）", name)
            return value.upper()
        return self._parse_day(name, value, today)

    def _parse_day(self, name: str, value: Any, today: date) -> date:
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise RecordRefused(f"{self.label}须为 YYYY-MM-DD 格式的日期（实为 {value!r}）", name) from None
        if type(value) is not date:
            raise RecordRefused(f"{self.label}须为日期", name)
        if value < EARLIEST:
            raise RecordRefused(f"{self.label} {value} 过早（须不早于 {EARLIEST}）", name)
        if value > today and not self.future:
            raise RecordRefused(f"{self.label} {value} 晚于今天 {today}：不能登记尚未发生的事", name)
        return value


def _text_field(label, max_length=200, required=False) -> Field:
    return Field(label, "text", required=required, max_length=max_length)


def _day_field(label, required=False, future=False) -> Field:
    return Field(label, "day", required=required, future=future)


def _flag_field(label) -> Field:
    return Field(label, "flag")


def _choice_field(label, codes, labels, required=False) -> Field:
    return Field(label, "choice", required=required, choices={c: labels.get(c, c) for c in codes})


@dataclass(frozen=True)
class Part:
    """One kind of record part: its model, its fields, what dates it, its rules."""

    name: str  # the ChangeRecord entity
    label: str
    model: type
    fields: Mapping[str, Field]
    starts: tuple[str, ...]  # the dates that say since when the row is on the record, first found wins
    describe: Callable[[Any], str]
    # the rules that tie the fields together: check(part, values, changed)
    check: Callable[["Part", Mapping[str, Any], Mapping[str, Any]], None] = lambda part, values, changed: None
    ends: str | None = None  # the field an early end sets

    def start(self, values: Mapping[str, Any]) -> date | None:
        return next((values[f] for f in self.starts if values.get(f) is not None), None)


def _order(part: Part, values: Mapping[str, Any], *names: str) -> None:
    """Dates named in order must not run backwards."""
    present = [(n, values.get(n)) for n in names if values.get(n) is not None]
    for (a, first), (b, then) in zip(present, present[1:]):
        if then < first:
            raise RecordRefused(f"{part.fields[b].label} {then} 早于{part.fields[a].label} {first}", b)




def _check_patent(part: Part, values: Mapping[str, Any], changed: Mapping[str, Any]) -> None:
    _order(part, values, "application_date", "granted_on", "status_on")
    _order(part, values, "acquired_on", "put_to_use_on")
    status = values["status"]
    if status == "pending" and values.get("granted_on"):
        raise RecordRefused("已填授权日的专利不能为“审查中”", "status")
    if "status" in changed and status in PATENT_ENDED and values.get("status_on") is None:
        raise RecordRefused(f"专利状态改为“{PATENT_STATUS_LABELS[status]}”须填写{part.fields['status_on'].label}", "status_on")
    if "status" in changed and status == "valid" and "granted_on" in changed and values.get("granted_on") is None:
        raise RecordRefused("专利授权须填写授权日", "granted_on")
    if values.get("industrialized_on") and values.get("industrialized") is not True:
        raise RecordRefused("填写了产业化日期的专利须标为“已产业化”", "industrialized")
    if changed.get("industrialized") is True and values.get("industrialized_on") is None:
        raise RecordRefused("标为已产业化须填写产业化日期", "industrialized_on")
    if values.get("put_to_use_on") and values.get("origin") not in ("acquired", "licensed"):
        raise RecordRefused("只有受让或许可的专利才登记实施日期（来源须为受让或许可）", "origin")


def _check_product(part: Part, values: Mapping[str, Any], changed: Mapping[str, Any]) -> None:
    if values.get("filed_on") and not values.get("filing_no"):
        raise RecordRefused("填写了备案日期须同时填写专利产品备案号", "filing_no")
    if values.get("certified_on") and values.get("patent_intensive") is not True:
        raise RecordRefused("填写了认定日期的产品须标为“已认定专利密集型产品”", "patent_intensive")
    if changed.get("patent_intensive") is True and values.get("certified_on") is None:
        raise RecordRefused("认定为专利密集型产品须填写认定日期", "certified_on")


def _check_validity(part: Part, values: Mapping[str, Any], changed: Mapping[str, Any]) -> None:
    _order(part, values, "approved_on", "valid_to")
    _order(part, values, "valid_from", "valid_to")


def _describe_patent(p) -> str:
    return f"专利 {p.number}" + (f"（{p.title}）" if p.title else "")


PARTS: dict[str, Part] = {part.name: part for part in (
    Part("patent", "专利", Patent, {
        "number": _text_field("专利号", 32, required=True),
        "title": _text_field("专利名称"),
        "kind": _choice_field("专利类型", PATENT_KINDS, PATENT_KIND_LABELS, required=True),
        "office": Field("授权机构", "office"),
        "application_date": _day_field("申请日"),
        "granted_on": _day_field("授权日"),
        "status": _choice_field("法律状态", PATENT_STATUSES, PATENT_STATUS_LABELS, required=True),
        "status_on": _day_field("状态变更日期"),
        "origin": _choice_field("来源", PATENT_ORIGINS, ORIGIN_LABELS),
        "core": _flag_field("核心专利"),
        "industrialized": _flag_field("已产业化"),
        "industrialized_on": _day_field("产业化日期"),
        "acquired_on": _day_field("受让或许可日期"),
        "put_to_use_on": _day_field("受让或许可专利实施日期"),
    }, ("application_date", "granted_on", "acquired_on"), _describe_patent, _check_patent),
    Part("product", "产品", Product, {
        "name": _text_field("产品名称", required=True),
        "main": _flag_field("主导产品"),
        "added_on": _day_field("登记日期"),
        "filing_no": _text_field("专利产品备案号", 64),
        "filed_on": _day_field("备案日期"),
        "patent_intensive": _flag_field("已认定专利密集型产品"),
        "certificate_no": _text_field("认定证书编号", 64),
        "certified_on": _day_field("认定日期"),
    }, ("added_on", "filed_on", "certified_on"), lambda p: f"产品“{p.name}”", _check_product),
    Part("qualification", "资格证书", Qualification, {
        "type": _choice_field("资格类型", QUALIFICATION_TYPES, QUALIFICATION_LABELS, required=True),
        "level": _choice_field("级别", QUALIFICATION_LEVELS, LEVEL_LABELS),
        "issuer": _text_field("认定机构", 100),
        "certificate_no": _text_field("证书编号", 64),
        "approved_on": _day_field("认定日期"),
        "valid_from": _day_field("有效期起", required=True, future=True),
        "valid_to": _day_field("有效期止", required=True, future=True),
    }, ("valid_from",), lambda q: f"{QUALIFICATION_LABELS.get(q.type, q.type)}" + (
        f"（{q.certificate_no}）" if q.certificate_no else ""), _check_validity, ends="valid_to"),
    Part("trademark", "商标", Trademark, {
        "reg_no": _text_field("注册号", 32, required=True),
        "name": _text_field("商标名称", 100),
        "owned": Field("自有商标", "flag", required=True),
        "registered_on": _day_field("注册日期"),
        "valid_to": _day_field("有效期止", future=True),
    }, ("registered_on",), lambda t: f"商标 {t.reg_no}" + (f"（{t.name}）" if t.name else ""),
        lambda part, values, changed: _order(part, values, "registered_on", "valid_to"), ends="valid_to"),
    Part("partnership", "产学研合作", ResearchPartnership, {
        "partner": _text_field("合作单位", required=True),
        "partner_type": _choice_field("合作单位类型", PARTNER_TYPES, PARTNER_LABELS, required=True),
        "valid_from": _day_field("合作起始日期", required=True, future=True),
        "valid_to": _day_field("合作终止日期", required=True, future=True),
    }, ("valid_from",), lambda r: f"与“{r.partner}”的产学研合作", _check_validity, ends="valid_to"),
)}
