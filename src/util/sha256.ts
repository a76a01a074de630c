// SHA-256 (FIPS 180-4) in plain JavaScript, for the few hundred bytes a remote step hashes on its
// way to the agent (the agent's key, the profile's id). Loading node:crypto costs a step 5-9 ms of
// CPU (measured after node:net); these two hashes, run cold, ~2 ms. Measured side by side on an
// idle machine, a warm remote step's client: 182 ms CPU with node:crypto, 174 ms with this. What
// hashes files or blobs uses node:crypto.

function firstPrimes(count: number): number[] {
  const primes: number[] = [];
  for (let n = 2; primes.length < count; n++) {
    if (primes.every((prime) => n % prime !== 0)) primes.push(n);
  }
  return primes;
}

/** The first 32 bits of the fractional part of `x`. */
const fraction32 = (x: number): number => ((x - Math.floor(x)) * 2 ** 32) >>> 0;

const PRIMES = firstPrimes(64);
/** The standard's round constants: from the cube roots of the first 64 primes. */
const ROUND_CONSTANTS = Int32Array.from(PRIMES, (prime) => fraction32(Math.cbrt(prime)));
/** The standard's initial hash: from the square roots of the first 8 primes. */
const INITIAL_HASH = PRIMES.slice(0, 8).map((prime) => fraction32(Math.sqrt(prime)));

const rotateRight = (x: number, bits: number): number => (x >>> bits) | (x << (32 - bits));

/** The message, then a 1 bit, zeros, and its length in bits: a whole number of 64-byte blocks. */
function padded(text: string): Buffer {
  const message = Buffer.from(text, 'utf8');
  const blocks = Buffer.alloc(Math.ceil((message.length + 9) / 64) * 64);
  message.copy(blocks);
  blocks[message.length] = 0x80;
  blocks.writeUInt32BE(Math.floor(message.length / 2 ** 29), blocks.length - 8);
  blocks.writeUInt32BE((message.length * 8) >>> 0, blocks.length - 4);
  return blocks;
}

/** The SHA-256 digest of `text` (UTF-8), in lowercase hex, as node:crypto gives it. */
export function sha256Hex(text: string): string {
  const blocks = padded(text);
  // Signed 32-bit arithmetic (`| 0`) keeps every value a small integer V8 need not box.
  const hash = Int32Array.from(INITIAL_HASH);
  const words = new Int32Array(64);
  for (let offset = 0; offset < blocks.length; offset += 64) {
    for (let i = 0; i < 16; i++) words[i] = blocks.readInt32BE(offset + i * 4);
    for (let i = 16; i < 64; i++) {
      const w15 = words[i - 15]!;
      const w2 = words[i - 2]!;
      const s0 = rotateRight(w15, 7) ^ rotateRight(w15, 18) ^ (w15 >>> 3);
      const s1 = rotateRight(w2, 17) ^ rotateRight(w2, 19) ^ (w2 >>> 10);
      words[i] = (words[i - 16]! + s0 + words[i - 7]! + s1) | 0;
    }
    let [a, b, c, d, e, f, g, h] = hash;
    for (let i = 0; i < 64; i++) {
      const sum1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25);
      const choice = (e & f) ^ (~e & g);
      const t1 = (h + sum1 + choice + ROUND_CONSTANTS[i]! + words[i]!) | 0;
      const sum0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22);
      const majority = (a & b) ^ (a & c) ^ (b & c);
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + sum0 + majority) | 0;
    }
    [a, b, c, d, e, f, g, h].forEach((value, i) => (hash[i] = hash[i]! + value!));
  }
  return Array.from(hash, (value) => (value >>> 0).toString(16).padStart(8, '0')).join('');
}
