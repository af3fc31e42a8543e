"""Applicant data: the :class:`Applicant` and its facts, parsed from valid input.

:func:`parse` builds an :class:`Applicant` only from input that passed both
layers of :mod:`pool.eligibility.validation` — the contract's schema
(:mod:`pool.eligibility.contract`) and the semantics of SPEC §2.3 — and raises
:class:`InvalidApplicant` with every error otherwise.

JSON numbers must reach :func:`~pool.eligibility.validation.validate`/:func:`parse`
as ``Decimal`` (callers use ``json.loads(..., parse_float=Decimal)``); ``int``
is accepted, ``bool`` is not a number, and a ``float`` is converted through its
shortest repr (``Decimal(str(x))``), never through its binary value.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any, Callable

from pool.eligibility import uscc as uscc_code
from pool.eligibility.contract import Problem
from pool.eligibility.validation import inspect


class InvalidApplicant(Exception):
    """The input is not a valid applicant; ``problems`` lists every error."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None):
        self.problems = list(problems)
        self.warnings = list(warnings or ())
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"申报数据有 {len(self.problems)} 处错误：\n{lines}")


# --- parsed model -----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ResearchPartnership:
    partner: str
    partner_type: str  # university | research_institute | other
    valid_from: date
    valid_to: date


@dataclass(frozen=True, slots=True)
class Qualification:
    type: str
    valid_from: date
    valid_to: date
    certificate_no: str | None = None


@dataclass(frozen=True, slots=True)
class Patent:
    number: str
    kind: str  # invention | utility_model | design
    status: str  # valid | pending | lapsed | invalidated | expired
    origin: str | None = None  # self | acquired | licensed
    core: bool | None = None
    industrialized: bool | None = None


@dataclass(frozen=True, slots=True)
class Product:
    name: str
    main: bool | None = None
    patents: tuple[str, ...] = ()
    filing_no: str | None = None
    patent_intensive: bool | None = None
    certified_on: date | None = None


@dataclass(frozen=True, slots=True)
class Trademark:
    reg_no: str
    owned: bool
    valid_to: date | None = None  # absent: in force


@dataclass(frozen=True, slots=True)
class IPManagement:
    rules: bool | None = None
    department: bool | None = None
    staff: bool | None = None
    budget: bool | None = None
    certified_gbt29490: bool | None = None


@dataclass(frozen=True, slots=True)
class Integrity:
    abnormal_patent_applications: bool | None = None
    major_accident: bool | None = None
    violation: bool | None = None
    serious_dishonesty: bool | None = None


@dataclass(frozen=True, slots=True)
class Applicant:
    """A validated applicant.  ``None`` means the fact was not given; an absent
    list is an empty tuple (SPEC §2: a list that is absent means none).
    Money is in 万元 as ``Decimal``."""

    uscc: str
    name: str
    assessment_year: int
    uscc_checksum_override: bool = False
    county: str | None = None
    registered_region_code: str | None = None
    independent_legal_person: bool | None = None
    industry_code: str | None = None
    employees: int | None = None
    operating_revenue: Decimal | None = None
    total_assets: Decimal | None = None
    rd_expense: Decimal | None = None
    rd_staff: int | None = None
    has_rd_leader: bool | None = None
    research_partnerships: tuple[ResearchPartnership, ...] = ()
    qualifications: tuple[Qualification, ...] = ()
    patents: tuple[Patent, ...] = ()
    products: tuple[Product, ...] = ()
    trademarks: tuple[Trademark, ...] = ()
    brand_evidence: tuple[str, ...] = ()
    ip_management: IPManagement = field(default_factory=IPManagement)
    integrity: Integrity = field(default_factory=Integrity)
    warnings: tuple[Problem, ...] = ()

    @property
    def region_code(self) -> str:
        """登记机关行政区划代码; SPEC: characters 3-8 of the USCC when absent."""
        return self.registered_region_code or uscc_code.region_code(self.uscc)


