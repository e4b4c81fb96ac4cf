/**
 * Staged texts: a save or draft longer than one request can carry arrives in pieces,
 * appended in order under an id the caller picks, then named by the write that uses it.
 * Bounded in count, size and age, and used once.
 */
import { HopsError } from '../../protocol/errors.ts';
import { textFileLimits } from '../../protocol/text-files.ts';

interface Staged {
  pieces: string[];
  length: number;
  bytes: number;
  touchedAtMs: number;
}

export class StagedTexts {
  private readonly staged = new Map<string, Staged>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Appends `text` at `offset` (characters staged so far; 0 starts afresh); returns the length now staged. */
  append(stageId: string, offset: number, text: string): number {
    this.sweep();
    let entry = this.staged.get(stageId);
    if (offset === 0) {
      if (entry === undefined && this.staged.size >= textFileLimits.maxStaged) {
        throw new HopsError('LIMIT_REACHED', `${textFileLimits.maxStaged} texts are being staged already.`, { hint: 'Save again in a moment.' });
      }
      entry = { pieces: [], length: 0, bytes: 0, touchedAtMs: this.now() };
      this.staged.set(stageId, entry);
    }
    if (entry === undefined) throw new HopsError('STAGED_TEXT_NOT_FOUND', `No staged text "${stageId}": it expired or was used.`);
    if (offset !== entry.length) {
      throw new HopsError('VALIDATION', `The piece starts at ${offset} but ${entry.length} characters are staged.`, { field: '/offset', hint: 'Send the text again from its first piece.' });
    }
    const bytes = entry.bytes + Buffer.byteLength(text, 'utf8');
    if (bytes > textFileLimits.maxBytes) {
      this.staged.delete(stageId);
      throw new HopsError('TEXT_FILE_TOO_LARGE', `The staged text passed ${textFileLimits.maxBytes} bytes (4 MiB), the most the editor keeps.`);
    }
    entry.pieces.push(text);
    entry.length += text.length;
    entry.bytes = bytes;
    entry.touchedAtMs = this.now();
    return entry.length;
  }

  /** The whole staged text, forgotten once taken. */
  take(stageId: string): string {
    this.sweep();
    const entry = this.staged.get(stageId);
    if (entry === undefined) throw new HopsError('STAGED_TEXT_NOT_FOUND', `No staged text "${stageId}": it expired or was used.`);
    this.staged.delete(stageId);
    return entry.pieces.join('');
  }

  private sweep(): void {
    const oldest = this.now() - textFileLimits.stageTtlMs;
    for (const [id, entry] of this.staged) if (entry.touchedAtMs < oldest) this.staged.delete(id);
  }
}

/** The text of a request: inline, or staged earlier; exactly one of the two. */
export function textOf(staged: StagedTexts, source: { text?: string; stageId?: string }): string {
  if ((source.text === undefined) === (source.stageId === undefined)) {
    throw new HopsError('VALIDATION', 'Give either the text or the stageId of a staged text.', { field: '/text' });
  }
  return source.text ?? staged.take(source.stageId!);
}
