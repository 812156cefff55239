import {
  keepPreviousData,
  queryOptions,
  useQuery,
} from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { campaignKeys } from "../../../api/keys";
import type { CampaignPage } from "../../../api/types";

export type CampaignListParams = { limit: number; offset: number };

/** Fetch one page of campaigns, newest-updated first. */
export async function getCampaigns(
  params: CampaignListParams,
): Promise<CampaignPage> {
  return unwrap(
    await api.GET("/api/v1/campaigns", { params: { query: params } }),
  );
}

export function campaignsQueryOptions(params: CampaignListParams) {
  return queryOptions({
    queryKey: campaignKeys.list(params),
    queryFn: () => getCampaigns(params),
    placeholderData: keepPreviousData,
  });
}

export function useCampaigns(params: CampaignListParams) {
  return useQuery(campaignsQueryOptions(params));
}
