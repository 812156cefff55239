import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import { identityKeys } from "../../../api/keys";
import type { IdentityDetail } from "../../../api/types";

export type NotesInput = { uuid: string; notes: string | null };

/** Replace the analyst notes of an identity; an empty text clears them. */
export async function updateIdentityNotes({
  uuid,
  notes,
}: NotesInput): Promise<IdentityDetail> {
  return unwrap(
    await api.PUT("/api/v1/identities/{uuid}/notes", {
      params: { path: { uuid } },
      body: { notes: notes && notes.trim() ? notes : null },
    }),
  );
}

export function useUpdateIdentityNotes(requestedUuid: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateIdentityNotes,
    onSuccess: (identity) => {
      queryClient.setQueryData(identityKeys.detail(requestedUuid), identity);
    },
  });
}
