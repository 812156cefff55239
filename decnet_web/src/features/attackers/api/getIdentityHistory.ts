import { queryOptions, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { attackerKeys } from "../../../api/keys";
import type { HistoryEntry } from "../../../api/types";

/** Fetch the identity changes of one observation, oldest first. */
export async function getIdentityHistory(
  uuid: string,
): Promise<HistoryEntry[]> {
  return unwrap(
    await api.GET("/api/v1/attackers/{uuid}/identity-history", {
      params: { path: { uuid } },
    }),
  );
}

export function identityHistoryQueryOptions(uuid: string) {
  return queryOptions({
    queryKey: attackerKeys.history(uuid),
    queryFn: () => getIdentityHistory(uuid),
  });
}

export function useIdentityHistory(uuid: string) {
  return useQuery(identityHistoryQueryOptions(uuid));
}
