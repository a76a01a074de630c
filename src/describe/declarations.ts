import type { StepConnection } from '../api/connection.js';
import type { RemoteAction, ValueSource } from './types.js';

/**
 * Where in the description a declaration was made, for error messages (`${location}`): its text,
 * or an object that reads it from the stack only when a message names it (call-site.ts, CALLER).
 */
export type Location = string | { toString(): string };

/** What the step tells ninja about the files its command read beyond its sources. */
export interface StepDependencies {
  depfile?: string;
  deps?: 'gcc' | 'msvc';
}

export interface LocalStep extends StepDependencies {
  kind: 'local';
  targets: string[];
  sources: (string | ValueSource)[];
  commands: string[];
  env: Record<string, string>;
  location: Location;
}

export interface RemoteStep extends StepDependencies {
  kind: 'remote';
  targets: string[];
  sources: (string | ValueSource)[];
  action: RemoteAction;
  connection: StepConnection;
  location: Location;
}

export type Step = LocalStep | RemoteStep;

export interface Alias {
  name: string;
  targets: string[];
  location: Location;
}

/** Everything the description declared, across all of its environments. */
export interface Declarations {
  steps: Step[];
  aliases: Alias[];
  defaults: { targets: string[]; location: Location }[];
}
