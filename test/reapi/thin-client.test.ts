import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { REMOTE, REMOTE_EXEC, runAsync, tempDir } from '../helpers/cli.js';
import { configProjectsOnEngine } from '../helpers/engine-project.js';

const HOOKS = new URL('./module-log-hooks.js', import.meta.url).href;
const REGISTER = `data:text/javascript,import{register}from'node:module';register('${HOOKS}')`;
const REQUIRE_HOOK = fileURLToPath(new URL('./module-log-require.cjs', import.meta.url));

describe("an engine step's client", () => {
  const { project } = configProjectsOnEngine();

  it('loads neither gRPC nor protobufjs: the agent holds the channel', async () => {
    const dir = project({ 'in.txt': 'x\n' });
    const step = (out: string) => [
      REMOTE_EXEC,
      ...['--config', 'remote.json', '--in', 'in.txt', '--out', out, '--'],
      `cp in.txt ${out}`,
    ];
    // The first step starts the agent, which loads gRPC; the hooks watch only the second client.
    const first = await runAsync(process.execPath, step('a.txt'), dir, REMOTE);
    assert.equal(first.status, 0, first.stderr);
    const log = join(tempDir(), 'modules.txt');
    writeFileSync(log, '');
    const hooked = ['--import', REGISTER, '--require', REQUIRE_HOOK, ...step('b.txt')];
    const second = await runAsync(process.execPath, hooked, dir, { ...REMOTE, MODULE_LOG: log });
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
