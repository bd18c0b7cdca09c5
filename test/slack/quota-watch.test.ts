/** The quota watch's messages and its button's value (src/slack/views/quota-watch.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { QuotaReading, RegionRead } from '../../src/domain/quota-watch.js';
import { SES_REGIONS, type RegionCode } from '../../src/domain/regions.js';
import { ACTION } from '../../src/slack/ids.js';
import {
  buildQuotaAlert,
  buildUnreadableRegionNotice,
  buildWatchStarted,
  decodeIncreasePreset,
  encodeIncreasePreset,
} from '../../src/slack/views/quota-watch.js';
import { blockKitViolations } from '../property/arbitraries.js';
import { buttonsOf } from './builders.js';

const prod = (sentLast24Hours: number, max24HourSend = 50_000): QuotaReading => ({ max24HourSend, sentLast24Hours, productionAccess: true });

const allText = (message: { text: string; blocks: any[] }) =>
  message.blocks.flatMap((b) => [b.text?.text, ...(b.elements ?? []).map((e: any) => (typeof e.text === 'string' ? e.text : e.text?.text))]).filter(Boolean).join('\n');

describe('buildQuotaAlert', () => {
  it('names the region, sent/quota and percentage, with a button carrying the region, limit and suggested value', () => {
    const message = buildQuotaAlert({ region: 'us-east-1', reading: prod(42_000), level: 'threshold', thresholdPercent: 80, suggested: 100_000 });
    expect(message.text).toBe(
      ':warning: *SES sending quota 84% used in US East (N. Virginia) (`us-east-1`)*\n42,000 of 50,000 emails sent in the last 24 hours: past this channel\'s 80% threshold.',
    );
    const [button, ...others] = buttonsOf(message.blocks);
    expect(others).toHaveLength(0);
    expect(button).toMatchObject({ action_id: ACTION.quotaWatchIncrease, style: 'primary', text: { text: 'Request an increase' } });
    expect(decodeIncreasePreset(button!.value)).toEqual({ region: 'us-east-1', limit: 'send_quota', newValue: 100_000 });
    expect(allText(message)).toContain(
      '*Request an increase* opens the /ses-quota form for US East (N. Virginia) (`us-east-1`) with 100,000 per 24 hours filled in (twice the current quota); change it before submitting if you need another value.',
    );
  });

  it('says what 95% means in the critical alert', () => {
    const message = buildQuotaAlert({ region: 'eu-west-1', reading: prod(48_000), level: 'critical', thresholdPercent: 80, suggested: 100_000 });
    expect(message.text).toBe(
      ':rotating_light: *SES sending quota 96% used in Europe (Ireland) (`eu-west-1`)*\n48,000 of 50,000 emails sent in the last 24 hours: past 95%. At 100% SES refuses further mail from this region until earlier sends leave the 24-hour window.',
    );
  });

  it('rounds the percentage down, never claiming more than was reached', () => {
    expect(buildQuotaAlert({ region: 'us-east-1', reading: prod(267, 333), level: 'threshold', thresholdPercent: 80, suggested: 666 }).text).toContain('80% used');
  });
});

describe('the button value', () => {
  it('round-trips any preset and stays short', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SES_REGIONS.map((r) => r.code)), fc.constantFrom('send_quota' as const, 'send_rate' as const), fc.integer({ min: 1, max: 10_000_000_000 }), (region, limit, newValue) => {
        const value = encodeIncreasePreset({ region, limit, newValue });
        expect(value.length).toBeLessThan(100);
        expect(decodeIncreasePreset(value)).toEqual({ region, limit, newValue });
      }),
    );
  });

  it.each([undefined, '', 'not json', '{"r":"mars-1","l":"send_quota","v":1}', '{"r":"us-east-1","l":"ips","v":1}', '{"r":"us-east-1","l":"send_quota","v":0}', '{"r":"us-east-1","l":"send_quota","v":1.5}', '{"r":"us-east-1","l":"send_quota","v":10000000001}'])(
    'refuses %j',
    (value) => {
      expect(decodeIncreasePreset(value)).toBeUndefined();
    },
  );
});

describe('buildUnreadableRegionNotice', () => {
  it('names the region and the problem, escaped, and says it is said once', () => {
    const message = buildUnreadableRegionNotice('ap-southeast-3', 'access denied: <!channel> not authorized & denied');
    expect(message.text).toBe(
      ":warning: *The SES quota watch cannot read Asia Pacific (Jakarta) (`ap-southeast-3`)*: access denied: &lt;!channel&gt; not authorized &amp; denied. Check that the region is enabled for this AWS account (opt-in regions) and that the bot's credentials allow `ses:GetAccount` there. The watch keeps trying and says nothing more about it until it can read the region.",
    );
  });
});

describe('buildWatchStarted', () => {
  const reads: RegionRead[] = [
    { region: 'us-east-1', quota: prod(1_200) },
    { region: 'eu-west-1', quota: { max24HourSend: 200, sentLast24Hours: 3, productionAccess: false } },
    { region: 'us-west-2', quota: { max24HourSend: -1, sentLast24Hours: 3, productionAccess: true } },
    { region: 'ap-southeast-3', problem: 'access denied: <b>no</b>', transient: false },
    { region: 'sa-east-1', problem: 'throttled: slow down', transient: true },
  ];

  it('says what it alerts on, lists the watched regions with their usage, and the sandboxed, unlimited and unreadable ones', () => {
    const message = buildWatchStarted({ reads, thresholdPercent: 80, intervalMinutes: 15 });
    expect(message.text).toBe('SES quota watch started: alerts at 80% of the 24-hour quota (1 watched, 1 in the sandbox, 1 unreadable).');
    expect(message.blocks.map((b: any) => b.text.text)).toEqual([
      ':eyes: *SES quota watch started.* This channel gets an alert when a region has sent 80% of its 24-hour sending quota, again past 95%; the regions are read every 15 minutes.',
      '*Watched*\n• US East (N. Virginia) (`us-east-1`): 1,200 of 50,000 emails sent in the last 24 hours (2%)',
      '*In the SES sandbox, not watched for quota* (/ses-quota requests production access)\n• Europe (Ireland) (`eu-west-1`)',
      '*Unlimited sending quota, nothing to watch*\n• US West (Oregon) (`us-west-2`)',
      "*Cannot be read* (said once). Check that the region is enabled for this AWS account (opt-in regions) and that the bot's credentials allow `ses:GetAccount` there.\n• Asia Pacific (Jakarta) (`ap-southeast-3`): access denied: &lt;b&gt;no&lt;/b&gt;",
      '*Not read this time* (tried again at the next run)\n• South America (São Paulo) (`sa-east-1`): throttled: slow down',
    ]);
  });

  it('says when nothing is watched yet, and leaves out the 95% line at a threshold of 95 or more', () => {
    const message = buildWatchStarted({ reads: [reads[1]!], thresholdPercent: 96, intervalMinutes: 1 });
    expect(allText(message)).toContain('sent 96% of its 24-hour sending quota; the regions are read every minute.');
    expect(allText(message)).toContain('*Watched*\nNo region yet');
  });

  it('stays inside Block Kit limits with every region in every state', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ quota: fc.record({ max24HourSend: fc.integer({ min: -1, max: 1e10 }), sentLast24Hours: fc.nat(), productionAccess: fc.boolean() }) }),
            fc.record({ problem: fc.string({ maxLength: 200 }), transient: fc.boolean() }),
          ),
          { minLength: SES_REGIONS.length, maxLength: SES_REGIONS.length },
        ),
        (states) => {
          const all = states.map((s, i) => ({ region: SES_REGIONS[i]!.code as RegionCode, ...s }) as RegionRead);
          const message = buildWatchStarted({ reads: all, thresholdPercent: 80, intervalMinutes: 15 });
          expect(blockKitViolations(message, { maxBlocks: 50 })).toEqual([]);
        },
      ),
      { numRuns: 50 },
    );
  });
});
