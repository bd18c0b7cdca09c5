/** Small Block Kit constructors shared by the bot's views and messages. */
import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;
type PlainTextOption = types.PlainTextOption;
import { truncate } from '../mrkdwn.js';

export function plain(text: string, max = 3000) {
  return { type: 'plain_text' as const, text: truncate(text, max), emoji: true };
}

export function mrkdwn(text: string, max = 3000) {
  return { type: 'mrkdwn' as const, text: truncate(text, max) };
}

export function option(value: string, text: string, description?: string): PlainTextOption {
  return { value, text: plain(text, 75), ...(description ? { description: plain(description, 75) } : {}) };
}

export function section(text: string, blockId?: string): KnownBlock {
  return { type: 'section', text: mrkdwn(text), ...(blockId ? { block_id: blockId } : {}) };
}

export function context(text: string, blockId?: string): KnownBlock {
  return { type: 'context', elements: [mrkdwn(text)], ...(blockId ? { block_id: blockId } : {}) };
}

export function radioInput(opts: {
  blockId: string;
  label: string;
  options: PlainTextOption[];
  initial?: string | undefined;
  hint?: string;
}): KnownBlock {
  const initial = opts.options.find((o) => o.value === opts.initial);
  return {
    type: 'input',
    block_id: opts.blockId,
    label: plain(opts.label, 2000),
    ...(opts.hint ? { hint: plain(opts.hint, 2000) } : {}),
    element: { type: 'radio_buttons', action_id: opts.blockId, options: opts.options, ...(initial ? { initial_option: initial } : {}) },
  };
}

export function selectInput(opts: {
  blockId: string;
  actionId: string;
  label: string;
  placeholder: string;
  options: PlainTextOption[];
  initial?: string | undefined;
  dispatchAction?: boolean;
}): KnownBlock {
  const initial = opts.options.find((o) => o.value === opts.initial);
  return {
    type: 'input',
    block_id: opts.blockId,
    label: plain(opts.label, 2000),
    ...(opts.dispatchAction ? { dispatch_action: true } : {}),
    element: {
      type: 'static_select',
      action_id: opts.actionId,
      placeholder: plain(opts.placeholder, 150),
      options: opts.options,
      ...(initial ? { initial_option: initial } : {}),
    },
  };
}

export function textInput(opts: {
  blockId: string;
  actionId: string;
  label: string;
  placeholder?: string;
  initial?: string | undefined;
  multiline?: boolean;
  maxLength?: number;
  hint?: string;
  optional?: boolean;
  /** Sends a block action as the user types, so the view can show live guidance. */
  dispatchOnType?: boolean;
}): KnownBlock {
  return {
    type: 'input',
    block_id: opts.blockId,
    label: plain(opts.label, 2000),
    optional: opts.optional ?? false,
    ...(opts.hint ? { hint: plain(opts.hint, 2000) } : {}),
    ...(opts.dispatchOnType ? { dispatch_action: true } : {}),
    element: {
      type: 'plain_text_input',
      action_id: opts.actionId,
      multiline: opts.multiline ?? false,
      ...(opts.dispatchOnType ? { dispatch_action_config: { trigger_actions_on: ['on_character_entered'] } } : {}),
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder, 150) } : {}),
      ...(opts.initial ? { initial_value: opts.initial.slice(0, 3000) } : {}),
      ...(opts.maxLength ? { max_length: opts.maxLength } : {}),
    },
  };
}

export function radioDispatchInput(opts: { blockId: string; label: string; options: PlainTextOption[]; initial: string }): KnownBlock {
  const block = radioInput(opts) as types.InputBlock;
  return { ...block, dispatch_action: true };
}

export function multiSelectInput(opts: {
  blockId: string;
  actionId: string;
  label: string;
  placeholder: string;
  options: PlainTextOption[];
  initial: string[];
  hint?: string;
}): KnownBlock {
  const offered = opts.options.slice(0, 100);
  const initial = offered.filter((o) => o.value && opts.initial.includes(o.value));
  return {
    type: 'input',
    block_id: opts.blockId,
    label: plain(opts.label, 2000),
    dispatch_action: true,
    ...(opts.hint ? { hint: plain(opts.hint, 2000) } : {}),
    element: {
      type: 'multi_static_select',
      action_id: opts.actionId,
      placeholder: plain(opts.placeholder, 150),
      options: offered,
      ...(initial.length ? { initial_options: initial } : {}),
    },
  };
}

export const YES_NO = [option('yes', 'Yes'), option('no', 'No')];

/** What to expect once the case is filed, in AWS's terms (a form's last block, and the root message's). */
export function expectationsBlock(sentences: readonly string[]): KnownBlock {
  return context(`*What to expect:* ${sentences.join(' ')}`);
}
