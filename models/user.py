"""Accounts: officers, the city administrator and enterprises' own accounts
(the portal), their login attempts and remember-me tokens."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .base import UTCDateTime, db, utcnow
from .county import County

CITY_ADMIN = "city_admin"
COUNTY_OFFICER = "county_officer"
# An enterprise's own account (the portal, issue #16): its county is the one it
# declares to; its enterprise is set once the county registers it.
ENTERPRISE = "enterprise"
ROLES = (CITY_ADMIN, COUNTY_OFFICER, ENTERPRISE)
OFFICER_ROLES = (CITY_ADMIN, COUNTY_OFFICER)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        CheckConstraint(f"role IN ('{CITY_ADMIN}', '{COUNTY_OFFICER}', '{ENTERPRISE}')", name="role"),
        # A county officer without a county would see nothing; refuse it at the source.
        CheckConstraint(
            f"role = '{CITY_ADMIN}' OR county_id IS NOT NULL", name="officer_has_county"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    county_id: Mapped[int | None] = mapped_column(ForeignKey("county.id"), index=True)
    # Only for an enterprise account: its enterprise (unique: one account each).
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Set for accounts whose password someone else chose (create-user, seed-demo):
    # every page but the password change leads to the password change.
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                       server_default=false())
    # Part of the id in every session cookie: raising it ends all of the user's
    # sessions (logout, password change, deactivation, "sign out everywhere").
    session_generation: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                                    server_default="0")

    county: Mapped[County | None] = relationship()
    enterprise: Mapped["Enterprise | None"] = relationship()  # noqa: F821

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session; see :mod:`pool.access.sessions`."""
        return f"{self.id}:{self.session_generation}"

    @property
    def is_city_admin(self) -> bool:
        return self.role == CITY_ADMIN

    @property
    def is_enterprise(self) -> bool:
        return self.role == ENTERPRISE

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginAttempt(db.Model):
    """One login attempt; failures within a window throttle further attempts."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    remote_addr: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class RememberToken(db.Model):
    """A "stay logged in" token of one device (browser); only its SHA-256 is stored."""

    __tablename__ = "remember_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class PasswordReset(db.Model):
    """A one-time link to set a password (a new account, or one the
    administrator reset); only its SHA-256 is stored."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
