import { useState } from "react";
import { useParams } from "react-router-dom";

import { ApiError } from "../../../api/client";
import type { IdentityDetail } from "../../../api/types";
import { Pagination } from "../../../components/Pagination";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { TagList } from "../../../components/TagList";
import { canEdit } from "../../auth/api/session";
import { useSession } from "../../auth/api/useSession";
import { useIdentityEvidence } from "../../evidence/api/getIdentityEvidence";
import { EvidenceGraph } from "../../evidence/components/EvidenceGraph";
import { useIdentity } from "../api/getIdentity";
import { useIdentityObservations } from "../api/getIdentityObservations";
import { ActivityTimeline } from "./ActivityTimeline";
import { AnalystActions } from "./AnalystActions";
import { IdentityHeader, mergedWinner } from "./IdentityHeader";
import { IdentityStats } from "./IdentityStats";
import { NotesPanel } from "./NotesPanel";
import { ObservationsTable } from "./ObservationsTable";

const OBSERVATION_PAGE = 25;

/** Everything about one identity at /identities/:id. */
export function IdentityDetailPage() {
  const { id = "" } = useParams();
  const query = useIdentity(id);

  if (query.isPending) {
    return <Loading what="the identity" />;
  }
  if (query.isError) {
    if (query.error instanceof ApiError && query.error.status === 404) {
      return (
        <EmptyState title="Identity not found">
          No identity has the uuid <code>{id}</code>. It may have been mistyped,
          or the database was rebuilt.
        </EmptyState>
      );
    }
    return (
      <ErrorState
        error={query.error}
        what="the identity"
        onRetry={() => void query.refetch()}
      />
    );
  }
  // A key per uuid remounts the view, so selections and drafts reset.
  return <IdentityView key={id} requestedUuid={id} identity={query.data} />;
}

type IdentityViewProps = { requestedUuid: string; identity: IdentityDetail };

function IdentityView({ requestedUuid, identity }: IdentityViewProps) {
  const { session } = useSession();
  const editable = canEdit(session);
  const merged = mergedWinner(requestedUuid, identity) !== null;

  return (
    <article className="detail">
      <IdentityHeader requestedUuid={requestedUuid} identity={identity} />
      <IdentityStats identity={identity} />
      <div className="tags">
        <TagList label="JA3" values={identity.ja3_hashes} />
        <TagList label="HASSH" values={identity.hassh_hashes} />
        <TagList label="C2 endpoints" values={identity.c2_endpoints} />
      </div>
      <ObservationsSection identity={identity} editable={editable && !merged} />
      <NotesPanel
        requestedUuid={requestedUuid}
        identity={identity}
        editable={editable}
      />
      <EvidenceSection uuid={identity.uuid} />
    </article>
  );
}

type ObservationsSectionProps = {
  identity: IdentityDetail;
  editable: boolean;
};

function ObservationsSection({ identity, editable }: ObservationsSectionProps) {
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<Map<string, string>>(new Map());
  const query = useIdentityObservations(identity.uuid, {
    limit: OBSERVATION_PAGE,
    offset,
  });

  const toggle = (uuid: string) => {
    const row = query.data?.data.find((item) => item.uuid === uuid);
    setSelected((current) => {
      const next = new Map(current);
      if (next.has(uuid)) {
        next.delete(uuid);
      } else {
        next.set(uuid, row?.ip ?? uuid);
      }
      return next;
    });
  };

  let body;
  if (query.isPending) {
    body = <Loading what="observations" />;
  } else if (query.isError) {
    body = (
      <ErrorState
        error={query.error}
        what="observations"
        onRetry={() => void query.refetch()}
      />
    );
  } else if (query.data.total === 0) {
    body = <EmptyState title="No observations are linked to this identity" />;
  } else {
    body = (
      <>
        <ObservationsTable
          page={query.data}
          selected={editable ? new Set(selected.keys()) : undefined}
          onToggle={editable ? toggle : undefined}
        />
        <Pagination
          label="Observation pages"
          total={query.data.total}
          limit={query.data.limit}
          offset={offset}
          onChange={setOffset}
        />
        <h3>Activity timeline</h3>
        <ActivityTimeline rows={query.data.data} />
      </>
    );
  }

  return (
    <>
      <section className="panel" aria-labelledby="observations-title">
        <h2 id="observations-title">Observations</h2>
        {body}
      </section>
      {editable ? (
        <AnalystActions
          identity={identity}
          selected={selected}
          onSplitDone={() => setSelected(new Map())}
        />
      ) : null}
    </>
  );
}

// Observations fetched to label graph nodes with their IPs.
const LABEL_PAGE = { limit: 200, offset: 0 };

function EvidenceSection({ uuid }: { uuid: string }) {
  const query = useIdentityEvidence(uuid);
  const observations = useIdentityObservations(uuid, LABEL_PAGE);
  const labels = new Map(
    (observations.data?.data ?? []).map((row) => [row.uuid, row.ip]),
  );
  return (
    <section className="panel" aria-labelledby="evidence-title">
      <h2 id="evidence-title">Evidence</h2>
      {query.isPending ? <Loading what="evidence" /> : null}
      {query.isError ? (
        <ErrorState
          error={query.error}
          what="evidence"
          onRetry={() => void query.refetch()}
        />
      ) : null}
      {query.isSuccess ? (
        <EvidenceGraph evidence={query.data} labels={labels} />
      ) : null}
    </section>
  );
}
