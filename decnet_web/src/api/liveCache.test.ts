import { QueryClient, QueryObserver } from "@tanstack/react-query";

import {
  attackerDetail,
  CAMPAIGN,
  IDENTITY_A,
  IDENTITY_B,
  identity,
  identityPage,
  OBSERVATION_1,
} from "../test/fixtures";
import { RESYNC } from "./eventStream";
import { attackerKeys, identityKeys } from "./keys";
import { LiveCacheUpdater } from "./liveCache";
import type { IdentityDetail, IdentityPage } from "./types";

const LIST = identityKeys.list({ limit: 50, offset: 0 });

function merged(winner: string, loser: string, id: string) {
  return {
    subject: "identity.merged",
    id,
    payload: {
      winner_uuid: winner,
      loser_uuid: loser,
      observation_uuids: [OBSERVATION_1],
      confidence_after: 0.9,
    },
  };
}

describe("LiveCacheUpdater", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("removes a merged loser from cached lists", () => {
    const client = new QueryClient();
    client.setQueryData(
      LIST,
      identityPage([identity(), identity({ uuid: IDENTITY_B })]),
    );
    const updater = new LiveCacheUpdater(client);
    updater.push(merged(IDENTITY_A, IDENTITY_B, "1"));
    vi.advanceTimersByTime(3000);
    const page = client.getQueryData<IdentityPage>(LIST);
    expect(page?.data.map((row) => row.uuid)).toEqual([IDENTITY_A]);
    expect(page?.total).toBe(1);
  });

  it("re-keys a cached attacker to the merge winner", () => {
    const client = new QueryClient();
    client.setQueryData(
      attackerKeys.detail(OBSERVATION_1),
      attackerDetail({ identity_id: IDENTITY_B }),
    );
    const updater = new LiveCacheUpdater(client);
    updater.push(merged(IDENTITY_A, IDENTITY_B, "1"));
    vi.advanceTimersByTime(3000);
    expect(
      client.getQueryData<{ identity_id: string }>(
        attackerKeys.detail(OBSERVATION_1),
      )?.identity_id,
    ).toBe(IDENTITY_A);
  });

  it("writes an assigned campaign into a cached detail", () => {
    const client = new QueryClient();
    // Keyed by a loser uuid that resolved to IDENTITY_A.
    client.setQueryData(identityKeys.detail(IDENTITY_B), identity());
    const updater = new LiveCacheUpdater(client);
    updater.push({
      subject: "identity.campaign.assigned",
      id: "2",
      payload: { identity_uuid: IDENTITY_A, campaign_uuid: CAMPAIGN },
    });
    vi.advanceTimersByTime(3000);
    expect(
      client.getQueryData<IdentityDetail>(identityKeys.detail(IDENTITY_B))
        ?.campaign_id,
    ).toBe(CAMPAIGN);
  });

  it("refetches an observed list once for a burst of events", async () => {
    const client = new QueryClient();
    const queryFn = vi.fn(async () => identityPage([identity()]));
    const observer = new QueryObserver(client, { queryKey: LIST, queryFn });
    const unsubscribe = observer.subscribe(() => {});
    await vi.runAllTimersAsync();
    expect(queryFn).toHaveBeenCalledTimes(1);

    const flushed: number[] = [];
    const updater = new LiveCacheUpdater(client, (count) =>
      flushed.push(count),
    );
    for (let index = 0; index < 200; index += 1) {
      updater.push({
        subject: "identity.observation.linked",
        id: String(index),
        payload: {
          identity_uuid: IDENTITY_A,
          observation_uuid: OBSERVATION_1,
          confidence_after: 0.8,
        },
      });
      vi.advanceTimersByTime(5);
    }
    await vi.runAllTimersAsync();
    expect(queryFn).toHaveBeenCalledTimes(2);
    expect(flushed).toEqual([200]);
    unsubscribe();
  });

  it("flushes at the maximum wait during a long burst", () => {
    const client = new QueryClient();
    const flushed: number[] = [];
    const updater = new LiveCacheUpdater(
      client,
      (count) => flushed.push(count),
      400,
      2000,
    );
    // One event every 100 ms for 3 s never leaves 400 ms of quiet.
    for (let index = 0; index < 30; index += 1) {
      updater.push(merged(IDENTITY_A, IDENTITY_B, String(index)));
      vi.advanceTimersByTime(100);
    }
    expect(flushed.length).toBeGreaterThanOrEqual(1);
  });

  it("marks every identity query stale after a reconnect", () => {
    const client = new QueryClient();
    client.setQueryData(LIST, identityPage([identity()]));
    client.setQueryData(identityKeys.detail(IDENTITY_A), identity());
    const updater = new LiveCacheUpdater(client);
    updater.push({ subject: RESYNC, payload: {}, id: "" });
    vi.advanceTimersByTime(3000);
    expect(client.getQueryState(LIST)?.isInvalidated).toBe(true);
    expect(
      client.getQueryState(identityKeys.detail(IDENTITY_A))?.isInvalidated,
    ).toBe(true);
  });
});