def _money(value: Any) -> Decimal | None:
    if value is None or type(value) is Decimal:
        return value
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def _count(value: Any) -> int | None:
    return None if value is None else int(value)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _constructor(cls: type) -> Callable[..., Any]:
    """A positional constructor for the frozen slots dataclass ``cls`` that sets
    the slots directly.  Same instance as ``cls(...)`` with every field given,
    about twice as fast: a frozen dataclass's ``__init__`` goes through
    ``object.__setattr__`` per field, which dominates parsing 100,000
    applicants."""
    names = [f.name for f in fields(cls)]
    namespace = {"_new": object.__new__, "_cls": cls}
    namespace.update({f"_set_{n}": cls.__dict__[n].__set__ for n in names})
    body = "".join(f"    _set_{n}(obj, {n})\n" for n in names)
    source = f"def make({', '.join(names)}):\n    obj = _new(_cls)\n{body}    return obj\n"
    exec(compile(source, f"<{cls.__name__} constructor>", "exec"), namespace)
    return namespace["make"]


_new_applicant = _constructor(Applicant)
_new_partnership = _constructor(ResearchPartnership)
_new_qualification = _constructor(Qualification)
_new_patent = _constructor(Patent)
_new_product = _constructor(Product)
_new_trademark = _constructor(Trademark)
_new_ip_management = _constructor(IPManagement)
_new_integrity = _constructor(Integrity)
_NO_IP_MANAGEMENT = IPManagement()
_NO_INTEGRITY = Integrity()


def _build(d: dict, warnings: list[Problem]) -> Applicant:
    """The :class:`Applicant` of schema- and semantics-valid data ``d``."""
    get = d.get
    fromiso = date.fromisoformat
    ip, integrity = get("ip_management"), get("integrity")
    return _new_applicant(
        d["uscc"], d["name"], int(d["assessment_year"]), get("uscc_checksum_override", False),
        get("county"), get("registered_region_code"), get("independent_legal_person"),
        get("industry_code"), _count(get("employees")), _money(get("operating_revenue")),
        _money(get("total_assets")), _money(get("rd_expense")), _count(get("rd_staff")),
        get("has_rd_leader"),
        tuple([_new_partnership(p["partner"], p["partner_type"], fromiso(p["valid_from"]),
                                fromiso(p["valid_to"]))
               for p in get("research_partnerships", ())]),
        tuple([_new_qualification(q["type"], fromiso(q["valid_from"]), fromiso(q["valid_to"]),
                                  q.get("certificate_no"))
               for q in get("qualifications", ())]),
        tuple([_new_patent(p["number"], p["kind"], p["status"], p.get("origin"), p.get("core"),
                           p.get("industrialized"))
               for p in get("patents", ())]),
        tuple([_new_product(p["name"], p.get("main"), tuple(p.get("patents", ())), p.get("filing_no"),
                            p.get("patent_intensive"), _day(p.get("certified_on")))
               for p in get("products", ())]),
        tuple([_new_trademark(t["reg_no"], t["owned"], _day(t.get("valid_to")))
               for t in get("trademarks", ())]),
        tuple(get("brand_evidence", ())),
        _NO_IP_MANAGEMENT if ip is None else _new_ip_management(
            ip.get("rules"), ip.get("department"), ip.get("staff"), ip.get("budget"),
            ip.get("certified_gbt29490")),
        _NO_INTEGRITY if integrity is None else _new_integrity(
            integrity.get("abnormal_patent_applications"), integrity.get("major_accident"),
            integrity.get("violation"), integrity.get("serious_dishonesty")),
        tuple(warnings),
    )


def parse(data: Any) -> Applicant:
    """Validate ``data`` (one applicant object in contract shape) and build the
    :class:`Applicant`; its ``warnings`` carry the non-blocking problems.

    :raise InvalidApplicant: with every error found.
    """
    errors, warnings = inspect(data)
    if errors:
        raise InvalidApplicant(errors, warnings)
    return _build(data, warnings)
