// Keyset page selection as a pure function over hand-made users: order, after/before, cursors, stability.
import t from 'tap'
import { encodeCursor, type Position } from '../src/data/cursor.js'
import { selectPage, type Page, type PageRequest } from '../src/data/page.js'
import { SortedUsers, UserStore, type StoredUser } from '../src/data/user-store.js'
import { seededRandom } from '../scripts/load/random.js'

const ACCOUNT = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'

/** A lower-case uuid whose text order is its number's order. */
const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`

function user (n: number, createdAtMicros: number): StoredUser {
  return { id: uuid(n), email: `user${n}@example.com`, sequenceAccountIds: [ACCOUNT], state: 'active', roles: [], createdAtMicros }
}

// Ten users, three of them created in the same microsecond and two in another: the id breaks those ties.
const a = user(10, 1000)
const b = user(20, 900)
const c = user(30, 900)
const d = user(40, 900)
const e = user(50, 800)
const f = user(60, 700)
const g = user(70, 700)
const h = user(80, 600)
const i = user(90, 500)
const j = user(100, 400)
/** List order: newest first, then id descending. */
const ORDERED = [a, d, c, b, e, g, f, h, i, j]
/** Given to the store out of order, so that the store's own sort is what is tested. */
const store = new UserStore([e, j, b, a, h, c, g, i, d, f])

const name = (users: readonly StoredUser[]): string[] => users.map((u) => `u${Number(u.id.slice(-12))}`)
const after = (u: StoredUser): string => encodeCursor(u, 'DESC')
const before = (u: StoredUser): string => encodeCursor(u, 'ASC')

/** An independent reference for list order: creation time descending, then id descending. */
function referenceCompare (x: Position, y: Position): number {
  if (x.createdAtMicros !== y.createdAtMicros) return x.createdAtMicros > y.createdAtMicros ? -1 : 1
  return x.id === y.id ? 0 : x.id > y.id ? -1 : 1
}

t.test('the list is newest first, with ties on creation time broken by id descending', async (t) => {
  t.strictSame(name(selectPage(store, { limit: 100 }).items), name(ORDERED))
  t.strictSame(selectPage(store, { limit: 100 }).items, ORDERED, 'the stored users themselves, unchanged')
})

const pages: ReadonlyArray<{ title: string, request: PageRequest, page: Page }> = [
  {
    title: 'the first page has the newest users, an after cursor on its last item and no before',
    request: { limit: 3 },
    page: { items: [a, d, c], after: after(c), totalResultSize: 10 }
  },
  {
    title: 'after a cursor come the next limit users, with after on the last and before on the first',
    request: { limit: 3, after: c },
    page: { items: [b, e, g], after: after(g), before: before(b), totalResultSize: 10 }
  },
  {
    title: 'after a user inside a tie come the rest of the tie in id order, then older users',
    request: { limit: 3, after: d },
    page: { items: [c, b, e], after: after(e), before: before(c), totalResultSize: 10 }
  },
  {
    title: 'after a position between two tied users (not a stored user) comes the next one in id order',
    request: { limit: 2, after: { createdAtMicros: 900, id: uuid(35) } },
    page: { items: [c, b], after: after(b), before: before(c), totalResultSize: 10 }
  },
  {
    title: 'after a position between two creation times (not a stored user) comes the next older user',
    request: { limit: 2, after: { createdAtMicros: 850, id: uuid(999) } },
    page: { items: [e, g], after: after(g), before: before(e), totalResultSize: 10 }
  },
  {
    title: 'the last page has fewer than limit users, a before cursor and no after',
    request: { limit: 3, after: f },
    page: { items: [h, i, j], before: before(h), totalResultSize: 10 }
  },
  {
    title: 'a page that ends exactly at the oldest user has no after',
    request: { limit: 4, after: g },
    page: { items: [f, h, i, j], before: before(f), totalResultSize: 10 }
  },
  {
    title: 'after the oldest user the page is empty and has no cursors',
    request: { limit: 3, after: j },
    page: { items: [], totalResultSize: 10 }
  },
  {
    title: 'after a position older than every user the page is empty',
    request: { limit: 3, after: { createdAtMicros: 1, id: uuid(1) } },
    page: { items: [], totalResultSize: 10 }
  },
  {
    title: 'after a position newer than every user comes the first page, with no before',
    request: { limit: 3, after: { createdAtMicros: 5000, id: uuid(1) } },
    page: { items: [a, d, c], after: after(c), totalResultSize: 10 }
  },
  {
    title: 'before a cursor come the limit users just before it, still newest first',
    request: { limit: 3, before: e },
    page: { items: [d, c, b], after: after(b), before: before(d), totalResultSize: 10 }
  },
  {
    title: 'before a user inside a tie come the users ahead of it in the tie',
    request: { limit: 2, before: b },
    page: { items: [d, c], after: after(c), before: before(d), totalResultSize: 10 }
  },
  {
    title: 'before a position between two tied users (not a stored user) ends at the tied user ahead of it',
    request: { limit: 2, before: { createdAtMicros: 900, id: uuid(35) } },
    page: { items: [a, d], after: after(d), totalResultSize: 10 }
  },
  {
    title: 'before a user near the start returns fewer than limit users and no before',
    request: { limit: 3, before: c },
    page: { items: [a, d], after: after(d), totalResultSize: 10 }
  },
  {
    title: 'before the newest user the page is empty and has no cursors',
    request: { limit: 3, before: a },
    page: { items: [], totalResultSize: 10 }
  },
  {
    title: 'before a position older than every user comes the last limit users, with no after',
    request: { limit: 3, before: { createdAtMicros: 1, id: uuid(1) } },
    page: { items: [h, i, j], before: before(h), totalResultSize: 10 }
  },
  {
    title: 'a limit of one gives both cursors on the same user',
    request: { limit: 1, after: a },
    page: { items: [d], after: after(d), before: before(d), totalResultSize: 10 }
  },
  {
    title: 'a limit equal to the size gives every user and no cursors',
    request: { limit: 10 },
    page: { items: ORDERED, totalResultSize: 10 }
  },
  {
    title: 'a limit above the size gives every user and no cursors',
    request: { limit: 100 },
    page: { items: ORDERED, totalResultSize: 10 }
  }
]

for (const { title, request, page } of pages) {
  t.test(title, async (t) => {
    const actual = selectPage(store, request)
    t.strictSame(name(actual.items), name(page.items), 'the users')
    t.strictSame(actual, page, 'the whole page')
    t.strictSame(Object.keys(actual), Object.keys(page), 'an absent cursor is absent, not undefined')
  })
}

t.test('an empty store gives an empty page with a total of zero and no cursors, whatever the request', async (t) => {
  const empty = new UserStore([])
  t.equal(empty.size, 0)
  for (const request of [{ limit: 20 }, { limit: 1, after: a }, { limit: 1, before: a }]) {
    const page = selectPage(empty, request)
    t.strictSame(page, { items: [], totalResultSize: 0 })
    t.strictSame(Object.keys(page), ['items', 'totalResultSize'])
  }
})

t.test('a store of one user gives that user with no cursors', async (t) => {
  t.strictSame(selectPage(new UserStore([e]), { limit: 20 }), { items: [e], totalResultSize: 1 })
})

t.test('walking forward with after and back with before visits the same pages', async (t) => {
  for (let limit = 1; limit <= 11; limit++) {
    const forward: Page[] = [selectPage(store, { limit })]
    for (let page = forward[0]; page?.after !== undefined && forward.length <= 10; page = forward.at(-1)) {
      forward.push(selectPage(store, { limit, after: cursorPosition(page.after) }))
    }
    t.strictSame(forward.flatMap((page) => name(page.items)), name(ORDERED), `forward at limit ${limit}`)
    t.equal(forward.length, Math.ceil(10 / limit), `page count at limit ${limit}`)
    const backward: Page[] = [forward.at(-1) as Page]
    for (let page = backward[0]; page?.before !== undefined && backward.length <= 10; page = backward.at(-1)) {
      backward.push(selectPage(store, { limit, before: cursorPosition(page.before) }))
    }
    t.strictSame(backward.reverse(), forward, `backward at limit ${limit}`)
  }
})

/** The position a cursor names, read from its text so the walk uses exactly what a client would send. */
function cursorPosition (cursor: string): Position {
  const [id, micros] = Buffer.from(cursor, 'base64').toString().split('#')
  return { id: id as string, createdAtMicros: Number(micros) }
}

t.test('UserStore rejects a duplicate id, and finds users by id', async (t) => {
  t.throws(() => new UserStore([a, user(10, 5)]), { message: `duplicate user id ${a.id}` })
  t.equal(store.get(c.id), c)
  t.equal(store.get(uuid(35)), undefined)
  t.equal(store.size, 10)
})

// Keyset stability: a cursor is a position, so users added or removed between requests neither shift nor hide others.
t.test('continuing after a cursor from an earlier dataset neither skips nor repeats a user that is in both', async (t) => {
  const storeA = new UserStore(ORDERED)
  const firstPage = selectPage(storeA, { limit: 3 })
  t.strictSame(name(firstPage.items), ['u10', 'u40', 'u30'])
  const k = user(25, 900) // inside the tie, after the cursor's user: must be seen
  const l = user(5, 950) // newer than the cursor: behind the reader, not seen
  const m = user(65, 700) // between g and f
  const n = user(110, 400) // in the tie with the oldest, ordered before it
  // B: the cursor's own user c removed, and a and e removed; k, l, m and n inserted.
  const storeB = new UserStore([b, d, f, g, h, i, j, k, l, m, n])
  const rest = walkForward(storeB, 3, cursorPosition(firstPage.after as string))
  t.strictSame(rest.map((page) => name(page.items)), [['u25', 'u20', 'u70'], ['u65', 'u60', 'u80'], ['u90', 'u110', 'u100']])
  t.strictSame(name(rest[0]?.items ?? []), name(selectPage(storeB, { limit: 3, after: c }).items), 'the same as asking B directly after c')
  const seen = [...firstPage.items, ...rest.flatMap((page) => page.items)]
  for (const u of [b, d, f, g, h, i, j]) t.equal(seen.filter((s) => s.id === u.id).length, 1, `${name([u])} is in both and seen once`)
  t.equal(seen.filter((s) => s.id === l.id).length, 0, 'a user inserted behind the reader is not seen')
})

t.test('continuing before a cursor from an earlier dataset neither skips nor repeats a user that is in both', async (t) => {
  const storeA = new UserStore(ORDERED)
  const lastPages = [selectPage(storeA, { limit: 3, after: c }), selectPage(storeA, { limit: 3, after: g })]
  t.strictSame(lastPages.map((page) => name(page.items)), [['u20', 'u50', 'u70'], ['u60', 'u80', 'u90']])
  const startPage = lastPages[1] as Page
  const k = user(62, 700) // just ahead of f, the cursor's user: must be seen
  const l = user(5, 300) // older than everything: behind the reader, not seen
  const m = user(45, 900) // the newest of the 900 tie
  // B: the cursor's own user f removed, and b and h removed; k, l and m inserted.
  const storeB = new UserStore([a, c, d, e, g, i, j, k, l, m])
  const rest = walkBackward(storeB, 3, cursorPosition(startPage.before as string))
  t.strictSame(rest.map((page) => name(page.items)).reverse(), [['u10'], ['u45', 'u40', 'u30'], ['u50', 'u70', 'u62']])
  const seen = [...startPage.items, ...rest.flatMap((page) => page.items)]
  for (const u of [a, c, d, e, g, i]) t.equal(seen.filter((s) => s.id === u.id).length, 1, `${name([u])} is in both and seen once`)
  t.equal(seen.filter((s) => s.id === l.id).length, 0, 'a user inserted behind the reader is not seen')
})

t.test('in random datasets with ties, edits between pages never skip or repeat a user that is in both', async (t) => {
  const random = seededRandom(20240730)
  let checked = 0
  for (let trial = 0; trial < 300; trial++) {
    const next = idCounter()
    const usersA = Array.from({ length: 1 + Math.floor(random() * 40) }, () => user(next(), Math.floor(random() * 15)))
    const storeA = new UserStore(usersA)
    const limit = 1 + Math.floor(random() * 6)
    const forward = trial % 2 === 0
    // Read some pages of A, then take the cursor of the last one read.
    const readA: StoredUser[] = []
    let page = forward ? selectPage(storeA, { limit }) : selectPage(storeA, { limit, before: { createdAtMicros: -1, id: '' } })
    readA.push(...page.items)
    for (let read = Math.floor(random() * 4); read > 0 && (forward ? page.after : page.before) !== undefined; read--) {
      page = selectPage(storeA, forward ? { limit, after: cursorPosition(page.after as string) } : { limit, before: cursorPosition(page.before as string) })
      readA.push(...page.items)
    }
    const cursor = forward ? page.after : page.before
    if (cursor === undefined) continue
    const position = cursorPosition(cursor)
    // B: A without the cursor's user and some others, plus new users anywhere, ties included.
    const usersB = usersA.filter((u) => u.id !== position.id && random() > 0.25)
    for (let added = Math.floor(random() * 15); added > 0; added--) usersB.push(user(next(), Math.floor(random() * 15)))
    const storeB = new UserStore(usersB)
    // Read in list order: a backward walk returns the nearest page first.
    const pagesB = forward ? walkForward(storeB, limit, position) : walkBackward(storeB, limit, position).reverse()
    const readB = pagesB.flatMap((p) => p.items)
    const expectedB = [...usersB].sort(referenceCompare).filter((u) => forward ? referenceCompare(u, position) > 0 : referenceCompare(u, position) < 0)
    t.strictSame(name(readB), name(expectedB), `trial ${trial}: every user of B ${forward ? 'after' : 'before'} the cursor, in list order`)
    const inBoth = usersA.filter((u) => usersB.includes(u))
    const seen = [...name(readA), ...name(readB)]
    const counts = inBoth.map((u) => seen.filter((s) => s === name([u])[0]).length)
    t.strictSame(counts, inBoth.map(() => 1), `trial ${trial}: each of the ${inBoth.length} users in both seen exactly once`)
    checked++
  }
  t.ok(checked > 100, `enough trials had a cursor to continue from (${checked})`)
})

/** Pages of `store` after `position`, to the end. */
function walkForward (store: UserStore, limit: number, position: Position): Page[] {
  const out: Page[] = []
  let page = selectPage(store, { limit, after: position })
  out.push(page)
  while (page.after !== undefined && out.length <= store.size) {
    page = selectPage(store, { limit, after: cursorPosition(page.after) })
    out.push(page)
  }
  return out
}

/** Pages of `store` before `position`, back to the start; the nearest page first. */
function walkBackward (store: UserStore, limit: number, position: Position): Page[] {
  const out: Page[] = []
  let page = selectPage(store, { limit, before: position })
  out.push(page)
  while (page.before !== undefined && out.length <= store.size) {
    page = selectPage(store, { limit, before: cursorPosition(page.before) })
    out.push(page)
  }
  return out
}

function idCounter (): () => number {
  let n = 0
  return () => ++n
}

// indexOf: correct against a linear scan, and logarithmic by the number of users it looks at (no timing).
t.test('SortedUsers.indexOf agrees with a linear scan at many random positions, inclusive and not', async (t) => {
  const random = seededRandom(7)
  const users = Array.from({ length: 1000 }, (_, n) => user(n * 2 + 2, Math.floor(random() * 300)))
  const big = new SortedUsers(users)
  const ordered = [...users].sort(referenceCompare)
  const linear = (position: Position, inclusive: boolean): number => {
    const index = ordered.findIndex((u) => inclusive ? referenceCompare(u, position) >= 0 : referenceCompare(u, position) > 0)
    return index < 0 ? ordered.length : index
  }
  const positions: Position[] = [
    { createdAtMicros: 1000, id: uuid(1) },
    { createdAtMicros: -1, id: uuid(1) },
    ...Array.from({ length: 500 }, () => {
      const u = users[Math.floor(random() * users.length)] as StoredUser
      return { createdAtMicros: u.createdAtMicros, id: u.id }
    }),
    // Ids between stored ids (stored ids are even), and creation times that may be unused.
    ...Array.from({ length: 500 }, () => ({ createdAtMicros: Math.floor(random() * 302) - 1, id: uuid(Math.floor(random() * 2003)) }))
  ]
  const mismatches: string[] = []
  for (const position of positions) {
    for (const inclusive of [true, false]) {
      const expected = linear(position, inclusive)
      const actual = big.indexOf(position, inclusive)
      if (actual !== expected) mismatches.push(`${position.id}#${position.createdAtMicros} inclusive=${inclusive}: ${actual}, expected ${expected}`)
    }
  }
  t.strictSame(mismatches, [])
  t.equal(big.indexOf(ordered[0] as StoredUser, true), 0, 'a stored user, inclusive, is at its own index')
  t.equal(big.indexOf(ordered[0] as StoredUser, false), 1, 'a stored user, exclusive, is just past it')
})

