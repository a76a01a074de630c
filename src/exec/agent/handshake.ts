import { connect, type Socket } from 'node:net';
import {
  encodeMessage,
  FrameKind,
  FrameReader,
  PROTOCOL_VERSION,
  type AgentMessage,
} from '../../api/agent-protocol.js';

/** An agent that accepted the connection but says nothing for this long is wedged, and replaced. */
const HANDSHAKE_TIMEOUT_MS = 5000;

/** An agent ready for a job: the socket (hello exchanged), and the reader holding what followed. */
export interface AgentLink {
  socket: Socket;
  reader: FrameReader<AgentMessage>;
  pid: number;
}

/** Why no agent answered: none listens, one of another version, or one that does not answer. */
export type NoAgent = 'absent' | 'other-version' | 'wedged';

/** Connects to the agent's socket and exchanges hellos, never waiting long for it. */
export function handshake(socketPath: string): Promise<AgentLink | NoAgent> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const reader = new FrameReader<AgentMessage>();
    const settle = (outcome: AgentLink | NoAgent) => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      socket.removeAllListeners('error');
      socket.removeAllListeners('close');
      if (typeof outcome === 'string') socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle('wedged'), HANDSHAKE_TIMEOUT_MS);
    socket.once('connect', () =>
      socket.write(encodeMessage({ type: 'hello', version: PROTOCOL_VERSION })),
    );
    socket.on('error', () => settle('absent'));
    // Closed before a hello: an agent that is going away, or one that refuses our version.
    socket.on('close', () => settle('other-version'));
    socket.on('data', (chunk: Buffer) => {
      let first;
      try {
        first = reader.push(chunk)[0];
      } catch {
        return settle('other-version');
      }
      if (!first) return;
      const hello = first.kind === FrameKind.Message ? first.message : undefined;
      if (hello?.type !== 'hello' || hello.version !== PROTOCOL_VERSION) settle('other-version');
      else {
        socket.pause();
        settle({ socket, reader, pid: hello.pid });
      }
    });
  });
}
