import {
  keepPreviousData,
  queryOptions,
  useQuery,
} from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { campaignKeys } from "../../../api/keys";
import type { IdentityPage } from "../../../api/types";

export type PageParams = { limit: number; offset: number };

/** Fetch a page of the canonical identities of a campaign. */
export async function getCampaignIdentities(
  uuid: string,
  page: PageParams,
): Promise<IdentityPage> {
  return unwrap(
    await api.GET("/api/v1/campaigns/{uuid}/identities", {
      params: { path: { uuid }, query: page },
    }),
  );
}

export function campaignIdentitiesQueryOptions(uuid: string, page: PageParams) {
  return queryOptions({
    queryKey: campaignKeys.identities(uuid, page),
    queryFn: () => getCampaignIdentities(uuid, page),
    placeholderData: keepPreviousData,
  });
}

export function useCampaignIdentities(uuid: string, page: PageParams) {
  return useQuery(campaignIdentitiesQueryOptions(uuid, page));
}
