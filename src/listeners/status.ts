/** The `status` subcommand of both slash commands: the channel's requests and links to their threads. */
import type { webApi } from '@slack/bolt';
import type { RequestKind } from '../domain/request.js';
import { buildChannelStatus } from '../slack/views/status.js';
import type { Store } from '../store/store.js';

/** How many requests `status` lists. */
const STATUS_LIMIT = 20;

export async function channelStatus(client: webApi.WebClient, store: Store, channelId: string, kind: RequestKind): Promise<string> {
  const requests = await store.listRequestsByChannel(channelId, kind, STATUS_LIMIT);
  const threads = new Map<string, string>();
  await Promise.all(
    requests.map(async (r) => {
      if (!r.rootTs) return;
      const permalink = await client.chat.getPermalink({ channel: channelId, message_ts: r.rootTs }).catch(() => undefined);
      if (permalink?.permalink) threads.set(r.id, permalink.permalink);
    }),
  );
  return buildChannelStatus(kind, requests, threads);
}
