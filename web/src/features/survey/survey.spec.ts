import { describe, expect, it } from 'vitest'

import { complete, filled, type Question } from './data'

const questions: Question[] = [
  { key: 'overall', zh: '总体满意度', en: 'Overall', kind: 'score', required: true },
  { key: 'comment', zh: '意见建议', en: 'Comment', kind: 'text', required: false },
]

describe('the survey answers sent', () => {
  it('leave out unrated scores and blank texts', () => {
    expect(filled(questions, { overall: 0, comment: '  ' })).toEqual({})
    expect(filled(questions, { overall: 4, comment: '好' })).toEqual({ overall: 4, comment: '好' })
  })

  it('are complete once every required question is answered', () => {
    expect(complete(questions, { overall: 0, comment: '好' })).toBe(false)
    expect(complete(questions, { overall: 3, comment: '' })).toBe(true)
  })
})
