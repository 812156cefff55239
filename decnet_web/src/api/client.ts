import createClient, { type Middleware } from "openapi-fetch";

import { sessionStore } from "../features/auth/api/session";
import type { paths } from "./schema";

/** A failed API call: the HTTP status and the server's `detail`. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: unknown;

  constructor(status: number, detail: unknown) {
    super(describeDetail(status, detail));
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
  }
}

function describeDetail(status: number, detail: unknown): string {
  if (typeof detail === "string") {
    return detail;
  }
  // FastAPI validation errors: a list of {loc, msg}.
  if (Array.isArray(detail)) {
    return detail
      .map((item: { loc?: unknown[]; msg?: string }) =>
        [item.loc?.slice(1).join("."), item.msg].filter(Boolean).join(": "),
      )
      .join("; ");
  }
  return `Request failed with HTTP ${status}`;
}

const PASSWORD_PATH = "/api/v1/auth/password";

const authMiddleware: Middleware = {
  onRequest({ request }) {
    const session = sessionStore.get();
    if (session) {
      request.headers.set("Authorization", `Bearer ${session.token}`);
    }
    return request;
  },
  onResponse({ request, response }) {
    // A rejected token ends the session; the router then shows the login
    // page with the "session expired" notice. The password change returns
    // 401 for a wrong current password, which is not a token problem.
    const passwordChange = new URL(request.url).pathname === PASSWORD_PATH;
    if (
      response.status === 401 &&
      request.headers.has("Authorization") &&
      !passwordChange
    ) {
      sessionStore.expire();
    }
    return response;
  },
};

/** Typed client for the DECNET REST API, on the page's own origin. */
export const api = createClient<paths>({
  baseUrl: typeof window === "undefined" ? "" : window.location.origin,
  // Resolve fetch per call, so test servers that patch it are honoured.
  fetch: (request) => globalThis.fetch(request),
});
api.use(authMiddleware);

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/** Return the body of a successful call or throw ApiError. */
export function unwrap<T>(result: FetchResult<T>): T {
  if (result.response.ok && result.data !== undefined) {
    return result.data;
  }
  const detail =
    result.error && typeof result.error === "object" && "detail" in result.error
      ? (result.error as { detail: unknown }).detail
      : result.error;
  throw new ApiError(result.response.status, detail);
}
