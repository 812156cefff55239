import {
  keepPreviousData,
  queryOptions,
  useQuery,
} from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { identityKeys } from "../../../api/keys";
import type { IdentityPage } from "../../../api/types";

export type IdentityListParams = { limit: number; offset: number };

/** Fetch one page of canonical identities, newest-updated first. */
export async function getIdentities(
  params: IdentityListParams,
): Promise<IdentityPage> {
  return unwrap(
    await api.GET("/api/v1/identities", {
      params: { query: { limit: params.limit, offset: params.offset } },
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
