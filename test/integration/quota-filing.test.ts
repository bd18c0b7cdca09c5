import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fillState } from '../helpers/slack-requests.js';
import { CHANNEL, REQUESTER, openQuotaModal, startHarness, submitQuota, textOf, validQuotaInputs, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('/ses-quota files a case end to end', () => {
  it('opens the modal, shows the current quota, files one case and links it from the thread root', async () => {
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 1234 }, ProductionAccessEnabled: true });
    const { openedWith, view } = await openQuotaModal(h);
    expect(openedWith.args.view.callback_id).toBe('ses_quota_request');
    expect(textOf(view.blocks)).toContain('50,000 emails per 24 hours · 14 emails per second · 1,234 sent in the last 24 hours · production');

    const res = await submitQuota(h, view, validQuotaInputs());
    expect(res.status).toBe(200);
    expect(res.json.response_action).toBe('update');

    const root = await h.slack.waitFor(() => h.slack.rootMessages(CHANNEL).find((m) => m.text?.includes('Case 1') || textOf(m.blocks).includes('filed')), 5000);
    const created = h.aws.callsTo('CreateCase');
    expect(created).toHaveLength(1);
    const input = created[0]!.input;
    expect(input.serviceCode).toBe('service-limit-increase');
    expect(input.categoryCode).toBe('ses-sending-quota');
    expect(input.severityCode).toBe('low');
    expect(input.language).toBe('en');
    expect(input.subject).toMatch(/^Amazon SES sending limit increase: us-east-1 200,000 per day \[SESBOT-[0-9a-f]{16}\]$/);
    expect(input.communicationBody).toContain('Limit increase request 1\nService: SES Sending Limits\nRegion: US East (N. Virginia)\nLimit name: Desired Maximum Send Quota\nNew limit value: 200000\n------------\nUse case description: We send order confirmations');
    expect(input.communicationBody).toContain('Mail Type: Transactional\nWebsite URL: https://shop.example.com\nMy email-sending complies with the AWS Service Terms and AUP: Yes');

    const awsCase = h.aws.latestCase()!;
    const finalRoot = await h.slack.waitFor(() => {
      const m = h.slack.message(CHANNEL, root.ts)!;
      return textOf(m.blocks).includes(`Case ${awsCase.displayId}`) ? m : undefined;
    });
    const text = textOf(finalRoot.blocks);
    expect(text).toContain(`<@${REQUESTER}>`);
    expect(text).toContain(`https://console.aws.amazon.com/support/home#/case/?displayId=${awsCase.displayId}`);
    expect(text).toContain('AWS status: *Opened*');
    expect(text).toContain('US East (N. Virginia): Desired Maximum Send Quota → *200,000* per 24 hours');
    // DescribeServices was asked once for the category; SESv2 was asked in the default region.
    expect(h.aws.callsTo('DescribeServices')).toHaveLength(1);
    expect(h.aws.callsTo('GetAccount')[0]!.region).toBe('us-east-1');
  });
});

