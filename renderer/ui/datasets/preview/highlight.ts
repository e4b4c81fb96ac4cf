/**
 * Syntax highlighting with highlight.js's core and only the languages previews name,
 * registered one by one (the full bundle carries some 190 languages).
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import typescript from 'highlight.js/lib/languages/typescript';
import yaml from 'highlight.js/lib/languages/yaml';
import type { TextLanguage } from '../../../../protocol/previews.ts';

const grammars = { python, javascript, typescript, yaml, json, shell: bash, markdown } as const;
for (const [name, grammar] of Object.entries(grammars)) hljs.registerLanguage(name, grammar);

/** `text` as highlighted HTML (every character of it escaped), or null for plain text. */
export function highlighted(text: string, language: TextLanguage): string | null {
  if (language === 'plain') return null;
  return hljs.highlight(text, { language, ignoreIllegals: true }).value;
}
