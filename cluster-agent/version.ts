/**
 * The agent's own version. The bundle shipped to hosts has it compiled in by the build;
 * run from sources, it comes from the project's package.json.
 */
import { readFileSync } from 'node:fs';

/** Replaced with the package version string by the bundler; undefined when run from sources. */
declare const HOPSDESK_BUILD_VERSION: string | undefined;

let cached: string | undefined;

/** The agent version, e.g. `0.1.0`. */
export function agentVersion(): string {
  if (cached !== undefined) return cached;
  if (typeof HOPSDESK_BUILD_VERSION === 'string') {
    cached = HOPSDESK_BUILD_VERSION;
  } else {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}
