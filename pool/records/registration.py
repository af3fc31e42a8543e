"""Registering an applicant: the enterprise record created from a saved eligibility
check, or from applicant data in one step (the API).

The contract of :mod:`pool.records.changes` holds: plain inputs, an explicit
``on``, refusals as :class:`~pool.records.changes.RecordRefused`, every row audited,
flushed never committed.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from models import (
    CITY_ADMIN, Application, County, Enterprise, Patent, Product, Qualification, ResearchPartnership, Trademark,
    YearlyFigure, product_patent,
)

from pool.access.scoping import may_act_for
from pool.eligibility import applications
from pool.eligibility.applicant import InvalidApplicant, parse
from pool.eligibility.criteria import check
from pool.eligibility.rulebook import Rulebook
from pool.membership import lifecycle
from pool.membership.batch import Batch
from pool.records.changes import (
    FIGURE_FIELDS, IP_COLUMNS, RecordRefused, change_record, checked_figures, created_fields, require_actor,
)

__all__ = ["register_from_application", "refuse_duplicate", "register_applicant", "register_applicants",
           "link_checks"]

_CHUNK = 500  # ids per IN (…): within every database's limit on parameters


# --- registering an applicant ---------------------------------------------------

def register_from_application(session, application: Application, *, actor, on: date,
                              today: date | None = None) -> Enterprise:
    """Create the enterprise (state ``applied``) from a saved eligibility check.

    Everything the applicant data holds is copied: the scalar facts, IP
    management and integrity flags, qualifications, patents, products (linked
    to the patents whose numbers they name; a number not among the patents —
    a warning when the check was made — links nothing), trademarks and
    research partnerships; the figures become the :class:`~models.YearlyFigure`
    of the year before the assessment year.  The application (and any other
    unlinked check of the same USCC in the county) is linked to the new
    enterprise, the 申报 is recorded through :func:`pool.membership.lifecycle.apply` on
    ``on`` (the day of registering: today, or an earlier day before ``today``
    when the go-live import records a past 申报), and a ``create``
    :class:`~models.ChangeRecord` names the source.

    :raise RecordRefused: the actor may not act for the application's county,
        an enterprise with that USCC exists already, or the data is no longer
        valid (``field`` is the data path).
    """
    require_actor(actor, application.county_id)
    applicant = _applicant(application)
    refuse_duplicate(session, applicant.uscc, application.county_id, actor)
    enterprise, created = _enterprise(applicant, application.county_id, on)
    try:
        with session.begin_nested():  # a refusal below takes the new rows back with it
            session.add(enterprise)
            session.flush()
            lifecycle.apply(session, enterprise, actor=actor, on=on, today=today or on, reason=_applied(application))
    except IntegrityError:  # another officer registered the same USCC at the same moment
        refuse_duplicate(session, applicant.uscc, application.county_id, actor)
        raise
    except lifecycle.TransitionRefused as exc:
        raise RecordRefused(str(exc)) from None
    link_checks(session, [enterprise])
    session.add_all(_audit_created(actor, enterprise, application, created))
    session.flush()
    return enterprise


def _applicant(application: Application):
    try:
        return parse(application.data)
    except InvalidApplicant as exc:
        first = exc.problems[0]
        raise RecordRefused(f"申报数据有误，不能登记：{first}", first.path) from None


def _applied(application: Application) -> str:
    return f"依据资格自检记录 #{application.id}（评估日期 {application.as_of}）登记申报"


def _enterprise(applicant, county_id: int, on: date) -> tuple[Enterprise, dict]:
    """The new enterprise with every part of its record (not added to a
    session), and its scalar facts as a ``create`` change record holds them.

    :raise RecordRefused: a figure out of bounds (``checked_figures``).
    """
    year = applicant.assessment_year - 1
    figures = checked_figures({k: getattr(applicant, k) for k in FIGURE_FIELDS}, year, on)
    ip, integrity = applicant.ip_management, applicant.integrity
    scalars = {
        "uscc": applicant.uscc, "name": applicant.name.strip(), "county_id": county_id,
        "uscc_checksum_override": applicant.uscc_checksum_override,
        "registered_region_code": applicant.registered_region_code,
        "industry_code": applicant.industry_code,
        "independent_legal_person": applicant.independent_legal_person,
        "has_rd_leader": applicant.has_rd_leader,
        "brand_evidence": list(applicant.brand_evidence),
        **{column: getattr(ip, key) for key, column in IP_COLUMNS.items()},
        **{k: getattr(integrity, k) for k in ("abnormal_patent_applications", "major_accident",
                                              "violation", "serious_dishonesty")},
    }
    patents = {p.number: Patent(number=p.number, kind=p.kind, status=p.status, origin=p.origin,
                                core=p.core, industrialized=p.industrialized)
               for p in applicant.patents}
    enterprise = Enterprise(
        state="applied", **scalars,
        qualifications=[Qualification(type=q.type, certificate_no=q.certificate_no,
                                      valid_from=q.valid_from, valid_to=q.valid_to)
                        for q in applicant.qualifications],
        patents=list(patents.values()),
        products=[Product(name=p.name, main=p.main, filing_no=p.filing_no,
                          patent_intensive=p.patent_intensive, certified_on=p.certified_on,
                          patents=[patents[n] for n in dict.fromkeys(p.patents) if n in patents])
                  for p in applicant.products],
        trademarks=[Trademark(reg_no=t.reg_no, owned=t.owned, valid_to=t.valid_to)
                    for t in applicant.trademarks],
        partnerships=[ResearchPartnership(partner=r.partner, partner_type=r.partner_type,
                                          valid_from=r.valid_from, valid_to=r.valid_to)
                      for r in applicant.research_partnerships],
        # set even when empty: the record is then whole in memory, nothing left to load
        figures=[YearlyFigure(year=year, **figures)] if any(v is not None for v in figures.values()) else [],
    )
    return enterprise, {k: [None, v] for k, v in scalars.items() if v is not None and v != []}


def link_checks(session, enterprises: list[Enterprise]) -> None:
    """Link every saved check of an enterprise's USCC in its county that is
    linked to no enterprise yet to that enterprise (``enterprises``: just
    registered, flushed)."""
    for start in range(0, len(enterprises), _CHUNK):
        chunk = enterprises[start:start + _CHUNK]
        owner = select(Enterprise.id).where(
            Enterprise.id.in_([e.id for e in chunk]), Enterprise.uscc == Application.uscc,
            Enterprise.county_id == Application.county_id).scalar_subquery()
        session.execute(update(Application)
                        .where(Application.enterprise_id.is_(None), Application.uscc.in_([e.uscc for e in chunk]),
                               owner.is_not(None))
                        .values(enterprise_id=owner)
                        .execution_options(synchronize_session="fetch"))


def _audit_created(actor, enterprise: Enterprise, application: Application, created: dict) -> list:
    """The change records of a registration (not added to a session)."""
    return [change_record(actor, "enterprise", enterprise.id, enterprise.version, "create",
                          {**created, "application_id": [None, application.id]}, enterprise_id=enterprise.id),
            *(change_record(actor, "yearly_figure", figure.id, figure.version, "create",
                            created_fields(figure, FIGURE_FIELDS, year=figure.year), enterprise_id=enterprise.id)
              for figure in enterprise.figures)]


def refuse_duplicate(session, uscc: str, county_id: int, actor) -> None:
    """Refuse a USCC registered already, saying only what ``actor`` may know:
    a county officer learns nothing of another county's enterprise — not even
    that it exists — the city administrator is told where it is."""
    _refuse(session.scalar(select(Enterprise).where(Enterprise.uscc == uscc)), uscc, county_id, actor)


def _refuse(existing: Enterprise | None, uscc: str, county_id: int, actor) -> None:
    if existing is None:
        return
    if existing.county_id == county_id:
        again = "；该企业可在企业页面以此评估办理重新申报" if existing.state in ("rejected", "expelled") else ""
        raise RecordRefused(f"统一社会信用代码 {uscc} 的企业“{existing.name}”已登记，不能重复登记{again}", "uscc")
    if getattr(actor, "role", None) == CITY_ADMIN:
        raise RecordRefused(f"统一社会信用代码 {uscc} 的企业“{existing.name}”已在"
                            f"{existing.county.name}登记，不能重复登记", "uscc")
    raise RecordRefused("该统一社会信用代码无法在本县市区登记，请联系市级管理员", "uscc")


def register_applicant(session, data, *, actor, as_of: date, on: date,
                       rulebook: Rulebook, today: date | None = None) -> tuple[Enterprise, Application]:
    """Evaluate ``data`` (contract shape) as of ``as_of``, save it as a check and
    register the enterprise from it (:func:`pool.records.registration.register_from_application`)
    on ``on`` — what an officer does in two steps in the web UI.

    The county is the one ``data["county"]`` names (name or code), else the
    actor's own.

    :raise pool.eligibility.applicant.InvalidApplicant: the data is not a valid applicant.
    :raise KeyError: no policy is in force on ``as_of``.
    :raise pool.records.changes.RecordRefused: no or an unknown county, one the actor
        may not act for (``field`` ``county``), or what registering refuses
        (e.g. a USCC already registered: ``field`` ``uscc``).
    """
    evaluation = check(data, as_of, rulebook.policy, rulebook.industries)
    county = _county(session, data.get("county"), actor)
    application = applications.save(session, data=data, evaluation=evaluation,
                                     county_id=county.id, actor=actor)
    enterprise = register_from_application(session, application, actor=actor, on=on, today=today)
    return enterprise, application


def register_applicants(session, items: list[tuple[dict, date]], *, actor, rulebook: Rulebook, today: date,
                        batch: Batch) -> list:
    """:func:`register_applicant` for many at once, in ``batch``
    (:mod:`pool.membership.batch`): each ``(data, on)`` judged as of ``on``,
    saved as a check and registered on ``on``, by the same steps and with
    the same refusals, but the checks, the enterprises and their 申报 are
    written together (the records and their change records as rows, one
    statement a table: :func:`_insert_records`), and each USCC and county is
    looked up once.

    :return: per item, its new :class:`~models.Enterprise` or the exception
        :func:`register_applicant` would have raised; a refused item leaves
        its saved check only if registering refused it (as there).
    """
    results: list = [None] * len(items)
    counties: dict = {}
    saved: dict[int, Application] = {}
    for i, (data, on) in enumerate(items):
        try:
            evaluation = check(data, on, rulebook.policy, rulebook.industries)
            named = data.get("county")
            if named not in counties:
                try:
                    counties[named] = _county(session, named, actor)
                except RecordRefused as exc:
                    counties[named] = exc
            if isinstance(counties[named], RecordRefused):
                raise counties[named]
            saved[i] = applications.build(data=data, evaluation=evaluation, county_id=counties[named].id,
                                          actor=actor)
        except (InvalidApplicant, KeyError, RecordRefused) as exc:
            results[i] = exc
    session.add_all(saved.values())
    batch.flush()  # the checks' ids: each 申报 names its check
    usccs = [a.uscc for a in saved.values()]
    existing = {e.uscc: e for start in range(0, len(usccs), _CHUNK)
                for e in session.scalars(select(Enterprise).where(Enterprise.uscc.in_(usccs[start:start + _CHUNK])))}
    county_of = {c.id: c for c in counties.values() if isinstance(c, County)}
    registered = []
    for i, application in saved.items():
        on = items[i][1]
        try:
            require_actor(actor, application.county_id)
            applicant = _applicant(application)
            _refuse(existing.get(applicant.uscc), applicant.uscc, application.county_id, actor)
            enterprise, created = _enterprise(applicant, application.county_id, on)
            enterprise.county = county_of[application.county_id]
            batch.create(enterprise)
            lifecycle.apply(session, enterprise, actor=actor, on=on, today=today, reason=_applied(application),
                            batch=batch)
        except lifecycle.TransitionRefused as exc:
            results[i] = RecordRefused(str(exc))
            continue
        except RecordRefused as exc:
            results[i] = exc
            continue
        existing[enterprise.uscc] = results[i] = enterprise  # the same USCC again is a duplicate
        registered.append((enterprise, application, created))
    _insert_records(session, [e for e, _a, _c in registered], batch)
    for enterprise, application, _created in registered:
        application.enterprise = enterprise
    batch.flush()
    link_checks(session, [e for e, _a, _c in registered])
    batch.insert([record for enterprise, application, created in registered
                  for record in _audit_created(actor, enterprise, application, created)])
    return results


# The parts of a record, in the order they are inserted (after the enterprise).
_PARTS = ("qualifications", "patents", "products", "trademarks", "partnerships", "figures")


def _insert_records(session, enterprises: list[Enterprise], batch: Batch) -> None:
    """Insert the new ``enterprises`` with every part of their records in a
    few statements (:meth:`Batch.insert <pool.membership.batch.Batch.insert>`:
    the rows the ORM would insert, one statement a table, instead of the unit
    of work's flush of some 15 objects an enterprise), then put them in the
    session as loaded rows: later changes (the lifecycle's) are updates as
    before."""
    batch.insert(enterprises)
    parts = {name: [] for name in _PARTS}
    for enterprise in enterprises:
        for name in _PARTS:
            for row in getattr(enterprise, name):
                set_committed_value(row, "enterprise_id", enterprise.id)
                parts[name].append(row)
    for rows in parts.values():
        batch.insert(rows)
    links = [{"product_id": product.id, "patent_id": patent.id}
             for product in parts["products"] for patent in product.patents]
    if links:
        session.connection().execute(product_patent.insert(), links)
    batch.attach([*enterprises, *(row for rows in parts.values() for row in rows)], enterprises)


def _county(session, named: str | None, actor) -> County:
    if named is None:
        county = session.get(County, actor.county_id) if actor.county_id is not None else None
        if county is None:
            raise RecordRefused("请注明所属县（市、区）", "county")
    else:
        county = session.scalar(select(County).where(
            or_(County.name == named.strip(), County.code == named.strip())))
        if county is None:
            raise RecordRefused(f"未知的县（市、区）{named!r}", "county")
    if not may_act_for(actor, county.id):
        raise RecordRefused(f"经办人无权为{county.name}登记企业", "county")
    return county
