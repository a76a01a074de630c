import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startReapiServer, type ReapiServer } from '../../src/emulator/reapi/reapi-server.js';
import { makeProject, REMOTE_EXEC, runAsync, tempDir } from '../helpers/cli.js';

const HOOKS = new URL('./module-log-hooks.js', import.meta.url).href;
const REGISTER = `data:text/javascript,import{register}from'node:module';register('${HOOKS}')`;
const REQUIRE_HOOK = fileURLToPath(new URL('./module-log-require.cjs', import.meta.url));

describe("an engine step's client", () => {
  let server: ReapiServer;
  before(async () => {
    server = await startReapiServer();
  });
  after(() => server.close());

  it('loads neither gRPC nor protobufjs: the agent holds the channel', async () => {
    const dir = makeProject({ 'in.txt': 'x\n' });
    const remoteJson = { remoteExecution: { endpoint: server.endpoint } };
    writeFileSync(join(dir, 'remote.json'), JSON.stringify(remoteJson));
    const step = (out: string) => [
      REMOTE_EXEC,
      ...['--config', 'remote.json', '--in', 'in.txt', '--out', out, '--'],
      `cp in.txt ${out}`,
    ];
    const env = { SCONS_REMOTE_MODE: undefined };
    // The first step starts the agent, which loads gRPC; the hooks watch only the second client.
    const first = await runAsync(process.execPath, step('a.txt'), dir, env);
    assert.equal(first.status, 0, first.stderr);
    const log = join(tempDir(), 'modules.txt');
    writeFileSync(log, '');
    const hooked = ['--import', REGISTER, '--require', REQUIRE_HOOK, ...step('b.txt')];
    const second = await runAsync(process.execPath, hooked, dir, { ...env, MODULE_LOG: log });
    assert.equal(second.status, 0, second.stderr);
    assert.equal(readFileSync(join(dir, 'b.txt'), 'utf8'), 'x\n');
    const loaded = readFileSync(log, 'utf8');
    // The bundle `npm run build` writes, or the ES modules when tsc alone built.
    assert.match(
      loaded,
      /remote-exec-bundle\.cjs$|agent\/client\.js$/m,
      'the hooks saw the client',
    );
    assert.doesNotMatch(loaded, /@grpc|protobufjs|\/reapi\/engine\.js/);
  });
});
