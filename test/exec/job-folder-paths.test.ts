import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { JobFolderPaths } from '../../src/exec/job/job-folder-paths.js';
import { localPathsStream } from '../../src/exec/job/local-paths-stream.js';

const JOB = '.scons-remote/jobs/0123456789abcdef';
const HOME = '/home/ubuntu';
const LOCAL = '/work/my prøject';
const paths = new JobFolderPaths(JOB, LOCAL);

const OUTPUT = [
  `src/foo.c:3:1: error: expected ';' before '}' token`,
  `In file included from ${HOME}/${JOB}/src/foo.c:1:`,
  `${HOME}/${JOB}/include/foo.h:2:5: note: declared here`,
  `gcc -I${HOME}/${JOB}/include -c /data${HOME}/${JOB}/src/a.c`,
  `cd ‘${HOME}/${JOB}’ failed`,
  `${HOME}/.scons-remote/jobs/fedcba9876543210/src/foo.c: another job's folder`,
  `${HOME}/${JOB}0/src/foo.c: a longer name`,
  `/usr/include/stdio.h:12: not the job folder`,
].join('\n');

const LOCAL_OUTPUT = [
  `src/foo.c:3:1: error: expected ';' before '}' token`,
  `In file included from ${LOCAL}/src/foo.c:1:`,
  `${LOCAL}/include/foo.h:2:5: note: declared here`,
  `gcc -I${LOCAL}/include -c ${LOCAL}/src/a.c`,
  `cd ‘${LOCAL}’ failed`,
  `${HOME}/.scons-remote/jobs/fedcba9876543210/src/foo.c: another job's folder`,
  `${HOME}/${JOB}0/src/foo.c: a longer name`,
  `/usr/include/stdio.h:12: not the job folder`,
].join('\n');

async function streamed(chunks: Buffer[]): Promise<string> {
  const out = await buffer(Readable.from(chunks).pipe(localPathsStream(JOB, LOCAL)));
  return out.toString('utf8');
}

describe('job-folder paths printed on the instance', () => {
  it('become local paths; relative paths, other folders and other jobs stay as printed', () => {
    assert.equal(paths.rewrite(OUTPUT), LOCAL_OUTPUT);
  });

  it('give a local path for a depfile entry, none for one outside the job folder', () => {
    assert.equal(paths.localPath(`${HOME}/${JOB}/include/foo.h`), `${LOCAL}/include/foo.h`);
    assert.equal(paths.localPath(`/real${HOME}/${JOB}/a.h`), `${LOCAL}/a.h`);
    assert.equal(paths.localPath('include/foo.h'), 'include/foo.h');
    assert.equal(paths.localPath('/usr/include/stdio.h'), undefined);
    assert.equal(paths.localPath(`${HOME}/${JOB}0/a.h`), undefined);
  });

  it('are rewritten in a stream cut anywhere, a UTF-8 character or the prefix split included', async () => {
    const bytes = Buffer.from(OUTPUT, 'utf8');
    for (let at = 0; at <= bytes.length; at += 1) {
      const split = [bytes.subarray(0, at), bytes.subarray(at)];
      assert.equal(await streamed(split), LOCAL_OUTPUT, `cut at byte ${at}`);
    }
    const oneByOne = [...bytes].map((byte) => Buffer.from([byte]));
    assert.equal(await streamed(oneByOne), LOCAL_OUTPUT);
  });

  it('pass output without paths on at once, holding back only a path that may go on', () => {
    assert.equal(paths.completeUpTo('50% done\r'), 9);
    assert.equal(paths.completeUpTo('error in -I/home/ubu'), 'error in -I'.length);
    assert.equal(paths.completeUpTo(`x /${'a'.repeat(5000)}`), 5003);
  });
});
