import { STATE_CODES, type EmulatedInstance, type InstanceStateName } from './fleet.js';
import type { XmlNode } from './xml.js';

export function stateXml(state: InstanceStateName): XmlNode {
  return { code: STATE_CODES[state], name: state };
}

function dnsName(address: string | undefined): string {
  return address ? `ec2-${address.replace(/\./g, '-')}.compute.emulated.internal` : '';
}

function gmt(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} GMT`;
}

/** One `instancesSet/item`, with the element names of the EC2 API reference. */
export function instanceXml(instance: EmulatedInstance): XmlNode {
  // Stopped and terminated instances have no address, as on EC2 (a public IP is released on stop).
  const live =
    instance.state === 'running' || instance.state === 'pending' || instance.state === 'stopping';
  const address = live ? instance.address : undefined;
  const reason = instance.stateReason;
  return {
    instanceId: instance.instanceId,
    imageId: instance.imageId,
    instanceState: stateXml(instance.state),
    privateDnsName: dnsName(address),
    dnsName: dnsName(address),
    reason:
      reason?.code === 'Client.UserInitiatedShutdown' ? `User initiated (${gmt(reason.at)})` : '',
    keyName: instance.keyName,
    amiLaunchIndex: instance.launchIndex,
    instanceType: instance.instanceType,
    launchTime: instance.launchTime.toISOString(),
    placement: { availabilityZone: instance.availabilityZone, tenancy: 'default' },
    monitoring: { state: 'disabled' },
    privateIpAddress: address,
    ipAddress: address,
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/sda1',
    clientToken: instance.clientToken,
    stateReason: reason && { code: reason.code, message: reason.message },
    tagSet: [...instance.tags].map(([key, value]) => ({ key, value })),
    virtualizationType: 'hvm',
    hypervisor: 'xen',
  };
}
