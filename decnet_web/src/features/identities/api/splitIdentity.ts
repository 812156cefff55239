import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { attackerKeys, identityKeys } from "../../../api/keys";
import type { Decision } from "../../../api/types";

export type SplitInput = {
  uuid: string;
  observationUuids: string[];
  reason: string;
};

/**
 * Record that the given observations leave an identity. The server stores
 * the decision (HTTP 202) and the clusterer applies it on its next pass.
 */
export async function splitIdentity({
  uuid,
  observationUuids,
  reason,
}: SplitInput): Promise<Decision> {
  return unwrap(
    await api.POST("/api/v1/identities/{uuid}/split", {
      params: { path: { uuid } },
      body: { observation_uuids: observationUuids, reason },
    }),
  );
}

export function useSplitIdentity() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: splitIdentity,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: identityKeys.all });
      void queryClient.invalidateQueries({ queryKey: attackerKeys.all });
    },
  });
}
