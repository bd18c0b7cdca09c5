/**
 * The bot runs with the same node options however it is started in production: `npm start`
 * (package.json, which the bench also reads) and the image's CMD (Dockerfile).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function startScript(): string[] {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.trim().split(/\s+/);
}

function dockerCmd(): string[] {
  const line = readFileSync(`${ROOT}Dockerfile`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('CMD '));
  if (!line) throw new Error('the Dockerfile has no CMD');
  return JSON.parse(line.slice('CMD '.length)) as string[];
}

describe('how the bot is started', () => {
  it('npm start and the Dockerfile CMD run dist/main.js with the same node options', () => {
    expect(startScript()[0]).toBe('node');
    expect(startScript().at(-1)).toBe('dist/main.js');
    expect(dockerCmd()).toEqual(startScript());
  });

  it('both size V8 for a small service (the memory figures of BENCHMARKS.md depend on it)', () => {
    expect(startScript()).toContain('--optimize-for-size');
  });
});
