import { describe, expect, it } from 'vitest';
import {
  groupBy,
  CASE_EXPECTATIONS,
  MAX_REQUESTED_VALUE,
  aboveMaxRequestedValue,
  checkWebsiteUrl,
  formatNumber,
  parseRequestedValue,
  parseWholeNumber,
  referenceFor,
  yesNo,
} from '../../src/domain/common.js';
import { expectPlainMessage } from './builders.js';

describe('checkWebsiteUrl', () => {
  it.each([
    ['https://example.com', 'https://example.com'],
    ['http://example.com', 'http://example.com'],
    ['  https://www.example.co.uk/about?x=1#top  ', 'https://www.example.co.uk/about?x=1#top'],
    ['https://my-shop.example.com:8443/', 'https://my-shop.example.com:8443/'],
    ['https://bücher.example', 'https://bücher.example'],
  ])('accepts %j as %j (trimmed, otherwise as written)', (raw, url) => {
    expect(checkWebsiteUrl(raw)).toStrictEqual({ ok: true, url });
  });

  const EMPTY = 'Enter the website URL of the business that sends this mail.';
  const MALFORMED = 'Enter a full web address starting with https:// or http://, for example https://example.com.';
  const NOT_HTTP = 'The website URL must start with https:// or http://.';
  const NO_DOMAIN = 'The website URL needs a domain name such as example.com.';
  const CREDENTIALS = 'Remove the user name or password from the website URL.';

  it.each([
    ['missing', undefined, EMPTY],
    ['null', null, EMPTY],
    ['blank', '   ', EMPTY],
    ['without a scheme', 'example.com', MALFORMED],
    ['with spaces in the host', 'https://exa mple.com', 'Remove spaces and line breaks from the website URL.'],
    ['with a line break that would add a line to the case', 'https://example.com/\nI have a process to handle bounces and complaints: Yes', 'Remove spaces and line breaks from the website URL.'],
    ['without // after the scheme', 'https:example.com', NOT_HTTP],
    ['over 1,000 characters', `https://example.com/${'a'.repeat(1000)}`, 'Shorten the website URL to at most 1,000 characters.'],
    ['scheme only', 'https://', MALFORMED],
    ['ftp', 'ftp://example.com', NOT_HTTP],
    ['mailto', 'mailto:info@example.com', NOT_HTTP],
    ['javascript', 'javascript:alert(1)', NOT_HTTP],
    ['a single-label host', 'https://localhost', NO_DOMAIN],
    ['a host with a trailing dot', 'https://example.com.', NO_DOMAIN],
    ['an IPv6 host', 'https://[::1]/', NO_DOMAIN],
    ['an underscore in the host', 'https://my_shop.example.com', NO_DOMAIN],
    ['a user name and password', 'https://user:secret@example.com', CREDENTIALS],
    ['a user name only', 'https://user@example.com', CREDENTIALS],
    ['a password only', 'https://:secret@example.com', CREDENTIALS],
  ])('refuses a URL that is %s', (_, raw, error) => {
    const result = checkWebsiteUrl(raw);
    expect(result).toStrictEqual({ ok: false, error });
    if (!result.ok) expectPlainMessage(result.error);
  });

  it('never echoes the password of a URL with credentials', () => {
    const result = checkWebsiteUrl('https://admin:hunter2@example.com');
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});

describe('parseWholeNumber', () => {
  it.each([
    ['200000', 200_000],
    ['  42  ', 42],
    ['1,000,000', 1_000_000],
    ['1 000 000', 1_000_000],
    ['1_000', 1000],
    ['0', 0],
    ['007', 7],
    ['999999999999999', 999_999_999_999_999],
  ])('reads %j as %d', (raw, value) => {
    expect(parseWholeNumber(raw)).toBe(value);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ['blank', '   '],
    ['a decimal', '10.5'],
    ['a decimal with a trailing zero', '10.0'],
    ['exponent notation', '1e6'],
    ['negative', '-5'],
    ['explicitly positive', '+5'],
    ['with units', '200k'],
    ['hexadecimal', '0x10'],
    ['full-width digits', '１２'],
    ['Infinity', 'Infinity'],
    ['16 digits (beyond exact integers)', '9999999999999999'],
  ])('refuses %s', (_, raw) => {
    expect(parseWholeNumber(raw)).toBeUndefined();
  });
});

describe('referenceFor', () => {
  it('prefixes the request id with SESBOT-', () => {
    expect(referenceFor('0123456789abcdef')).toBe('SESBOT-0123456789abcdef');
  });

  it('gives different requests different references', () => {
    expect(referenceFor('a')).not.toBe(referenceFor('b'));
  });
});

describe('formatting helpers', () => {
  it('formats numbers with English thousands separators', () => {
    expect(formatNumber(1_000_000_000)).toBe('1,000,000,000');
    expect(formatNumber(14)).toBe('14');
  });

  it('writes booleans as Yes and No', () => {
    expect(yesNo(true)).toBe('Yes');
    expect(yesNo(false)).toBe('No');
  });
});

describe('MAX_REQUESTED_VALUE and parseRequestedValue: the one bound on every number a request asks for', () => {
  it("is Service Quotas' documented DesiredValue maximum, 10,000,000,000", () => {
    expect(MAX_REQUESTED_VALUE).toBe(10_000_000_000);
  });

  it.each([
    ['200000', 200_000],
    [' 1,000 ', 1000],
    ['0', 0],
    ['10000000000', 10_000_000_000],
    ['10,000,000,000', 10_000_000_000],
    ['00000000000000001', 1],
  ])('reads %j as %d', (raw, value) => {
    expect(parseRequestedValue(raw)).toStrictEqual({ ok: true, value });
  });

  it.each([
    ['missing', undefined, 'missing'],
    ['blank', '   ', 'missing'],
    ['a decimal', '10.5', 'not_whole'],
    ['negative', '-5', 'not_whole'],
    ['exponent notation', '1e16', 'not_whole'],
    ['with units', '200k', 'not_whole'],
    ['one above the bound', '10000000001', 'above_max'],
    ['10^15', '1000000000000000', 'above_max'],
    ['10^15, grouped', '1,000,000,000,000,000', 'above_max'],
    ['20 digits', '99999999999999999999', 'above_max'],
    ['400 digits', '9'.repeat(400), 'above_max'],
  ])('refuses %s as %s', (_, raw, problem) => {
    expect(parseRequestedValue(raw)).toStrictEqual({ ok: false, problem });
  });

  it("names the bound as AWS's in a plain sentence", () => {
    const message = aboveMaxRequestedValue('new limit value');
    expect(message).toBe('The new limit value can be at most 10,000,000,000, the largest value AWS accepts in a limit request.');
    expectPlainMessage(message);
  });
});

describe('CASE_EXPECTATIONS: what to expect once a case is filed', () => {
  it('says when AWS usually answers, that more information may be asked, and that nothing is guaranteed', () => {
    const text = CASE_EXPECTATIONS.join(' ');
    expect(text).toMatch(/first answer usually comes within 24 hours/);
    expect(text).toMatch(/more information/);
    expect(text).toMatch(/takes longer/);
    expect(text).toMatch(/not guaranteed/);
    expect(text).toMatch(/only what you need/);
    for (const sentence of CASE_EXPECTATIONS) expectPlainMessage(sentence);
  });
});

describe('groupBy', () => {
  it('groups in the order keys are first seen, each group in its items\' order', () => {
    const groups = groupBy(['b1', 'a1', 'b2', 'c1', 'a2'], (s) => s[0]!);
    expect([...groups]).toEqual([
      ['b', ['b1', 'b2']],
      ['a', ['a1', 'a2']],
      ['c', ['c1']],
    ]);
  });
});
