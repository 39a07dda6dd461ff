import type { Db } from '../db/connection.ts';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string | null;
  entityId: string | null;
  details: Record<string, unknown>;
}

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string | null;
  entity_id: string | null;
  details: string;
}

/** Append-only record of who changed what: imports, model versions, study and reading events. */
export class AuditLog {
  constructor(private readonly db: Db) {}

  record(
    actor: string,
    action: string,
    entity?: string,
    entityId?: string | number,
    details: object = {},
  ): void {
    this.db
      .prepare(
        'INSERT INTO audit_log (at, actor, action, entity, entity_id, details) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        new Date().toISOString(),
        actor,
        action,
        entity ?? null,
        entityId === undefined ? null : String(entityId),
        JSON.stringify(details),
      );
  }

  list(filter: { entity?: string; entityId?: string | number; limit?: number } = {}): AuditEntry[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM audit_log
         WHERE (@entity IS NULL OR entity = @entity) AND (@entityId IS NULL OR entity_id = @entityId)
         ORDER BY id DESC LIMIT @limit`,
      )
      .all({
        entity: filter.entity ?? null,
        entityId: filter.entityId === undefined ? null : String(filter.entityId),
        limit: filter.limit ?? 100,
      }) as AuditRow[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  }
}
