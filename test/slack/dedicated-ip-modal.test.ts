/**
 * The /ses-dedicated-ip modal (src/slack/views/dedicated-ip-modal.ts): the account's inventory,
 * the lease form with its Availability Zone advice and cost, and the relinquishment form with its
 * warning, the addresses it offers and the prorated charge.
 */
import { describe, expect, it } from 'vitest';
import { MAX_DEDICATED_IP_ROWS, type DedicatedIpFormInput } from '../../src/domain/dedicated-ip.js';
import { ACTION, CALLBACK, DIP_BLOCK } from '../../src/slack/ids.js';
import { decodeDedicatedIpMeta, type DedicatedIpModalMeta } from '../../src/slack/modal-metadata.js';
import {
  buildDedicatedIpAcceptedView,
  buildDedicatedIpModal,
  dedicatedIpRegions,
  knownInventories,
  newDedicatedIpMeta,
  type DedicatedIpModalInput,
  type InventoryLookup,
} from '../../src/slack/views/dedicated-ip-modal.js';
import { ip, PRICE } from '../domain/dedicated-ip-builders.js';
import { blockKitViolations } from '../property/arbitraries.js';
import { blockById, buttonsOf, inputIds, textOfBlocks } from './builders.js';

type Json = Record<string, any>;

/** Ireland: two standard IPs in `marketing` (one warming up) and one managed; Frankfurt: none. */
const LOOKUPS: Record<string, InventoryLookup> = {
  'eu-west-1': {
    state: 'ok',
    inventory: {
      region: 'eu-west-1',
      ips: [ip('198.51.100.2', 'STANDARD', 'marketing'), { ...ip('198.51.100.30', 'STANDARD', 'marketing'), warmupStatus: 'IN_PROGRESS', warmupPercentage: 45 }, ip('192.0.2.1', 'MANAGED', 'auto-pool')],
    },
  },
  'eu-central-1': { state: 'ok', inventory: { region: 'eu-central-1', ips: [] } },
  'us-east-1': { state: 'error', message: 'Access <denied>' },
};
const MID_MARCH = new Date('2025-03-15T12:00:00Z');

function modal(form: DedicatedIpFormInput, meta: Partial<DedicatedIpModalMeta> = {}, lookups = LOOKUPS): ReturnType<typeof buildDedicatedIpModal> {
  const input: DedicatedIpModalInput = {
    form,
    meta: { ...newDedicatedIpMeta('C0SESOPS', undefined), ...meta },
    lookups,
    defaultRegion: 'eu-west-1',
    priceCents: PRICE,
    now: MID_MARCH,
  };
  return buildDedicatedIpModal(input);
}

describe('buildDedicatedIpModal: the inventory', () => {
  it('lists standard IPs by pool with their warm-up, and managed IPs as managed by SES', () => {
    const view = modal({ rows: [{ key: '0', region: 'eu-west-1' }] });
    expect(blockById(view, DIP_BLOCK.inventory).text.text).toBe(
      [
        '*Dedicated IPs on this account*',
        '*Europe (Ireland)*: 2 standard dedicated IPs leased',
        '    pool `marketing`: 198.51.100.2 (warm-up done), 198.51.100.30 (warming up 45%)',
        '    1 managed IP in `auto-pool` (managed by SES; not relinquished through a case)',
      ].join('\n'),
    );
  });

  it('says when a region\'s IPs are still being read, or could not be read (escaped)', () => {
    const view = modal({ rows: [{ key: '0', region: 'us-east-1' }, { key: '1', region: 'ap-south-1' }] }, { rowKeys: ['0', '1'], nextRowKey: 2 });
    const text = blockById(view, DIP_BLOCK.inventory).text.text;
    expect(text).toContain('*US East (N. Virginia)*: could not read the dedicated IPs (Access &lt;denied&gt;).');
    expect(text).toContain("*Asia Pacific (Mumbai)*: reading the account's dedicated IPs…");
  });
});

