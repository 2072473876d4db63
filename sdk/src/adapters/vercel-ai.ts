// Applies the tool policy to Vercel AI SDK tools (`ai` 5/6 `tool({ inputSchema, execute, needsApproval })`)
// without importing `ai`: the tools are wrapped structurally. Each execution goes through
// `run.tool`, so refusals, drafts, approvals and span attributes are the SDK's own.
//
// Approvals go one of two ways:
// - `approvals: 'runlens'` (default): `execute` waits for the SDK's approval channel
//   (init's onApproval, or the collector's inbox).
// - `approvals: 'ai'`: the policy sets `needsApproval`, so `generateText` stops with a
//   `tool-approval-request` for the application to answer; `approverOf(toolCallId)` then names
//   who approved, and the engine judges that person like any other approval.
import type { RunlensClient } from '../client.ts';
import { currentRun } from '../run.ts';
import type { ApprovalResponse } from '../policy/gate.ts';
import { ToolDeniedError } from '../policy/errors.ts';

/** The parts of `ai`'s ToolExecutionOptions the adapter reads. */
interface ExecutionOptions {
  toolCallId: string;
}

/** The parts of an `ai` Tool the adapter touches (typed loosely: `ai` is not a dependency). */
export interface VercelToolLike {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  execute?: (input: any, options: any) => unknown;
  needsApproval?: unknown;
}

export interface PolicyToolsOptions {
  approvals?: 'runlens' | 'ai';
  /** With `approvals: 'ai'`: who answered the `tool-approval-request` of this call. */
  approverOf?: (toolCallId: string) => ApprovalResponse | ApprovalResponse[] | undefined;
  /** Tools that only read: the ones allowed while a remote policy is not known yet. */
  readOnly?: string[];
}

export function policyTools<T extends { [name in keyof T]: VercelToolLike }>(client: RunlensClient, tools: T, options: PolicyToolsOptions = {}): T {
  const gate = client.policy;
  const wrapped: Record<string, VercelToolLike> = {};
  for (const [name, tool] of Object.entries<VercelToolLike>(tools)) {
    const execute = tool.execute;
    const next: VercelToolLike = { ...tool };
    if (options.approvals === 'ai' && gate) {
      next.needsApproval = async (input: unknown) => (await gate.decision(name, input, currentRun()?.userId ?? null))?.decision === 'approval_required';
    }
    if (execute) {
      next.execute = async (input: unknown, execution: ExecutionOptions) => {
        const run = currentRun();
        // Fail closed: outside a run there is no trace to record the decision on.
        if (!run) throw new ToolDeniedError(name, 'no-run', 'policyTools needs generateText/streamText to be called inside run(…)');
        if (options.approvals === 'ai' && gate) {
          const answer = options.approverOf?.(execution.toolCallId);
          if (answer) gate.grant(execution.toolCallId, Array.isArray(answer) ? answer : [answer]);
        }
        return run.tool(name, input, (args) => execute.call(tool, args, execution), {
          callId: execution.toolCallId,
          readOnly: options.readOnly?.includes(name) ?? false,
        });
      };
    }
    wrapped[name] = next;
  }
  return wrapped as T;
}
