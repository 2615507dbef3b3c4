// The fuzzer's seeded random numbers: one independent stream per case, so case N is the same whatever ran before it.

/** sfc32, seeded through splitmix32 from (seed, stream): small, fast and well distributed. */
export class Random {
  #a: number
  #b: number
  #c: number
  #d: number

  constructor (seed: number, stream: number) {
    let state = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0
    const split = (): number => {
      state = (state + 0x9e3779b9) >>> 0
      let z = state
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.#a = split()
    this.#b = split()
    this.#c = split()
    this.#d = split()
    for (let i = 0; i < 12; i++) this.uint32()
  }

  uint32 (): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0
    this.#d = (this.#d + 1) >>> 0
    this.#a = this.#b ^ (this.#b >>> 9)
    this.#b = (this.#c + (this.#c << 3)) >>> 0
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0
    this.#c = (this.#c + t) >>> 0
    return t
  }

  /** In [0, 1). */
  next (): number {
    return this.uint32() / 4294967296
  }

  /** An integer from min to max, both included. */
  int (min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance (probability: number): boolean {
    return this.next() < probability
  }

  pick<T> (items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[this.int(0, items.length - 1)] as T
  }

  /** One of the entries, each as likely as its weight. */
  weighted<T> (entries: ReadonlyArray<readonly [number, T]>): T {
    const total = entries.reduce((sum, [weight]) => sum + weight, 0)
    let roll = this.next() * total
    for (const [weight, value] of entries) {
      roll -= weight
      if (roll < 0) return value
    }
    return (entries.at(-1) as readonly [number, T])[1]
  }

  bytes (length: number): Buffer {
    const buffer = Buffer.alloc(length)
    for (let i = 0; i < length; i++) buffer[i] = this.uint32() & 0xff
    return buffer
  }

  /** `length` characters drawn from `alphabet`. */
  string (length: number, alphabet: string): string {
    let text = ''
    for (let i = 0; i < length; i++) text += alphabet[this.int(0, alphabet.length - 1)]
    return text
  }

  /** A length that is usually small and sometimes very large: most bugs are at the edges. */
  length (max: number): number {
    return this.weighted<number>([[6, this.int(0, 16)], [3, this.int(17, 512)], [1, this.int(513, max)]])
  }
}
