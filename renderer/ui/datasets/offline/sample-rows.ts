/** The "first N rows" field of the make-offline dialog, read and checked. */
import { offlineLimits } from '../../../../protocol/previews.ts';

export type SampleRowsInput = { ok: true; sampleRows: number } | { ok: false; problem: string };

/** Reads the typed row count: a whole number from 1 to the largest sample. */
export function readSampleRows(text: string): SampleRowsInput {
  const trimmed = text.trim().replaceAll(/[,_\s]/g, '');
  if (!/^\d+$/.test(trimmed)) return { ok: false, problem: 'Type a whole number of rows, such as 1000.' };
  const rows = Number(trimmed);
  if (rows < 1 || rows > offlineLimits.maxSampleRows) {
    return { ok: false, problem: `Choose from 1 to ${offlineLimits.maxSampleRows.toLocaleString('en-US')} rows.` };
  }
  return { ok: true, sampleRows: rows };
}