describe('buildDedicatedIpModal: requesting dedicated IPs', () => {
  const view = modal({ rows: [{ key: '0', region: 'eu-central-1', sendRate: '100', ipCount: '1' }] });

  it('is filed with "File case" and asks the lease questions, one row per region', () => {
    expect(view).toMatchObject({ type: 'modal', callback_id: CALLBACK.dedicatedIpRequest, title: { text: 'SES dedicated IPs' }, submit: { text: 'File case' }, close: { text: 'Cancel' } });
    expect(inputIds(view)).toEqual([
      DIP_BLOCK.action,
      DIP_BLOCK.mailType,
      DIP_BLOCK.websiteUrl,
      DIP_BLOCK.optInProcess,
      DIP_BLOCK.bounceProcess,
      DIP_BLOCK.compliesWithAup,
      'row:0:region',
      'row:0:sendRate',
      'row:0:ipCount',
      DIP_BLOCK.useCase,
      DIP_BLOCK.language,
    ]);
    expect(blockById(view, 'row:0:ipCount').element.initial_value).toBe('1');
  });

  it('warns when a region would be left with a single IP, and shows the monthly cost', () => {
    expect(blockById(view, DIP_BLOCK.guidance).text.text).toBe(
      [
        ':warning: This would leave *Europe (Frankfurt)* with a single dedicated IP. AWS advises more than one per region, so the addresses are spread across Availability Zones and sending survives the loss of one.',
        ':moneybag: The IPs asked for cost *USD 24.95 a month* (USD 24.95 per IP per month).',
      ].join('\n'),
    );
  });

  it('gives the price per IP when no number of IPs was asked for', () => {
    const priced = modal({ rows: [{ key: '0', region: 'eu-west-1', sendRate: '100' }] });
    expect(blockById(priced, DIP_BLOCK.guidance).text.text).toBe('Each standard dedicated IP costs USD 24.95 a month.');
  });

  it('advises asking for at least two IPs where none is asked for and the region has fewer than two, as AWS sizes the count from the rate', () => {
    const sized = textOfBlocks(modal({ rows: [{ key: '0', region: 'eu-central-1', sendRate: '100' }] }).blocks);
    expect(sized).toMatch(/:information_source: .*Europe \(Frankfurt\)/);
    expect(sized).toMatch(/at least two/i);
    // eu-west-1 already has two standard IPs: no such advice.
    expect(textOfBlocks(modal({ rows: [{ key: '0', region: 'eu-west-1', sendRate: '100' }] }).blocks)).not.toContain(':information_source:');
  });

  it('says what to expect: first answer usually within 24 hours, not guaranteed, and that the send rate sizes the IPs', () => {
    const said = textOfBlocks(view.blocks);
    expect(said).toContain('*What to expect:*');
    expect(said).toMatch(/24 hours/);
    expect(said).toMatch(/send rate you give to size the number of dedicated IPs/);
  });

  it(`offers another region up to ${MAX_DEDICATED_IP_ROWS}, then says that is the most one case holds`, () => {
    expect(buttonsOf(view.blocks).map((b) => b.action_id)).toEqual([ACTION.dipAddRow]);
    const rowKeys = Array.from({ length: MAX_DEDICATED_IP_ROWS }, (_, i) => String(i));
    const full = modal({ rows: [] }, { rowKeys, nextRowKey: MAX_DEDICATED_IP_ROWS });
    expect(buttonsOf(full.blocks).map((b) => b.action_id)).toEqual(Array(MAX_DEDICATED_IP_ROWS).fill(ACTION.dipRemoveRow));
    expect(textOfBlocks(full.blocks)).toContain('10 regions is the most one case holds.');
    expect(blockKitViolations(full as Json, { maxBlocks: 100 })).toEqual([]);
  });
});

describe('buildDedicatedIpModal: relinquishing dedicated IPs', () => {
  const view = modal(
    { rows: [{ key: '0', region: 'eu-west-1', addresses: ['198.51.100.2', '192.0.2.1'] }, { key: '1', region: 'us-east-1', count: '2' }] },
    { action: 'relinquish', rowKeys: ['0', '1'], nextRowKey: 2 },
  );
  const text = textOfBlocks(view.blocks);

  it('is filed with "File relinquishment" and says first that it cannot be undone', () => {
    expect(view).toMatchObject({ submit: { text: 'File relinquishment' } });
    expect(text).toContain(':warning: *Relinquishing cannot be undone.* Once AWS releases an address it is gone from this account and cannot be leased back.');
    expect(inputIds(view)).toEqual([DIP_BLOCK.action, 'row:0:region', 'row:0:addresses', 'row:1:region', 'row:1:count', DIP_BLOCK.note, DIP_BLOCK.language]);
  });

  it('offers only the standard addresses of a read inventory, with pool and warm-up, keeping the valid choices', () => {
    const select = blockById(view, 'row:0:addresses');
    expect(select.label.text).toBe('Addresses to give back');
    expect(select.element.options.map((o: Json) => [o.value, o.description.text])).toEqual([
      ['198.51.100.2', 'pool marketing, warm-up done'],
      ['198.51.100.30', 'pool marketing, warming up 45%'],
    ]);
    expect(select.element.initial_options.map((o: Json) => o.value)).toEqual(['198.51.100.2']);
  });

  it('asks for a number of addresses where the inventory could not be read', () => {
    const count = blockById(view, 'row:1:count');
    expect(count.label.text).toBe('How many addresses to give back');
    expect(count.element).toMatchObject({ placeholder: { text: 'The inventory could not be read: give a number' }, initial_value: '2' });
  });

  it('says when a region has no standard IPs to give back', () => {
    const none = modal({ rows: [{ key: '0', region: 'eu-central-1' }] }, { action: 'relinquish' });
    expect(textOfBlocks(none.blocks)).toContain('No standard dedicated IPs are leased in Europe (Frankfurt): choose another region.');
  });

  it("gives this month's charge for the chosen addresses if released today, says the real figure depends on AWS's release day, and what keeping them costs", () => {
    const guidance = blockById(view, DIP_BLOCK.guidance).text.text as string;
    expect(guidance).toContain(
      ":receipt: If released today (15 March 2025), this month's charge for these 3 addresses would be 3 × USD 24.95 × 15/31 days = *USD 36.22*; they cost nothing after that. Keeping them costs USD 74.85 a month.",
    );
    expect(guidance).toContain('The final figure depends on the day AWS removes the addresses, which is only after AWS asks and the removal is confirmed.');
  });

  it('warns when a relinquishment would leave a region with a single standard dedicated IP', () => {
    expect(blockById(view, DIP_BLOCK.guidance).text.text).toMatch(/^:warning: .*Europe \(Ireland\)/);
  });

  it('explains the charge per address before any is chosen', () => {
    const none = modal({ rows: [{ key: '0', region: 'eu-west-1' }] }, { action: 'relinquish' });
    expect(blockById(none, DIP_BLOCK.guidance).text.text).toBe(
      ':receipt: A relinquished address is charged for the days of the month before its release (if released today, 15 March 2025: 15/31 × USD 24.95 = USD 12.07 per address), then nothing. The final figure depends on the day AWS removes the addresses, which is only after AWS asks and the removal is confirmed.',
    );
  });

  it('carries its metadata, which decodes to what it was built with', () => {
    expect(decodeDedicatedIpMeta(view.private_metadata)).toEqual({ ...newDedicatedIpMeta('C0SESOPS', undefined), action: 'relinquish', rowKeys: ['0', '1'], nextRowKey: 2 });
  });
});

