import type { Report } from './queries.js'

/** Plain-text tables, one per figure, aligned for a terminal. */
export function table (title: string, header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))]
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  const body = rows.length > 0 ? cells.slice(1).map(line) : ['(none)']
  return [title, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body].join('\n')
}

const fixed = (n: number | null, digits = 2) => (n === null ? '-' : n.toFixed(digits))
const minutes = (ms: number | null) => (ms === null ? '-' : (ms / 60_000).toFixed(1))

export function formatReport (report: Report): string {
  const r = report.rates
  return [
    `Watch Together archive report since ${report.since.toISOString()}`,
    '',
    table('Messages per room', ['room', 'messages'], report.messagesPerRoom.map((x) => [x.roomId, x.messages])),
    '',
    table('Most-discussed films', ['film', 'messages'], report.mostDiscussedFilms.map((x) => [x.filmId ?? '(unknown)', x.messages])),
    '',
    table('Sessions', ['figure', 'value'], [
      ['ended sessions', report.sessions.ended],
      ['average length (min)', minutes(report.sessions.averageLengthMs)]
    ]),
    '',
    table('Pause and seek rates', ['figure', 'value'], [
      ['sessions opened', r.sessions],
      ['plays', r.plays],
      ['pauses', r.pauses],
      ['seeks', r.seeks],
      ['watched (min)', minutes(r.watchedMs)],
      ['pauses per session', fixed(r.pausesPerSession)],
      ['seeks per session', fixed(r.seeksPerSession)],
      ['pauses per watched hour', fixed(r.pausesPerWatchedHour)],
      ['seeks per watched hour', fixed(r.seeksPerWatchedHour)]
    ]),
    '',
    table('Busiest hours (UTC)', ['hour', 'events'], report.busiestHours.map((h) => [String(h.hourUtc).padStart(2, '0') + ':00', h.events]))
  ].join('\n')
}

/** "7d", "12h", "30m" → milliseconds. */
export function parseDuration (text: string): number {
  const match = /^(\d+)([dhm])$/.exec(text.trim())
  if (!match) throw new Error(`expected a duration like 7d, 12h or 30m, got "${text}"`)
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm']
  return Number(match[1]) * unit
}
