import { queryOptions, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { campaignKeys } from "../../../api/keys";
import type { Campaign } from "../../../api/types";

/** Fetch one campaign; the server follows merges to the canonical row. */
export async function getCampaign(uuid: string): Promise<Campaign> {
  return unwrap(
    await api.GET("/api/v1/campaigns/{uuid}", {
      params: { path: { uuid } },
    }),
  );
}

export function campaignQueryOptions(uuid: string) {
  return queryOptions({
    queryKey: campaignKeys.detail(uuid),
    queryFn: () => getCampaign(uuid),
  });
}

export function useCampaign(uuid: string) {
  return useQuery(campaignQueryOptions(uuid));
}
