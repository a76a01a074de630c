import { connect, createServer, type Server } from 'node:net';

// Counts the bytes a build step exchanges with its instance, whatever the client does (one connection
// per step, or an agent holding one): a TCP relay in front of the instance's sshd, on the instance's
// own loopback address, that the bench's second profile connects through (sshArgs.port).

export class ByteRelay {
  /** Bytes from the client to the instance (uploads, requests) since start. */
  up = 0;
  /** Bytes from the instance to the client. */
  down = 0;

  private constructor(private readonly server: Server) {}

  static async start(host: string, port: number, sshdPort: number): Promise<ByteRelay> {
    const server = createServer({ noDelay: true });
    const relay = new ByteRelay(server);
    server.on('connection', (client) => {
      const sshd = connect({ host, port: sshdPort, noDelay: true });
      client.on('data', (chunk: Buffer) => (relay.up += chunk.length));
      sshd.on('data', (chunk: Buffer) => (relay.down += chunk.length));
      client.pipe(sshd).pipe(client);
      const drop = () => (client.destroy(), sshd.destroy());
      client.once('error', drop).once('close', drop);
      sshd.once('error', drop).once('close', drop);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, resolve);
    });
    return relay;
  }

  close(): void {
    this.server.close();
  }
}
