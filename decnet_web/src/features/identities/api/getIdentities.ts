import {
  keepPreviousData,
  queryOptions,
  useQuery,
} from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { identityKeys } from "../../../api/keys";
import type { IdentityPage } from "../../../api/types";

export const IDENTITY_SORTS = {
  updated: "Recently updated",
  last_seen: "Last seen",
  observations: "Most observations",
  confidence: "Highest confidence",
} as const;

export type IdentitySort = keyof typeof IDENTITY_SORTS;

export type IdentityListParams = {
  limit: number;
  offset: number;
  /** An IP, a JA3 or HASSH fingerprint, or a C2 endpoint. */
  q?: string;
  sort?: IdentitySort;
};

/** Fetch one page of canonical identities (merged-away rows excluded). */
export async function getIdentities(
  params: IdentityListParams,
): Promise<IdentityPage> {
  const query: IdentityListParams = {
    limit: params.limit,
    offset: params.offset,
  };
  if (params.q) {
    query.q = params.q;
  }
  if (params.sort && params.sort !== "updated") {
    query.sort = params.sort;
  }
  return unwrap(await api.GET("/api/v1/identities", { params: { query } }));
}

export function identitiesQueryOptions(params: IdentityListParams) {
  return queryOptions({
    queryKey: identityKeys.list(params),
    queryFn: () => getIdentities(params),
    // Keep the current page on screen while the next one loads.
    placeholderData: keepPreviousData,
  });
}

export function useIdentities(params: IdentityListParams) {
  return useQuery(identitiesQueryOptions(params));
}
