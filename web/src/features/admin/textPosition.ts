/** The character offset of a 1-based line and column in `text` (clamped to the text). */
export function offsetOf(text: string, line: number, column: number): number {
  const lines = text.split('\n')
  const row = Math.min(Math.max(line, 1), lines.length)
  const before = lines.slice(0, row - 1).reduce((total, l) => total + l.length + 1, 0)
  return before + Math.min(Math.max(column, 1) - 1, lines[row - 1]!.length)
}
