import { queryOptions, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { identityKeys } from "../../../api/keys";
import type { IdentityDetail } from "../../../api/types";

/**
 * Fetch one identity. The server follows `merged_into_uuid`, so the row it
 * returns is the canonical winner; its uuid differs from the requested one
 * when the requested identity was merged away.
 */
export async function getIdentity(uuid: string): Promise<IdentityDetail> {
  return unwrap(
    await api.GET("/api/v1/identities/{uuid}", {
      params: { path: { uuid } },
    }),
  );
}

export function identityQueryOptions(uuid: string) {
  return queryOptions({
    queryKey: identityKeys.detail(uuid),
    queryFn: () => getIdentity(uuid),
  });
}

export function useIdentity(uuid: string) {
  return useQuery(identityQueryOptions(uuid));
}
