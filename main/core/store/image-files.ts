import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/connection.ts';

/**
 * The content-addressed image store under the data folder: images/<h[0:2]>/<sha256>.<ext> and
 * thumbnails/<h[0:2]>/<sha256>.jpg. A file appears under its final name only by rename, so a name that exists
 * holds the complete content; a file no database row refers to is harmless and removed by `collectGarbage`.
 */
export class ImageFiles {
  constructor(
    private readonly db: Db,
    readonly dataDir: string,
  ) {}

  imagePath(sha256: string, extension: string): string {
    return join(this.dataDir, 'images', sha256.slice(0, 2), `${sha256}.${extension}`);
  }

  thumbnailPath(sha256: string): string {
    return join(this.dataDir, 'thumbnails', sha256.slice(0, 2), `${sha256}.jpg`);
  }

  /** Writes `bytes` at `path` unless it already exists; true when this call created the file. */
  writeOnce(path: string, bytes: Uint8Array): boolean {
    if (existsSync(path)) return false;
    mkdirSync(join(path, '..'), { recursive: true });
    const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.part`;
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
    return true;
  }

  isReferenced(sha256: string): boolean {
    return this.db.prepare('SELECT 1 FROM images WHERE sha256 = ?').get(sha256) !== undefined;
  }

  /** Removes image and thumbnail files (and leftover partial writes) that no row of `images` refers to. */
  collectGarbage(): number {
    const known = new Set(this.db.prepare('SELECT sha256 FROM images').pluck().all() as string[]);
    let removed = 0;
    for (const kind of ['images', 'thumbnails']) {
      const root = join(this.dataDir, kind);
      if (!existsSync(root)) continue;
      for (const prefix of readdirSync(root)) {
        for (const file of readdirSync(join(root, prefix))) {
          if (file.endsWith('.part') || !known.has(file.slice(0, 64))) {
            rmSync(join(root, prefix, file), { force: true });
            removed += 1;
          }
        }
      }
    }
    return removed;
  }
}
