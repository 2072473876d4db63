// One pass over a span's attribute keys: which conventions it speaks, and the flattened indexed
// keys grouped by prefix. Every field reader then does direct lookups, so no field costs another
// scan of all attributes.
import type { Attributes } from '../types.ts';
import type { FlatEntry } from './values.ts';

export interface AttributeIndex {
  attributes: Attributes;
  langfuse: boolean;
  openInference: boolean;
  genAi: boolean;
  traceloop: boolean;
  vercel: boolean;
  /** `llm.input_messages.N.…` (OpenInference), keyed by what follows the prefix. */
  oiInputMessages: FlatEntry[] | null;
  oiOutputMessages: FlatEntry[] | null;
  /** `llm.prompts.N.prompt.text` / `llm.choices.N.completion.text` (OpenInference, completions API). */
  oiPrompts: FlatEntry[] | null;
  oiChoices: FlatEntry[] | null;
  /** `gen_ai.prompt.N.…` / `gen_ai.completion.N.…` (OpenLLMetry's flattened form). */
  promptEntries: FlatEntry[] | null;
  completionEntries: FlatEntry[] | null;
}

const OI_INPUT = 'llm.input_messages.';
const OI_OUTPUT = 'llm.output_messages.';
const OI_PROMPTS = 'llm.prompts.';
const OI_CHOICES = 'llm.choices.';
const TL_PROMPT = 'gen_ai.prompt.';
const TL_COMPLETION = 'gen_ai.completion.';

function isDigit(key: string, at: number): boolean {
  const c = key.charCodeAt(at);
  return c >= 48 && c <= 57;
}

export function indexAttributes(attributes: Attributes): AttributeIndex {
  const index: AttributeIndex = {
    attributes,
    langfuse: false,
    openInference: false,
    genAi: false,
    traceloop: false,
    vercel: false,
    oiInputMessages: null,
    oiOutputMessages: null,
    oiPrompts: null,
    oiChoices: null,
    promptEntries: null,
    completionEntries: null,
  };
  for (const key in attributes) {
    // Dispatch on the first character so most keys are classified by one comparison.
    switch (key.charCodeAt(0)) {
      case 103: // g
        if (key.startsWith('gen_ai.')) {
          index.genAi = true;
          if (key.startsWith(TL_PROMPT) && isDigit(key, TL_PROMPT.length)) {
            (index.promptEntries ??= []).push([key.slice(TL_PROMPT.length), attributes[key]!]);
          } else if (key.startsWith(TL_COMPLETION) && isDigit(key, TL_COMPLETION.length)) {
            (index.completionEntries ??= []).push([key.slice(TL_COMPLETION.length), attributes[key]!]);
          }
        }
        break;
      case 108: // l
        if (key.startsWith('llm.')) {
          if (key === 'llm.request.type' || key === 'llm.usage.total_tokens') {
            index.traceloop = true;
          } else {
            index.openInference = true;
            if (key.startsWith(OI_INPUT)) (index.oiInputMessages ??= []).push([key.slice(OI_INPUT.length), attributes[key]!]);
            else if (key.startsWith(OI_OUTPUT)) (index.oiOutputMessages ??= []).push([key.slice(OI_OUTPUT.length), attributes[key]!]);
            else if (key.startsWith(OI_PROMPTS)) (index.oiPrompts ??= []).push([key.slice(OI_PROMPTS.length), attributes[key]!]);
            else if (key.startsWith(OI_CHOICES)) (index.oiChoices ??= []).push([key.slice(OI_CHOICES.length), attributes[key]!]);
          }
        } else if (key.startsWith('langfuse.')) {
          index.langfuse = true;
        }
        break;
      case 111: // o
        if (key === 'openinference.span.kind') index.openInference = true;
        break;
      case 105: // i
        if (key === 'input.value') index.openInference = true;
        break;
      case 101: // e
        if (key === 'embedding.model_name') index.openInference = true;
        break;
      case 116: // t
        if (key.startsWith('traceloop.')) index.traceloop = true;
        else if (key === 'tool.name') index.openInference = true;
        break;
      case 97: // a
        if (key.startsWith('ai.')) index.vercel = true;
        else if (key === 'agent.name') index.openInference = true;
        break;
    }
  }
  return index;
}
