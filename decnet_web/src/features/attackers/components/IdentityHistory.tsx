import { Link } from "react-router-dom";

import { formatPercent, formatTime, shortId } from "../../../components/format";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { useIdentityHistory } from "../api/getIdentityHistory";

/** Each change of an observation's identity, oldest first, with reasons. */
export function IdentityHistory({ uuid }: { uuid: string }) {
  const query = useIdentityHistory(uuid);
  if (query.isPending) {
    return <Loading what="identity history" />;
  }
  if (query.isError) {
    return (
      <ErrorState
        error={query.error}
        what="identity history"
        onRetry={() => void query.refetch()}
      />
    );
  }
  if (query.data.data.length === 0) {
    return <EmptyState title="No identity changes recorded" />;
  }
  return (
    <ol className="history" aria-label="Identity history">
      {query.data.data.map((entry) => (
        <li key={entry.id}>
          <time dateTime={entry.created_at}>
            {formatTime(entry.created_at)}
          </time>{" "}
          <strong>{entry.action}</strong>
          {entry.previous_identity_uuid ? (
            <>
              {" from "}
              <Link to={`/identities/${entry.previous_identity_uuid}`}>
                {shortId(entry.previous_identity_uuid)}
              </Link>
            </>
          ) : null}
          {entry.identity_uuid ? (
            <>
              {" to "}
              <Link to={`/identities/${entry.identity_uuid}`}>
                {shortId(entry.identity_uuid)}
              </Link>
            </>
          ) : null}{" "}
          by {entry.actor}
          {entry.confidence !== null
            ? `, confidence ${formatPercent(entry.confidence)}`
            : ""}
          <div className="muted">{entry.reason}</div>
        </li>
      ))}
    </ol>
  );
}
