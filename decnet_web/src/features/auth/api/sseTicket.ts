import { api, unwrap } from "../../../api/client";

/** Fetch a short-lived single-use ticket that authenticates one stream. */
export async function getSseTicket(): Promise<string> {
  const body = unwrap(await api.POST("/api/v1/auth/sse-ticket"));
  return body.ticket;
}