t.test('SortedUsers.indexOf looks at no more than log2(size) + 1 users: a binary search, not a scan', async (t) => {
  const random = seededRandom(99)
  const size = 4096
  const looked = new Set<string>()
  const users: StoredUser[] = Array.from({ length: size }, (_, n) => {
    const plain = user(n + 1, Math.floor(random() * 1000))
    const micros = plain.createdAtMicros
    return { ...plain, get createdAtMicros () { looked.add(plain.id); return micros } }
  })
  const big = new SortedUsers(users)
  const bound = Math.ceil(Math.log2(size + 1)) + 1
  const worst: number[] = []
  for (let probe = 0; probe < 300; probe++) {
    const target = users[Math.floor(random() * size)] as StoredUser
    const position = probe % 3 === 0
      ? { createdAtMicros: Math.floor(random() * 1002) - 1, id: uuid(Math.floor(random() * size)) }
      : { createdAtMicros: target.createdAtMicros, id: target.id }
    looked.clear()
    big.indexOf(position, probe % 2 === 0)
    worst.push(looked.size)
  }
  t.ok(Math.max(...worst) <= bound, `at most ${bound} users looked at per search (worst ${Math.max(...worst)})`)
  t.ok(Math.max(...worst) > 0, 'the count does see the users a search looks at')
})
