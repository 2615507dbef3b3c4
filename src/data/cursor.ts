// Sequence's pagination cursor: standard padded base64 of `<user id>#<created at, epoch µs>#<DESC|ASC>`.
/**
 * The format is read off the documented examples, e.g. `ZTMwOWU5NDgt…REVTQw==` decodes to
 * `e309e948-088e-4d77-b654-cd85498f1555#1658260856033013#DESC`.
 * @see https://docs.sequencehq.com/api-reference (List all Users, pagination example)
 */
export type Direction = 'DESC' | 'ASC'

/** A position in the list: the user's creation time and id. */
export interface Position {
  readonly createdAtMicros: number
  readonly id: string
}

export interface Cursor extends Position {
  readonly direction: Direction
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const DECODED = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})#(\d{1,16})#(DESC|ASC)$/

export function encodeCursor (position: Position, direction: Direction): string {
  return Buffer.from(`${position.id}#${position.createdAtMicros}#${direction}`).toString('base64')
}

/** The cursor, or undefined when the text is not a cursor this API could have issued. */
export function decodeCursor (text: string): Cursor | undefined {
  if (text.length === 0 || text.length > 128 || !BASE64.test(text)) return undefined
  const match = DECODED.exec(Buffer.from(text, 'base64').toString('latin1'))
  if (match === null) return undefined
  const createdAtMicros = Number(match[2])
  if (!Number.isSafeInteger(createdAtMicros)) return undefined
  return { id: match[1] as string, createdAtMicros, direction: match[3] as Direction }
}
