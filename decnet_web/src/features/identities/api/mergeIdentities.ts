import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { attackerKeys, identityKeys } from "../../../api/keys";
import type { MergeResult } from "../../../api/types";

export type MergeInput = {
  winnerUuid: string;
  loserUuid: string;
  reason: string;
};

/** Merge `loserUuid` into `winnerUuid` now; the loser keeps its row. */
export async function mergeIdentities({
  winnerUuid,
  loserUuid,
  reason,
}: MergeInput): Promise<MergeResult> {
  return unwrap(
    await api.POST("/api/v1/identities/{uuid}/merge", {
      params: { path: { uuid: winnerUuid } },
      body: { loser_uuid: loserUuid, reason },
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
