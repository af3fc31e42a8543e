"""The approved list as it is published (公示) and exported: one row per item approved
or reduced, with its beneficiary, rule and clause, subject, amount, funding lines and
payment year, in beneficiary then rule order."""
from __future__ import annotations

from decimal import Decimal

from models import REDUCE, AwardSettlement
from pool.awards import ledger
from pool.awards.money import ZERO, wan, yuan
from pool.awards.programme import LEVEL_LABELS
from pool.kernel.wording import phrase

HEADER = (phrase("序号"), phrase("受益人"), phrase("统一社会信用代码等"), phrase("奖补项目"), phrase("政策依据"),
          phrase("对象"), phrase("核定金额（万元）"), phrase("核定金额（元）"), phrase("资金来源"), phrase("审核意见"),
          phrase("兑现年度"), phrase("已拨付（万元）"))
_LINE = phrase("{level}承担 {amount} 万元")
_REDUCED = phrase("核减：{reason}")


def rows(session, settlement: AwardSettlement, states: list[ledger.ItemState],
         gettext=lambda text: text) -> list[tuple]:
    """The published list's rows, texts through ``gettext`` (the reader's language)."""
    rules = ledger.rules(session, settlement)
    chosen = sorted((s for s in states if s.decided > ZERO),
                    key=lambda s: (s.item.beneficiary_name, s.item.beneficiary_key, s.item.rule, s.item.subject))
    out = []
    for n, state in enumerate(chosen, 1):
        item = state.item
        lines = "；".join(gettext(_LINE).format(level=gettext(LEVEL_LABELS[level]), amount=wan(amount))
                         for level, amount in ledger.lines(rules[item.rule], state.decided))
        note = gettext(_REDUCED).format(reason=state.decision.reason) if state.decision.kind == REDUCE else ""
        out.append((n, item.beneficiary_name, item.beneficiary_key, f"{item.rule} {gettext(item.rule_label)}",
                    item.clause, item.subject, Decimal(wan(state.decided)), yuan(state.decided), lines, note,
                    item.payment_year, Decimal(wan(state.paid))))
    return out


def total(states: list[ledger.ItemState]) -> Decimal:
    return sum((s.decided for s in states), ZERO)
