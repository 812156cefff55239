/** SSE event names of the campaign stream, /api/v1/campaigns/events. */
export const CAMPAIGN_EVENT_NAMES = [
  "campaign.formed",
  "campaign.updated",
] as const;
