import { queryOptions, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { identityKeys } from "../../../api/keys";
import type { IdentityEvidence } from "../../../api/types";

/** Links fetched for the graph, strongest first; `total` counts all of them. */
export const EVIDENCE_LINK_LIMIT = 200;

/**
 * Fetch the strongest links that hold an identity together, and the summary
 * of every feature shared across all of its links.
 */
export async function getIdentityEvidence(
  uuid: string,
): Promise<IdentityEvidence> {
  return unwrap(
    await api.GET("/api/v1/identities/{uuid}/evidence", {
      params: { path: { uuid }, query: { limit: EVIDENCE_LINK_LIMIT } },
    }),
  );
}

export function identityEvidenceQueryOptions(uuid: string) {
  return queryOptions({
    queryKey: identityKeys.evidence(uuid),
    queryFn: () => getIdentityEvidence(uuid),
  });
}

export function useIdentityEvidence(uuid: string) {
  return useQuery(identityEvidenceQueryOptions(uuid));
}
