import {
  keepPreviousData,
  queryOptions,
  useQuery,
} from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { attackerKeys } from "../../../api/keys";
import type { AttackerPage } from "../../../api/types";

export type AttackerListParams = {
  limit: number;
  offset: number;
  ip?: string;
  /** "resolved", "unresolved" or undefined for both. */
  resolved?: boolean;
};

/** Fetch one page of observations (attackers rows). */
export async function getAttackers(
  params: AttackerListParams,
): Promise<AttackerPage> {
  const query: AttackerListParams = {
    limit: params.limit,
    offset: params.offset,
  };
  if (params.ip) {
    query.ip = params.ip;
  }
  if (params.resolved !== undefined) {
    query.resolved = params.resolved;
  }
  return unwrap(await api.GET("/api/v1/attackers", { params: { query } }));
}

export function attackersQueryOptions(params: AttackerListParams) {
  return queryOptions({
    queryKey: attackerKeys.list(params),
    queryFn: () => getAttackers(params),
    placeholderData: keepPreviousData,
  });
}

export function useAttackers(params: AttackerListParams) {
  return useQuery(attackersQueryOptions(params));
}
