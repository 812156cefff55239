import { queryOptions, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { attackerKeys } from "../../../api/keys";
import type { HistoryPage } from "../../../api/types";

// The history of one IP is short; one page of the maximum size covers it.
const HISTORY_LIMIT = 1000;

/** Fetch the identity changes of one observation, oldest first. */
export async function getIdentityHistory(uuid: string): Promise<HistoryPage> {
  return unwrap(
    await api.GET("/api/v1/attackers/{uuid}/identity-history", {
      params: { path: { uuid }, query: { limit: HISTORY_LIMIT } },
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
