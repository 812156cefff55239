import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";

import { Pagination } from "../../../components/Pagination";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { useIdentityByIp } from "../api/findIdentityByIp";
import { useIdentities } from "../api/getIdentities";
import type { IdentitySort } from "../api/getIdentities";
import { IDENTITY_SORTS, isIdentitySort, looksLikeIp } from "./identitySearch";
import { IdentityTable } from "./IdentityTable";

export const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 300;

/**
 * Paged list of canonical identities. The server searches, sorts and pages.
 * The search text, order and offset live in the URL, so a view can be shared.
 */
export function IdentitiesPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const sortParam = params.get("sort");
  const sort: IdentitySort = isIdentitySort(sortParam) ? sortParam : "updated";
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

  return (
    <section aria-labelledby="identities-title">
      <div className="page-head">
        <h1 id="identities-title">Identities</h1>
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
          placeholder="IP address, JA3 or HASSH fingerprint, C2 endpoint"
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
      <IdentityList
        search={q}
        offset={offset}
        sort={sort}
        onPage={(next) => update({ offset: next ? String(next) : null })}
      />
    </section>
  );
}

type IdentityListProps = {
  search: string;
  offset: number;
  sort: IdentitySort;
  onPage: (offset: number) => void;
};

function IdentityList({ search, offset, sort, onPage }: IdentityListProps) {
  const query = useIdentities({ limit: PAGE_SIZE, offset, search, sort });
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
  if (page.total === 0 && search) {
    return <NoMatch search={search} />;
  }
  if (page.total === 0) {
    return (
      <EmptyState title="No identities yet: the clusterer has not run">
        Identities appear once logs are ingested and `decnet cluster` has
        grouped the observations.
      </EmptyState>
    );
  }
  const noun = page.total === 1 ? "identity" : "identities";
  return (
    <>
      <p className="muted" aria-live="polite">
        {search
          ? `${page.total.toLocaleString("en")} canonical ${noun} match “${search}”`
          : `${page.total.toLocaleString("en")} canonical ${noun}`}
      </p>
      <IdentityTable rows={page.data} busy={query.isFetching} />
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

/** Explain an empty search. For an IP, say whether it was observed at all. */
function NoMatch({ search }: { search: string }) {
  const isIp = looksLikeIp(search);
  const query = useIdentityByIp(search, isIp);

  if (!isIp) {
    return (
      <EmptyState title={`No identity matches “${search}”`}>
        Search matches an IP address, or a JA3, JA4 or HASSH fingerprint, or a
        C2 endpoint written exactly as stored (host or host:port).
      </EmptyState>
    );
  }
  if (query.isPending) {
    return <Loading what="the address" />;
  }
  if (query.isError) {
    return (
      <ErrorState
        error={query.error}
        what="the address"
        onRetry={() => void query.refetch()}
      />
    );
  }
  const result = query.data;
  if (result.kind === "unresolved") {
    return (
      <EmptyState title={`${search} is not resolved to an identity yet`}>
        The clusterer has not linked it.{" "}
        <Link to={`/attackers/${result.observation.uuid}`}>
          Open the attacker
        </Link>
        .
      </EmptyState>
    );
  }
  if (result.kind === "identity") {
    // The address was linked between the two requests.
    return (
      <EmptyState title={`${search} was just linked`}>
        <Link to={`/identities/${result.identity.uuid}`}>
          Open its identity
        </Link>
        .
      </EmptyState>
    );
  }
  return <EmptyState title={`No observation has the IP ${search}`} />;
}
