/**
 * The phone numbers already accepted from a list, with the line each came from: the in-file duplicate check.
 *
 * An open-addressing hash table over typed arrays: about 24 bytes per number (at most 36 while growing), against
 * ~45 for a `Map<number, number>` and ~60 for a `Map<string, number>`, and nothing for the garbage collector to
 * trace. 1,000,000 numbers take 24 MiB.
 */

const EMPTY = 0;

export class PhoneNumberSet {
  #keys = new Float64Array(1 << 12);
  #lines = new Int32Array(1 << 12);
  #mask = (1 << 12) - 1;
  #size = 0;

  /** Numbers held. */
  get size(): number {
    return this.#size;
  }

  /** The line `e164` was added with, or `undefined` when it has not been. */
  lineOf(e164: string): number | undefined {
    const line = this.#lines[this.#slot(toKey(e164))] ?? EMPTY;
    return line === EMPTY ? undefined : line;
  }

  /**
   * Remembers `e164` as first seen on `line`; a number already held keeps its line.
   * @param e164 - `+` and up to 15 digits.
   * @param line - 1 or more.
   */
  add(e164: string, line: number): void {
    const key = toKey(e164);
    const slot = this.#slot(key);
    if (this.#lines[slot] !== EMPTY) {
      return;
    }
    this.#keys[slot] = key;
    this.#lines[slot] = line;
    this.#size++;
    if (this.#size * 2 > this.#keys.length) {
      this.#grow();
    }
  }

  /** The slot holding `key`, or the empty slot where it would go (linear probing; the table is at most half full). */
  #slot(key: number): number {
    let slot = hash(key) & this.#mask;
    while (this.#lines[slot] !== EMPTY && this.#keys[slot] !== key) {
      slot = (slot + 1) & this.#mask;
    }
    return slot;
  }

  #grow(): void {
    const keys = this.#keys;
    const lines = this.#lines;
    const capacity = keys.length * 2;
    this.#keys = new Float64Array(capacity);
    this.#lines = new Int32Array(capacity);
    this.#mask = capacity - 1;
    for (let index = 0; index < keys.length; index++) {
      const line = lines[index] ?? EMPTY;
      const key = keys[index] ?? 0;
      if (line !== EMPTY) {
        let slot = hash(key) & this.#mask;
        while (this.#lines[slot] !== EMPTY) {
          slot = (slot + 1) & this.#mask;
        }
        this.#keys[slot] = key;
        this.#lines[slot] = line;
      }
    }
  }
}

/**
 * Up to 15 digits are exact as a double (below 2^53), and E.164 digits never start with 0, so distinct numbers give
 * distinct keys.
 */
function toKey(e164: string): number {
  return Number(e164.slice(1));
}

/** Mixes both 32-bit halves of an integer below 2^53 (murmur3 finaliser). */
function hash(key: number): number {
  const low = (key % 0x1_0000_0000) | 0;
  const high = (key / 0x1_0000_0000) | 0;
  let mixed = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  mixed ^= mixed >>> 13;
  mixed = Math.imul(mixed, 0xc2b2ae35);
  return (mixed ^ (mixed >>> 16)) >>> 0;
}
