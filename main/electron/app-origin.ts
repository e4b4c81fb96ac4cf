/**
 * The one origin the window may show and the IPC may answer: the renderer bundle served
 * under `app://hopsdesk/` by our own protocol handler, never `file://`.
 */
export const APP_SCHEME = 'app';
const APP_HOST = 'hopsdesk';
const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * Whether `url` belongs to the app's origin. Compared by parts because WHATWG URLs give
 * custom schemes the origin "null", and credentials or a port would make it another origin.
 */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  return (
    parsed !== undefined &&
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.hostname === APP_HOST &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/** Links the OS browser may open for the user: https only, never file:, javascript: or plain http. */
export function isExternalLink(url: string): boolean {
  const parsed = parse(url);
  return (
    parsed !== undefined &&
    parsed.protocol === 'https:' &&
    parsed.hostname !== '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}
