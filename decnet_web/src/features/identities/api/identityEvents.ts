import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { openEventStream, type StreamStatus } from "../../../api/eventStream";
import { LiveCacheUpdater } from "../../../api/liveCache";
import { CAMPAIGN_EVENT_NAMES } from "../../campaigns/api/campaignEvents";

export const IDENTITY_EVENT_NAMES = [
  "identity.formed",
  "identity.observation.linked",
  "identity.merged",
  "identity.unmerged",
  "identity.campaign.assigned",
] as const;

export type LiveState = {
  status: StreamStatus;
  /** Events applied to the cache since the page loaded. */
  applied: number;
  lastUpdateAt: number | null;
};

/**
 * Keep the identity and campaign caches current from the two SSE streams
 * while `enabled` (a signed-in user); returns the connection state.
 */
export function useIdentityEvents(enabled: boolean): LiveState {
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>({
    status: "closed",
    applied: 0,
    lastUpdateAt: null,
  });

  useEffect(() => {
    if (!enabled) {
      return;
    }
    const updater = new LiveCacheUpdater(queryClient, (count) =>
      setState((current) => ({
        ...current,
        applied: current.applied + count,
        lastUpdateAt: Date.now(),
      })),
    );
    // The identity stream alone drives the indicator.
    const closeIdentities = openEventStream({
      path: "/api/v1/identities/events",
      eventNames: IDENTITY_EVENT_NAMES,
      onEvent: (event) => updater.push(event),
      onStatus: (status: StreamStatus) =>
        setState((current) => ({ ...current, status })),
    });
    const closeCampaigns = openEventStream({
      path: "/api/v1/campaigns/events",
      eventNames: CAMPAIGN_EVENT_NAMES,
      onEvent: (event) => updater.push(event),
      onStatus: () => {},
    });
    return () => {
      closeIdentities();
      closeCampaigns();
      updater.dispose();
    };
  }, [enabled, queryClient]);

  return state;
}
