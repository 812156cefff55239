import { queryOptions, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { identityKeys } from "../../../api/keys";
import type { Attacker, IdentityDetail } from "../../../api/types";
import { getIdentity } from "./getIdentity";

export type IpSearchResult =
  | { kind: "none" }
  | { kind: "unresolved"; observation: Attacker }
  | { kind: "identity"; observation: Attacker; identity: IdentityDetail };

/**
 * Find the identity that contains an IP: look the address up among the
 * observations (the server normalises its spelling), then fetch the
 * canonical identity it resolves to.
 */
export async function findIdentityByIp(ip: string): Promise<IpSearchResult> {
  const page = unwrap(
    await api.GET("/api/v1/attackers", {
      params: { query: { ip, limit: 1, offset: 0 } },
    }),
  );
  const observation = page.data[0];
  if (!observation) {
    return { kind: "none" };
  }
  if (!observation.identity_id) {
    return { kind: "unresolved", observation };
  }
  const identity = await getIdentity(observation.identity_id);
  return { kind: "identity", observation, identity };
}

export function identityByIpQueryOptions(ip: string) {
  return queryOptions({
    queryKey: [...identityKeys.all, "by-ip", ip] as const,
    queryFn: () => findIdentityByIp(ip),
  });
}

export function useIdentityByIp(ip: string, enabled: boolean) {
  return useQuery({ ...identityByIpQueryOptions(ip), enabled });
}
