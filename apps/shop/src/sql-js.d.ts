// Types of sql.js 1.x (SQLite compiled to WebAssembly; it ships none): only what the shop's database uses.
declare module 'sql.js' {
  export type SqlValue = number | string | Uint8Array | null;
  export type BindParams = SqlValue[] | Record<string, SqlValue>;

  export interface Statement {
    bind(params?: BindParams): boolean;
    step(): boolean;
    getAsObject(): Record<string, SqlValue>;
    free(): boolean;
  }

  export interface Database {
    run(sql: string, params?: BindParams): Database;
    exec(sql: string): unknown[];
    prepare(sql: string): Statement;
    /** Rows changed by the last INSERT, UPDATE or DELETE. */
    getRowsModified(): number;
    /** The whole database file (frees every prepared statement). */
    export(): Uint8Array;
    close(): void;
  }

  export interface SqlJsStatic {
    Database: new (data?: Uint8Array | null) => Database;
  }

  export default function initSqlJs(config?: { locateFile?: (file: string) => string }): Promise<SqlJsStatic>;
}
