// Command-line values shared by the load scripts.
import { CannotRun } from './mock.js'

/** An option's whole-number value, or a CannotRun naming the option and its range. */
export function integerOption (name: string, text: string, min: number, max: number): number {
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < min || value > max) throw new CannotRun(`${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(text)}`)
  return value
}
