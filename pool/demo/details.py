"""What the go-live workbook does not carry, added to each imported demo
enterprise afterwards through the record's own functions (each audited, as an
officer's edit would be):

* the address (:func:`pool.records.edits.update_enterprise`);
* a contact with an e-mail address who receives the annual-data reminders
  (:func:`pool.records.edits.set_contacts`);
* the yearly figures of the other years — the workbook holds only those of
  the year before the 申报 (:func:`pool.records.edits.record_figures`); a
  ``late`` member has not reported those due at the last deadline;
* patent titles and trademark names (:func:`pool.records.parts.change_part`).

No model is written directly: every item has a domain function.
"""
from __future__ import annotations

from datetime import date

from models import Enterprise

from pool.demo.story import Member
from pool.demo.vocabulary import GIVEN, INDUSTRIES, SURNAMES
from pool.records.edits import record_figures, set_contacts, update_enterprise
from pool.records.parts import change_part


def complete(session, enterprise: Enterprise, m: Member, yearly: dict[int, dict], *, due_year: int,
             actor, as_of: date, rng) -> None:
    """Add the address, contact, figures, patent titles and trademark name of
    ``enterprise`` (member ``m``); ``due_year`` is the year whose figures the
    last annual-data deadline asked for."""
    update_enterprise(session, enterprise, actor=actor, expected_version=enterprise.version,
                      changes={"address": f"湖北省黄石市{enterprise.county.name}{rng.randint(1, 300)}号"})
    person = f"{SURNAMES[m.index % len(SURNAMES)]}{rng.choice(GIVEN)}{rng.choice(GIVEN)}"
    set_contacts(session, enterprise, actor=actor, contacts=[{
        "name": person, "title": "知识产权专员", "email": f"ip{m.index:03d}@example.com",
        "phone": f"0714-6{rng.randint(100000, 999999)}", "receives_reminders": True}])
    registered = {f.year for f in enterprise.figures}
    for year, values in sorted(yearly.items()):
        if year in registered or ("late" in m.traits and year >= due_year):
            continue
        record_figures(session, enterprise, actor=actor, year=year, values=values, expected_version=None,
                       on=as_of)
    noun = INDUSTRIES[m.index % len(INDUSTRIES)][1]
    for k, patent in enumerate(sorted(enterprise.patents, key=lambda p: p.number)):
        title = f"一种{noun}的{'制备方法' if k % 2 else '装置'}" + (f"（{k // 2 + 1}）" if k > 1 else "")
        change_part(session, patent, "patent", actor=actor, today=as_of, expected_version=patent.version,
                    values={"title": title})
    for trademark in enterprise.trademarks:
        change_part(session, trademark, "trademark", actor=actor, today=as_of,
                    expected_version=trademark.version, values={"name": enterprise.name[2:6]})
