// The browser session cookie. `__Host-` pins it to this origin: Secure, Path=/, no Domain.
import { SESSION_COOKIE } from '../types.js';

/** Set-Cookie value carrying `token` for `maxAgeSeconds`. */
export function sessionCookie(token: string, maxAgeSeconds: number): string {
  const maxAge = Math.max(0, Math.floor(maxAgeSeconds));
  return `${SESSION_COOKIE}=${token}; Max-Age=${maxAge}; Path=/; Secure; HttpOnly; SameSite=Lax`;
}

/** Set-Cookie value that removes the session cookie. */
export function clearSessionCookie(): string {
  return `${SESSION_COOKIE}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`;
}
