import type { Transport } from '../../transport/index.js';
import { UserError } from '../../util/user-error.js';
import type { Progress } from '../progress.js';
import { linkScript, TREE_MISSING } from '../store/store-scripts.js';
import { mayHold, mayHoldTree, rememberHeld, rememberTree } from '../store/store-knowledge.js';
import {
  linksOf,
  planInputs,
  queryAndLink,
  treeOf,
  uploadMissing,
  type InputPlan,
  type Planned,
} from '../store/upload-inputs.js';
import { phase } from '../trace/step-trace.js';
import type { Cancellation } from './cancellation.js';
import { startStepCommand, type StepStart } from './step-supervisor.js';
import type { SupervisedStep } from './supervised-step.js';

// A step costs one exec when the instance's store holds its inputs: when every input was hashed
// before, the start makes the job folder from the store's blobs (copying the tree of links an
// earlier step with these inputs left, when this process knows of one) and runs the step.
// Otherwise (or when the start finds a blob missing) one exec asks which blobs the store lacks and
// makes the folder when none; the missing ones are sent with the folder's links; then the step
// starts.
// Inputs all read anew for this step, whose contents the store never held as far as this process
// saw (store-knowledge.ts), are sent without asking: new content, two execs.

/** Tries before giving up when blobs vanish (evicted) or change (edited) during an upload. */
const ATTEMPTS = 3;

export interface StepWithInputs {
  step: SupervisedStep;
  transport: Transport;
  reconnect: () => Promise<Transport>;
  start: Omit<StepStart, 'assemble'>;
  /**
   * The step's inputs, relative to `baseDir`, hashed with the hash cache under `stateDir`; `planned`
   * is their plan made before the instance was reached (planInputs), used by the first try.
   */
  inputs: { stateDir: string; baseDir: string; paths: readonly string[]; planned?: Planned };
  cancellation: Cancellation;
  /** Called before each start that may run the command. */
  onRunning: () => void;
  progress: Progress;
}

export interface Started {
  /** The step's exit status; undefined when cancelled before it started. */
  status?: number;
  transport: Transport;
  /** Content was sent to the store (which the step's keep then trims to its bound). */
  uploaded: boolean;
  uploadMs: number;
}

function refusalError(said: string): UserError {
  const reason = said.trim() || 'no reason given';
  return new UserError(`the instance could not make the job folder (${reason.split('\n')[0]})`);
}

/** Whether `plan` has content, all of it new: read anew, and never seen in the store. */
function allNew(instance: string, plan: InputPlan): boolean {
  const blobs = [...plan.blobs.values()];
  return blobs.length > 0 && blobs.every((blob) => blob.readForPlan && !mayHold(instance, blob));
}

/** Runs the step, its inputs made present on the instance first. */
export async function startStep(job: StepWithInputs): Promise<Started> {
  const { step, inputs, progress } = job;
  let transport = job.transport;
  let uploadMs = 0;
  let uploaded = false;
  const run = async (stdin?: Buffer, assemble?: string) => {
    job.onRunning();
    const ran = await step.run(
      transport,
      startStepCommand({ ...job.start, assemble }),
      stdin,
      job.reconnect,
    );
    transport = ran.transport;
    return ran;
  };
  if (inputs.paths.length === 0) {
    const ran = await run();
    if ('refused' in ran) throw refusalError(ran.refused);
    return { status: ran.status, transport, uploaded, uploadMs };
  }
  for (let tries = 1; tries <= ATTEMPTS; tries++) {
    const { plan, cached } =
      tries === 1 && inputs.planned
        ? inputs.planned
        : await planInputs(inputs.stateDir, inputs.baseDir, inputs.paths, tries > 1);
    const unchanged = `upload: 0 of ${plan.files.length} files, 0 bytes`;
    if (cached) {
      const tree = treeOf(plan);
      let ran = mayHoldTree(transport.hostKey, tree)
        ? await run(undefined, linkScript(0, tree))
        : undefined;
      if (!ran || ('refused' in ran && ran.refused.trim() === TREE_MISSING)) {
        const links = linksOf(plan);
        ran = await run(links, linkScript(links.length, tree));
      }
      rememberTree(transport.hostKey, tree, 'status' in ran);
      if ('status' in ran) {
        rememberHeld(transport.hostKey, plan.blobs.keys());
        progress(unchanged);
        return { status: ran.status, transport, uploaded, uploadMs };
      }
      if (ran.refused.trim() !== 'query') throw refusalError(ran.refused);
    }
    if (job.cancellation.received) return { transport, uploaded, uploadMs };
    const uploading = phase('upload');
    const missing = allNew(transport.hostKey, plan)
      ? [...plan.blobs.keys()]
      : await queryAndLink(transport, job.start.jobId, plan);
    let sent = missing !== undefined;
    let bytes = 0;
    if (missing?.length) {
      ({ complete: sent, bytes } = await uploadMissing(
        transport,
        job.start.jobId,
        plan,
        missing,
        progress,
      ));
      uploaded ||= sent;
    } else if (sent) progress(unchanged);
    uploadMs += uploading(bytes);
    if (!sent) continue;
    if (job.cancellation.received) return { transport, uploaded, uploadMs };
    rememberHeld(transport.hostKey, plan.blobs.keys());
    const after = await run();
    if ('refused' in after) throw refusalError(after.refused);
    return { status: after.status, transport, uploaded, uploadMs };
  }
  throw new UserError(
    `upload failed: inputs kept changing or leaving the store (${ATTEMPTS} tries)`,
  );
}
