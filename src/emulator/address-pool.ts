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
 * so emulators of concurrently running test files do not collide; an address in use is skipped. Addresses are
 * handed out round the /24, so a restarted instance gets a new one, as a public IP on EC2.
 */
export class AddressPool {
  readonly #prefix = `127.${64 + Math.floor(Math.random() * 128)}.${Math.floor(Math.random() * 256)}`;
  #next = 2;

  async allocate(port: number): Promise<string> {
    for (let tried = 0; tried < 253; tried++) {
      const address = `${this.#prefix}.${this.#next}`;
      this.#next = this.#next >= 254 ? 2 : this.#next + 1;
      if (await free(address, port)) return address;
    }
    throw new Error(`the emulator ran out of loopback addresses in ${this.#prefix}.0/24`);
  }
}
