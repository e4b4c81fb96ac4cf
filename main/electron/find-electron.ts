/**
 * Finds the Electron executable the way the `electron` package's own index.js does, but
 * without its side effect: requiring that module downloads the binary when it is absent,
 * which hangs or fails on machines without access to Electron's release server.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type ElectronBinary = { path: string } | { missing: string };

export interface FindElectronOptions {
  env?: NodeJS.ProcessEnv;
  /** The installed `electron` package's directory; found through Node's resolution by default. */
  packageDir?: string;
  platform?: NodeJS.Platform;
}

/** The executable inside an Electron dist folder, as the package's installer names it. */
function executableName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

function installedPackageDir(): string | undefined {
  try {
    // package.json, not the package's main: loading index.js would start the download.
    return path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

/** The Electron binary to launch, or one sentence saying why there is none. */
export function findElectronBinary(options: FindElectronOptions = {}): ElectronBinary {
  const env = options.env ?? process.env;
  const packageDir = options.packageDir ?? installedPackageDir();
  const pathFile = packageDir && path.join(packageDir, 'path.txt');
  const recorded = pathFile && existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const executable = recorded || executableName(options.platform ?? process.platform);

  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const candidate = path.join(override, executable);
    return existsSync(candidate)
      ? { path: candidate }
      : { missing: `ELECTRON_OVERRIDE_DIST_PATH is set but ${candidate} does not exist` };
  }
  if (!packageDir) return { missing: 'the electron package is not installed (run `npm install`)' };

  // Shown as "node_modules/electron/…", the way a user finds it in the project.
  const shown = path.join(path.basename(path.dirname(packageDir)), path.basename(packageDir));
  const distDir = path.join(packageDir, 'dist');
  if (!existsSync(distDir)) {
    return {
      missing: `the Electron binary is not installed (${shown}/dist is absent; \`npx install-electron\` fetches it where Electron's download server is reachable)`,
    };
  }
  if (!recorded) return { missing: `the Electron binary is not installed completely (${shown}/path.txt is absent)` };
  const binary = path.join(distDir, recorded);
  return existsSync(binary) ? { path: binary } : { missing: `the Electron binary is missing (${shown}/dist/${recorded} is absent)` };
}
