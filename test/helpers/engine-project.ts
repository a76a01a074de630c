import { after, before } from 'node:test';
import {
  startReapiServer,
  type ReapiServer,
  type ReapiServerOptions,
} from '../../src/emulator/reapi/reapi-server.js';
import type { EngineOptions } from '../../src/reapi/engine-options.js';
import { makeProject } from './cli.js';

/** A remote.json naming a Remote Execution API engine, as a Makefile user writes it. */
export function engineConfig(options: EngineOptions): string {
  return JSON.stringify({ remoteExecution: options });
}

/**
 * A test file's test engine for remote.json projects: started before its tests, closed after
 * them. A project's remote.json names the engine, with `options` beside its endpoint.
 */
export function configProjectsOnEngine(serverOptions: ReapiServerOptions = {}) {
  let server: ReapiServer;
  before(async () => {
    server = await startReapiServer(serverOptions);
  });
  after(() => server.close());
  return {
    server: () => server,
    project(files: Record<string, string>, options: Omit<EngineOptions, 'endpoint'> = {}) {
      const config = engineConfig({ endpoint: server.endpoint, ...options });
      return makeProject({ ...files, 'remote.json': config });
    },
  };
}

/** Back to an engine without faults, and the call log emptied. */
export function clearFaults(server: ReapiServer): void {
  server.calls.length = 0;
  Object.assign(server.faults, { dropStreams: 0, loseInputRoot: 0, exhausted: 0, corruptReads: 0 });
  delete server.faults.exhaustedMethod;
  delete server.faults.requiredHeader;
}
