"""SQLModel tables. Importing this package registers every table on the metadata."""

from decnet.web.db.models.auth import AppSecret, StreamTicket, User
from decnet.web.db.models.identity import (
    CANONICAL,
    MERGED,
    AnalystDecision,
    AttackerIdentity,
    Campaign,
    IdentityHistory,
    IdentityLink,
)
from decnet.web.db.models.observation import (
    Attacker,
    AttackerSession,
    ObservationFeature,
)
from decnet.web.db.models.system import Lease, OutboxEvent

__all__ = [
    "CANONICAL",
    "MERGED",
    "AnalystDecision",
    "AppSecret",
    "Attacker",
    "AttackerIdentity",
    "AttackerSession",
    "Campaign",
    "IdentityHistory",
    "IdentityLink",
    "Lease",
    "ObservationFeature",
    "OutboxEvent",
    "StreamTicket",
    "User",
]
