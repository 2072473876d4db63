import { describe, expect, it } from 'vitest';
import { loadPolicyObject, parsePolicy } from './parse.ts';
import { EXAMPLE_POLICY_TEXT, examplePolicy } from './fixtures/example-policy.ts';
import { WORST_CASE_HINTS } from './types.ts';

const errorsOf = (text: string, source = 'runlens.policy.yaml') => {
  const result = parsePolicy(text, source);
  if (result.ok) throw new Error('expected the policy to be rejected');
  return result.errors;
};

describe('parsePolicy', () => {
  it('reads the example policy of issue 10 as written', () => {
    const policy = examplePolicy();
    expect(policy.version).toBe('3');
    expect(policy.default).toBe('deny');
    expect(policy.approvers).toEqual({ finance: ['alice'] });
    expect(policy.tools.refund).toEqual({ hints: { ...WORST_CASE_HINTS, destructive: true }, scopes: ['payments:write'], http: false });
    expect(policy.tools.http_get?.http).toBe(true);
    expect(policy.identities['support-agent']?.allow[3]).toEqual({
      tool: 'http_get',
      endpoint: { host: 'api.shop.example', methods: ['GET'], paths: ['/orders/*'] },
    });
    expect(policy.identities['support-agent']?.approval[0]).toEqual({
      match: { tool: 'refund' },
      when: { path: 'amount', gt: 100 },
      approvers: ['finance'],
      minApprovals: 1,
      separationOfDuties: true,
      expiresAfter: '24h',
    });
  });

  it('gives omitted hints MCP\'s worst case', () => {
    const policy = examplePolicy();
    expect(policy.tools.lookup_order?.hints).toEqual({ readOnly: true, destructive: true, idempotent: false, openWorld: true });
    expect(policy.tools.send_email?.hints).toEqual({ readOnly: false, destructive: false, idempotent: false, openWorld: true });
  });

  it('names the line and the field of an undefined approver role', () => {
    const errors = errorsOf(EXAMPLE_POLICY_TEXT.replace('approvers: [finance]', 'approvers: [finanse]'));
    expect(errors).toEqual([
      {
        line: 24,
        path: 'identities.support-agent.approval[0].approvers',
        message: 'runlens.policy.yaml:24: identities.support-agent.approval[0].approvers: role "finanse" is not defined in approvers (defined: finance)',
      },
    ]);
  });

  it('reports every problem at once, each at its own line', () => {
    const text = [
      'version: 1', // 1
      'aprovers: {}', // 2
      'tools:', // 3
      '  refund: { hints: { readonly: true } }', // 4
      'identities:', // 5
      '  bot:', // 6
      '    autonomy: yolo', // 7
      '    allow:', // 8
      '      - tool: refund', // 9
      '        when: { path: amount, gt: "100" }', // 10
      '    approval:', // 11
      '      - match: { tool: refund }', // 12
      '        approvers: [finance]', // 13
      '        expiresAfter: tomorrow', // 14
    ].join('\n');
    expect(errorsOf(text).map((e) => e.message)).toEqual([
      'runlens.policy.yaml:2: aprovers: unknown field "aprovers"; expected one of version, default, approvers, tools, identities',
      'runlens.policy.yaml:4: tools.refund.hints.readonly: unknown field "readonly"; expected one of readOnly, destructive, idempotent, openWorld',
      'runlens.policy.yaml:7: identities.bot.autonomy: autonomy "yolo" is not a level: one of read-only, draft-only, write, full, off',
      'runlens.policy.yaml:10: identities.bot.allow[0].when.gt: gt compares with a number, got "100"',
      'runlens.policy.yaml:13: identities.bot.approval[0].approvers: role "finance" is not defined in approvers',
      'runlens.policy.yaml:14: identities.bot.approval[0].expiresAfter: must be a duration such as 30m, 24h or 7d, got "tomorrow"',
    ]);
  });

  it('points a missing field at its parent', () => {
    const errors = errorsOf('version: 1\nidentities:\n  bot:\n    allow: [refund]\n');
    expect(errors[0]?.line).toBe(4);
    expect(errors[0]?.path).toBe('identities.bot');
    expect(errors[0]?.message).toMatch(/autonomy is required/);
  });

  it('names the line of a YAML syntax error', () => {
    const errors = errorsOf('version: 1\nidentities:\n  bot: { autonomy: write\n');
    expect(errors[0]?.line).toBeGreaterThanOrEqual(3);
    expect(errors[0]?.message).toMatch(/^runlens\.policy\.yaml:\d+: /);
  });

  it('rejects duplicate keys, which would silently drop a rule', () => {
    const errors = errorsOf('version: 1\nidentities:\n  bot: { autonomy: write }\n  bot: { autonomy: off }\n');
    expect(errors[0]?.line).toBe(4);
  });

  it('accepts the same document as JSON, with line numbers', () => {
    const yamlPolicy = examplePolicy();
    const json = JSON.stringify(
      {
        version: 3,
        default: 'deny',
        approvers: { finance: ['alice'] },
        tools: {
          lookup_order: { hints: { readOnly: true } },
          refund: { hints: { destructive: true }, scopes: ['payments:write'] },
          send_email: { hints: { destructive: false, openWorld: true } },
          http_get: { hints: { readOnly: true }, http: true },
        },
        identities: {
          'support-agent': {
            autonomy: 'write',
            allow: [{ tool: 'lookup_order' }, { tool: 'refund' }, { tool: 'send_email' }, { tool: 'http_get', endpoint: { host: 'api.shop.example', methods: ['GET'], paths: ['/orders/*'] } }],
            deny: [{ tool: 'delete_*' }],
            approval: [{ match: { tool: 'refund' }, when: { path: 'amount', gt: 100 }, approvers: ['finance'], separationOfDuties: true, expiresAfter: '24h' }],
          },
        },
      },
      null,
      '\t',
    );
    const result = parsePolicy(json, 'runlens.policy.json');
    expect(result).toEqual({ ok: true, policy: yamlPolicy });
    const broken = parsePolicy(json.replace('"write"', '"writes"'), 'runlens.policy.json');
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.errors[0]?.message).toMatch(/^runlens\.policy\.json:\d+: identities\.support-agent\.autonomy: /);
  });

  it('numbers lines without a file name when none is given', () => {
    const result = parsePolicy('version: 1\ndefault: allow\n');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.message).toBe('line 2: default: only "deny" is supported: a tool no rule allows is refused, got "allow"');
  });

  it('rejects an empty document and one without a version', () => {
    expect(errorsOf('')[0]?.message).toBe('runlens.policy.yaml: the policy is empty');
    expect(errorsOf('identities: {}')[0]?.message).toMatch(/version is required/);
  });

  it('accepts the shorthand of a plain tool name in allow and deny lists', () => {
    const result = parsePolicy('version: 1\nidentities:\n  bot: { autonomy: write, allow: [lookup_order], deny: ["delete_*"] }\n');
    expect(result.ok && result.policy.identities.bot).toEqual({ autonomy: 'write', allow: [{ tool: 'lookup_order' }], deny: [{ tool: 'delete_*' }], approval: [] });
  });
});

describe('loadPolicyObject', () => {
  it('loads a policy that went through JSON unchanged, so the collector can serve it to the SDK', () => {
    const policy = examplePolicy();
    expect(loadPolicyObject(JSON.parse(JSON.stringify(policy)))).toEqual({ ok: true, policy });
  });

  it('reports fields without line numbers', () => {
    const result = loadPolicyObject({ version: 1, identities: { bot: { autonomy: 'write', deny: [{ tool: '' }] } } });
    expect(result).toEqual({
      ok: false,
      errors: [{ line: null, path: 'identities.bot.deny[0].tool', message: 'identities.bot.deny[0].tool: a tool name or glob (such as refund or "delete_*") is required, got ""' }],
    });
  });

  it('rejects something that is not a mapping', () => {
    const result = loadPolicyObject([1, 2]);
    expect(result.ok).toBe(false);
  });
});
