/**
 * Reading a modal's `state.values` defensively: any block may be missing, and any element may
 * not be of the type the bot put there. Each reader returns a string or undefined.
 */
type StateValues = Record<string, Record<string, unknown>>;

export function asStateValues(raw: unknown): StateValues {
  return raw && typeof raw === 'object' ? (raw as StateValues) : {};
}

function element(values: StateValues, blockId: string): Record<string, unknown> | undefined {
  const block = values[blockId];
  if (!block || typeof block !== 'object') return undefined;
  // Block id and action id are the same for the bot's inputs; fall back to the only action.
  const el = (block as Record<string, unknown>)[blockId] ?? Object.values(block)[0];
  return el && typeof el === 'object' ? (el as Record<string, unknown>) : undefined;
}

/** The value of a text-like input, or of a select/radio's selected option. */
export function readValue(values: StateValues, blockId: string, actionId?: string): string | undefined {
  const block = values[blockId];
  const el = actionId && block && typeof block === 'object' ? (block as Record<string, unknown>)[actionId] : element(values, blockId);
  if (!el || typeof el !== 'object') return undefined;
  const e = el as Record<string, unknown>;
  if (typeof e.value === 'string') return e.value;
  const option = e.selected_option as { value?: unknown } | null | undefined;
  if (option && typeof option === 'object' && typeof option.value === 'string') return option.value;
  return undefined;
}

/** The selected values of a multi-select or checkboxes. */
export function readValues(values: StateValues, blockId: string, actionId?: string): string[] | undefined {
  const block = values[blockId];
  const el = actionId && block && typeof block === 'object' ? (block as Record<string, unknown>)[actionId] : element(values, blockId);
  if (!el || typeof el !== 'object') return undefined;
  const options = (el as Record<string, unknown>).selected_options;
  if (!Array.isArray(options)) return undefined;
  return options.flatMap((o) => (o && typeof o === 'object' && typeof (o as { value?: unknown }).value === 'string' ? [(o as { value: string }).value] : []));
}
