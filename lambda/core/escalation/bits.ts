/** A fixed-width bit set over the action space: a policy statement's actions, unions of them. */
export class Bits {
  readonly words: Uint32Array;

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  set(index: number): void {
    const word = index >>> 5;
    this.words[word] = (this.words[word] ?? 0) | (1 << (index & 31));
  }

  has(index: number): boolean {
    return ((this.words[index >>> 5] ?? 0) & (1 << (index & 31))) !== 0;
  }

  fillRange(start: number, end: number): void {
    for (let index = start; index < end; index++) this.set(index);
  }

  /** Flips every bit (NotAction). */
  invert(): void {
    for (let word = 0; word < this.words.length; word++) this.words[word] = ~(this.words[word] ?? 0) >>> 0;
    const spare = this.words.length * 32 - this.size;
    const last = this.words.length - 1;
    if (spare > 0) this.words[last] = (this.words[last] ?? 0) & (0xffffffff >>> spare);
  }

  or(other: Bits): void {
    for (let word = 0; word < this.words.length; word++) {
      this.words[word] = (this.words[word] ?? 0) | (other.words[word] ?? 0);
    }
  }

  count(): number {
    let total = 0;
    for (const word of this.words) {
      let value = word;
      while (value) {
        value &= value - 1;
        total++;
      }
    }
    return total;
  }

  /** Calls back with every set index, in order. */
  forEach(callback: (index: number) => void): void {
    for (let word = 0; word < this.words.length; word++) {
      let value = this.words[word] ?? 0;
      while (value) {
        const low = value & -value;
        callback(word * 32 + 31 - Math.clz32(low));
        value ^= low;
      }
    }
  }
}
