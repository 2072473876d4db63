import { describe, expect, it } from 'vitest';
import { lintPolicy } from './lint.ts';
import { examplePolicy, validPolicy } from './fixtures/example-policy.ts';

const findingsOf = (text: string) => lintPolicy(validPolicy(text)).map((f) => `${f.level} ${f.path}: ${f.message}`);

const CATALOGUE = `
version: 1
approvers:
  finance: [alice]
  legal: []
  unused: []
tools:
  lookup_order: { hints: { readOnly: true }, arguments: [id] }
  refund: { hints: { readOnly: false }, fields: [amount, currency], arguments: [order_id] }
  http_get: { hints: { readOnly: true }, http: true }
`;

describe('lintPolicy', () => {
  it('finds only the deny glob that matches no catalogued tool in the example policy', () => {
    expect(lintPolicy(examplePolicy())).toEqual([
      { level: 'warning', path: 'identities.support-agent.deny[0].tool', message: '"delete_*" matches no tool in the catalogue; it still denies such tools if an agent calls one' },
    ]);
  });

  it('flags unknown tools and globs that match nothing', () => {
    expect(findingsOf(`${CATALOGUE}
identities:
  bot:
    autonomy: write
    allow: [lookup_ordr, "refund_*"]
`)).toEqual([
      'warning approvers.legal: role "legal" has no members',
      'warning approvers.unused: role "unused" has no members',
      'warning identities.bot.allow[0].tool: tool "lookup_ordr" is not in the tools catalogue, so it gets the worst-case hints (not read-only, destructive, not idempotent, open-world)',
      'warning identities.bot.allow[1].tool: "refund_*" matches no tool in the catalogue',
    ]);
  });

  it('flags an allow after an unconditional deny of the same tool, but not after a conditional one', () => {
    const findings = findingsOf(`${CATALOGUE}
identities:
  bot:
    autonomy: write
    deny:
      - refund
      - tool: lookup_order
        when: { path: id, eq: 0 }
    allow: [refund, lookup_order]
`);
    expect(findings).toContain('error identities.bot.allow[0]: this allow can never apply: refund is always denied by identities.bot.deny[0]');
    expect(findings.filter((f) => f.includes('allow[1]'))).toEqual([]);
  });

  it('flags an approval rule for a tool the identity can never call, and for a draft-only identity\'s writes', () => {
    const denied = findingsOf(`${CATALOGUE}
identities:
  bot:
    autonomy: write
    deny: ["**"]
    approval:
      - { match: { tool: refund }, approvers: [finance] }
`);
    expect(denied).toContain('error identities.bot.approval[0]: this approval rule can never apply: refund is always denied by identities.bot.deny[0]');
    const drafting = findingsOf(`${CATALOGUE}
identities:
  bot:
    autonomy: draft-only
    allow: [refund]
    approval:
      - { match: { tool: refund }, approvers: [finance] }
`);
    expect(drafting).toContain('error identities.bot.approval[0]: this approval rule can never apply: autonomy draft-only turns refund (not marked readOnly) into a draft before any approval');
  });

  it('flags a read-only identity\'s allow of a write and an allow always shadowed by approval', () => {
    const readOnly = findingsOf(`${CATALOGUE}
identities:
  bot:
    autonomy: read-only
    allow: [refund, lookup_order]
`);
    expect(readOnly.filter((f) => f.includes('identities.'))).toEqual(['error identities.bot.allow[0]: this allow can never apply: autonomy read-only refuses refund (not marked readOnly)']);
    const shadowed = findingsOf(`${CATALOGUE}
identities:
  bot:
    autonomy: write
    approval: [{ match: { tool: refund }, approvers: [finance] }]
    allow: [refund]
`);
    expect(shadowed).toContain('error identities.bot.allow[0]: this allow can never apply: refund always needs approval under identities.bot.approval[0]');
  });

  it('flags a role without members that an approval rule asks, and more approvals than members', () => {
    const findings = findingsOf(`${CATALOGUE}
identities:
  bot:
    autonomy: write
    allow: [refund]
    approval:
      - { match: { tool: refund }, when: { path: amount, gt: 10 }, approvers: [legal] }
      - { match: { tool: refund }, approvers: [finance], minApprovals: 2 }
`);
    expect(findings).toContain('error approvers.legal: role "legal" has no members, so the approvals it is asked for can never be given');
    expect(findings).toContain('error identities.bot.approval[1].minApprovals: needs 2 distinct approvers but finance has only 1 member');
  });

  it('flags conditions on arguments the tool does not have, when the catalogue lists them', () => {
    const findings = findingsOf(`${CATALOGUE}
  send_email: {}
identities:
  bot:
    autonomy: write
    allow:
      - tool: refund
        when: { all: [{ path: amont, lt: 10 }, { path: currency, eq: USD }, { path: order_id, ne: "" }] }
      - tool: send_email
        when: { path: anything.at.all, eq: 1 }
`);
    expect(findings.filter((f) => f.startsWith('error'))).toEqual([
      'error identities.bot.allow[0].when: the condition reads argument "amont", which is not among the known arguments of refund (amount, currency, order_id), so it never holds as intended',
    ]);
  });

  it('flags endpoints on tools that do not call HTTP and HTTP tools allowed everywhere', () => {
    const findings = findingsOf(`${CATALOGUE}
identities:
  bot:
    autonomy: write
    allow:
      - tool: lookup_order
        endpoint: { host: api.shop.example }
      - http_get
`);
    expect(findings).toContain('error identities.bot.allow[0].endpoint: the endpoint never matches: lookup_order is not http: true in the catalogue');
    expect(findings).toContain('warning identities.bot.allow[1]: allows http_get to call any host, method and path; add an endpoint to limit it');
  });

  it('warns that an approval rule by hints alone also reaches tools missing from the catalogue', () => {
    const findings = findingsOf(`${CATALOGUE}
identities:
  bot:
    autonomy: write
    approval: [{ match: { hints: { destructive: true } }, approvers: [finance] }]
`);
    expect(findings).toContain('warning identities.bot.approval[0].match: these hints also match every tool missing from the catalogue (worst-case hints): such tools become callable with approval instead of being refused');
  });

  it('warns once about an identity that is off instead of flagging each of its rules', () => {
    const findings = findingsOf(`${CATALOGUE}
identities:
  bot: { autonomy: off, allow: [refund, nothing_like_it] }
`);
    expect(findings.filter((f) => f.includes('identities.bot'))).toEqual(['warning identities.bot.autonomy: autonomy off refuses every run of bot: none of its rules apply']);
  });
});
