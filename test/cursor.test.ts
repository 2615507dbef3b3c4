// Cursor encode/decode as pure functions: Sequence's documented examples, and every text that is not a cursor.
import t from 'tap'
import { decodeCursor, encodeCursor, type Cursor } from '../src/data/cursor.js'

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

const ID = 'e309e948-088e-4d77-b654-cd85498f1555'
const MICROS = 1658260856033013
/** The documented examples. @see /work/shared/docs/sequence-users-contract.md "Pagination" */
const DESC_EXAMPLE = 'ZTMwOWU5NDgtMDg4ZS00ZDc3LWI2NTQtY2Q4NTQ5OGYxNTU1IzE2NTgyNjA4NTYwMzMwMTMjREVTQw=='
const ASC_EXAMPLE = 'NjRlZjJmZjktMmJjYi00M2RiLWI0ZDUtOTAxMDU4MjRiMTdmIzE2NTgyNjA3NTk3NTE2ODEjQVND'

const valid: ReadonlyArray<{ name: string, text: string, cursor: Cursor }> = [
  {
    name: 'the documented DESC example',
    text: DESC_EXAMPLE,
    cursor: { id: ID, createdAtMicros: MICROS, direction: 'DESC' }
  },
  {
    name: 'the documented ASC example',
    text: ASC_EXAMPLE,
    cursor: { id: '64ef2ff9-2bcb-43db-b4d5-90105824b17f', createdAtMicros: 1658260759751681, direction: 'ASC' }
  },
  {
    name: 'creation time zero',
    text: b64(`${ID}#0#ASC`),
    cursor: { id: ID, createdAtMicros: 0, direction: 'ASC' }
  },
  {
    name: 'creation time Number.MAX_SAFE_INTEGER, the largest exact one',
    text: b64(`${ID}#${Number.MAX_SAFE_INTEGER}#DESC`),
    cursor: { id: ID, createdAtMicros: Number.MAX_SAFE_INTEGER, direction: 'DESC' }
  }
]

t.test('the documented examples spell the cursor format', async (t) => {
  t.equal(Buffer.from(DESC_EXAMPLE, 'base64').toString(), `${ID}#${MICROS}#DESC`)
  t.equal(Buffer.from(ASC_EXAMPLE, 'base64').toString(), '64ef2ff9-2bcb-43db-b4d5-90105824b17f#1658260759751681#ASC')
})

for (const { name, text, cursor } of valid) {
  t.test(`${name} decodes to its id, creation time and direction`, async (t) => {
    t.strictSame(decodeCursor(text), cursor)
  })

  t.test(`${name} is what encodeCursor issues for that position`, async (t) => {
    t.equal(encodeCursor({ id: cursor.id, createdAtMicros: cursor.createdAtMicros }, cursor.direction), text)
  })
}

t.test('encodeCursor ignores fields other than the position, so a stored user encodes to its own position', async (t) => {
  const user = { id: ID, email: 'a@example.com', createdAtMicros: MICROS, state: 'active' }
  t.equal(encodeCursor(user, 'DESC'), DESC_EXAMPLE)
})

t.test('encode then decode gives the position back, in both directions', async (t) => {
  const positions = [
    { id: '00000000-0000-4000-8000-000000000000', createdAtMicros: 1 },
    { id: 'ffffffff-ffff-4fff-bfff-ffffffffffff', createdAtMicros: 1767225599999999 },
    { id: '64ef2ff9-2bcb-43db-b4d5-90105824b17f', createdAtMicros: 1609459200000000 }
  ]
  for (const position of positions) {
    for (const direction of ['ASC', 'DESC'] as const) {
      t.strictSame(decodeCursor(encodeCursor(position, direction)), { ...position, direction }, `${position.id} ${direction}`)
    }
  }
})

