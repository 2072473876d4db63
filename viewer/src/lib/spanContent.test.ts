import { describe, expect, it } from 'vitest';
import { attributeText, describeEvent, displayPart, parseMaybeJson, toChatMessages } from './spanContent.ts';

describe('toChatMessages', () => {
  it('reads GenAI parts-format messages, from values or JSON strings', () => {
    const messages = [
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'get_weather', arguments: { city: 'Paris' } }], finish_reason: 'tool_call' },
    ];
    expect(toChatMessages(messages)).toEqual(messages);
    expect(toChatMessages(JSON.stringify(messages))).toEqual(messages);
  });

  it('accepts the older role/content form', () => {
    expect(toChatMessages([{ role: 'system', content: 'Be brief.' }])).toEqual([{ role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] }]);
  });

  it('returns null for anything that is not a list of messages', () => {
    expect(toChatMessages({ city: 'Paris' })).toBeNull();
    expect(toChatMessages('hello')).toBeNull();
    expect(toChatMessages([])).toBeNull();
    expect(toChatMessages([{ role: 'user' }, 3])).toBeNull();
  });
});

describe('displayPart', () => {
  it('parses tool call arguments given as a JSON string and reads `result` as a response', () => {
    expect(displayPart({ type: 'tool_call', name: 'lookup', arguments: '{"id":7}' })).toEqual({ kind: 'tool_call', name: 'lookup', id: null, arguments: { id: 7 } });
    expect(displayPart({ type: 'tool_call_response', id: 'c1', result: '{"ok":true}' })).toEqual({ kind: 'tool_result', id: 'c1', response: { ok: true } });
    expect(displayPart({ type: 'uri', uri: 'https://x' })).toEqual({ kind: 'other', type: 'uri', value: { uri: 'https://x' } });
  });

  it('leaves a string that only looks like JSON as it is', () => {
    expect(parseMaybeJson('{not json')).toBe('{not json');
    expect(parseMaybeJson('plain')).toBe('plain');
  });
});

describe('describeEvent', () => {
  it('summarises Runlens and exception events in one line', () => {
    expect(describeEvent({ name: 'runlens.escalation', time: 1, attributes: { reason: 'asked for a human' } })).toMatchObject({ title: 'Escalated to a human: asked for a human', tone: 'warn' });
    expect(describeEvent({ name: 'runlens.budget.exceeded', time: 1, attributes: { budget: 'tokens', limit: 1000, value: 1200 } })).toMatchObject({ title: 'Budget exceeded: tokens 1200 > limit 1000', tone: 'error' });
    expect(describeEvent({ name: 'runlens.approval', time: 1, attributes: { action: 'refund', approver: 'ana', decision: 'rejected' } })).toMatchObject({ title: 'Approval rejected for refund by ana', tone: 'error' });
    expect(describeEvent({ name: 'runlens.policy.violation', time: 1, attributes: { rule: 'email', field: 'input' } })).toMatchObject({ title: 'Policy violation: email in input' });
    expect(describeEvent({ name: 'exception', time: 1, attributes: { 'exception.type': 'TimeoutError', 'exception.message': 'CRM timed out' } })).toMatchObject({ title: 'TimeoutError: CRM timed out', tone: 'error' });
    expect(describeEvent({ name: 'custom', time: 1, attributes: {} })).toMatchObject({ title: 'custom', tone: 'info' });
  });

  it('shows attribute values as text', () => {
    expect(attributeText('a')).toBe('a');
    expect(attributeText([1, 2])).toBe('[1,2]');
  });
});