describe('dedicatedIpRegions and knownInventories', () => {
  it('name each row\'s region once (the default for a row without one), and keep only the inventories read', () => {
    expect(dedicatedIpRegions({ rows: [{ key: '0', region: 'eu-west-1' }, { key: '1', region: null }, { key: '2', region: 'eu-west-1' }] }, 'us-east-1')).toEqual(['eu-west-1', 'us-east-1']);
    expect(Object.keys(knownInventories(LOOKUPS)).sort()).toEqual(['eu-central-1', 'eu-west-1']);
  });
});

describe('buildDedicatedIpAcceptedView', () => {
  it('says where to follow the request, and for a relinquishment that nothing is released before the confirmation', () => {
    expect(textOfBlocks(buildDedicatedIpAcceptedView('C0SESOPS', 'request').blocks)).toBe(
      ':white_check_mark: Request received. The bot is filing it with AWS Support; follow it in <#C0SESOPS>.',
    );
    expect(textOfBlocks(buildDedicatedIpAcceptedView('C0SESOPS', 'relinquish').blocks)).toBe(
      ':white_check_mark: Request received. The bot is filing it with AWS Support; follow it in <#C0SESOPS>. Nothing is released until you confirm in that thread.',
    );
  });
});

describe('buildDedicatedIpModal: standing answers', () => {
  const standing = { state: 'prefilled' as const, reference: 'SESBOT-0123456789abcdef', requesterId: 'U0REQUEST', filedOn: '2025-03-14' };

  it('says above the lease answers from which request they were pre-filled, and how to get an empty form', () => {
    const view = modal({ rows: [{ key: '0', region: 'eu-west-1' }], mailType: 'transactional', optInProcess: 'Double opt-in.' }, { standing });
    expect(blockById(view, DIP_BLOCK.standingAnswers).elements[0].text).toBe(
      ':memo: Answers pre-filled from the request of 14 March 2025 by <@U0REQUEST> in this channel (reference SESBOT-0123456789abcdef). Check them; `/ses-dedicated-ip fresh` opens an empty form.',
    );
    const ids = (view.blocks as Json[]).map((b) => b.block_id);
    expect(ids.indexOf(DIP_BLOCK.standingAnswers)).toBe(ids.indexOf(DIP_BLOCK.mailType) - 1);
    expect(blockById(view, DIP_BLOCK.optInProcess).element.initial_value).toBe('Double opt-in.');
    expect(decodeDedicatedIpMeta(view.private_metadata)?.standing).toEqual(standing);
  });

  it('says when the answers could not be loaded in time', () => {
    const view = modal({ rows: [] }, { standing: { state: 'unavailable' } });
    expect(blockById(view, DIP_BLOCK.standingAnswers).elements[0].text).toContain('could not be loaded in time, so the form starts empty. Run `/ses-dedicated-ip` again');
  });

  it('has no such line in a relinquishment, which carries none of the lease answers', () => {
    const view = modal({ rows: [{ key: '0', region: 'eu-west-1' }] }, { action: 'relinquish', standing });
    expect((view.blocks as Json[]).some((b) => b.block_id === DIP_BLOCK.standingAnswers)).toBe(false);
  });

  it(`stays inside Block Kit's limits with the line and ${MAX_DEDICATED_IP_ROWS} regions`, () => {
    const rowKeys = Array.from({ length: MAX_DEDICATED_IP_ROWS }, (_, i) => String(i));
    const full = modal({ rows: [] }, { rowKeys, nextRowKey: MAX_DEDICATED_IP_ROWS, standing });
    expect(blockKitViolations(full as Json, { maxBlocks: 100 })).toEqual([]);
  });
});
