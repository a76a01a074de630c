import { createServer } from 'node:net';

/** True when nothing on this machine listens on address:port yet (another emulator's instance, say). */
function free(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, address, () => server.close(() => resolve(true)));
  });
}

/**
 * Loopback addresses for instances, never outside 127.0.0.0/8. Each emulator takes a random 127.X.Y.0/24,
 * so emulators of concurrently running test files do not collide; an address in use is skipped.
 */
export class AddressPool {
  readonly #prefix = `127.${64 + Math.floor(Math.random() * 128)}.${Math.floor(Math.random() * 256)}`;
  #next = 2;

  async allocate(port: number): Promise<string> {
    while (this.#next < 255) {
      const address = `${this.#prefix}.${this.#next++}`;
      if (await free(address, port)) return address;
    }
    throw new Error('the emulator ran out of loopback addresses');
  }
}
