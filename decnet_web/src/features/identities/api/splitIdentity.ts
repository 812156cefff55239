import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { attackerKeys, identityKeys } from "../../../api/keys";
import type { IdentityDetail } from "../../../api/types";

export type SplitInput = { uuid: string; observationUuids: string[] };

/** Move the given observations out of an identity into a new one. */
export async function splitIdentity({
  uuid,
  observationUuids,
}: SplitInput): Promise<IdentityDetail> {
  return unwrap(
    await api.POST("/api/v1/identities/{uuid}/split", {
      params: { path: { uuid } },
      body: { observation_uuids: observationUuids },
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
