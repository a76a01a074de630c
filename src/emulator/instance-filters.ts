import { Ec2Error } from './errors.js';
import { STATE_CODES, type EmulatedInstance } from './fleet.js';

/** DescribeInstances / DescribeInstanceStatus filters the project uses; any other name is refused, as EC2 does. */
export function matchesFilter(instance: EmulatedInstance, name: string, values: string[]): boolean {
  if (name === 'instance-id') return values.includes(instance.instanceId);
  if (name === 'instance-state-name') return values.includes(instance.state);
  if (name === 'instance-state-code') return values.includes(String(STATE_CODES[instance.state]));
  if (name === 'tag-key') return values.some((key) => instance.tags.has(key));
  if (name.startsWith('tag:')) {
    const value = instance.tags.get(name.slice(4));
    return value !== undefined && values.includes(value);
  }
  if (name === 'key-name') return values.includes(instance.keyName);
  if (name === 'image-id') return values.includes(instance.imageId);
  throw new Ec2Error('InvalidParameterValue', `The filter '${name}' is invalid`);
}
