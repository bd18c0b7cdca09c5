/**
 * The Slack requests of the ack-latency phases, built (test/helpers/slack-payloads.ts, as the
 * tests send them) and signed before a phase starts, so the generator does as little as possible
 * while it measures.
 */
import { DEFAULT_APP, SlackIds, blockActionsPayload, commandFields, eventEnvelope, interactiveFormBody, viewSubmissionPayload } from '../test/helpers/slack-payloads.js';
import { fillState } from '../test/helpers/slack-requests.js';
import { signed, type PreparedRequest } from './lib/load.js';
import { KINDS, LOAD_CHANNEL, SIGNING_SECRET, USER, type Kind } from './settings.js';

type Json = Record<string, any>;

const FORM = 'application/x-www-form-urlencoded';

/** A submission the quota form refuses (use case too short): parse, validate, answer errors. */
function submissionValues(view: Json): Json {
  try {
    return fillState(view, {
      mail_type: 'transactional',
      website_url: 'https://shop.example.com',
      complies_with_aup: 'yes',
      only_requested_recipients: 'yes',
      handles_bounces_and_complaints: 'yes',
      'row:0:region': 'us-east-1',
      'row:0:limit': 'send_quota',
      'row:0:newValue': '200000',
      use_case: 'Order confirmations.',
      contact_language: 'en',
    });
  } catch {
    return fillState(view, {});
  }
}

export class SlackLoad {
  /** The quota modal as the bot drew it; view submissions and block actions are sent from it. */
  modalView: Json | undefined;
  private phaseSeq = 0;
  private readonly ids = new SlackIds();

  /** `slackOrigin`: the fake Slack's origin, where response_urls point. */
  constructor(private readonly slackOrigin: string) {}

  /** `count` signed requests of one kind; a slash command is tagged with its trigger_id. */
  prepare(kind: Kind, count: number): PreparedRequest[] {
    const phase = ++this.phaseSeq;
    const view = this.modalView ?? {};
    if (kind !== 'slash command' && !this.modalView) throw new Error('prepare: no modal yet');
    const values = kind === 'view submission' ? submissionValues(view) : {};
    const actionValues = kind === 'block action' ? fillState(view, {}) : {};
    const out: PreparedRequest[] = [];
    for (let i = 0; i < count; i++) {
      let tag: string | undefined;
      let built: { body: string; contentType: string; headers?: Record<string, string> };
      switch (kind) {
        case 'slash command': {
          tag = `bench.${phase}.${i}.${Math.random().toString(36).slice(2, 10)}`;
          const fields = commandFields(DEFAULT_APP, {
            command: '/ses-quota',
            userId: USER,
            channelId: LOAD_CHANNEL,
            triggerId: tag,
            responseUrl: `${this.slackOrigin}/response/${this.ids.next('cmd')}`,
          });
          built = { body: new URLSearchParams(fields).toString(), contentType: FORM };
          break;
        }
        case 'view submission':
          built = { body: interactiveFormBody(viewSubmissionPayload(DEFAULT_APP, { view, values, userId: USER, triggerId: this.ids.triggerId() })), contentType: FORM };
          break;
        case 'block action': {
          const payload = blockActionsPayload(DEFAULT_APP, {
            userId: USER,
            view,
            values: actionValues,
            actions: [{ action_id: 'add_row', block_id: 'add_row' }],
            triggerId: this.ids.triggerId(),
            actionTs: this.ids.slackTs(),
          });
          built = { body: interactiveFormBody(payload), contentType: FORM };
          break;
        }
        case 'message event': {
          // A reply containing "confirm" in a thread the bot does not know: a store lookup, then nothing.
          const ts = `${Math.floor(Date.now() / 1000)}.${String(phase * 10_000 + i).padStart(6, '0')}`;
          const event = { type: 'message', channel: LOAD_CHANNEL, user: USER, text: 'confirm', ts, thread_ts: '1600000000.000100', parent_user_id: 'UBOT', channel_type: 'channel', event_ts: ts };
          const envelope = eventEnvelope(DEFAULT_APP, event, { ts, eventId: this.ids.eventId(), eventTime: Math.floor(Date.now() / 1000), eventContext: this.ids.eventContext() });
          built = { body: JSON.stringify(envelope), contentType: 'application/json' };
          break;
        }
      }
      out.push({ ...signed(SIGNING_SECRET, built), ...(tag ? { tag } : {}) });
    }
    return out;
  }

  /** `count` requests of every kind, interleaved. */
  mixed(count: number): PreparedRequest[] {
    const per = KINDS.map((k) => this.prepare(k, Math.ceil(count / KINDS.length)));
    const out: PreparedRequest[] = [];
    for (let i = 0; out.length < count; i++) for (const list of per) if (list[i] && out.length < count) out.push(list[i]!);
    return out;
  }
}