describe('the modal', () => {
  it('keeps typed values when rows are added and removed, and shows the quota of each row\'s region', async () => {
    h.aws.setAccount('eu-west-1', { SendQuota: { Max24HourSend: 100000, MaxSendRate: 20, SentLast24Hours: 5 }, ProductionAccessEnabled: true });
    const { view } = await openQuotaModal(h);
    const typed = { ...validQuotaInputs(), 'row:0:newValue': '250000' };

    await h.requester.blockAction({ userId: REQUESTER, view, values: fillState(view, typed), actions: [{ action_id: 'add_row', block_id: 'add_row' }] });
    const withTwo = await h.slack.waitFor(() => {
      const v = h.slack.latestView(view.id)!;
      return v.blocks.some((b: any) => b.block_id === 'row:1:region') ? v : undefined;
    });
    // The first row's answers and the rest of the form survive the rebuild.
    const firstValue: any = withTwo.blocks.find((b: any) => b.block_id === 'row:0:newValue');
    expect(firstValue.element.initial_value).toBe('250000');
    expect(withTwo.blocks.find((b: any) => b.block_id === 'website_url')!.element.initial_value).toBe('https://shop.example.com');
    expect(textOf(withTwo.blocks)).toContain('Request 2');

    const twoRows = { ...typed, 'row:1:region': 'eu-west-1', 'row:1:limit': 'send_rate', 'row:1:newValue': '50' };
    await h.requester.blockAction({
      userId: REQUESTER,
      view: withTwo,
      values: fillState(withTwo, twoRows),
      actions: [{ action_id: 'row_region', block_id: 'row:1:region', type: 'static_select', selected_option: { value: 'eu-west-1' } }],
    });
    const withQuota = await h.slack.waitFor(() => {
      const v = h.slack.latestView(view.id)!;
      return textOf(v.blocks).includes('*Europe (Ireland)*: 100,000 emails per 24 hours') ? v : undefined;
    });
    expect(h.aws.callsTo('GetAccount').map((c) => c.region)).toEqual(['us-east-1', 'eu-west-1']);

    await h.requester.blockAction({
      userId: REQUESTER,
      view: withQuota,
      values: fillState(withQuota, twoRows),
      actions: [{ action_id: 'remove_row', block_id: 'row:0:header', value: '0' }],
    });
    const oneLeft = await h.slack.waitFor(() => {
      const v = h.slack.latestView(view.id)!;
      return v.blocks.some((b: any) => b.block_id === 'row:0:region') ? undefined : v;
    });
    expect(oneLeft.blocks.find((b: any) => b.block_id === 'row:1:newValue')!.element.initial_value).toBe('50');
    expect(textOf(oneLeft.blocks)).toContain('Request 1');
    expect(textOf(oneLeft.blocks)).not.toContain('Request 2');

    const res = await submitQuota(h, oneLeft, { ...validQuotaInputs('1'), 'row:1:region': 'eu-west-1', 'row:1:limit': 'send_rate', 'row:1:newValue': '50' });
    expect(res.json.response_action).toBe('update');
    const created = await h.aws.waitForCall('CreateCase');
    expect(created.input.communicationBody).toContain('Region: Europe (Ireland)\nLimit name: Desired Maximum Send Rate\nNew limit value: 50\n');
  });

  it('says when the current quota cannot be read, and still files', async () => {
    h.aws.inject('GetAccount', { type: 'AccessDeniedException', message: 'not authorized to perform: ses:GetAccount' });
    const { view } = await openQuotaModal(h);
    expect(textOf(view.blocks)).toMatch(/could not read the current quota \(access denied: .*ses:GetAccount.*\)\. You can still file the request\./);
    const res = await submitQuota(h, view, validQuotaInputs());
    expect(res.json.response_action).toBe('update');
    await h.aws.waitForCall('CreateCase');
  });

  it('tells the user through the command\'s response_url when the modal cannot be opened', async () => {
    h.slack.inject('views.open', { error: 'expired_trigger_id' });
    await h.requester.command({ command: '/ses-quota', userId: REQUESTER, channelId: CHANNEL });
    const response: any = await h.slack.waitFor(() => h.slack.responses[0]);
    expect(response.body.text).toContain("couldn't open the form (expired_trigger_id)");
    expect(response.body.response_type).toBe('ephemeral');
  });

  it.each([
    ['an AUP answer of No', { complies_with_aup: 'no' }, 'complies_with_aup', /AWS does not raise limits .* "No"/],
    ['a URL that is not http(s)', { website_url: 'ftp://example.com' }, 'website_url', /must start with https:\/\/ or http:\/\//],
    ['a URL without a domain', { website_url: 'https://localhost' }, 'website_url', /needs a domain name/],
    ['a vague use case', { use_case: 'Need more.' }, 'use_case', /at least 150 characters; you wrote 10/],
    ['a value that is not a whole number', { 'row:0:newValue': '1.5k' }, 'row:0:newValue', /whole number/],
    ['a value not above the current quota', { 'row:0:newValue': '50000' }, 'row:0:newValue', /current limit is 50,000 per 24 hours; ask for more/],
    ['a value above what AWS accepts', { 'row:0:newValue': '99999999999' }, 'row:0:newValue', /at most 10,000,000,000, the largest value AWS accepts/],
    ['no mail type', { mail_type: undefined }, 'mail_type', /type of mail/],
  ])('refuses %s with an error on the field and files nothing', async (_name, change, blockId, message) => {
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 0 }, ProductionAccessEnabled: true });
    const { view } = await openQuotaModal(h);
    const res = await submitQuota(h, view, { ...validQuotaInputs(), ...change });
    expect(res.json.response_action).toBe('errors');
    expect(Object.keys(res.json.errors)).toEqual([blockId]);
    expect(res.json.errors[blockId]).toMatch(message);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(0);
    expect(h.slack.rootMessages(CHANNEL)).toHaveLength(0);
  });

  it('refuses the same region and limit twice, on the second row', async () => {
    const { view } = await openQuotaModal(h);
    await h.requester.blockAction({ userId: REQUESTER, view, values: fillState(view, validQuotaInputs()), actions: [{ action_id: 'add_row', block_id: 'add_row' }] });
    const two = await h.slack.waitFor(() => {
      const v = h.slack.latestView(view.id)!;
      return v.blocks.some((b: any) => b.block_id === 'row:1:limit') ? v : undefined;
    });
    const res = await submitQuota(h, two, { ...validQuotaInputs(), 'row:1:region': 'us-east-1', 'row:1:limit': 'send_quota', 'row:1:newValue': '300000' });
    expect(res.json.response_action).toBe('errors');
    expect(res.json.errors['row:1:limit']).toMatch(/Request 1 already asks for the Desired Maximum Send Quota in US East \(N\. Virginia\)/);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(0);
  });
});

