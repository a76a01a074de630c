import type { TraceEvent } from './trace-file.js';

// The one-line summary of a build's trace that `remote-exec status --last` prints.

const seconds = (microseconds: number): string => `${(microseconds / 1e6).toFixed(1)} s`;

function bytes(count: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = count;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

const PREPARING = {
  provision: 'provisioning',
  setup: 'setup',
  wait: 'waiting for the instance',
};

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

export function summarizeBuild(events: readonly TraceEvent[]): string {
  const build = events.find((event) => event.name === 'process_name');
  const spans = events.filter((event) => event.ph === 'X');
  const steps = spans.filter((event) => event.cat === 'step' && event.name !== 'provision');
  const count = (kind: string) => steps.filter((step) => step.args?.kind === kind).length;
  const failed = steps.filter((step) => step.args?.status !== 0).length;
  const total = (key: string) => sum(steps.map((step) => Number(step.args?.[key] ?? 0)));
  const phase = (name: string) =>
    sum(spans.filter((s) => s.cat === 'phase' && s.name === name).map((s) => s.dur ?? 0));
  const start = Math.min(...spans.map((span) => span.ts ?? 0));
  const end = Math.max(...spans.map((span) => (span.ts ?? 0) + (span.dur ?? 0)));
  const phases = ['connect', 'upload', 'run', 'download'].map((n) => `${n} ${seconds(phase(n))}`);
  // Parts of connect, or of the provision edge ninja runs before the steps.
  const preparing = Object.entries(PREPARING)
    .filter(([name]) => phase(name) > 0)
    .map(([name, words]) => `${words} ${seconds(phase(name))}`);
  const started = String(build?.args?.started ?? '?')
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return [
    `last build (${String(build?.args?.name ?? 'unknown').replace(/^build: /, '')}, ${started}):`,
    `${steps.length} step${steps.length === 1 ? '' : 's'} (${count('remote')} remote, ${count('local')} local${failed ? `, ${failed} failed` : ''})`,
    `in ${spans.length ? seconds(end - start) : '0.0 s'};`,
    `${bytes(total('bytesUp'))} up, ${bytes(total('bytesDown'))} down;`,
    `${phases.join(', ')} (summed over steps)${preparing.length ? `; ${preparing.join(', ')}` : ''}`,
  ].join(' ');
}
