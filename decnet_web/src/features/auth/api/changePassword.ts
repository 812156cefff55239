import { useMutation } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import type { components } from "../../../api/schema";
import { sessionStore } from "./session";

export type PasswordInput = components["schemas"]["PasswordChange"];

/** Change the signed-in user's password; the server revokes every token. */
export async function changePassword(input: PasswordInput) {
  return unwrap(await api.POST("/api/v1/auth/password", { body: input }));
}

/** Change the password, then sign out so the user signs in with the new one. */
export function useChangePassword() {
  return useMutation({
    mutationFn: changePassword,
    onSuccess: () =>
      sessionStore.signOut("Password changed. Sign in with the new password."),
  });
}
