import { Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { JobFolderPaths } from './job-folder-paths.js';

/**
 * Passes a step's output on with the instance's job-folder paths made local, so an editor can jump
 * from a compiler's message to the line. Bytes are handled as latin1 text, which keeps them as they
 * are (a UTF-8 character split across chunks included). A path cut by a chunk's end is held back
 * until what follows shows where it ends, or the output ends.
 */
export function localPathsStream(jobFolder: string, localFolder: string): Transform {
  const paths = new JobFolderPaths(jobFolder, localFolder, 'latin1');
  let held = '';
  const bytes = (text: string) => (text === '' ? undefined : Buffer.from(text, 'latin1'));
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const text = held + chunk.toString('latin1');
      const cut = paths.completeUpTo(text);
      held = text.slice(cut);
      done(null, bytes(paths.rewrite(text.slice(0, cut))));
    },
    flush(done) {
      done(null, bytes(paths.rewrite(held)));
    },
  });
}

export interface LocalPathsOutput {
  stdout: Transform;
  stderr: Transform;
  /** Passes on what is held back; call once nothing more can arrive (the step's channel closed). */
  end(): Promise<void>;
}

/** The step's two output streams, passed on to this process's own with job-folder paths made local. */
export function localPathsOutput(jobFolder: string, localFolder: string): LocalPathsOutput {
  const stdout = localPathsStream(jobFolder, localFolder);
  const stderr = localPathsStream(jobFolder, localFolder);
  stdout.pipe(process.stdout, { end: false });
  stderr.pipe(process.stderr, { end: false });
  return {
    stdout,
    stderr,
    end: async () => {
      stdout.end();
      stderr.end();
      await Promise.all([finished(stdout), finished(stderr)]);
    },
  };
}
