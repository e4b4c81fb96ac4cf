/**
 * The name the head gives the person who formed a cluster: their login name on this
 * machine, made to fit the head's user names (lowercase letters, digits, `.`, `_`, `-`), so
 * the audit log says who did what rather than "admin".
 */
import os from 'node:os';

export function adminUserName(login = safeLogin()): string {
  const cleaned = login
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '_')
    .slice(0, 64);
  if (cleaned === '') return 'admin';
  return /^[a-z_]/.test(cleaned) ? cleaned : `_${cleaned}`.slice(0, 64);
}

function safeLogin(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers).
    return '';
  }
}
