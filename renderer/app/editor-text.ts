/**
 * Sending an editor's text to the core: inline when it fits one request, else staged in
 * pieces (a request carries at most 256 KiB) and then named by its stage id.
 */
import type { HopsApi } from '../../protocol/desktop-api.ts';
import { textFileLimits } from '../../protocol/text-files.ts';

let nextStage = 1;

/** `{text}` for a short text; `{stageId}` once a long one is staged whole. */
export async function textSource(hops: HopsApi, text: string): Promise<{ text: string } | { stageId: string }> {
  if (text.length <= textFileLimits.maxPieceChars) return { text };
  const stageId = `editor-${Date.now().toString(36)}-${nextStage++}`;
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + textFileLimits.maxPieceChars);
    // Never split a surrogate pair between two pieces.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    await hops.file.stageText({ stageId, offset: start, text: text.slice(start, end) });
    start = end;
  }
  return { stageId };
}
