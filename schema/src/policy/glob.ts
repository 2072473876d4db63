// A tiny glob matcher for tool names, hosts and URL paths: `*` matches within one segment,
// `**` across segments. Patterns compile once to an anchored RegExp; nothing else is special.

/** Segment separators: tool names split on `.` and `/` (MCP servers use both), hosts on `.`, paths on `/`. */
export const TOOL_SEPARATORS = './';
export const HOST_SEPARATORS = '.';
export const PATH_SEPARATORS = '/';

export function isGlob(pattern: string): boolean {
  return pattern.includes('*');
}

const escapeRegExp = (text: string): string => text.replace(/[\\^$.|?*+()[\]{}/-]/g, '\\$&');

export function compileGlob(pattern: string, separators: string): RegExp {
  const sep = `[${escapeRegExp(separators)}]`;
  const notSep = `[^${escapeRegExp(separators)}]`;
  let source = '';
  for (let i = 0; i < pattern.length; ) {
    if (pattern.startsWith('**', i)) {
      const before = pattern[i - 1];
      const after = pattern[i + 2];
      // `a/**/b` also matches `a/b`: the `**` and its trailing separator may both vanish.
      if (before !== undefined && separators.includes(before) && after !== undefined && separators.includes(after)) {
        source += `(?:[\\s\\S]*${sep})?`;
        i += 3;
      } else {
        source += '[\\s\\S]*';
        i += 2;
      }
    } else if (pattern[i] === '*') {
      source += `${notSep}*`;
      i += 1;
    } else {
      source += escapeRegExp(pattern[i] as string);
      i += 1;
    }
  }
  return new RegExp(`^${source}$`);
}

/** A matcher for a tool-name pattern: exact comparison for a plain name, a glob otherwise. */
export function toolMatcher(pattern: string): (tool: string) => boolean {
  if (!isGlob(pattern)) return (tool) => tool === pattern;
  const re = compileGlob(pattern, TOOL_SEPARATORS);
  return (tool) => re.test(tool);
}
