"""The mail outbox (SPEC §4): every mail is a row first, sent later by the relay.

A mail is queued in the transaction of the change that causes it (a risk
flag, a digest week, a reminder stage), so it exists exactly when its cause
was committed.  ``key`` names recipient, reason and period; it is unique and
:func:`enqueue` inserts with ``ON CONFLICT DO NOTHING`` (SQLite and
PostgreSQL), so recomputing a cause never queues a second mail.
:mod:`pool.monitoring.mailer` sends the pending rows.

The mails here (Chinese text and HTML bodies from ``templates/email/``):

* :func:`alert_mail` — the immediate mail to an officer about new high /
  expulsion-due flags (queued by :func:`pool.monitoring.scan.scan`);
* :func:`weekly_digest` — one mail per county officer with the county's open
  flags, keyed by ISO week; an officer whose county has none gets none;
* :func:`annual_data_reminders` — to the contacts of members whose
  previous-year figures are incomplete, 30 / 14 / 7 days
  (``reminder_days_before_deadline``) before ``annual_data_deadline``.  Each
  stage is one key per enterprise and address, and a missed run catches up
  with the latest stage only (no 30-day mail on day 14).
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from sqlalchemy import case, exists, select
from sqlalchemy.dialects import postgresql, sqlite

from models import ANNUAL_REPORT, COUNTY_OFFICER, Contact, County, Enterprise, OutboxMail, RiskFlag, Submission, User
from models.monitoring import EXPULSION_DUE, SEVERITIES

from pool.eligibility import rulebook as rulebooks
from pool.kernel.wording import phrase, translate
from pool.monitoring.annual import ANNUAL_FIELDS, absent_fields, annual_deadline, figures_of, missing_figures
from pool.monitoring import worklist
from pool.monitoring.flags import KIND_LABELS, SEVERITY_LABELS, SEVERITY_RANK, URGENT, Condition, in_pool

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"
MESSAGE_DOMAIN = "pool.localhost"
ALERT, DIGEST, ANNUAL_REMINDER, PORTAL = "alert", "digest", "annual_reminder", "portal"
REASON_LABELS = {ALERT: "高风险即时提醒", DIGEST: "每周风险汇总", ANNUAL_REMINDER: "年度数据报送提醒",
                 PORTAL: "企业端通知"}
ALERT_LINES, DIGEST_LINES = 50, 200  # flags listed in one mail; the rest are counted
# The pages a mail links to, under the system's address (tests check they are routes of the web layer).
FLAG_PATH, MONITOR_PATH = "/monitor/flags/{id}", "/monitor/"
ANNUAL_REPORT_PATH = "/portal/annual/{year}"  # the portal's page of the report (pool.web.portal)

# Every mail is written in Chinese, then in English below it (the reader chose no language).
_ENGLISH = Translations.load(str(TEMPLATES.parents[1] / "translations"), ["en"])
_FOOTER = phrase("黄石市专利产业化样板企业培育库（系统自动发送，请勿直接回复）")
_RULE = "\n\n" + "—" * 20 + "\n\n"


def _environment(translations: NullTranslations, wording) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translations, newstyle=True)
    env.filters["wording"] = wording
    return env


_CHINESE = NullTranslations()
_LANGUAGES = (("zh-CN", _CHINESE, _environment(_CHINESE, str)),
              ("en", _ENGLISH, _environment(_ENGLISH, lambda text: translate(str(text), _ENGLISH.gettext))))


@dataclass(frozen=True)
class Mail:
    """A mail to queue: ``key`` is recipient + reason + period."""

    key: str
    reason: str
    to_addr: str
    subject: str
    text_body: str
    html_body: str | None = None
    county_id: int | None = None
    enterprise_id: int | None = None


@dataclass(frozen=True)
class Recipient:
    user_id: int
    name: str
    email: str
    county_id: int
    county: str


def message_id(key: str) -> str:
    """The mail's ``Message-ID``: stable for its key, so a resend is recognisable."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{MESSAGE_DOMAIN}>"


def render(name: str, title: str, **context) -> tuple[str, str]:
    """``templates/email/<name>.txt`` and ``.html`` rendered with ``context``,
    in Chinese and then in English, with the system's signature."""
    texts, sections, footers = [], [], []
    for lang, translations, env in _LANGUAGES:
        texts.append(env.get_template(f"{name}.txt").render(context).rstrip("\n"))
        sections.append((lang, Markup(env.get_template(f"{name}.html").render(context))))
        footers.append(translations.gettext(_FOOTER))
    text = _RULE.join(texts) + "\n\n——\n" + "\n".join(footers) + "\n"
    html = _LANGUAGES[0][2].get_template("_layout.html").render(title=title, sections=sections, footers=footers)
    return text, html


