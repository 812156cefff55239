import { useState } from "react";
import { Link, useSearchParams } from "react-router-dom";

import { IdentityBadge } from "../../../components/Badges";
import { formatTime } from "../../../components/format";
import { Pagination } from "../../../components/Pagination";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { useAttackers } from "../api/getAttackers";

const PAGE_SIZE = 50;

const RESOLVED_FILTERS: Record<string, boolean | undefined> = {
  all: undefined,
  resolved: true,
  unresolved: false,
};

/** Paged list of observations, filterable by IP and resolution. */
export function AttackersPage() {
  const [params, setParams] = useSearchParams();
  const ip = params.get("ip") ?? "";
  const filter = params.get("resolved") ?? "all";
  const offset = Math.max(0, Number(params.get("offset")) || 0);
  const [draft, setDraft] = useState(ip);
  const query = useAttackers({
    limit: PAGE_SIZE,
    offset,
    ip: ip || undefined,
    resolved: RESOLVED_FILTERS[filter],
  });

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) {
        next.set(key, value);
      } else {
        next.delete(key);
      }
    }
    setParams(next, { replace: true });
  };

  let body;
  if (query.isPending) {
    body = <Loading what="attackers" />;
  } else if (query.isError) {
    body = (
      <ErrorState
        error={query.error}
        what="attackers"
        onRetry={() => void query.refetch()}
      />
    );
  } else if (query.data.total === 0) {
    body =
      ip || filter !== "all" ? (
        <EmptyState title="No attacker matches these filters" />
      ) : (
        <EmptyState title="No attackers yet: no logs have been ingested">
          Run `decnet ingest` on honeypot logs to create observations.
        </EmptyState>
      );
  } else {
    body = (
      <>
        <div className="table-wrap">
          <table aria-label="Attackers" aria-busy={query.isFetching}>
            <thead>
              <tr>
                <th scope="col">IP</th>
                <th scope="col">Identity</th>
                <th scope="col" className="num">
                  Sessions
                </th>
                <th scope="col" className="num">
                  Commands
                </th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {query.data.data.map((row) => (
                <tr key={row.uuid}>
                  <td>
                    <Link to={`/attackers/${row.uuid}`}>
                      <code>{row.ip}</code>
                    </Link>
                  </td>
                  <td>
                    {row.identity_id ? (
                      <IdentityBadge uuid={row.identity_id} />
                    ) : (
                      <span className="muted">unresolved</span>
                    )}
                  </td>
                  <td className="num">{row.session_count}</td>
                  <td className="num">{row.command_count}</td>
                  <td>{formatTime(row.first_seen_at)}</td>
                  <td>{formatTime(row.last_seen_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pagination
          label="Attacker pages"
          total={query.data.total}
          limit={query.data.limit}
          offset={offset}
          onChange={(next) => update({ offset: next ? String(next) : null })}
        />
      </>
    );
  }

  return (
    <section aria-labelledby="attackers-title">
      <div className="page-head">
        <h1 id="attackers-title">Attackers</h1>
        {query.data ? (
          <p className="muted">
            {query.data.total.toLocaleString("en")} observations, one per IP
          </p>
        ) : null}
      </div>
      <form
        className="toolbar"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          update({ ip: draft.trim() || null, offset: null });
        }}
      >
        <label htmlFor="attacker-ip">IP address</label>
        <input
          id="attacker-ip"
          type="search"
          value={draft}
          placeholder="203.0.113.7"
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit">Filter</button>
        <label htmlFor="attacker-resolved">Show</label>
        <select
          id="attacker-resolved"
          value={filter}
          onChange={(event) =>
            update({
              resolved:
                event.target.value === "all" ? null : event.target.value,
              offset: null,
            })
          }
        >
          <option value="all">All</option>
          <option value="resolved">Resolved to an identity</option>
          <option value="unresolved">Not yet resolved</option>
        </select>
      </form>
      {body}
    </section>
  );
}
