/**
 * The Electron shell's command line: `electron dist/electron/main.cjs [--workspace DIR]
 * [--json]`. Chromium and Electron add switches of their own, so unknown ones are ignored.
 */
import { HopsError } from '../../protocol/errors.ts';

export interface ShellArgs {
  /** As given; the core falls back to HOPSDESK_HOME, then the user data directory. */
  workspace: string | undefined;
  /** Print one JSON line when the window is up, for `hopsdesk open --json`. */
  json: boolean;
}

/** Reads the shell's flags from the whole argv (its position differs once packaged). */
export function parseShellArgs(argv: readonly string[]): ShellArgs {
  const args: ShellArgs = { workspace: undefined, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') args.json = true;
    else if (arg.startsWith('--workspace=')) args.workspace = nonEmpty(arg.slice('--workspace='.length));
    else if (arg === '--workspace') args.workspace = nonEmpty(argv[++i]);
  }
  return args;
}

function nonEmpty(value: string | undefined): string {
  if (value === undefined || value === '' || value.startsWith('--')) {
    throw new HopsError('VALIDATION', '--workspace needs a directory.', { field: '--workspace', hint: 'Run with --workspace DIR.' });
  }
  return value;
}
