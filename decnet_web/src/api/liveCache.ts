import type { QueryClient, QueryKey } from "@tanstack/react-query";

import { RESYNC, type StreamEvent } from "./eventStream";
import { attackerKeys, identityKeys } from "./keys";
import type { AttackerDetail, IdentityDetail, IdentityPage } from "./types";

type Payload = Record<string, unknown>;

function text(payload: Payload, key: string): string | null {
  const value = payload[key];
  return typeof value === "string" ? value : null;
}

function texts(payload: Payload, key: string): string[] {
  const value = payload[key];
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === "string")
    : [];
}

/**
 * Apply bus events to the query cache in batches.
 *
 * Events are collected and applied once no new one has arrived for
 * `quietMs`, and at least every `maxWaitMs` during a burst. Facts an
 * event carries are written into cached rows directly. Every other
 * affected query is invalidated once per batch, and only queries on screen
 * refetch, so a burst costs one request per query on screen.
 */
export class LiveCacheUpdater {
  private pending: StreamEvent[] = [];
  private quietTimer: ReturnType<typeof setTimeout> | null = null;
  private firstPendingAt = 0;

  constructor(
    private readonly queryClient: QueryClient,
    private readonly onFlush: (count: number) => void = () => {},
    private readonly quietMs = 400,
    private readonly maxWaitMs = 2000,
  ) {}

  push(event: StreamEvent): void {
    if (this.pending.length === 0) {
      this.firstPendingAt = Date.now();
    }
    this.pending.push(event);
    if (this.quietTimer) {
      clearTimeout(this.quietTimer);
    }
    const waited = Date.now() - this.firstPendingAt;
    const delay = Math.max(0, Math.min(this.quietMs, this.maxWaitMs - waited));
    this.quietTimer = setTimeout(() => this.flush(), delay);
  }

  dispose(): void {
    if (this.quietTimer) {
      clearTimeout(this.quietTimer);
    }
    this.pending = [];
  }

  flush(): void {
    const events = this.pending;
    this.pending = [];
    this.quietTimer = null;
    if (events.length === 0) {
      return;
    }
    const stale = new Map<string, QueryKey>();
    const markStale = (key: QueryKey) => stale.set(JSON.stringify(key), key);

    for (const event of events) {
      this.apply(event, markStale);
    }
    for (const queryKey of stale.values()) {
      void this.queryClient.invalidateQueries({
        queryKey,
        refetchType: "active",
      });
    }
    this.onFlush(events.length);
  }

  private apply(event: StreamEvent, markStale: (key: QueryKey) => void) {
    const { subject, payload } = event;
    const identity = text(payload, "identity_uuid");

    switch (subject) {
      case "identity.merged": {
        const loser = text(payload, "loser_uuid");
        const winner = text(payload, "winner_uuid");
        if (loser) {
          this.removeFromLists(loser);
          markStale(identityKeys.detail(loser));
        }
        if (winner) {
          markStale(identityKeys.detail(winner));
          markStale(identityKeys.observations(winner));
          markStale(identityKeys.evidence(winner));
        }
        this.relinkObservations(texts(payload, "observation_uuids"), winner);
        markStale(identityKeys.lists());
        return;
      }
      case "identity.campaign.assigned": {
        const campaign = text(payload, "campaign_uuid");
        if (identity && campaign) {
          this.patchIdentity(identity, { campaign_id: campaign });
        }
        return;
      }
      case "identity.observation.linked": {
        const observation = text(payload, "observation_uuid");
        this.relinkObservations(observation ? [observation] : [], identity);
        if (identity) {
          markStale(identityKeys.detail(identity));
          markStale(identityKeys.observations(identity));
          markStale(identityKeys.evidence(identity));
        }
        markStale(identityKeys.lists());
        return;
      }
      case "identity.formed":
      case "identity.unmerged": {
        if (identity) {
          markStale(identityKeys.detail(identity));
          markStale(identityKeys.observations(identity));
        }
        const formerWinner = text(payload, "former_winner_uuid");
        if (formerWinner) {
          markStale(identityKeys.detail(formerWinner));
          markStale(identityKeys.observations(formerWinner));
        }
        this.relinkObservations(texts(payload, "observation_uuids"), identity);
        markStale(identityKeys.lists());
        return;
      }
      case RESYNC: {
        markStale(identityKeys.all);
        return;
      }
      case "campaign.formed":
      case "campaign.updated": {
        const campaign = text(payload, "campaign_uuid");
        for (const member of texts(payload, "identity_uuids")) {
          if (campaign) {
            this.patchIdentity(member, { campaign_id: campaign });
          }
        }
        return;
      }
      default:
        return;
    }
  }

  private removeFromLists(uuid: string) {
    this.queryClient.setQueriesData<IdentityPage>(
      { queryKey: identityKeys.lists() },
      (page) => {
        if (!page?.data?.some((row) => row.uuid === uuid)) {
          return page;
        }
        return {
          ...page,
          total: Math.max(0, page.total - 1),
          data: page.data.filter((row) => row.uuid !== uuid),
        };
      },
    );
  }

  private patchIdentity(uuid: string, patch: Partial<IdentityDetail>) {
    this.queryClient.setQueriesData<IdentityPage>(
      { queryKey: identityKeys.lists() },
      (page) =>
        page?.data && {
          ...page,
          data: page.data.map((row) =>
            row.uuid === uuid ? { ...row, ...patch } : row,
          ),
        },
    );
    // Detail queries are keyed by the requested uuid, which may be a loser
    // that resolves to this row, so match on the row's own uuid.
    this.queryClient.setQueriesData<IdentityDetail>(
      { queryKey: identityKeys.details() },
      (row) => (row && row.uuid === uuid ? { ...row, ...patch } : row),
    );
  }

  private relinkObservations(observations: string[], identity: string | null) {
    if (!identity) {
      return;
    }
    for (const observation of observations) {
      this.queryClient.setQueryData<AttackerDetail>(
        attackerKeys.detail(observation),
        (row) => row && { ...row, identity_id: identity },
      );
    }
  }
}
