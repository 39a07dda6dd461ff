// Who is calling: the coordinator (password set at first start, stored as a scrypt hash) or a reader (an access
// code the coordinator issues, stored as a sha256). Both sign in for a bearer token kept as a sha256 in
// `sessions`, so sessions outlive a restart and a copy of the database holds no usable secret.
import { createHash, randomBytes, randomInt, scryptSync, timingSafeEqual } from 'node:crypto';
import { ApiError, type Caller } from '../../contract/index.ts';
import type { Db } from '../db/connection.ts';

const PASSWORD_SETTING = 'coordinator_password';
// a session unused this long ends: a workstation left signed in overnight asks for the code again
export const SESSION_IDLE_LIMIT_MS = 12 * 3600 * 1000;
// Crockford base32 without look-alikes: codes are read aloud and typed by people
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A new access code, e.g. `K7QH-3MZP-XW4D` (60 bits). */
export function newAccessCode(): string {
  const chars = Array.from({ length: 12 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8).join('')}`;
}

/** Case, dashes, spaces and look-alike letters (O/0, I/L/1) do not matter when a code is typed. */
export function normaliseAccessCode(code: string): string {
  return code
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}

export function accessCodeHash(code: string): string {
  return sha256(`dermaread-access-code:${normaliseAccessCode(code)}`);
}

export function coordinatorConfigured(db: Db): boolean {
  return db.prepare('SELECT 1 FROM settings WHERE key = ?').get(PASSWORD_SETTING) !== undefined;
}

export function setCoordinatorPassword(db: Db, password: string, now: Date): void {
  const salt = randomBytes(16).toString('hex');
  const hash = scryptSync(password, salt, 32).toString('hex');
  const value = JSON.stringify({ algorithm: 'scrypt', salt, hash, set_at: now.toISOString() });
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(PASSWORD_SETTING, value);
}

function passwordMatches(db: Db, password: string): boolean {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(PASSWORD_SETTING) as
    string | undefined;
  if (!row) return false;
  const { salt, hash } = JSON.parse(row) as { salt: string; hash: string };
  return timingSafeEqual(scryptSync(password, salt, 32), Buffer.from(hash, 'hex'));
}

function openSession(db: Db, role: 'reader' | 'coordinator', readerId: number | null, now: Date): string {
  const token = randomBytes(32).toString('base64url');
  db.prepare(
    'INSERT INTO sessions (token_sha256, role, reader_id, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)',
  ).run(sha256(token), role, readerId, now.toISOString(), now.toISOString());
  return token;
}

/** First start only: sets the coordinator password and signs the coordinator in. */
export function setupCoordinator(db: Db, password: string, now: Date): string {
  return db.transaction(() => {
    if (coordinatorConfigured(db)) throw new ApiError('conflict', 'the coordinator password is already set');
    setCoordinatorPassword(db, password, now);
    audit(db, now, 'coordinator', 'coordinator.setup', null, null, {});
    return openSession(db, 'coordinator', null, now);
  })();
}

export function signInCoordinator(db: Db, password: string, now: Date): string {
  if (!passwordMatches(db, password)) throw new ApiError('unauthorized', 'wrong coordinator password');
  return openSession(db, 'coordinator', null, now);
}

export function signInReader(
  db: Db,
  accessCode: string,
  now: Date,
): { token: string; readerId: number; name: string } {
  const reader = db
    .prepare("SELECT id, name FROM readers WHERE access_code = ? AND role = 'reader' AND disabled_at IS NULL")
    .get(accessCodeHash(accessCode)) as { id: number; name: string } | undefined;
  if (!reader) throw new ApiError('unauthorized', 'unknown or withdrawn access code');
  return { token: openSession(db, 'reader', reader.id, now), readerId: reader.id, name: reader.name };
}

/** The caller a bearer token stands for; a missing, unknown, revoked or idle-expired token is nobody. */
export function callerOf(db: Db, token: string | null, now: Date): Caller {
  if (!token) return { role: 'none' };
  const row = db
    .prepare(
      `SELECT s.role, s.reader_id AS readerId, s.last_seen_at AS lastSeenAt, r.name, r.disabled_at AS disabledAt FROM sessions s
       LEFT JOIN readers r ON r.id = s.reader_id WHERE s.token_sha256 = ? AND s.revoked_at IS NULL`,
    )
    .get(sha256(token)) as
    | {
        role: string;
        readerId: number | null;
        lastSeenAt: string;
        name: string | null;
        disabledAt: string | null;
      }
    | undefined;
  if (!row || now.getTime() - Date.parse(row.lastSeenAt) > SESSION_IDLE_LIMIT_MS) return { role: 'none' };
  db.prepare('UPDATE sessions SET last_seen_at = ? WHERE token_sha256 = ?').run(
    now.toISOString(),
    sha256(token),
  );
  if (row.role === 'coordinator') return { role: 'coordinator' };
  if (row.disabledAt || row.readerId === null) return { role: 'none' };
  return { role: 'reader', readerId: row.readerId, name: row.name ?? '' };
}

export function signOut(db: Db, token: string | null, now: Date): void {
  if (!token) return;
  db.prepare('UPDATE sessions SET revoked_at = ? WHERE token_sha256 = ? AND revoked_at IS NULL').run(
    now.toISOString(),
    sha256(token),
  );
}

/** Withdraws every session of a reader (used when a new access code replaces the old one). */
export function revokeReaderSessions(db: Db, readerId: number, now: Date): void {
  db.prepare('UPDATE sessions SET revoked_at = ? WHERE reader_id = ? AND revoked_at IS NULL').run(
    now.toISOString(),
    readerId,
  );
}

export function audit(
  db: Db,
  now: Date,
  actor: string,
  action: string,
  entity: string | null,
  entityId: string | number | null,
  details: Record<string, unknown>,
): void {
  db.prepare(
    'INSERT INTO audit_log (at, actor, action, entity, entity_id, details) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(
    now.toISOString(),
    actor,
    action,
    entity,
    entityId === null ? null : String(entityId),
    JSON.stringify(details),
  );
}
