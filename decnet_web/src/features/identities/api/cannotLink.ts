import { useMutation } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import type { components } from "../../../api/schema";

export type CannotLinkInput = components["schemas"]["CannotLinkRequest"];

/** Record that two identities or observations must never be linked. */
export async function cannotLink(input: CannotLinkInput) {
  return unwrap(
    await api.POST("/api/v1/decisions/cannot-link", { body: input }),
  );
}

export function useCannotLink() {
  return useMutation({ mutationFn: cannotLink });
}
