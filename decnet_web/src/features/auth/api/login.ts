import { useMutation } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import type { components } from "../../../api/schema";
import { sessionFromToken, sessionStore, type Session } from "./session";

export type LoginInput = components["schemas"]["LoginRequest"];

/** Exchange a user name and password for a bearer token. */
export async function login(input: LoginInput): Promise<Session> {
  const body = unwrap(await api.POST("/api/v1/auth/login", { body: input }));
  const session = sessionFromToken(
    body.access_token,
    body.expires_in,
    input.username,
  );
  return { ...session, mustChangePassword: body.must_change_password };
}

/** Sign in and store the session on success. */
export function useLogin() {
  return useMutation({
    mutationFn: login,
    onSuccess: (session) => sessionStore.signIn(session),
  });
}
