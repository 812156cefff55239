import {
  keepPreviousData,
  queryOptions,
  useQuery,
} from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { identityKeys } from "../../../api/keys";
import type { operations } from "../../../api/schema";
import type { IdentityPage } from "../../../api/types";

export type IdentitySort = NonNullable<
  operations["list_identities_api_v1_identities_get"]["parameters"]["query"]
>["sort"] &
  string;

export type IdentityListParams = {
  limit: number;
  offset: number;
  /** IP address, JA3, JA4 or HASSH fingerprint, or C2 endpoint, matched exactly. */
  search?: string;
  sort?: IdentitySort;
};

/** Fetch one page of canonical identities, searched and sorted by the server. */
export async function getIdentities(
  params: IdentityListParams,
): Promise<IdentityPage> {
  return unwrap(
    await api.GET("/api/v1/identities", {
      params: {
        query: {
          limit: params.limit,
          offset: params.offset,
          search: params.search || undefined,
          sort: params.sort,
        },
      },
    }),
  );
}

export function identitiesQueryOptions(params: IdentityListParams) {
  return queryOptions({
    queryKey: identityKeys.list(params),
    queryFn: () => getIdentities(params),
    // Keep the current page on screen while the next one loads.
    placeholderData: keepPreviousData,
  });
}

export function useIdentities(params: IdentityListParams, enabled = true) {
  return useQuery({ ...identitiesQueryOptions(params), enabled });
}
