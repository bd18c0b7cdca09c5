/**
 * The /ses-quota modal: the console's "SES Service Limits" case form, as a pure function of
 * what the form holds and what the bot knows about the account.
 */
import type { types } from '@slack/bolt';
import { CONTACT_LANGUAGES, MAIL_TYPES, formatNumber } from '../../domain/common.js';
import {
  ADDITIONAL_CONTACTS_HINT,
  MAX_QUOTA_ROWS,
  QUOTA_LIMITS,
  USE_CASE_QUESTIONS,
  USE_CASE_INVITATION,
  USE_CASE_HINT,
  QUOTA_EXPECTATIONS,
  MAX_USE_CASE_CHARS,
  type FieldWarning,
  type QuotaFormInput,
} from '../../domain/quota-request.js';
import { SES_REGIONS, regionName, isRegionCode } from '../../domain/regions.js';
import type { QuotaFilingMode } from '../../domain/service-quotas.js';
import { standingAnswersLine, standingAnswersUnavailableLine } from '../../domain/standing-answers.js';
import { ACTION, CALLBACK, COMMANDS, QUOTA_BLOCK, rowBlockId } from '../ids.js';
import { encodeMeta, type QuotaLookup, type QuotaModalMeta, type StandingNote } from '../modal-metadata.js';
import { channelMention, escape, userMention } from '../mrkdwn.js';
import { YES_NO, context, expectationsBlock, option, plain, radioInput, section, selectInput, textInput } from './blocks.js';
import { FORM_LIMIT_TYPE } from '../../domain/case-text.js';
import { accountBlocks, type AccountChoice } from './account-block.js';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;

const MAIL_TYPE_HELP: Record<keyof typeof MAIL_TYPES, string> = {
  marketing: 'Promotions, newsletters, announcements',
  transactional: 'Receipts, password resets, account notices',
  system_notifications: 'Alerts and reports from your systems',
};

const REGION_OPTIONS = SES_REGIONS.map((r) => option(r.code, r.name));
const LIMIT_OPTIONS = (Object.keys(QUOTA_LIMITS) as (keyof typeof QUOTA_LIMITS)[]).map((k) => option(k, QUOTA_LIMITS[k].label));

export function newQuotaMeta(channelId: string, responseUrl: string | undefined): QuotaModalMeta {
  return { kind: 'quota', channelId, ...(responseUrl ? { responseUrl } : {}), rowKeys: ['0'], nextRowKey: 1, quotas: {} };
}

/** Regions the rows name (or the default for a row without one), in row order, each once. */
export function regionsInForm(form: QuotaFormInput, defaultRegion: string): string[] {
  const regions = form.rows.map((r) => (isRegionCode(r.region) ? r.region : defaultRegion));
  return [...new Set(regions.length ? regions : [defaultRegion])];
}

/** How each filing mode names what the form does: the form must not promise a Support case the bot will not open. */
const MODE_WORDS: Record<QuotaFilingMode, { submit: string; intro: string; mostRows: string }> = {
  'service-quotas': {
    submit: 'Submit',
    intro:
      'This sends each request to AWS *Service Quotas*, as the Service Quotas console does; a region still in the SES sandbox gets a production access request instead. AWS\'s answers appear in the request\'s Slack thread.',
    mostRows: `${MAX_QUOTA_ROWS} requests is the most one form holds.`,
  },
  'support-case': {
    submit: 'File case',
    intro: 'This files a *Service limit increase* case with AWS Support, as the Support Center form does. AWS answers in the case\'s Slack thread.',
    mostRows: `${MAX_QUOTA_ROWS} requests is the most one case holds.`,
  },
};

/**
 * `warnings`: values far above the current quota, shown before they are filed (the form redraws with them).
 * `mode` defaults to the new filing so that views built only to check their layout need not name one; the listener always passes it.
 */
export function buildQuotaModal(
  form: QuotaFormInput,
  meta: QuotaModalMeta,
  defaultRegion: string,
  warnings: FieldWarning[] = [],
  mode: QuotaFilingMode = 'service-quotas',
  account?: AccountChoice,
): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.quotaRequest,
    title: plain('SES sending quota', 24),
    submit: plain(MODE_WORDS[mode].submit, 24),
    close: plain('Cancel', 24),
    private_metadata: encodeMeta(meta),
    blocks: [
      ...accountBlocks(account),
      ...answerBlocks(form, meta, defaultRegion, mode),
      ...requestRowBlocks(form, meta, defaultRegion, mode),
      ...(warnings.length ? [section(warnings.map((w) => `:warning: ${escape(w.message)}`).join('\n'), QUOTA_BLOCK.farAbove)] : []),
      ...useCaseBlocks(form, mode),
      expectationsBlock(QUOTA_EXPECTATIONS),
    ],
  };
}