def enqueue(session, key: str, *, reason: str, to_addr: str, subject: str, text_body: str,
            html_body: str | None = None, county_id: int | None = None,
            enterprise_id: int | None = None) -> bool:
    """Queue one mail unless one with ``key`` exists; ``True`` if queued."""
    return enqueue_many(session, [Mail(key, reason, to_addr, subject, text_body, html_body,
                                       county_id, enterprise_id)]) == 1


def enqueue_many(session, mails: list[Mail]) -> int:
    """Queue ``mails`` in one statement, each unless its key exists (also when
    another transaction queues it at the same time); the number queued."""
    if not mails:
        return 0
    table = OutboxMail.__table__
    stmt = insert_unless_exists(session, table, table.c.key).returning(table.c.id)
    rows = [{**asdict(m), "message_id": message_id(m.key)} for m in mails]
    return len(session.execute(stmt, rows).all())


def insert_unless_exists(session, table, key_column):
    """``INSERT … ON CONFLICT (key_column) DO NOTHING`` for the session's
    backend (SQLite or PostgreSQL): atomic also against concurrent inserts."""
    dialects = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    insert = dialects[session.get_bind().dialect.name]
    return insert(table).on_conflict_do_nothing(index_elements=[key_column])


def county_officers(session, county_ids=None) -> dict[int, list[Recipient]]:
    """Active county officers with an email, by county (all counties if ``None``)."""
    stmt = (select(User.id, User.display_name, User.email, User.county_id, County.name)
            .join(County, County.id == User.county_id)
            .where(User.role == COUNTY_OFFICER, User.active.is_(True), User.email.is_not(None),
                   User.email != "")
            .order_by(User.county_id, User.id))
    if county_ids is not None:
        stmt = stmt.where(User.county_id.in_(list(county_ids)))
    officers: dict[int, list[Recipient]] = {}
    for row in session.execute(stmt):
        officers.setdefault(row.county_id, []).append(Recipient(*row))
    return officers


def _line(enterprise: str, kind: str, severity: str, detail: str, opened_on: date | None = None,
          url: str = "") -> dict:
    """One flag as a mail shows it, with the address of its page."""
    return {"enterprise": enterprise, "kind": KIND_LABELS[kind],
            "severity": SEVERITY_LABELS[severity], "urgent": severity in URGENT,
            "detail": detail, "opened_on": opened_on, "url": url}


def link(base_url: str, path: str) -> str:
    """``path`` on the system's address (empty when none is configured)."""
    return base_url.rstrip("/") + path if base_url else ""


def alert_mail(officer: Recipient, as_of: date, batch: str, items, base_url: str = "") -> Mail:
    """The immediate mail about ``items`` (``(flag id, condition)`` of the new
    high / expulsion-due flags of ``officer``'s county found by the scan of
    ``as_of``, most severe first; the first :data:`ALERT_LINES` are listed, each
    linked to its flag's page); ``batch`` names the scan's batch in the key."""
    total = len(items)
    expel = sum(1 for _, c in items if c.severity == EXPULSION_DUE)
    subject = f"【培育库】{officer.county}新增 {total} 项高风险提示（{as_of}）"
    lines = [_line(c.enterprise_name, c.kind, c.severity, c.detail, url=link(base_url, FLAG_PATH.format(id=i)))
             for i, c in items[:ALERT_LINES]]
    text, html = render("alert", subject, officer=officer, as_of=as_of, lines=lines, total=total, expel=expel,
                        more=total - len(lines), home=link(base_url, MONITOR_PATH))
    return Mail(f"{ALERT}/{as_of}/{batch}/{officer.email.lower()}", ALERT, officer.email, subject,
                text, html, officer.county_id)


def weekly_digest(session, as_of: date, base_url: str = "") -> int:
    """Queue this ISO week's digest for every county officer whose county has
    open flags or work in a configured pool (the ladder's tasks of the officer's
    day: graduations to confirm, applications to decide, graduates who may apply);
    the number queued (0 for a week already done)."""
    officers = county_officers(session)
    if not officers:
        return 0
    rank = case(*((RiskFlag.severity == s, -i) for i, s in enumerate(SEVERITIES)))
    rows = session.execute(
        select(RiskFlag.county_id, Enterprise.name, RiskFlag.kind,
               RiskFlag.severity, RiskFlag.detail, RiskFlag.opened_on, RiskFlag.id)
        .join(Enterprise, Enterprise.id == RiskFlag.enterprise_id)
        .where(RiskFlag.closed_on.is_(None), RiskFlag.county_id.in_(list(officers)))
        .order_by(RiskFlag.county_id, rank, Enterprise.name, RiskFlag.kind)
    )
    by_county: dict[int, list] = {}
    for row in rows:
        by_county.setdefault(row.county_id, []).append(
            _line(row.name, row.kind, row.severity, row.detail, row.opened_on,
                  link(base_url, FLAG_PATH.format(id=row.id))))
    ladder = {county_id: [t for t in worklist.ladder_tasks(session, [county_id], as_of) if t.count]
              for county_id in officers}
    year, week, _ = as_of.isocalendar()
    mails = []
    for county_id in sorted(set(by_county) | {c for c, tasks in ladder.items() if tasks}):
        flags = by_county.get(county_id, [])
        counts = Counter(line["severity"] for line in flags)  # most severe first, as ordered
        for officer in officers.get(county_id, []):
            subject = f"【培育库】{officer.county}风险周报（{year} 年第 {week} 周，未关闭 {len(flags)} 项）"
            text, html = render("digest", subject, officer=officer, as_of=as_of, year=year, week=week,
                                counts=counts, lines=flags[:DIGEST_LINES],
                                total=len(flags), more=max(0, len(flags) - DIGEST_LINES),
                                home=link(base_url, MONITOR_PATH),
                                ladder=[{"label": t.label, "count": t.count,
                                         "url": link(base_url, f"/pools/{t.params['code']}/")}
                                        for t in ladder[county_id]])
            mails.append(Mail(f"{DIGEST}/{year}-W{week:02d}/{officer.email.lower()}", DIGEST,
                              officer.email, subject, text, html, county_id))
    return enqueue_many(session, mails)


