import { getSseTicket } from "../features/auth/api/sseTicket";

export type StreamStatus = "connecting" | "live" | "reconnecting" | "closed";

export type StreamEvent = {
  subject: string;
  payload: Record<string, unknown>;
  id: string;
};

type StreamOptions = {
  /** API path of the stream, e.g. /api/v1/identities/events. */
  path: string;
  /** SSE event names to listen for besides unnamed messages. */
  eventNames: readonly string[];
  onEvent: (event: StreamEvent) => void;
  onStatus: (status: StreamStatus) => void;
  /** Delay before the first reconnect, doubled per failure up to 30 s. */
  retryMs?: number;
};

const MAX_RETRY_MS = 30_000;
const MAX_SEEN_IDS = 5000;

/** Subject of the event sent after a reconnect, when events may be lost. */
export const RESYNC = "stream.resync";

function parseEvent(message: MessageEvent<string>): StreamEvent | null {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return null;
  }
  if (!data || typeof data !== "object") {
    return null;
  }
  const record = data as Record<string, unknown>;
  // Accept both {subject, payload} envelopes and bare payloads whose
  // subject travels as the SSE event name.
  if (typeof record.subject === "string" && record.payload) {
    return {
      subject: record.subject,
      payload: record.payload as Record<string, unknown>,
      id: message.lastEventId,
    };
  }
  return { subject: message.type, payload: record, id: message.lastEventId };
}

/**
 * Open an authenticated Server-Sent Events stream and keep it open.
 *
 * Each connection spends a fresh single-use ticket. The browser's own
 * reconnect would replay a spent ticket, so this function reconnects
 * instead. On an error the stream closes, waits with exponential backoff,
 * fetches a new ticket, opens a new stream and then passes on a RESYNC
 * event. Returns a function that closes the stream for good.
 */
export function openEventStream({
  path,
  eventNames,
  onEvent,
  onStatus,
  retryMs = 1000,
}: StreamOptions): () => void {
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  let failures = 0;
  let connections = 0;
  // The server delivers at least once, so drop ids already seen.
  const seen = new Set<string>();

  const handle = (message: MessageEvent<string>) => {
    const event = parseEvent(message);
    if (!event) {
      return;
    }
    if (event.id) {
      if (seen.has(event.id)) {
        return;
      }
      seen.add(event.id);
      if (seen.size > MAX_SEEN_IDS) {
        seen.delete(seen.values().next().value as string);
      }
    }
    onEvent(event);
  };

  const scheduleReconnect = () => {
    if (closed) {
      return;
    }
    onStatus("reconnecting");
    const delay = Math.min(retryMs * 2 ** failures, MAX_RETRY_MS);
    failures += 1;
    timer = setTimeout(connect, delay);
  };

  async function connect() {
    if (closed) {
      return;
    }
    onStatus(failures === 0 ? "connecting" : "reconnecting");
    let ticket: string;
    try {
      ticket = await getSseTicket();
    } catch {
      scheduleReconnect();
      return;
    }
    if (closed) {
      return;
    }

    const url = new URL(path, window.location.origin);
    url.searchParams.set("ticket", ticket);
    // The page fetches what it shows itself, so the server's snapshot (a
    // list query per connection) is not needed.
    url.searchParams.set("snapshot_limit", "0");
    connections += 1;
    source = new EventSource(url);

    source.onopen = () => {
      failures = 0;
      onStatus("live");
      // A new EventSource cannot send Last-Event-ID, so events between the
      // two connections may be lost: tell the cache to refetch.
      if (connections > 1) {
        onEvent({ subject: RESYNC, payload: {}, id: "" });
      }
    };
    source.onmessage = handle;
    for (const name of eventNames) {
      source.addEventListener(name, handle as EventListener);
    }
    source.onerror = () => {
      source?.close();
      source = null;
      scheduleReconnect();
    };
  }

  void connect();

  return () => {
    closed = true;
    if (timer) {
      clearTimeout(timer);
    }
    source?.close();
    onStatus("closed");
  };
}
