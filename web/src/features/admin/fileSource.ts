/** What the file editor (FileEditor.vue) needs of a data file the admin edits as text: the
 * rules file and the SLA file differ only in their endpoints and how they name a problem. */

export interface FileProblem {
  /** 1-based, for problems the hub places in the text (the rules file) */
  line?: number
  column?: number
  /** the field, for problems the hub names by path (the SLA file), e.g. policies.0.limits */
  where?: string
  message: string
}

export interface FileCheck {
  ok: boolean
  /** rules or policies in the text (0 with problems) */
  count: number
  problems: FileProblem[]
}

export interface FileSource {
  load(): Promise<{ name: string; text: string }>
  check(text: string): Promise<FileCheck>
  save(text: string): Promise<FileCheck>
}
