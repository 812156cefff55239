import {
  keepPreviousData,
  queryOptions,
  useQuery,
} from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { identityKeys } from "../../../api/keys";
import type { AttackerPage } from "../../../api/types";

export type PageParams = { limit: number; offset: number };

/** Fetch a page of the observations (attackers rows) of an identity. */
export async function getIdentityObservations(
  uuid: string,
  page: PageParams,
): Promise<AttackerPage> {
  return unwrap(
    await api.GET("/api/v1/identities/{uuid}/observations", {
      params: { path: { uuid }, query: page },
    }),
  );
}

export function identityObservationsQueryOptions(
  uuid: string,
  page: PageParams,
) {
  return queryOptions({
    queryKey: identityKeys.observations(uuid, page),
    queryFn: () => getIdentityObservations(uuid, page),
    placeholderData: keepPreviousData,
  });
}

export function useIdentityObservations(uuid: string, page: PageParams) {
  return useQuery(identityObservationsQueryOptions(uuid, page));
}
