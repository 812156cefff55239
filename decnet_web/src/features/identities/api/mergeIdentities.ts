import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { attackerKeys, identityKeys } from "../../../api/keys";
import type { IdentityDetail } from "../../../api/types";

export type MergeInput = { winnerUuid: string; loserUuid: string };

/** Merge `loserUuid` into `winnerUuid`; the loser keeps its row. */
export async function mergeIdentities({
  winnerUuid,
  loserUuid,
}: MergeInput): Promise<IdentityDetail> {
  return unwrap(
    await api.POST("/api/v1/identities/{uuid}/merge", {
      params: { path: { uuid: winnerUuid } },
      body: { loser_uuid: loserUuid },
    }),
  );
}

export function useMergeIdentities() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: mergeIdentities,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: identityKeys.all });
      void queryClient.invalidateQueries({ queryKey: attackerKeys.all });
    },
  });
}
