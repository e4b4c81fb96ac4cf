/** The operating system's name and version, from `/etc/os-release` where it exists. */
import { readFile } from 'node:fs/promises';
import os from 'node:os';

/** Parses os-release text (`KEY=value`, values optionally quoted) into a map. */
export function parseOsRelease(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match?.[1]) continue;
    let value = match[2] ?? '';
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    }
    entries.set(match[1], value);
  }
  return entries;
}

/** Name and version of the OS; falls back to `os.type()`/`os.release()` (e.g. on macOS). */
export async function readOsRelease(file = '/etc/os-release'): Promise<{ name: string; version: string }> {
  try {
    const entries = parseOsRelease(await readFile(file, 'utf8'));
    return {
      name: entries.get('NAME') ?? entries.get('ID') ?? os.type(),
      version: entries.get('VERSION_ID') ?? entries.get('VERSION') ?? '',
    };
  } catch {
    return { name: os.type(), version: os.release() };
  }
}
