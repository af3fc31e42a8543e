"""Enterprise accounts: an officer invites an enterprise's contact, who sets a
password through the one-time link (:func:`pool.access.users.new_link`) and
logs in at the portal with the e-mail address or the enterprise's USCC.

One account per enterprise: its username is the USCC, its county the one the
enterprise declares to, its enterprise set once the county registers it.
Inviting again (another contact, a lost link) updates the same account and
issues a fresh link; the earlier one stops working.  Every invitation is
audited as a change of the account.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from models import ENTERPRISE, ChangeRecord, County, Enterprise, User

from pool.access import accounts, users
from pool.access.accounts import AccountError
from pool.access.scoping import may_act_for
from pool.eligibility import uscc as uscc_rule
from pool.kernel.wording import phrase

__all__ = ["invite", "login_name", "account_of", "set_active", "AccountError", "ROLES"]

ROLES = (ENTERPRISE,)  # who logs in at the portal

_NOT_YOURS = phrase("只能邀请本县（市、区）的企业")
_BAD_USCC = phrase("统一社会信用代码 {code!s} 无效，请核对")
_OTHER_COUNTY = phrase("该企业的账号属于另一县（市、区），不能在此邀请")
_EMAIL_TAKEN = phrase("电子邮箱 {email!s} 已用于另一企业的账号")
_NEED_EMAIL = phrase("请填写联系人电子邮箱")
_NEED_NAME = phrase("请填写企业名称")
_ALREADY_ACTIVE = phrase("该企业端账号已是启用状态")
_ALREADY_STOPPED = phrase("该企业端账号已停用")


def invite(session, *, actor, county: County, email: str, contact_name: str,
           enterprise: Enterprise | None = None, uscc: str | None = None, name: str | None = None,
           now: datetime) -> tuple[User, str]:
    """The enterprise's account (new, or the existing one updated) and the
    secret of a fresh one-time link to set its password.

    ``enterprise``: a registered enterprise (its USCC, name and county);
    otherwise ``uscc`` and ``name`` of an enterprise that is to declare.

    :raise AccountError: the actor may not act for the county, a bad USCC,
        name or e-mail address, an address used by another enterprise, or
        the enterprise's account belongs to another county.
    """
    if enterprise is not None:
        county, uscc, name = enterprise.county, enterprise.uscc, enterprise.name
    if not may_act_for(actor, county.id):
        raise AccountError(_NOT_YOURS, "county")
    code = (uscc or "").strip().upper()
    if not uscc_rule.is_valid(code):
        raise AccountError(_BAD_USCC.format(code=code or "—"), "uscc")
    if not (name or "").strip():
        raise AccountError(_NEED_NAME, "name")
    if not (email or "").strip():
        raise AccountError(_NEED_EMAIL, "email")
    email = users.checked_email(email)
    contact = users.checked_name(contact_name)
    if enterprise is None:
        enterprise = session.scalar(select(Enterprise).where(Enterprise.uscc == code))
        if enterprise is not None and enterprise.county_id != county.id:
            raise AccountError(_OTHER_COUNTY, "uscc")
    taken = session.scalar(select(User).where(func.lower(User.email) == email.lower(), User.role == ENTERPRISE,
                                              User.username != code))
    if taken is not None:
        raise AccountError(_EMAIL_TAKEN.format(email=email), "email")
    user = session.scalar(select(User).where(User.username == code))
    if user is not None and (user.role != ENTERPRISE or user.county_id != county.id):
        raise AccountError(_OTHER_COUNTY, "uscc")
    if user is None:
        user, _unusable = accounts.create_user(session, username=code, display_name=contact, role=ENTERPRISE,
                                               county=county, email=email)
        session.flush()
        before = {}
    else:
        before = {"display_name": user.display_name, "email": user.email, "active": user.active,
                  "enterprise_id": user.enterprise_id}
        user.display_name, user.email, user.active = contact, email, True
    if enterprise is not None:
        user.enterprise_id = enterprise.id
    after = {"display_name": user.display_name, "email": user.email, "active": user.active,
             "enterprise_id": user.enterprise_id}
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    session.add(ChangeRecord(actor_id=actor.id, entity="user_account", entity_id=user.id,
                             action="update" if before else "create",
                             changes={**changes, "invitation": [None, name.strip()]}))
    session.flush()
    return user, users.new_link(session, user, actor=actor, now=now)


def login_name(session, identifier: str | None) -> str:
    """The username an enterprise logs in as: the USCC itself, or the account
    whose e-mail address it is (what was typed, when none: the attempt is then
    counted against it and fails like a wrong password)."""
    typed = (identifier or "").strip()[:254]
    if "@" in typed:
        found = session.scalar(select(User.username).where(func.lower(User.email) == typed.lower(),
                                                           User.role == ENTERPRISE))
        return found or typed
    return typed.upper()


def account_of(session, enterprise_id: int) -> User | None:
    """The enterprise's account, if it was invited."""
    return session.scalar(select(User).where(User.enterprise_id == enterprise_id, User.role == ENTERPRISE))


def set_active(session, account: User, *, actor, active: bool) -> None:
    """Stop (ending every session) or restart an enterprise's account; its
    county's officers and the city administrator may.

    :raise AccountError: not the actor's county, or already so.
    """
    if account.role != ENTERPRISE or not may_act_for(actor, account.county_id):
        raise AccountError(_NOT_YOURS)
    if account.active == active:
        raise AccountError(_ALREADY_ACTIVE if active else _ALREADY_STOPPED)
    accounts.set_active(session, account, active)
    session.add(ChangeRecord(actor_id=actor.id, entity="user_account", entity_id=account.id, action="update",
                             changes={"active": [not active, active]}))
    session.flush()
