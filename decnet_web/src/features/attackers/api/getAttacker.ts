import { queryOptions, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { attackerKeys } from "../../../api/keys";
import type { AttackerDetail } from "../../../api/types";

/** Fetch one observation with its `identity_id` and sessions. */
export async function getAttacker(uuid: string): Promise<AttackerDetail> {
  return unwrap(
    await api.GET("/api/v1/attackers/{uuid}", {
      params: { path: { uuid } },
    }),
  );
}

export function attackerQueryOptions(uuid: string) {
  return queryOptions({
    queryKey: attackerKeys.detail(uuid),
    queryFn: () => getAttacker(uuid),
  });
}

export function useAttacker(uuid: string) {
  return useQuery(attackerQueryOptions(uuid));
}
