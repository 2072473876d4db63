// The kill switch's vocabulary: the policy engine's autonomy levels (schema/src/policy), so a
// level set here means the same thing in the policy file, the SDK and the viewer.
import { AUTONOMY_LEVELS, type Autonomy } from '@runlens/schema';

export type { Autonomy };
export { AUTONOMY_LEVELS };

/** A service nobody has switched runs at full autonomy. */
export const DEFAULT_AUTONOMY: Autonomy = 'full';

/** What each level lets an agent do, in the words the CLI and the viewer show. */
export const AUTONOMY_MEANING: Record<Autonomy, string> = {
  full: 'every tool may run',
  write: 'every tool may run',
  'draft-only': 'tools not marked read-only are refused (the policy may hold them as drafts)',
  'read-only': 'tools not marked read-only are refused',
  off: 'new runs are refused',
};

export function isAutonomy(value: unknown): value is Autonomy {
  return typeof value === 'string' && (AUTONOMY_LEVELS as readonly string[]).includes(value);
}

/** Service names are what agents send as `service.name`: any non-empty text, bounded. */
export function checkServiceName(service: string): string | null {
  if (service.trim() === '') return 'a service name is required';
  if (service.length > 200) return `at most 200 characters, got ${service.length}`;
  return null;
}