const rejected: ReadonlyArray<{ name: string, text: string }> = [
  { name: 'empty text', text: '' },
  { name: 'text that is not base64', text: 'not a cursor!' },
  { name: 'the plain decoded text', text: `${ID}#${MICROS}#DESC` },
  { name: 'unpadded base64 (Node would decode it)', text: DESC_EXAMPLE.replace(/=+$/, '') },
  { name: 'padding in the wrong amount', text: `${DESC_EXAMPLE}=` },
  { name: 'text after the padding (Node would stop at the padding)', text: `${DESC_EXAMPLE}QQ==` },
  { name: 'spaces and a newline inside (Node would skip them)', text: ` ${DESC_EXAMPLE.slice(0, 8)} ${DESC_EXAMPLE.slice(8)}\n` },
  { name: 'base64url "-" in place of a base64 character', text: `-${DESC_EXAMPLE.slice(1)}` },
  { name: 'base64url "_" in place of a base64 character', text: `${DESC_EXAMPLE.slice(0, 10)}_${DESC_EXAMPLE.slice(11)}` },
  { name: 'the documented example percent-encoded (not decoded by the caller)', text: encodeURIComponent(DESC_EXAMPLE) },
  { name: 'base64 of garbage', text: b64('hello, world') },
  { name: 'base64 of bytes that are not text', text: Buffer.from([0xff, 0xfe, 0x00, 0x23, 0x80]).toString('base64') },
  { name: 'a lower-case direction', text: b64(`${ID}#${MICROS}#desc`) },
  { name: 'another direction word', text: b64(`${ID}#${MICROS}#DOWN`) },
  { name: 'a direction with trailing text', text: b64(`${ID}#${MICROS}#DESCENDING`) },
  { name: 'a direction with a trailing newline', text: b64(`${ID}#${MICROS}#DESC\n`) },
  { name: 'an id that is not a uuid', text: b64(`user-1#${MICROS}#DESC`) },
  { name: 'a uuid without hyphens', text: b64(`${ID.replaceAll('-', '')}#${MICROS}#DESC`) },
  { name: 'a uuid with a non-hex character', text: b64(`${ID.replace('e', 'g')}#${MICROS}#DESC`) },
  { name: 'an upper-case uuid', text: b64(`${ID.toUpperCase()}#${MICROS}#DESC`) },
  { name: 'a uuid in braces', text: b64(`{${ID}}#${MICROS}#DESC`) },
  { name: 'no direction', text: b64(`${ID}#${MICROS}`) },
  { name: 'no creation time', text: b64(`${ID}##DESC`) },
  { name: 'no id', text: b64(`#${MICROS}#DESC`) },
  { name: 'only the id', text: b64(ID) },
  { name: 'an extra #part', text: b64(`${ID}#${MICROS}#DESC#extra`) },
  { name: 'an extra empty #part', text: b64(`${ID}#${MICROS}#DESC#`) },
  { name: 'both directions', text: b64(`${ID}#${MICROS}#DESC#ASC`) },
  { name: 'a negative creation time', text: b64(`${ID}#-${MICROS}#DESC`) },
  { name: 'a fractional creation time', text: b64(`${ID}#${MICROS}.5#DESC`) },
  { name: 'a creation time in exponent notation', text: b64(`${ID}#1e15#DESC`) },
  { name: 'a creation time one beyond Number.MAX_SAFE_INTEGER', text: b64(`${ID}#${Number.MAX_SAFE_INTEGER + 1}#DESC`) },
  { name: 'a sixteen-digit creation time beyond Number.MAX_SAFE_INTEGER', text: b64(`${ID}#9999999999999999#DESC`) },
  { name: 'a seventeen-digit creation time', text: b64(`${ID}#16582608560330130#DESC`) },
  { name: 'a very long run of valid base64', text: 'QUFB'.repeat(100_000) },
  { name: 'a valid cursor followed by a long valid base64 tail', text: b64(`${ID}#${MICROS}#DESC${' '.repeat(300)}`) },
  { name: 'a cursor whose creation time is padded with many zeros', text: b64(`${ID}#${'0'.repeat(200)}1#DESC`) }
]

for (const { name, text } of rejected) {
  t.test(`${name} is not a cursor`, async (t) => {
    t.equal(decodeCursor(text), undefined)
  })
}
