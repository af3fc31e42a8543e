"""Flask-SQLAlchemy models, one module per aggregate.

Importing this package registers every table on ``db.metadata`` (Alembic and
the tests rely on that).
"""
from .base import AppendOnlyError, Money, PayableMoney, UTCDateTime, db, utcnow  # noqa: F401
from .county import County  # noqa: F401
from .user import CITY_ADMIN, COUNTY_OFFICER, ENTERPRISE, OFFICER_ROLES, ROLES, LoginAttempt, PasswordReset, RememberToken, User  # noqa: F401
from .enterprise import STATES, Contact, Enterprise  # noqa: F401
from .ip_assets import (  # noqa: F401
    Patent, Product, Qualification, ResearchPartnership, Trademark, product_patent,
)
from .figures import ProductFigure, YearlyFigure  # noqa: F401
from .event import ExitRequest, PoolEvent, StateCorrection  # noqa: F401
from .audit import ChangeRecord  # noqa: F401
from .policy import IndustryCorrection, PolicyValue, ReferenceTableVersion  # noqa: F401
from .application import Application, IntakeBatch, IntakeRound  # noqa: F401
from .monitoring import JobLock, OutboxMail, RecordVerdict, RiskFlag, RiskFlagChange, RiskFlagNote  # noqa: F401
from .api_token import ApiRateWindow, ApiToken  # noqa: F401
from .portal import DECLARATION, ANNUAL_REPORT, CHANGE_REQUEST, Evidence, Submission, SubmissionRound  # noqa: F401
from .awards import (  # noqa: F401
    APPROVE, DECISIONS, OPEN, PAY, PUBLISH, PUBLISHED, REDUCE, REFUSE, REVERSE, AwardEntry, AwardFact, AwardItem,
    AwardParameter, AwardSettlement,
)
from .region import REGION_LEVELS, Region, RegionStatistic  # noqa: F401
from .ladder import MEMBERSHIP_EVENT_KINDS, Membership, MembershipEvent, PoolChange, RecordInputs  # noqa: F401
from .matchmaking import MatchmakingEvent, MatchmakingWithdrawal  # noqa: F401
