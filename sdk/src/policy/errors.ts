// Errors a policy throws to the agent: a refused tool call, and an approval that did not come.
/** The policy refuses this tool call; the tool did not run. */
export class ToolDeniedError extends Error {
  override name = 'ToolDeniedError';
  readonly tool: string;
  /** Id of the deciding rule: `identities.support-agent.deny[0]`, `default`, `no-policy`. */
  readonly rule: string;
  /** The argument that decided (`url`, `amount`), when one did. */
  readonly argument: string | null;
  readonly policyVersion: string | null;

  constructor(tool: string, rule: string, reason: string, argument: string | null = null, policyVersion: string | null = null) {
    super(`tool ${tool} refused by policy${policyVersion ? ` ${policyVersion}` : ''} (${rule}): ${reason}`);
    this.tool = tool;
    this.rule = rule;
    this.argument = argument;
    this.policyVersion = policyVersion;
  }
}

/** An approval gate did not open: rejected, expired, timed out, or decided by someone not allowed. The run is escalated. */
export class ApprovalRejectedError extends Error {
  override name = 'ApprovalRejectedError';
  readonly tool: string;
  readonly rule: string;
  readonly status: 'rejected' | 'expired' | 'timeout' | 'not_allowed' | 'unavailable';
  readonly approver: string | null;

  constructor(tool: string, rule: string, status: ApprovalRejectedError['status'], approver: string | null, reason: string) {
    super(`tool ${tool} needs approval (${rule}) and did not get it: ${reason}`);
    this.tool = tool;
    this.rule = rule;
    this.status = status;
    this.approver = approver;
  }
}

