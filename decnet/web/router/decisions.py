"""Analyst actions (analyst role and up): notes, merge, split, cannot-link."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, status

from decnet.web.api import actions, queries
from decnet.web.api.deps import (
    AnalystUser,
    IdentityUuid,
    Limit,
    Offset,
    Session,
    ViewerUser,
)
from decnet.web.api.schemas.common import Message
from decnet.web.api.schemas.decision import (
    CannotLinkRequest,
    DecisionPage,
    DecisionPublic,
    MergeRequest,
    MergeResult,
    SplitRequest,
)
from decnet.web.api.schemas.identity import IdentityDetail, NotesUpdate
from decnet.web.api.views import identity_detail

router = APIRouter(tags=["decisions"])

_ERRORS = {
    403: {"model": Message, "description": "Role below analyst"},
    404: {"model": Message, "description": "Identity or observation not found"},
    409: {"model": Message, "description": "Conflicts with the current state"},
}


@router.put("/identities/{uuid}/notes", responses=_ERRORS)
async def put_notes(
    uuid: IdentityUuid, body: NotesUpdate, session: Session, user: AnalystUser
) -> IdentityDetail:
    """Replace the analyst notes of the canonical identity; null or "" clears them."""
    identity = await actions.set_notes(session, str(uuid), body.notes, user.username)
    return await identity_detail(session, identity.uuid)


@router.post("/identities/{uuid}/merge", responses=_ERRORS)
async def merge_identity(
    uuid: IdentityUuid, body: MergeRequest, session: Session, user: AnalystUser
) -> MergeResult:
    """Merge `loser_uuid` into this identity now and record the decision.

    Both identities must be canonical; the loser keeps its row, pointing at
    this one, and an `identity.merged` event is published.
    """
    decision, winner, observations = await actions.merge(
        session, str(uuid), str(body.loser_uuid), user.username, body.reason
    )
    return MergeResult(
        decision=DecisionPublic.model_validate(decision),
        identity=await identity_detail(session, winner.uuid),
        observation_uuids=observations,
    )


@router.post(
    "/identities/{uuid}/split",
    status_code=status.HTTP_202_ACCEPTED,
    responses=_ERRORS,
)
async def split_identity(
    uuid: IdentityUuid, body: SplitRequest, session: Session, user: AnalystUser
) -> DecisionPublic:
    """Record that these observations leave the identity; the clusterer applies it."""
    decision = await actions.split(
        session,
        str(uuid),
        [str(o) for o in body.observation_uuids],
        user.username,
        body.reason,
    )
    return DecisionPublic.model_validate(decision)


@router.post(
    "/decisions/cannot-link",
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
)
async def cannot_link(
    body: CannotLinkRequest, session: Session, user: AnalystUser
) -> DecisionPublic:
    """Record that two identities or two observations must never share an identity."""
    decision = await actions.cannot_link(
        session,
        body.subject_type,
        str(body.a),
        str(body.b),
        user.username,
        body.reason,
    )
    return DecisionPublic.model_validate(decision)


@router.get("/decisions")
async def list_decisions(
    session: Session,
    user: ViewerUser,
    limit: Limit = 50,
    offset: Offset = 0,
    subject: Annotated[
        UUID | None, Query(description="Identity or observation uuid.")
    ] = None,
    kind: Annotated[
        str | None,
        Query(
            pattern="^(note|merge|split|cannot_link|must_link)$",
            description="note, merge, split, cannot_link or must_link.",
        ),
    ] = None,
    include_revoked: bool = False,
) -> DecisionPage:
    """List decisions newest first."""
    page = await queries.list_decisions(
        session,
        limit=limit,
        offset=offset,
        subject=str(subject) if subject else None,
        kind=kind,
        include_revoked=include_revoked,
    )
    return DecisionPage.model_validate(page)


@router.delete("/decisions/{decision_id}", responses=_ERRORS)
async def revoke_decision(
    decision_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    session: Session,
    user: AnalystUser,
) -> DecisionPublic:
    """Revoke a split or cannot-link decision; later passes ignore it."""
    decision = await actions.revoke(session, decision_id, user.username)
    return DecisionPublic.model_validate(decision)
