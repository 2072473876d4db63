// OTLP requests for the ingest tests: the GenAI example trace of conventions.md in OTLP/JSON,
// and its protobuf encoding made with the receiver's own message definitions.
import { ExportLogsServiceRequest, ExportTraceServiceRequest } from './otlp-proto.ts';

export const TRACE_ID = '5b8aa5a2d2c872e8321cf37308d69df2';
export const ROOT_SPAN_ID = '051581bf3cb55c13';
export const CHAT_SPAN_ID = '5fb397be34d26b51';
export const TOOL_SPAN_ID = '8a3c60f7d188f8fa';

type Json = Record<string, unknown>;

const str = (value: string) => ({ stringValue: value });

/** One agent run: invoke_agent → chat gpt-4o → execute_tool get_weather (conventions.md example). */
export function genAiTraceRequest(): { resourceSpans: Json[] } {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: str('weather-agent') }] },
        scopeSpans: [
          {
            scope: { name: 'my-agent-sdk', version: '0.1.0' },
            spans: [
              {
                traceId: TRACE_ID,
                spanId: ROOT_SPAN_ID,
                name: 'invoke_agent weather_agent',
                kind: 1,
                startTimeUnixNano: '1767225600000000000',
                endTimeUnixNano: '1767225602000000000',
                attributes: [
                  { key: 'gen_ai.operation.name', value: str('invoke_agent') },
                  { key: 'gen_ai.agent.name', value: str('weather_agent') },
                  { key: 'user.id', value: str('u_7') },
                ],
              },
              {
                traceId: TRACE_ID,
                spanId: CHAT_SPAN_ID,
                parentSpanId: ROOT_SPAN_ID,
                name: 'chat gpt-4o',
                kind: 3,
                startTimeUnixNano: '1767225600100000000',
                endTimeUnixNano: '1767225601400000001',
                attributes: [
                  { key: 'gen_ai.operation.name', value: str('chat') },
                  { key: 'gen_ai.request.model', value: str('gpt-4o') },
                  { key: 'gen_ai.usage.input_tokens', value: { intValue: '812' } },
                  { key: 'gen_ai.usage.output_tokens', value: { intValue: '21' } },
                  { key: 'gen_ai.response.finish_reasons', value: { arrayValue: { values: [str('tool_call')] } } },
                  { key: 'gen_ai.request.temperature', value: { doubleValue: 0.2 } },
                  { key: 'gen_ai.request.stream', value: { boolValue: false } },
                ],
                events: [{ timeUnixNano: '1767225601000000007', name: 'gen_ai.content.prompt', attributes: [{ key: 'n', value: { intValue: '1' } }] }],
              },
              {
                traceId: TRACE_ID,
                spanId: TOOL_SPAN_ID,
                parentSpanId: ROOT_SPAN_ID,
                name: 'execute_tool get_weather',
                kind: 1,
                startTimeUnixNano: '1767225601450000000',
                endTimeUnixNano: '1767225601950000000',
                attributes: [
                  { key: 'gen_ai.tool.name', value: str('get_weather') },
                  { key: 'gen_ai.tool.call.arguments', value: { kvlistValue: { values: [{ key: 'city', value: str('Paris') }] } } },
                  { key: 'tool.payload', value: { bytesValue: Buffer.from('rain').toString('base64') } },
                ],
                status: { code: 2, message: 'upstream timeout' },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** A span with valid ids and times; fields in `overrides` replace or add to it. */
export function jsonSpan(overrides: Json = {}): Json {
  return {
    traceId: TRACE_ID,
    spanId: ROOT_SPAN_ID,
    name: 'span',
    startTimeUnixNano: '1767225600000000000',
    endTimeUnixNano: '1767225601000000000',
    ...overrides,
  };
}

/** An OTLP/JSON request holding these spans under one resource and scope. */
export function jsonRequest(spans: Json[]): { resourceSpans: Json[] } {
  return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: str('svc') }] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] };
}

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** Hex ids → bytes and base64 bytesValue → bytes, as protobufjs's fromObject wants them. */
function toProtobufShape(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => toProtobufShape(item));
  if (typeof value === 'string' && ID_FIELDS.has(key)) return Buffer.from(value, 'hex');
  if (typeof value === 'string' && key === 'bytesValue') return Buffer.from(value, 'base64');
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toProtobufShape(v, k)]));
  }
  return value;
}

/** The protobuf ExportTraceServiceRequest of an OTLP/JSON-shaped request (hex ids). */
export function protobufTraceBody(request: Json): Buffer {
  return Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(toProtobufShape(request) as Json)).finish());
}

/** The protobuf ExportLogsServiceRequest of an OTLP/JSON-shaped request (hex ids). */
export function protobufLogsBody(request: Json): Buffer {
  return Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(toProtobufShape(request) as Json)).finish());
}

/** A logs export: one `gen_ai.evaluation.result` event on the chat span and one plain log line. */
export function evaluationLogsRequest(): { resourceLogs: Json[] } {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: str('judge') }] },
        scopeLogs: [
          {
            scope: { name: 'runlens-eval' },
            logRecords: [
              {
                timeUnixNano: '1767225603000000000',
                eventName: 'gen_ai.evaluation.result',
                traceId: TRACE_ID,
                spanId: CHAT_SPAN_ID,
                attributes: [
                  { key: 'gen_ai.evaluation.name', value: str('answer_relevance') },
                  { key: 'gen_ai.evaluation.score.value', value: { doubleValue: 0.9 } },
                  { key: 'gen_ai.evaluation.score.label', value: str('pass') },
                ],
              },
              { timeUnixNano: '1767225603000000001', severityNumber: 9, body: str('evaluation run finished') },
            ],
          },
        ],
      },
    ],
  };
}
