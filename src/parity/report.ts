// The parity check's report, as text or JSON, with the secret masked in everything it prints.
import type { Difference } from './compare.js'
import type { ParityResult } from './run.js'

/** Replaces the secret, and the Basic credentials that carry it, wherever they would appear. */
export function masker (clientId: string, secret: string): (text: string) => string {
  const hidden = [
    Buffer.from(`${clientId}:${secret}`).toString('base64'),
    encodeURIComponent(secret),
    secret
  ].filter((value, i, all) => value.length >= 4 && all.indexOf(value) === i)
  return (text) => hidden.reduce((masked, value) => masked.replaceAll(value, '***'), text)
}

export function textReport (result: ParityResult): string {
  const sections = [[
    `Target: ${result.target} (client id ${JSON.stringify(result.clientId)})`,
    `Mock:   sequence-mock ${result.mockVersion}, in-process, ${result.mockUsers} users (${result.mockUsersFrom})`,
    `Probes: ${result.probes} (${result.requests.target} requests to the target, ${result.requests.mock} to the mock)`
  ]]
  const byProbe = new Map<string, Difference[]>()
  for (const difference of result.differences) byProbe.set(difference.probe, [...byProbe.get(difference.probe) ?? [], difference])
  if (byProbe.size > 0) {
    sections.push([...byProbe].flatMap(([probe, differences]) => [
      `${probe}: ${differences[0]?.request}`,
      ...differences.map(({ aspect, target, mock }) => `  ${aspect}: target ${target}, mock ${mock}`)
    ]))
  }
  if (result.skipped.length > 0) sections.push([`Not sent on either side (earlier answers gave no cursor for them: the list ended): ${result.skipped.join('; ')}`])
  const count = result.differences.length
  if (count === 0) {
    sections.push([`No differences: the mock behaves like the target in all ${result.probes} probes.`])
  } else {
    // The same difference usually shows in many probes: the summary names each once.
    const byAspect = new Map<string, number>()
    for (const { aspect } of result.differences) byAspect.set(aspect, (byAspect.get(aspect) ?? 0) + 1)
    sections.push([
      'Differences by aspect (how many probes or walks show each):',
      ...[...byAspect].map(([aspect, n]) => `  ${aspect}: ${n}`),
      `${count} difference${count === 1 ? '' : 's'} between the target and the mock, found by ${byProbe.size} of the probes and walks.`
    ])
  }
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`
}

export function jsonReport (result: ParityResult): string {
  return `${JSON.stringify(result, null, 2)}\n`
}
