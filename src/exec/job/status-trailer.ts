/**
 * Passes a step's stderr through while watching for the trailer the supervisor writes after the step's last
 * byte (`marker`, exit status, newline). Bytes that might be the start of the trailer are held back until the
 * next chunk tells; `passed` counts only bytes passed on, which is the offset to resume from after a drop.
 */
export class StatusTrailer {
  passed = 0;
  status: number | undefined;
  #held = Buffer.alloc(0);
  readonly #marker: Buffer;

  constructor(marker: string) {
    this.#marker = Buffer.from(marker);
  }

  /** The part of `chunk` (with what was held back) that is certainly the step's own output. */
  push(chunk: Buffer): Buffer {
    if (this.status !== undefined) return Buffer.alloc(0);
    const data = Buffer.concat([this.#held, chunk]);
    const at = data.indexOf(this.#marker);
    if (at >= 0) {
      const end = data.indexOf(0x0a, at);
      if (end >= 0) this.status = Number(data.subarray(at + this.#marker.length, end).toString());
      this.#held = end >= 0 ? Buffer.alloc(0) : data.subarray(at);
      return this.#pass(data.subarray(0, at));
    }
    let keep = Math.min(this.#marker.length - 1, data.length);
    while (keep > 0 && !data.subarray(data.length - keep).equals(this.#marker.subarray(0, keep)))
      keep--;
    this.#held = data.subarray(data.length - keep);
    return this.#pass(data.subarray(0, data.length - keep));
  }

  #pass(bytes: Buffer): Buffer {
    this.passed += bytes.length;
    return bytes;
  }
}
