/** Text of a previewed file, highlighted for its language, in the monospace font. */
import { useMemo } from 'react';
import type { TextLanguage } from '../../../../protocol/previews.ts';
import { highlighted } from './highlight.ts';

export function CodeView({ text, language }: { text: string; language: TextLanguage }) {
  const html = useMemo(() => highlighted(text, language), [text, language]);
  return (
    <pre className="file-preview-code mono" data-testid="file-preview-text" data-language={language}>
      {html === null ? <code>{text}</code> : <code className="hljs" dangerouslySetInnerHTML={{ __html: html }} />}
    </pre>
  );
}
