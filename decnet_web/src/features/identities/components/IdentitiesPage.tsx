import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";

import { CampaignBadge } from "../../../components/Badges";
import {
  distinctCount,
  formatPercent,
  formatTime,
  shortId,
} from "../../../components/format";
import { Pagination } from "../../../components/Pagination";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import {
  IDENTITY_SORTS,
  useIdentities,
  type IdentitySort,
} from "../api/getIdentities";

export const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 300;

function isSort(value: string | null): value is IdentitySort {
  return value !== null && value in IDENTITY_SORTS;
}

/** Paged list of canonical identities with search and sort in the URL. */
export function IdentitiesPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const sortParam = params.get("sort");
  const sort: IdentitySort = isSort(sortParam) ? sortParam : "updated";
  const offset = Math.max(0, Number(params.get("offset")) || 0);
  const [draft, setDraft] = useState(q);

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

  // Search as the analyst types, but only once typing pauses.
  useEffect(() => {
    if (draft.trim() === q) {
      return;
    }
    const timer = setTimeout(
      () => update({ q: draft.trim() || null, offset: null }),
      SEARCH_DELAY_MS,
    );
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft]);

  const query = useIdentities({ limit: PAGE_SIZE, offset, q, sort });

  return (
    <section aria-labelledby="identities-title">
      <div className="page-head">
        <h1 id="identities-title">Identities</h1>
        {query.data ? (
          <p className="muted">
            {query.data.total.toLocaleString("en")} canonical identities
          </p>
        ) : null}
      </div>
      <form
        className="toolbar"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          update({ q: draft.trim() || null, offset: null });
        }}
      >
        <label htmlFor="identity-search">Search</label>
        <input
          id="identity-search"
          type="search"
          placeholder="IP, JA3 or HASSH fingerprint, or C2 endpoint"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
        />
        <label htmlFor="identity-sort">Sort by</label>
        <select
          id="identity-sort"
          value={sort}
          onChange={(event) =>
            update({
              sort:
                event.target.value === "updated" ? null : event.target.value,
              offset: null,
            })
          }
        >
          {Object.entries(IDENTITY_SORTS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </form>
      <IdentityResults
        query={query}
        q={q}
        offset={offset}
        onPage={(next) => update({ offset: next ? String(next) : null })}
      />
    </section>
  );
}

type ResultsProps = {
  query: ReturnType<typeof useIdentities>;
  q: string;
  offset: number;
  onPage: (offset: number) => void;
};

function IdentityResults({ query, q, offset, onPage }: ResultsProps) {
  if (query.isPending) {
    return <Loading what="identities" />;
  }
  if (query.isError) {
    return (
      <ErrorState
        error={query.error}
        what="identities"
        onRetry={() => void query.refetch()}
      />
    );
  }
  const page = query.data;
  if (page.total === 0 && !q) {
    return (
      <EmptyState title="No identities yet: the clusterer has not run">
        Identities appear once logs are ingested and `decnet cluster` has
        grouped the observations.
      </EmptyState>
    );
  }
  if (page.total === 0) {
    return (
      <EmptyState title={`No identity matches “${q}”`}>
        Search takes a full IP address, a JA3 or HASSH hash, or a C2 host.
      </EmptyState>
    );
  }
  return (
    <>
      <div className="table-wrap">
        <table aria-label="Identities" aria-busy={query.isFetching}>
          <thead>
            <tr>
              <th scope="col">Identity</th>
              <th scope="col">Observations</th>
              <th scope="col">Confidence</th>
              <th scope="col">First seen</th>
              <th scope="col">Last seen</th>
              <th scope="col">HASSH</th>
              <th scope="col">JA3</th>
              <th scope="col">C2 endpoints</th>
              <th scope="col">Campaign</th>
            </tr>
          </thead>
          <tbody>
            {page.data.map((identity) => (
              <tr key={identity.uuid}>
                <td>
                  <Link
                    to={`/identities/${identity.uuid}`}
                    aria-label={`Identity ${identity.uuid}`}
                  >
                    <code>{shortId(identity.uuid)}</code>
                  </Link>
                </td>
                <td className="num">{identity.observation_count}</td>
                <td className="num">
                  {identity.confidence === null
                    ? "—"
                    : formatPercent(identity.confidence)}
                </td>
                <td>{formatTime(identity.first_seen_at)}</td>
                <td>{formatTime(identity.last_seen_at)}</td>
                <td className="num">{distinctCount(identity.hassh_hashes)}</td>
                <td className="num">{distinctCount(identity.ja3_hashes)}</td>
                <td className="truncate">
                  {(identity.c2_endpoints ?? []).slice(0, 2).join(", ") || "—"}
                </td>
                <td>
                  {identity.campaign_id ? (
                    <CampaignBadge uuid={identity.campaign_id} />
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pagination
        label="Identity pages"
        total={page.total}
        limit={page.limit}
        offset={offset}
        onChange={onPage}
      />
    </>
  );
}
