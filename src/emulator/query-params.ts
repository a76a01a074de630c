import { Ec2Error } from './errors.js';

/** Query-protocol parameters: flat `Name.N.Field` keys, read back as lists and maps. */
export class QueryParams {
  constructor(readonly raw: Record<string, string>) {}

  get(name: string): string | undefined {
    return this.raw[name];
  }

  required(name: string): string {
    const value = this.raw[name];
    if (value === undefined || value === '')
      throw new Ec2Error('MissingParameter', `The request must contain the parameter ${name}`);
    return value;
  }

  /** `Prefix.1`, `Prefix.2`, … as a list. */
  list(prefix: string): string[] {
    return this.indexes(prefix)
      .map((index) => this.raw[`${prefix}.${index}`]!)
      .filter((value) => value !== undefined);
  }

  /** The numbers N for which some `Prefix.N…` key exists, in order. */
  indexes(prefix: string): number[] {
    const found = new Set<number>();
    for (const key of Object.keys(this.raw)) {
      const match = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)(\\.|$)`).exec(key);
      if (match) found.add(Number(match[1]));
    }
    return [...found].sort((a, b) => a - b);
  }
}
