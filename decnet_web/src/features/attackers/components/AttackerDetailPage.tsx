import { Link, useParams } from "react-router-dom";

import { ApiError } from "../../../api/client";
import { IdentityBadge } from "../../../components/Badges";
import { formatTime, shortId } from "../../../components/format";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { TagList } from "../../../components/TagList";
import { useAttacker } from "../api/getAttacker";
import { IdentityHistory } from "./IdentityHistory";
import { SessionList } from "./SessionList";

/** Render one observation (source IP): identity badge, sessions, history. */
export function AttackerDetailPage() {
  const { id = "" } = useParams();
  const query = useAttacker(id);

  if (query.isPending) {
    return <Loading what="the attacker" />;
  }
  if (query.isError) {
    if (query.error instanceof ApiError && query.error.status === 404) {
      return (
        <EmptyState title="Attacker not found">
          No observation has the uuid <code>{id}</code>.
        </EmptyState>
      );
    }
    return (
      <ErrorState
        error={query.error}
        what="the attacker"
        onRetry={() => void query.refetch()}
      />
    );
  }
  const attacker = query.data;
  const stats: [string, number][] = [
    ["Sessions", attacker.session_count],
    ["Events", attacker.event_count],
    ["Credentials tried", attacker.credential_count],
    ["Logins accepted", attacker.login_success_count],
    ["Commands", attacker.command_count],
  ];

  return (
    <article className="detail">
      <header className="detail-head">
        <h1>
          Attacker <code>{attacker.ip}</code>
        </h1>
        <div className="badges">
          {attacker.identity_id ? (
            <IdentityBadge uuid={attacker.identity_id} />
          ) : null}
        </div>
        {attacker.canonical_identity_id &&
        attacker.canonical_identity_id !== attacker.identity_id ? (
          <p className="notice">
            Its identity was merged into{" "}
            <Link to={`/identities/${attacker.canonical_identity_id}`}>
              {shortId(attacker.canonical_identity_id)}
            </Link>
            .
          </p>
        ) : null}
        <p className="muted">
          <code className="uuid">{attacker.uuid}</code> · first seen{" "}
          {formatTime(attacker.first_seen_at)} · last seen{" "}
          {formatTime(attacker.last_seen_at)}
        </p>
      </header>
      <dl className="stats" aria-label="Attacker statistics">
        {stats.map(([label, value]) => (
          <div key={label} className="stat">
            <dt>{label}</dt>
            <dd>{value.toLocaleString("en")}</dd>
          </div>
        ))}
      </dl>
      <div className="tags">
        <TagList label="Client versions" values={attacker.client_versions} />
        <TagList label="HASSH" values={attacker.hassh_hashes} />
        <TagList label="C2 endpoints" values={attacker.c2_endpoints} />
      </div>
      <section className="panel" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sessions</h2>
        <SessionList sessions={attacker.sessions} />
      </section>
      <section className="panel" aria-labelledby="history-title">
        <h2 id="history-title">Identity history</h2>
        <IdentityHistory uuid={attacker.uuid} />
      </section>
    </article>
  );
}
