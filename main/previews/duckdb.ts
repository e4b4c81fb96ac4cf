/**
 * The desktop's DuckDB: one in-memory database, opened on first use, that reads and writes
 * only inside the scratch directory. File access elsewhere, extension downloads and any
 * later change of these settings are refused, so a crafted file name or query cannot
 * reach the rest of the disk or the network.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export class Duck {
  private readonly allowedDir: string;
  private instance: Promise<DuckDBInstance> | undefined;

  constructor(allowedDir: string) {
    this.allowedDir = allowedDir;
  }

  /** Runs `work` on a connection of its own, closed afterwards. */
  async use<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await (await this.open()).connect();
    try {
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  }

  /** Closes the database (the next use opens it again). */
  async close(): Promise<void> {
    const pending = this.instance;
    this.instance = undefined;
    if (pending) (await pending.catch(() => undefined))?.closeSync();
  }

  private open(): Promise<DuckDBInstance> {
    this.instance ??= (async () => {
      // One thread per query keeps previews light, and keeps a LIMIT scan of a Parquet
      // file to the row groups filled in (no read-ahead into the rest).
      // Loaded on first use: its native library costs some 0.2 s, which no start should pay.
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '512MB' });
      const connection = await instance.connect();
      try {
        await connection.run(`SET allowed_directories = [${sqlString(this.allowedDir + '/')}]`);
        await connection.run('SET enable_external_access = false');
        await connection.run('SET autoinstall_known_extensions = false');
        await connection.run('SET autoload_known_extensions = false');
        await connection.run('SET lock_configuration = true');
      } finally {
        connection.closeSync();
      }
      return instance;
    })();
    return this.instance;
  }
}

/** A SQL string literal: our own scratch paths only, quoted all the same. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
