// Field paths inside the policy document, kept as segments (for line lookup) and printed the way
// an author reads them: `identities.support-agent.approval[0].approvers`.

export type FieldPath = ReadonlyArray<string | number>;

/** A problem found while reading the document: where, and what is wrong. */
export interface Issue {
  at: FieldPath;
  message: string;
  /** Where to point the line number when that is more precise than `at` (a list's element). */
  lineAt?: FieldPath;
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

export function formatFieldPath(at: FieldPath): string {
  let text = '';
  for (const segment of at) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
