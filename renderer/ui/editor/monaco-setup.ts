/**
 * Monaco from this bundle, never a CDN: `@monaco-editor/react` is told to use the local
 * copy. Since 0.56 Monaco starts its own workers with `new Worker(new URL(…,
 * import.meta.url), {type: 'module'})`, which Vite turns into worker chunks served by the
 * app itself (the CSP's `worker-src 'self' blob:`), so no `MonacoEnvironment` is needed:
 * the editor worker, and the JSON and TypeScript/JavaScript workers that give those
 * languages validation and completion. Python, YAML and shell are highlighted by Monaco's
 * tokenizers.
 */
import { loader } from '@monaco-editor/react';
import * as monaco from 'monaco-editor';
import type { TextLanguage } from '../../../protocol/previews.ts';

loader.config({ monaco });

/** Monaco's language id for the language the core names. */
export const monacoLanguage: Record<TextLanguage, string> = {
  python: 'python',
  javascript: 'javascript',
  typescript: 'typescript',
  yaml: 'yaml',
  json: 'json',
  shell: 'shell',
  markdown: 'markdown',
  plain: 'plaintext',
};

export { monaco };
