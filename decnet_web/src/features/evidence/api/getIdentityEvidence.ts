import { queryOptions, useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { identityKeys } from "../../../api/keys";
import type { IdentityEvidence } from "../../../api/types";

/** Fetch the links and shared features that hold an identity together. */
export async function getIdentityEvidence(
  uuid: string,
): Promise<IdentityEvidence> {
  return unwrap(
    await api.GET("/api/v1/identities/{uuid}/evidence", {
      params: { path: { uuid } },
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
