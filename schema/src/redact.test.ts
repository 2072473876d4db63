import { describe, expect, it } from 'vitest';
import {
  compileRedactionRules,
  passesLuhn,
  redactAttributes,
  redactText,
  redactValue,
  RedactionConfigError,
  type RedactionHit,
  type RedactionRules,
} from './redact.ts';

// Planted values are assembled at run time so that no secret scanner flags this file.
const join = (...parts: string[]): string => parts.join('');

const SECRETS: Array<[rule: string, value: string]> = [
  ['openai_api_key', join('sk-', 'proj-', 'Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4f')],
  ['openai_api_key', join('sk-', 'Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4fGh7jKl0')],
  ['anthropic_api_key', join('sk-ant-', 'api03-', 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa-_aa')],
  ['stripe_key', join('sk_', 'live_', '4eC39HqLyjWDarjtT1zdp7dc')],
  ['aws_access_key_id', join('AKIA', 'IOSFODNN7EXAMPLE')],
  ['aws_secret_access_key', join('aws_secret_access_key = ', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')],
  ['google_api_key', join('AIza', 'SyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI')],
  ['google_oauth_token', join('ya29.', 'a0AfH6SMBx1234567890abcdefghijkl')],
  ['github_token', join('ghp_', '1234567890abcdefghijklmnopqrstuvwxyzAB')],
  ['github_token', join('github_pat_', '11ABCDEFG0123456789_abcdefghijklmnop')],
  ['slack_token', join('xoxb-', '1234567890-1234567890123-AbCdEfGhIjKlMnOp')],
  ['slack_token', join('https://hooks.slack.com/services/', 'T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX')],
  ['huggingface_token', join('hf_', 'abcdefghijklmnopqrstuvwxyzABCDEFGH')],
  ['groq_api_key', join('gsk_', 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP12')],
  ['xai_api_key', join('xai-', 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP12')],
  [
    'jwt',
    join('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', '.', 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ', '.', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'),
  ],
  ['bearer_token', join('Bearer ', 'abcdef0123456789abcdef0123456789')],
  [
    'private_key',
    join('-----BEGIN ', 'RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1234567890abcdef\nqrstuv==\n-----END RSA ', 'PRIVATE KEY-----'),
  ],
];

describe('redactText', () => {
  for (const [rule, value] of SECRETS) {
    it(`replaces a ${rule} by [REDACTED:secret] and names the rule`, () => {
      const { text, hits } = redactText(`before ${value} after`);
      expect(text).toBe('before [REDACTED:secret] after');
      expect(hits).toEqual([{ kind: 'secret', rule }]);
    });
  }

  it('names an Anthropic key as Anthropic, not as an OpenAI key', () => {
    const key = join('sk-ant-', 'api03-', 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa');
    expect(redactText(key).hits.map((hit) => hit.rule)).toEqual(['anthropic_api_key']);
  });

  it('redacts a private key escaped inside a JSON string and keeps the JSON valid', () => {
    const pem = join('-----BEGIN ', 'PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END ', 'PRIVATE KEY-----\n');
    const json = JSON.stringify({ type: 'service_account', private_key: pem });
    const { text, hits } = redactText(json);
    expect(hits).toEqual([{ kind: 'secret', rule: 'private_key' }]);
    expect(JSON.parse(text)).toEqual({ type: 'service_account', private_key: '[REDACTED:secret]\n' });
  });

  it('redacts a private key cut off before its END line', () => {
    const { text } = redactText(join('key: -----BEGIN ', 'EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yBx'));
    expect(text).toBe('key: [REDACTED:secret]');
  });

  it('replaces e-mail addresses', () => {
    const { text, hits } = redactText('write to jane.doe+billing@example.co.uk today');
    expect(text).toBe('write to [REDACTED:email] today');
    expect(hits).toEqual([{ kind: 'email', rule: 'email' }]);
  });

  it('replaces phone numbers written in international and grouped national forms', () => {
    for (const phone of ['+1 415 555 0132', '+33 1 23 45 67 89', '+44 (20) 7946 0958', '(415) 555-0132', '415-555-0132', '415.555.0132']) {
      expect(redactText(`call ${phone} now`).text).toBe('call [REDACTED:phone] now');
    }
  });

  it('leaves dates, versions, amounts, ids and token counts alone', () => {
    const ordinary = [
      'on 2026-11-26 at 14:05:09',
      'version 1.41.1 of gpt-4o-2024-08-06',
      'refund of $1,234.56 for order 98231',
      'trace 5b8aa5a2d2c872e8321cf37308d69df2',
      'used 81234 input tokens and 512 cached',
      'started at 1767225600000 (epoch ms), 1767225600000000000 ns',
      'sk-short',
      'the bearer of bad news',
    ];
    for (const text of ordinary) {
      expect(redactText(text)).toEqual({ text, hits: [] });
    }
  });

  it('replaces card numbers that pass the Luhn check, with or without separators', () => {
    for (const card of ['4111111111111111', '4111 1111 1111 1111', '5500-0000-0000-0004', '378282246310005', '6011111111111117']) {
      const { text, hits } = redactText(`card ${card}.`);
      expect(text).toBe('card [REDACTED:card].');
      expect(hits).toEqual([{ kind: 'card', rule: 'card_number' }]);
    }
  });

  it('leaves card-shaped numbers that fail the Luhn check alone', () => {
    for (const number of ['4111111111111112', '4111 1111 1111 1113', '5500-0000-0000-0005', '378282246310006']) {
      expect(redactText(`card ${number}.`).hits).toEqual([]);
    }
  });

  it('returns the very same string when nothing matched', () => {
    const text = 'Where is my order? It was due on Tuesday.';
    expect(redactText(text).text).toBe(text);
  });

  it('finds several hits of several kinds in one text', () => {
    const { text, hits } = redactText(join('mail a@b.io, key sk-', 'proj-Ab3dEf6hIj9lMn2pQr5tUv8x, card 4242 4242 4242 4242'));
    expect(text).toBe('mail [REDACTED:email], key [REDACTED:secret], card [REDACTED:card]');
    expect(hits.map((hit) => hit.rule).sort()).toEqual(['card_number', 'email', 'openai_api_key']);
  });
});

describe('compileRedactionRules', () => {
  it('applies custom patterns with their own kind', () => {
    const rules = compileRedactionRules({ custom: [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }] });
    expect(redactText('badge EMP-123456 issued', rules)).toEqual({
      text: 'badge [REDACTED:employee_id] issued',
      hits: [{ kind: 'employee_id', rule: 'employee_id' }],
    });
  });

  it('accepts RegExp custom patterns without a global flag', () => {
    const rules = compileRedactionRules({ custom: [{ name: 'ticket', kind: 'internal', pattern: /TCK\d+/i }] });
    expect(redactText('tck1 and TCK22', rules).text).toBe('[REDACTED:internal] and [REDACTED:internal]');
  });

  it('turns families and single rules off', () => {
    const rules = compileRedactionRules({ email: false, disable: ['bearer_token'] });
    const text = 'a@b.io Bearer abcdef0123456789abcdef';
    expect(redactText(text, rules).text).toBe(text);
    expect(redactText('call 415-555-0132', rules).text).toBe('call [REDACTED:phone]');
  });

  it('false turns every detector off', () => {
    expect(redactText('a@b.io', compileRedactionRules(false)).hits).toEqual([]);
  });

  it('rejects a bad custom pattern with a message naming it', () => {
    expect(() => compileRedactionRules({ custom: [{ name: 'broken', pattern: '(' }] })).toThrow(RedactionConfigError);
    expect(() => compileRedactionRules({ custom: [{ name: 'broken', pattern: '(' }] })).toThrow(/'broken'/);
    expect(() => compileRedactionRules({ custom: [{ name: 'empty', pattern: 'x*' }] })).toThrow(/empty string/);
    expect(() => compileRedactionRules({ disable: ['nope'] })).toThrow(/unknown rule 'nope'/);
  });
});

describe('redactValue and redactAttributes', () => {
  it('redacts strings deep inside JSON values and reports where', () => {
    const messages = [{ role: 'user', parts: [{ type: 'text', content: 'I am bob@example.com' }] }];
    const { value, violations } = redactValue(messages, undefined, 'gen_ai.input.messages');
    expect(value[0]?.parts[0]?.content).toBe('I am [REDACTED:email]');
    expect(violations).toEqual([{ kind: 'email', rule: 'email', field: 'gen_ai.input.messages[0].parts[0].content' }]);
    expect(messages[0]?.parts[0]?.content).toBe('I am bob@example.com');
  });

  it('returns the same object when nothing matched', () => {
    const value = { a: ['x', { b: 'y' }], n: 3 };
    expect(redactValue(value).value).toBe(value);
  });

  it('names the attribute key as the field of each violation', () => {
    const { attributes, violations } = redactAttributes({
      'gen_ai.tool.call.arguments': '{"email":"x@y.org"}',
      'gen_ai.tool.name': 'send_email',
      count: 3,
    });
    expect(attributes['gen_ai.tool.call.arguments']).toBe('{"email":"[REDACTED:email]"}');
    expect(violations).toEqual([{ kind: 'email', rule: 'email', field: 'gen_ai.tool.call.arguments' }]);
  });
});

/** redactText as it was before long texts were memoised by piece: every rule over the whole text. */
function redactWhole(text: string, rules: RedactionRules): { text: string; hits: RedactionHit[] } {
  const hits: RedactionHit[] = [];
  if (text.length < rules.shortestMatch) return { text, hits };
  const builtinsMayMatch = rules.gate === null || rules.gate.test(text);
  let current = text;
  for (const rule of rules.rules) {
    if ((rule.trigger && !builtinsMayMatch) || !rule.precheck(current)) continue;
    rule.pattern.lastIndex = 0;
    current = current.replace(rule.pattern, (match) => {
      if (rule.validate && !rule.validate(match)) return match;
      hits.push({ kind: rule.kind, rule: rule.name });
      return `[REDACTED:${rule.kind}]`;
    });
  }
  return { text: current, hits };
}

const SYSTEM_PROMPT = 'You are the support agent of Acme. Answer politely and cite the order.\n'.repeat(40);
const history = (...said: string[]): string =>
  JSON.stringify([
    { role: 'system', parts: [{ type: 'text', content: SYSTEM_PROMPT }] },
    ...said.map((content, i) => ({ role: i % 2 ? 'assistant' : 'user', parts: [{ type: 'text', content }, { type: 'text', content: 'ok' }] })),
  ]);

describe('redactText on long texts (memoised by piece)', () => {
  it('gives the result of redacting the whole text, also when a memoised piece is seen again', () => {
    const rules = compileRedactionRules();
    const pem = join('-----BEGIN ', 'PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n');
    const texts = [
      history('mail me at jane@example.com', 'card 4242 4242 4242 4242 and a@b.io'),
      history('mail me at jane@example.com', 'card 4242 4242 4242 4242 and a@b.io', join('key sk-', 'proj-Ab3dEf6hIj9lMn2pQr5tUv8x')),
      // A PEM block opened in one message and closed in a later one: redacted as one match.
      history(pem, 'nothing here', join('-----END ', 'PRIVATE KEY----- done')),
      history(join('aws_secret_access_key', '"', ': "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')),
      history('call +33 1 23 45 67 89', '{"},{"x":"jane@example.com"}'),
      `${'a'.repeat(40)}},{"${'4111 1111 1111 1111'}},{"b@c.io`,
    ];
    for (const text of [...texts, ...texts]) expect(redactText(text, rules)).toEqual(redactWhole(text, rules));
  });

  it('reports the hits of a memoised piece every time it is redacted', () => {
    const rules = compileRedactionRules();
    const text = history('write to jane@example.com', 'and to bob@example.org');
    const first = redactText(text, rules);
    const again = redactText(text, rules);
    expect(first.hits).toEqual([{ kind: 'email', rule: 'email' }, { kind: 'email', rule: 'email' }]);
    expect(again).toEqual(first);
    expect(again.hits[0]).not.toBe(first.hits[0]);
  });

  it('orders the hits rule by rule, as one pass of each rule over the whole text does', () => {
    const rules = compileRedactionRules();
    const { hits } = redactText(history('mail a@b.io', join('key sk-', 'proj-Ab3dEf6hIj9lMn2pQr5tUv8x')), rules);
    expect(hits.map((hit) => hit.rule)).toEqual(['openai_api_key', 'email']);
  });

  it('returns the very same string when a long text holds nothing', () => {
    const text = history('where is my order?');
    expect(redactText(text).text).toBe(text);
    expect(redactText(text).text).toBe(text);
  });

  it('does not share results between rule sets', () => {
    const text = history('write to jane@example.com');
    expect(redactText(text, compileRedactionRules()).hits).toHaveLength(1);
    expect(redactText(text, compileRedactionRules({ email: false }))).toEqual({ text, hits: [] });
    const custom = compileRedactionRules({ custom: [{ name: 'role', pattern: '"role":"\\w+' }] });
    expect(redactText(text, custom)).toEqual(redactWhole(text, custom));
    expect(redactText(text, custom).text).not.toContain('"role"');
  });

  it('agrees with redacting the whole text on random texts made of JSON pieces and secrets', () => {
    const bits = ['},{"', '{"', '"', '\\"', ' ', 'jane@example.com', '4111 1111 1111 1111', '+33 1 23 45 67 89', '2024-07-18', 'lorem ipsum dolor sit amet',
      join('sk-', 'proj-Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4f'), join('-----BEGIN ', 'PRIVATE KEY-----abc'), join('-----END ', 'PRIVATE KEY-----'),
      join('aws_secret_access_key', '": "', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'), 'Bearer abcdef0123456789abcdef', '[REDACTED:email]'];
    const ruleSets = [compileRedactionRules(), compileRedactionRules({ disable: ['private_key'] }), compileRedactionRules({ custom: [{ name: 'q', pattern: '"\\s*},' }] })];
    let seed = 7;
    const pick = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      let text = '';
      for (let k = pick(30); k >= 0; k--) text += bits[pick(bits.length)];
      for (const rules of ruleSets) expect(redactText(text, rules)).toEqual(redactWhole(text, rules));
    }
  });
});

describe('passesLuhn', () => {
  it('accepts valid and rejects invalid checksums', () => {
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('79927398710')).toBe(false);
  });
});

describe('speed', () => {
  it('redacts a 20 kB prompt with nothing in it in well under a millisecond on average', () => {
    const prompt = 'You are a helpful support agent for Acme. Answer politely and cite order 98231. '.repeat(250);
    const start = performance.now();
    for (let i = 0; i < 200; i++) redactText(prompt);
    const perCall = (performance.now() - start) / 200;
    expect(perCall).toBeLessThan(1);
  });
});
