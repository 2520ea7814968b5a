/** The satisfaction survey's calls: the owner's own (logged in) and the SMS link's (the token). */
import { api, unwrap } from '@/api/client'
import type { Schemas } from '@/api/types'

export type Survey = Schemas['SurveyOut']
export type Question = Survey['questions'][number]
export type Answers = Record<string, number | string>

export const mySurveys = () => unwrap(api.GET('/api/v1/surveys'))
export const mySurvey = (id: number) =>
  unwrap(api.GET('/api/v1/surveys/{survey_id}', { params: { path: { survey_id: id } } }))
export const answerMine = (id: number, answers: Answers) =>
  unwrap(api.POST('/api/v1/surveys/{survey_id}/answers', { params: { path: { survey_id: id } }, body: { answers } }))
export const byToken = (token: string) =>
  unwrap(api.GET('/api/v1/surveys/by-token/{token}', { params: { path: { token } } }))
export const answerByToken = (token: string, answers: Answers) =>
  unwrap(api.POST('/api/v1/surveys/by-token/{token}', { params: { path: { token } }, body: { answers } }))

/** The answers to send: every score as given (0 = not rated, left out) and non-empty texts. */
export function filled(questions: Question[], given: Answers): Answers {
  const out: Answers = {}
  for (const q of questions) {
    const value = given[q.key]
    if (q.kind === 'score' ? typeof value === 'number' && value > 0 : typeof value === 'string' && value.trim()) out[q.key] = value!
  }
  return out
}

/** Whether every required question has an answer. */
export const complete = (questions: Question[], given: Answers): boolean =>
  questions.filter((q) => q.required).every((q) => q.key in filled(questions, given))