describe('a value far above the current quota', () => {
  it('is not refused: the form redraws with a warning and keeps what was typed, and submitting it again files it as it is', async () => {
    h.aws.setAccount('us-east-1', { SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 0 }, ProductionAccessEnabled: true });
    const { view } = await openQuotaModal(h);
    const inputs: Record<string, string | undefined> = { ...validQuotaInputs(), 'row:0:newValue': '20000000' };
    const first = await submitQuota(h, view, inputs);
    expect(first.json.response_action).toBe('update');
    const warned = first.json.view;
    const warning = warned.blocks.find((b: any) => b.block_id === 'far_above_current');
    expect(warning.text.text).toMatch(/^:warning: 20,000,000 is more than 100 times your current quota \(50,000 per 24 hours\)/);
    expect(warned.blocks.find((b: any) => b.block_id === 'row:0:newValue').element.initial_value).toBe('20000000');
    expect(warned.blocks.find((b: any) => b.block_id === 'use_case').element.initial_value).toBe(inputs.use_case);
    expect(h.aws.callsTo('CreateCase')).toHaveLength(0);

    // The same view, as Slack now shows it, submitted again: filed with the value as typed.
    const again = await submitQuota(h, { ...view, ...warned, id: view.id, hash: view.hash }, inputs);
    expect(again.json.response_action).toBe('update');
    const created = await h.aws.waitForCall('CreateCase');
    expect(created.input.communicationBody).toContain('New limit value: 20000000');
  });
});

describe('exactly once', () => {
  it('files one case for a double submission of the same modal, even at the same instant', async () => {
    const { view } = await openQuotaModal(h);
    const values = fillState(view, validQuotaInputs());
    const answers = await Promise.all([
      h.requester.viewSubmission({ view, values, userId: REQUESTER }),
      h.requester.viewSubmission({ view, values, userId: REQUESTER }),
    ]);
    expect(answers.map((a) => a.json.response_action)).toEqual(['update', 'update']);
    await h.slack.waitFor(() => h.slack.rootMessages(CHANNEL).some((m) => textOf(m.blocks).includes('AWS status')));
    const later = await h.requester.viewSubmission({ view, values, userId: REQUESTER });
    expect(later.json.response_action).toBe('update');
    await h.bot.filing.idle();
    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
    expect(h.slack.rootMessages(CHANNEL)).toHaveLength(1);
  });

  it('a modal opened before a restart still files after it', async () => {
    const { view } = await openQuotaModal(h);
    await h.restart();
    const res = await submitQuota(h, view, validQuotaInputs());
    expect(res.json.response_action).toBe('update');
    await h.slack.waitFor(() => h.slack.rootMessages(CHANNEL).some((m) => textOf(m.blocks).includes('AWS status')));
    expect(h.aws.callsTo('CreateCase')).toHaveLength(1);
  });
});