/** The top of the form: the limit type, the current quota, mail type, website and the three compliance answers. */
function answerBlocks(form: QuotaFormInput, meta: QuotaModalMeta, defaultRegion: string, mode: QuotaFilingMode): KnownBlock[] {
  return [
    section(`*Limit type:* ${FORM_LIMIT_TYPE}`, QUOTA_BLOCK.limitType),
    context(MODE_WORDS[mode].intro),
    ...standingAnswersBlock(meta.standing, COMMANDS.quota, QUOTA_BLOCK.standingAnswers),
    currentQuotaBlock(regionsInForm(form, defaultRegion), meta.quotas),
    radioInput({
      blockId: QUOTA_BLOCK.mailType,
      label: 'Mail type',
      hint: 'Pick the type that covers most of the mail you send.',
      options: (Object.keys(MAIL_TYPES) as (keyof typeof MAIL_TYPES)[]).map((k) => option(k, MAIL_TYPES[k], MAIL_TYPE_HELP[k])),
      initial: form.mailType ?? undefined,
    }),
    textInput({
      blockId: QUOTA_BLOCK.websiteUrl,
      actionId: QUOTA_BLOCK.websiteUrl,
      label: 'Website URL',
      placeholder: 'https://example.com',
      initial: form.websiteUrl ?? undefined,
      maxLength: 1000,
    }),
    radioInput({
      blockId: QUOTA_BLOCK.compliesWithAup,
      label: 'My email sending complies with the AWS Service Terms and AUP',
      options: YES_NO,
      initial: form.compliesWithAup ?? undefined,
    }),
    radioInput({
      blockId: QUOTA_BLOCK.onlyRequestedRecipients,
      label: 'I only send to recipients who have specifically requested my mail',
      options: YES_NO,
      initial: form.onlyRequestedRecipients ?? undefined,
    }),
    radioInput({
      blockId: QUOTA_BLOCK.handlesBouncesAndComplaints,
      label: 'I have a process to handle bounces and complaints',
      options: YES_NO,
      initial: form.handlesBouncesAndComplaints ?? undefined,
    }),
    { type: 'divider' },
    section('*Requests*', QUOTA_BLOCK.rowsHeader),
  ];
}

/**
 * One context line, above the answers it is about: which request they were pre-filled from, or
 * that they could not be read in time. Nothing for a form opened empty on purpose (`fresh`) or in
 * a channel with no filed request. Shared with the dedicated-IP modal, which words it the same.
 */
