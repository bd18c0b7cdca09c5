import { defaultSupportCatalogue } from '../fakes/fake-aws.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fillState } from '../helpers/slack-requests.js';
import { CHANNEL, REQUESTER, actInModal, openDedicatedIpModal, startHarness, textOf, type Harness } from '../helpers/harness.js';
import { LEASE_USE_CASE, leaseInputs, mixedPools } from '../helpers/dedicated-ip-fixtures.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ AWS_REGION: 'eu-west-1' });
  h.aws.setDedicatedIps('eu-west-1', mixedPools());
});
afterEach(async () => {
  await h.close();
});

describe('/ses-dedicated-ip shows the account\'s real inventory', () => {
  it('lists standard IPs by pool with warm-up, following every page, and managed IPs as managed', async () => {
    const view = await openDedicatedIpModal(h);
    const text = textOf(view.blocks);
    expect(text).toContain('*Europe (Ireland)*: 4 standard dedicated IPs leased');
    expect(text).toContain('pool `marketing`: 198.51.100.10 (warm-up done), 198.51.100.2 (warm-up done), 198.51.100.30 (warming up 45%)');
    expect(text).toContain('pool `ses-default-dedicated-pool`: 203.0.113.7 (warm-up done)');
    expect(text).toContain('2 managed IPs in `auto-pool` (managed by SES; not relinquished through a case)');
    // The fake serves two items a page: every page was read.
    expect(h.aws.callsTo('GetDedicatedIps').length).toBe(3);
    expect(h.aws.callsTo('ListDedicatedIpPools').length).toBe(2);
    expect(h.aws.callsTo('GetDedicatedIpPool').map((c) => c.input.PoolName ?? c.input).length).toBe(3);
  });

  it('says when the inventory cannot be read, and offers a count instead of addresses', async () => {
    h.aws.inject('ListDedicatedIpPools', { type: 'AccessDeniedException', message: 'not authorized to perform: ses:ListDedicatedIpPools' });
    const view = await openDedicatedIpModal(h);
    expect(textOf(view.blocks)).toMatch(/\*Europe \(Ireland\)\*: could not read the dedicated IPs \(access denied: .*ses:ListDedicatedIpPools/);
    const relinquish = await actInModal(h, view, { ...leaseInputs(), dip_action: 'relinquish' }, { action_id: 'dip_action', block_id: 'dip_action', type: 'radio_buttons' });
    expect(relinquish.blocks.some((b: any) => b.block_id === 'row:0:count')).toBe(true);
    expect(relinquish.blocks.some((b: any) => b.block_id === 'row:0:addresses')).toBe(false);

    const res = await h.requester.viewSubmission({
      view: relinquish,
      values: fillState(relinquish, { dip_action: 'relinquish', 'row:0:region': 'eu-west-1', 'row:0:count': '2', dip_note: undefined, contact_language: 'en' }),
      userId: REQUESTER,
    });
    expect(res.json.response_action).toBe('update');
    const created = await h.aws.waitForCall('CreateCase');
    expect(created.input.communicationBody).toContain('- Europe (Ireland) (eu-west-1), 2 addresses (the addresses could not be listed; please confirm them with us before releasing)');
  });
});

describe('requesting dedicated IPs', () => {
  it('warns about a single IP in a region, shows the monthly cost, and files one case in the console layout', async () => {
    const view = await openDedicatedIpModal(h);
    const withRow = await actInModal(h, view, leaseInputs(), { action_id: 'dip_add_row', block_id: 'dip_add_row' });
    const inputs = leaseInputs({ 'row:1:region': 'us-east-1', 'row:1:sendRate': '20', 'row:1:ipCount': '1' });
    const regionChanged = await actInModal(h, withRow, inputs, { action_id: 'dip_row_region', block_id: 'row:1:region', type: 'static_select' });
    const guided = await h.slack.waitFor(() => {
      const v = h.slack.latestView(view.id)!;
      return textOf(v.blocks).includes('*US East (N. Virginia)*: 0 standard dedicated IPs leased') ? v : undefined;
    });
    expect(regionChanged.id).toBe(view.id);
    const text = textOf(guided.blocks);
    expect(text).toContain('This would leave *US East (N. Virginia)* with a single dedicated IP');
    expect(text).toContain('Availability Zones');
    expect(text).toContain('The IPs asked for cost *USD 24.95 a month* (USD 24.95 per IP per month).');

    const res = await h.requester.viewSubmission({ view: guided, values: fillState(guided, inputs), userId: REQUESTER });
    expect(res.json.response_action).toBe('update');
    const created = await h.aws.waitForCall('CreateCase');
    expect(created.input.categoryCode).toBe('ses-dedicated-ip');
    expect(created.input.subject).toMatch(/^Amazon SES dedicated IP request: eu-west-1 at 150\/s, us-east-1 1 IP at 20\/s \[SESBOT-[0-9a-f]{16}\]$/);
    expect(created.input.communicationBody).toContain(
      [
        'Limit increase request 1',
        'Service: SES Dedicated IP',
        'Region: Europe (Ireland)',
        'Limit name: Desired Maximum Send Rate',
        'New limit value: 150',
        '------------',
        'Limit increase request 2',
        'Service: SES Dedicated IP',
        'Region: US East (N. Virginia)',
        'Limit name: Desired Maximum Send Rate',
        'New limit value: 20',
        '------------',
        // AWS's procedure: first that dedicated IPs are requested, per region, then why.
        'Use case description: We request standard dedicated IP addresses for each region listed:',
        '- Europe (Ireland): no specific number; please size it from our requested maximum send rate of 150 messages per second.',
        '- US East (N. Virginia): 1 dedicated IP address.',
        '',
        'Why dedicated rather than shared IP addresses:',
        LEASE_USE_CASE,
        'Mail Type: Transactional',
        'Website URL: https://shop.example.com',
        'Describe, in detail, how you will only send to recipients who have specifically requested your mail: Double opt-in at sign-up.',
        'Describe, in detail, the process that you will follow when you receive bounce and complaint notifications: Not answered',
        'Will you comply with AWS Service Terms and AUP: Yes',
      ].join('\n'),
    );
    const root = await h.slack.waitFor(() => h.slack.rootMessages(CHANNEL).find((m) => textOf(m.blocks).includes('AWS status')));
    expect(textOf(root.blocks)).toContain('SES dedicated IPs: request');
    expect(textOf(root.blocks)).toContain('US East (N. Virginia): up to *20* messages per second, *1* dedicated IP');
  });

  it('keeps what was typed when switching between Request and Relinquish', async () => {
    const view = await openDedicatedIpModal(h);
    const typed = leaseInputs({ contact_language: 'ja' });
    const relinquish = await actInModal(h, view, { ...typed, dip_action: 'relinquish' }, { action_id: 'dip_action', block_id: 'dip_action', type: 'radio_buttons' });
    expect(textOf(relinquish.blocks)).toContain('Relinquishing cannot be undone');
    expect(relinquish.blocks.find((b: any) => b.block_id === 'contact_language')!.element.initial_option.value).toBe('ja');
    const back = await actInModal(
      h,
      relinquish,
      { dip_action: 'request', 'row:0:region': 'eu-west-1', 'row:0:addresses': [], dip_note: undefined, contact_language: 'ja' },
      { action_id: 'dip_action', block_id: 'dip_action', type: 'radio_buttons' },
    );
    // Slack keeps the values of inputs whose block ids survive; the bot re-seeds the ones it still knows.
    expect(back.blocks.find((b: any) => b.block_id === 'row:0:region')!.element.initial_option.value).toBe('eu-west-1');
    expect(back.blocks.find((b: any) => b.block_id === 'contact_language')!.element.initial_option.value).toBe('ja');
    expect(back.blocks.some((b: any) => b.block_id === 'mail_type')).toBe(true);
  });

  it.each([
    ['an AUP answer of No', { complies_with_aup: 'no' }, 'complies_with_aup', /cannot be filed with "No"/],
    ['a missing send rate', { 'row:0:sendRate': undefined }, 'row:0:sendRate', /Enter the desired maximum send rate/],
    ['a decimal IP count', { 'row:0:ipCount': '1.5' }, 'row:0:ipCount', /whole number/],
    ['a short use case', { use_case: 'Reputation.' }, 'use_case', /at least 100 characters; you wrote 11/],
    ['a bad URL', { website_url: 'example.com' }, 'website_url', /https:\/\//],
  ])('refuses %s on its field and files nothing', async (_name, change, blockId, message) => {
    const view = await openDedicatedIpModal(h);
    const res = await h.requester.viewSubmission({ view, values: fillState(view, leaseInputs(change)), userId: REQUESTER });
    expect(res.json.response_action).toBe('errors');
    expect(Object.keys(res.json.errors)).toEqual([blockId]);
    expect(res.json.errors[blockId]).toMatch(message);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(0);
  });
});

describe('the Support category of a dedicated-IP case', () => {
  it('falls back to the sending-limits category when AWS offers none for dedicated IPs, and names it in the body', async () => {
    h.aws.services = defaultSupportCatalogue().map((service) => ({ ...service, categories: service.categories.filter((c) => !/dedicated/i.test(c.name)) }));
    const view = await openDedicatedIpModal(h);
    const res = await h.requester.viewSubmission({ view, values: fillState(view, leaseInputs()), userId: REQUESTER });
    expect(res.json.response_action).toBe('update');
    const created = await h.aws.waitForCall('CreateCase');
    expect(created.input.categoryCode).toBe('ses-sending-quota');
    expect(created.input.communicationBody).toContain('Limit increase request 1\nService: SES Sending Limits\nRegion: Europe (Ireland)');
    const root = await h.slack.waitFor(() => h.slack.rootMessages(CHANNEL).find((m) => textOf(m.blocks).includes('AWS status')));
    expect(textOf(root.blocks)).toContain('SES dedicated IPs: request');
  });
});

describe('switching the action', () => {
  it('never files the other action when the choice was flipped and submitted before the form was redrawn', async () => {
    const view = await openDedicatedIpModal(h);
    const res = await h.requester.viewSubmission({ view, values: fillState(view, leaseInputs({ dip_action: 'relinquish' })), userId: REQUESTER });
    expect(res.json.response_action).toBe('errors');
    expect(res.json.errors.dip_action).toMatch(/changing to match this choice/);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(0);
  });
});

describe('relinquishing dedicated IPs', () => {
  async function relinquishModal() {
    const view = await openDedicatedIpModal(h);
    return actInModal(h, view, { ...leaseInputs(), dip_action: 'relinquish' }, { action_id: 'dip_action', block_id: 'dip_action', type: 'radio_buttons' });
  }

  it('offers only standard addresses, shows the prorated charge, and files a case listing the addresses', async () => {
    const view = await relinquishModal();
    const select: any = view.blocks.find((b: any) => b.block_id === 'row:0:addresses');
    expect(select.element.options.map((o: any) => o.value)).toEqual(['198.51.100.10', '198.51.100.2', '198.51.100.30', '203.0.113.7']);
    expect(select.element.options[2].description.text).toBe('pool marketing, warming up 45%');

    const inputs = { dip_action: 'relinquish', 'row:0:region': 'eu-west-1', 'row:0:addresses': ['198.51.100.30', '198.51.100.2'], dip_note: 'Traffic moved to us-east-1.', contact_language: 'en' };
    const chosen = await actInModal(h, view, inputs, { action_id: 'dip_row_input', block_id: 'row:0:addresses', type: 'multi_static_select' });
    const today = new Date();
    const days = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 0)).getUTCDate();
    const expected = (Math.round((2 * 2495 * today.getUTCDate()) / days) / 100).toFixed(2);
    expect(textOf(chosen.blocks)).toContain(`this month's charge for these 2 addresses would be 2 × USD 24.95 × ${today.getUTCDate()}/${days} days = *USD ${expected}*`);
    expect(textOf(chosen.blocks)).toContain('If released today');
    expect(textOf(chosen.blocks)).toContain('The final figure depends on the day AWS removes the addresses');
    expect(textOf(chosen.blocks)).toContain('Relinquishing cannot be undone');

    const res = await h.requester.viewSubmission({ view: chosen, values: fillState(chosen, inputs), userId: REQUESTER });
    expect(res.json.response_action).toBe('update');
    expect(textOf(res.json.view.blocks)).toContain('Nothing is released until you confirm in that thread');
    const created = await h.aws.waitForCall('CreateCase');
    expect(created.input.categoryCode).toBe('ses-dedicated-ip');
    expect(created.input.communicationBody).toMatch(
      /^Limit increase request 1\nService: SES Dedicated IP\nRegion: Europe \(Ireland\)\nLimit name: Desired Maximum Send Rate\nNew limit value: 2\n------------\nUse case description: Please relinquish \(release\) the following 2 standard dedicated IP addresses from this account\. We no longer need them\.\n- Europe \(Ireland\) \(eu-west-1\), 2 addresses: 198\.51\.100\.2, 198\.51\.100\.30\n\nNote: Traffic moved to us-east-1\.\n\nSlack request reference: SESBOT-[0-9a-f]{16}$/,
    );
    const root = await h.slack.waitFor(() => h.slack.rootMessages(CHANNEL).find((m) => textOf(m.blocks).includes('AWS status')));
    const rootText = textOf(root.blocks);
    expect(rootText).toContain('SES dedicated IPs: relinquish');
    expect(rootText).toContain('give back *2* addresses: `198.51.100.2`, `198.51.100.30`');
    expect(rootText).toContain(`nothing is released until <@${REQUESTER}> (or an approver) confirms here`);
  });

  it.each([
    ['no address', [], /Choose at least one address/],
    ['a managed-pool address', ['192.0.2.1'], /belongs to a managed pool/],
    ['an address the account does not lease', ['10.9.8.7'], /is not a standard dedicated IP of this account in Europe \(Ireland\)/],
  ])('refuses %s and files nothing', async (_name, addresses, message) => {
    const view = await relinquishModal();
    const values = fillState(view, { dip_action: 'relinquish', 'row:0:region': 'eu-west-1', 'row:0:addresses': [], dip_note: undefined, contact_language: 'en' });
    // A forged or stale selection: Slack would only send offered options, the bot checks anyway.
    values['row:0:addresses'] = { dip_row_input: { type: 'multi_static_select', selected_options: addresses.map((value) => ({ value, text: { type: 'plain_text', text: value } })) } };
    const res = await h.requester.viewSubmission({ view, values, userId: REQUESTER });
    expect(res.json.response_action).toBe('errors');
    expect(res.json.errors['row:0:addresses']).toMatch(message);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(0);
  });

  it('tells the user when a region has no standard IPs to give back', async () => {
    const view = await relinquishModal();
    const inputs = { dip_action: 'relinquish', 'row:0:region': 'us-east-1', 'row:0:addresses': [], dip_note: undefined, contact_language: 'en' };
    await actInModal(h, view, inputs, { action_id: 'dip_row_region', block_id: 'row:0:region', type: 'static_select' });
    const empty = await h.slack.waitFor(() => {
      const v = h.slack.latestView(view.id)!;
      return textOf(v.blocks).includes('No standard dedicated IPs are leased in US East (N. Virginia)') ? v : undefined;
    });
    const res = await h.requester.viewSubmission({
      view: empty,
      values: fillState(empty, { dip_action: 'relinquish', 'row:0:region': 'us-east-1', dip_note: undefined, contact_language: 'en' }),
      userId: REQUESTER,
    });
    expect(res.json.response_action).toBe('errors');
    expect(res.json.errors['row:0:region']).toMatch(/leases no standard dedicated IPs in US East \(N\. Virginia\)/);
  });

  it('files once when the same relinquishment is submitted twice', async () => {
    const view = await relinquishModal();
    const values = fillState(view, { dip_action: 'relinquish', 'row:0:region': 'eu-west-1', 'row:0:addresses': ['203.0.113.7'], dip_note: undefined, contact_language: 'en' });
    await Promise.all([1, 2].map(() => h.requester.viewSubmission({ view, values, userId: REQUESTER })));
    await h.slack.waitFor(() => h.slack.rootMessages(CHANNEL).find((m) => textOf(m.blocks).includes('AWS status')));
    await h.bot.filing.idle();
    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
  });
});
