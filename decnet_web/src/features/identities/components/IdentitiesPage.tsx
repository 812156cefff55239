import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";

import { Pagination } from "../../../components/Pagination";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { useIdentityByIp } from "../api/findIdentityByIp";
import { useIdentities } from "../api/getIdentities";
import {
  isPageSort,
  looksLikeIp,
  PAGE_SORTS,
  sortPage,
  type PageSort,
} from "./identitySearch";
import { IdentityTable } from "./IdentityTable";

export const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 300;

/** Paged list of canonical identities; search, sort and page in the URL. */
export function IdentitiesPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const sortParam = params.get("sort");
  const sort: PageSort = isPageSort(sortParam) ? sortParam : "updated";
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
        <label htmlFor="identity-sort">Sort page by</label>
        <select
          id="identity-sort"
          value={sort}
          onChange={(event) =>
            update({
              sort:
                event.target.value === "updated" ? null : event.target.value,
            })
          }
        >
          {Object.entries(PAGE_SORTS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </form>
      {q ? (
        <SearchResults q={q} />
      ) : (
        <IdentityList
          offset={offset}
          sort={sort}
          onPage={(next) => update({ offset: next ? String(next) : null })}
        />
      )}
    </section>
  );
}

type IdentityListProps = {
  offset: number;
  sort: PageSort;
  onPage: (offset: number) => void;
};

function IdentityList({ offset, sort, onPage }: IdentityListProps) {
  const query = useIdentities({ limit: PAGE_SIZE, offset });
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
  if (page.total === 0) {
    return (
      <EmptyState title="No identities yet: the clusterer has not run">
        Identities appear once logs are ingested and `decnet cluster` has
        grouped the observations.
      </EmptyState>
    );
  }
  return (
    <>
      <p className="muted" aria-live="polite">
        {page.total.toLocaleString("en")} canonical identities
      </p>
      <IdentityTable rows={sortPage(page.data, sort)} busy={query.isFetching} />
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

function SearchResults({ q }: { q: string }) {
  const isIp = looksLikeIp(q);
  const query = useIdentityByIp(q, isIp);

  if (!isIp) {
    // NOTE: the API has no identity filter by fingerprint or C2 endpoint,
    // so only IP search runs. Other searches show this notice rather than
    // an unfiltered list.
    return (
      <EmptyState title={`Cannot search for “${q}” yet`}>
        This server searches identities by IP address only. Fingerprint and C2
        endpoint search needs an API filter it does not offer.
      </EmptyState>
    );
  }
  if (query.isPending) {
    return <Loading what="search results" />;
  }
  if (query.isError) {
    return (
      <ErrorState
        error={query.error}
        what="search results"
        onRetry={() => void query.refetch()}
      />
    );
  }
  const result = query.data;
  if (result.kind === "none") {
    return <EmptyState title={`No observation has the IP ${q}`} />;
  }
  if (result.kind === "unresolved") {
    return (
      <EmptyState title={`${q} is not resolved to an identity yet`}>
        The clusterer has not linked it.{" "}
        <Link to={`/attackers/${result.observation.uuid}`}>
          Open the attacker
        </Link>
        .
      </EmptyState>
    );
  }
  return (
    <>
      <p className="muted" aria-live="polite">
        {q} belongs to this identity
      </p>
      <IdentityTable rows={[result.identity]} />
    </>
  );
}
