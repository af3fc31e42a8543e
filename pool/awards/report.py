"""An evaluation written out: text lines for people, a JSON-ready dict for programs.

Both show, per beneficiary, each item with its status, gross and payable
amount, caps, conflict, funding lines, award and payment year and trace.
"""
from __future__ import annotations

from pool.awards.money import wan, yuan
from pool.awards.programme import LEVEL_LABELS
from pool.awards.results import STATUS_LABELS, Evaluation, Item
from pool.kernel.wording import phrase

_HEAD = phrase("{city}《{title}》（{document}）{year} 年度奖补试算：受益人 {count} 个，合计 {total} 万元（{yuan} 元）")
_BENEFICIARY = phrase("{name}（{id}）：合计 {total} 万元")
_ITEM = phrase("{rule} {label}｜{subject}｜{status}｜{amount} 万元（{yuan} 元）")
_NOT_COMPUTABLE = phrase("本政策不计算的条目：{id}（{clause}）{reason}")
_READ_ONLY = phrase("仅为试算，未写入任何记录")


def lines(evaluation: Evaluation, trace: bool = True) -> list[str]:
    programme = evaluation.in_force.programme
    out = [_HEAD.format(city=programme.city, title=programme.title, document=programme.document,
                        year=evaluation.year, count=len(evaluation.beneficiaries), total=wan(evaluation.total),
                        yuan=yuan(evaluation.total))]
    for result in evaluation.beneficiaries:
        out.append(_BENEFICIARY.format(name=result.name, id=result.id, total=wan(result.total)))
        for item in result.items:
            out.append("  " + _ITEM.format(rule=item.rule.id, label=item.rule.label, subject=item.subject,
                                           status=STATUS_LABELS[item.status], amount=wan(item.payable),
                                           yuan=yuan(item.payable)))
            if trace:
                out.extend("      " + step for step in item.trace)
    out.extend(_NOT_COMPUTABLE.format(**entry) for entry in programme.not_computable)
    out.append(_READ_ONLY)
    return out


def _item(item: Item) -> dict:
    return {"rule": item.rule.id, "rule_valid_from": item.rule.valid_from.isoformat(), "clause": item.rule.clause,
            "label": item.rule.label, "subject": item.subject, "facts": list(item.facts), "date": item.date.isoformat(),
            "status": item.status, "gross": str(item.gross), "amount": str(item.amount), "payable": str(item.payable),
            "caps": item.caps, "conflict": item.conflict,
            "funding_lines": [{"level": level, "label": LEVEL_LABELS[level], "amount": str(amount)}
                              for level, amount in item.lines],
            "award_year": item.award_year, "payment_year": item.payment_year, "trace": item.trace}


def as_json(evaluation: Evaluation) -> dict:
    programme = evaluation.in_force.programme
    return {"programme": programme.code, "document": programme.document, "year": evaluation.year,
            "parameters": {k: v for k, v in evaluation.in_force.parameters.items()},
            "total": str(evaluation.total),
            "beneficiaries": [{"id": b.id, "name": b.name, "kind": b.kind, "total": str(b.total),
                               "items": [_item(i) for i in b.items]} for b in evaluation.beneficiaries],
            "not_computable": list(programme.not_computable)}
