import type { Budget } from './budget.js';
import { SMALL_BYTES, SMALL_COUNT, SMALL_FOLDER, writeSmallFiles } from './fixtures.js';
import { inProject, type BenchProject } from './project.js';
import type { ByteRelay } from './byte-relay.js';
import type { Row } from './table.js';

// Bytes a step sends to its instance, counted on the wire by the relayed project's ByteRelay: the
// content sent is what a step sends beyond a step with no input (handshake, request, heartbeats).

const REUSED_BYTES = 8 * 1024 * 1024;
const NOT_RESENT = 0.05;

async function bytesUp(project: BenchProject, relay: ByteRelay, command: string): Promise<number> {
  const before = relay.up;
  await inProject(project, command);
  return relay.up - before;
}

/** The fewest bytes `command` sent in `runs` runs, after `setUp` before each. */
async function fewestBytesUp(
  project: BenchProject,
  relay: ByteRelay,
  runs: number,
  command: string,
  setUp?: string,
): Promise<number> {
  let fewest = Infinity;
  for (let run = 0; run < runs; run++) {
    if (setUp) await inProject(project, setUp);
    fewest = Math.min(fewest, await bytesUp(project, relay, command));
  }
  return fewest;
}

export async function bytesRows(
  project: BenchProject & { relay: ByteRelay },
  budget: Budget,
): Promise<Row[]> {
  const { relay, remoteExec } = project;
  writeSmallFiles(project.dir);
  const noInput = `${remoteExec} -- true`;
  const unchanged = `${remoteExec} --in ${SMALL_FOLDER}/* -- true`;
  await inProject(project, noInput);
  await inProject(project, unchanged);
  const runs = budget.runs(3);
  const noInputBytes = await fewestBytesUp(project, relay, runs, noInput);
  const unchangedBytes = await fewestBytesUp(project, relay, runs, unchanged);
  const produce = `${remoteExec} --out mid.bin -- 'head -c ${REUSED_BYTES} /dev/urandom > mid.bin'`;
  const consume = `${remoteExec} --in mid.bin --out mid.size -- 'wc -c < mid.bin > mid.size'`;
  const reusedBytes = await fewestBytesUp(project, relay, runs, consume, produce);
  return [
    {
      measure:
        'bytes sent for the same 1000 unchanged inputs, beyond a step with none / their size',
      ours: Math.max(0, unchangedBytes - noInputBytes),
      baseline: SMALL_COUNT * SMALL_BYTES,
      baselineName: 'content',
      unit: 'bytes',
      maxRatio: NOT_RESENT,
      targetText: '0 bytes of content (< 5%: digests only)',
    },
    {
      measure: "a remote step's output used as the next remote step's input: bytes uploaded for it",
      ours: Math.max(0, reusedBytes - noInputBytes),
      baseline: REUSED_BYTES,
      baselineName: 'its size',
      unit: 'bytes',
      maxRatio: NOT_RESENT,
      targetText: '0 bytes uploaded for it (< 5%)',
    },
  ];
}