def reported_in_portal(year: int):
    """The enterprise has submitted its report of ``year`` in the portal (under review or accepted)."""
    return exists().where(Submission.enterprise_id == Enterprise.id, Submission.kind == ANNUAL_REPORT,
                          Submission.year == year, Submission.status.in_(("submitted", "accepted")))


def reminder_stage(as_of: date, deadline: date, days_before) -> int | None:
    """The reminder stage due on ``as_of``: the smallest of ``days_before`` that
    is at least the days left (so a missed day catches up), ``None`` if none
    is due yet or the deadline has passed."""
    left = (deadline - as_of).days
    if left < 0:
        return None
    return min((d for d in days_before if d >= left), default=None)


def annual_data_reminders(session, as_of: date, *, rulebook=None, base_url: str = "") -> int:
    """Queue the annual-data reminders due on ``as_of``; the number queued.

    Each links to the portal page where the report is made; an enterprise
    whose report of the year is submitted (or accepted) gets no more."""
    policy = rulebook.policy if rulebook else rulebooks.load_policy(session)
    snapshot = policy.in_force(as_of)
    deadline = annual_deadline(as_of, snapshot["annual_data_deadline"])
    stage = reminder_stage(as_of, deadline, snapshot["reminder_days_before_deadline"])
    if stage is None:
        return 0
    year = deadline.year - 1
    figures, on, columns = figures_of(year)
    rows = session.execute(
        select(Contact.name.label("contact"), Contact.email, Enterprise.id, Enterprise.name,
               Enterprise.county_id, County.name.label("county"), *columns)
        .join(Enterprise, Enterprise.id == Contact.enterprise_id)
        .join(County, County.id == Enterprise.county_id)
        .outerjoin(figures, on)
        .where(in_pool(as_of), missing_figures(year), ~reported_in_portal(year),
               Contact.receives_reminders.is_(True), Contact.email.is_not(None), Contact.email != "")
        .order_by(Enterprise.id, Contact.id)
    )
    mails = []
    for row in rows:
        absent = [ANNUAL_FIELDS[f] for f in absent_fields(row)]
        subject = f"【培育库】请于 {deadline} 前报送 {year} 年度数据（{row.name}）"
        text, html = render("annual_reminder", subject, contact=row.contact, enterprise=row.name,
                            county=row.county, year=year, deadline=deadline,
                            days_left=(deadline - as_of).days, missing=absent,
                            url=link(base_url, ANNUAL_REPORT_PATH.format(year=year)))
        key = f"{ANNUAL_REMINDER}/{deadline}/{stage}d/{row.id}/{row.email.lower()}"
        mails.append(Mail(key, ANNUAL_REMINDER, row.email, subject, text, html, row.county_id, row.id))
    return enqueue_many(session, mails)


def alert_officers(session, as_of: date, urgent: list[tuple[int, Condition]], base_url: str = "") -> int:
    """After a scan: one immediate mail per officer of each county with flags
    that became urgent (``(flag id, Condition)``), each flag linked under
    ``base_url`` (the system's address); returns how many were queued."""
    by_county: dict[int, list[tuple[int, Condition]]] = {}
    for flag_id, condition in urgent:
        by_county.setdefault(condition.county_id, []).append((flag_id, condition))
    if not by_county:
        return 0
    mails = []
    officers = county_officers(session, by_county)
    for county_id, items in by_county.items():
        # Names this scan's batch: a flag reaches a severity at most once a day.
        flag_id, first = min(items, key=lambda item: item[0])
        batch = f"{flag_id}-{first.severity}"
        items = sorted(items, key=lambda i: (-SEVERITY_RANK[i[1].severity], i[1].enterprise_name, i[1].kind))
        mails += [alert_mail(officer, as_of, batch, items, base_url)
                  for officer in officers.get(county_id, [])]
    return enqueue_many(session, mails)
