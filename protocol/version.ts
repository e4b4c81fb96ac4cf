/** The product version, shared by the desktop, the CLI and the agent it ships. */
import pkg from '../package.json' with { type: 'json' };

export const productVersion: string = pkg.version;
