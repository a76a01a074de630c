import { STATE_CODES, type EmulatedInstance, type InstanceStateName } from './fleet.js';
import type { XmlNode } from './xml.js';

export function stateXml(state: InstanceStateName): XmlNode {
  return { code: STATE_CODES[state], name: state };
}

function dnsName(address: string | undefined): string {
  return address ? `ec2-${address.replace(/\./g, '-')}.compute.emulated.internal` : '';
}

export function tagSetXml(tags: Map<string, string>): XmlNode[] {
  return [...tags].map(([key, value]) => ({ key, value }));
}

/** One `instancesSet/item`, with the element names of the EC2 API reference. */
export function instanceXml(instance: EmulatedInstance, index = 0): XmlNode {
  const live = instance.state === 'running' || instance.state === 'pending' || instance.state === 'stopping';
  const address = live ? instance.address : undefined;
  return {
    instanceId: instance.instanceId,
    imageId: instance.imageId,
    instanceState: stateXml(instance.state),
    privateDnsName: dnsName(address),
    dnsName: dnsName(address),
    keyName: instance.keyName,
    amiLaunchIndex: index,
    instanceType: instance.instanceType,
    launchTime: instance.launchTime.toISOString(),
    placement: { availabilityZone: 'emu-1a', tenancy: 'default' },
    privateIpAddress: address,
    ipAddress: address,
    tagSet: tagSetXml(instance.tags),
  };
}