export function standingAnswersBlock(note: StandingNote | undefined, command: string, blockId: string): KnownBlock[] {
  if (!note) return [];
  const text =
    note.state === 'prefilled'
      ? `:memo: ${standingAnswersLine(note, { requester: userMention(note.requesterId), freshCommand: `\`${command} fresh\`` })}`
      : `:hourglass: ${standingAnswersUnavailableLine(`\`${command}\``)}`;
  return [context(text, blockId)];
}

/**
 * One header, region, limit and value per request row (and a sandbox notice under a row whose
 * region is still in the sandbox), then "Add another request" while there is room. At most
 * 11 + 5 × MAX_QUOTA_ROWS + 8 blocks (the first 11 with the standing-answers line): well inside Block Kit's 100.
 */
function requestRowBlocks(form: QuotaFormInput, meta: QuotaModalMeta, defaultRegion: string, mode: QuotaFilingMode): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  const rowsByKey = new Map(form.rows.map((r) => [r.key, r]));
  meta.rowKeys.forEach((key, i) => {
    const row = rowsByKey.get(key);
    // The region the row's select shows: the first row starts on the default region.
    const region = row?.region ?? (i === 0 ? defaultRegion : undefined);
    blocks.push(
      {
        type: 'section',
        block_id: rowBlockId(key, 'header'),
        text: { type: 'mrkdwn', text: `*Request ${i + 1}*` },
        ...(meta.rowKeys.length > 1 ? { accessory: { type: 'button', action_id: ACTION.removeRow, value: key, text: plain('Remove') } } : {}),
      },
      selectInput({
        blockId: rowBlockId(key, 'region'),
        actionId: ACTION.rowRegion,
        label: 'Region',
        placeholder: 'Choose a region',
        options: REGION_OPTIONS,
        initial: row?.region ?? (i === 0 ? defaultRegion : undefined),
        dispatchAction: true,
      }),
      selectInput({ blockId: rowBlockId(key, 'limit'), actionId: ACTION.rowLimit, label: 'Limit', placeholder: 'Choose a limit', options: LIMIT_OPTIONS, initial: row?.limit ?? undefined }),
      textInput({
        blockId: rowBlockId(key, 'newValue'),
        actionId: ACTION.rowValue,
        label: 'New limit value',
        placeholder: 'A whole number, e.g. 200000',
        initial: row?.newValue ?? undefined,
        maxLength: 20,
      }),
      ...sandboxNotice(key, region, meta, mode),
    );
  });
  if (meta.rowKeys.length < MAX_QUOTA_ROWS) {
    blocks.push({ type: 'actions', block_id: QUOTA_BLOCK.addRow, elements: [{ type: 'button', action_id: ACTION.addRow, text: plain('Add another request') }] });
  } else {
    blocks.push(context(MODE_WORDS[mode].mostRows, QUOTA_BLOCK.addRow));
  }
  return blocks;
}

/**
 * What submitting does for a row whose region is known to be in the sandbox: there a quota
 * increase is not what AWS acts on, production access is. Nothing while the region is unknown,
 * loading or unreadable: the bot only says what it knows.
 */
function sandboxNotice(key: string, region: string | null | undefined, meta: QuotaModalMeta, mode: QuotaFilingMode): KnownBlock[] {
  if (!isRegionCode(region)) return [];
  const lookup = Object.hasOwn(meta.quotas, region) ? meta.quotas[region] : undefined;
  if (lookup?.state !== 'ok' || lookup.quota.productionAccess) return [];
  const name = escape(regionName(region));
  const text =
    mode === 'service-quotas'
      ? `:information_source: ${name} is in the SES sandbox. Submitting requests production access for ${name} (AWS reviews it, usually within a day); the value you ask for goes into the use case.`
      : `${name} is in the SES sandbox: the case asks AWS for production access there as well.`;
  return [context(text, rowBlockId(key, 'sandboxNotice'))];
}

/**
 * The use case (with the questions AWS wants answered), the contact language and, when filing
 * through Service Quotas, the additional contacts: only a production access request carries
 * them, and a Support case has no place for them, so that mode does not ask.
 */
function useCaseBlocks(form: QuotaFormInput, mode: QuotaFilingMode): KnownBlock[] {
  return [
    { type: 'divider' },
    section(['*Use case description.* AWS asks you to answer:', ...USE_CASE_QUESTIONS.map((q, i) => `${i + 1}. ${q}`), USE_CASE_INVITATION].join('\n'), QUOTA_BLOCK.useCaseQuestions),
    textInput({
      blockId: QUOTA_BLOCK.useCase,
      actionId: QUOTA_BLOCK.useCase,
      label: 'Use case description',
      multiline: true,
      initial: form.useCase ?? undefined,
      maxLength: MAX_USE_CASE_CHARS,
      hint: USE_CASE_HINT,
    }),
    selectInput({
      blockId: QUOTA_BLOCK.language,
      actionId: QUOTA_BLOCK.language,
      label: 'Preferred contact language',
      placeholder: 'Choose a language',
      options: (Object.keys(CONTACT_LANGUAGES) as (keyof typeof CONTACT_LANGUAGES)[]).map((k) => option(k, CONTACT_LANGUAGES[k])),
      initial: form.language ?? 'en',
    }),
    ...(mode === 'service-quotas' ? [additionalContactsInput(form)] : []),
  ];
}

/** Room for four of the longest addresses and their separators; more are counted and refused by validation. */
const ADDITIONAL_CONTACTS_MAX_CHARS = 1100;

function additionalContactsInput(form: QuotaFormInput): KnownBlock {
  return textInput({
    blockId: QUOTA_BLOCK.additionalContacts,
    actionId: QUOTA_BLOCK.additionalContacts,
    label: 'Additional contacts for AWS',
    placeholder: 'ops@example.com, security@example.com',
    initial: form.additionalContacts ?? undefined,
    maxLength: ADDITIONAL_CONTACTS_MAX_CHARS,
    hint: ADDITIONAL_CONTACTS_HINT,
    optional: true,
  });
}

function currentQuotaBlock(regions: string[], quotas: Record<string, QuotaLookup>): KnownBlock {
  const lines = regions.map((region) => {
    const name = isRegionCode(region) ? regionName(region) : region;
    const lookup = quotas[region] ?? { state: 'loading' };
    if (lookup.state === 'loading') return `*${escape(name)}*: looking up the current quota…`;
    if (lookup.state === 'error') {
      return `*${escape(name)}*: could not read the current quota (${escape(lookup.message)}). You can still file the request.`;
    }
    const q = lookup.quota;
    const per24h = q.max24HourSend < 0 ? 'unlimited' : formatNumber(q.max24HourSend);
    const rate = q.maxSendRate < 0 ? 'unlimited' : formatNumber(q.maxSendRate);
    return `*${escape(name)}*: ${per24h} emails per 24 hours · ${rate} emails per second · ${formatNumber(q.sentLast24Hours)} sent in the last 24 hours · ${q.productionAccess ? 'production' : 'sandbox'}`;
  });
  return section(['*Current sending quota*', ...lines].join('\n'), QUOTA_BLOCK.currentQuota);
}

/** The view shown once a valid request has been accepted: the "submitting…" step, in the words of where it goes. */
export function buildQuotaAcceptedView(channelId: string, mode: QuotaFilingMode): ModalView {
  const where = channelMention(channelId);
  const text =
    mode === 'service-quotas'
      ? `:white_check_mark: Request received. The bot sends each request row to AWS Service Quotas (or requests production access for a region still in the sandbox); follow it in ${where}, where it gets its own thread.`
      : `:white_check_mark: Request received. The bot is filing it with AWS Support; follow it in ${where}, where the case gets its own thread.`;
  return {
    type: 'modal',
    title: plain('SES sending quota', 24),
    close: plain('Close', 24),
    blocks: [section(text)],
  };
}
