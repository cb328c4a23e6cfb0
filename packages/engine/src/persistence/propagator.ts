import {
  BlockRequest,
  type CommandResult,
  type CommandSpec,
  DEFERRED,
  NO_REPLY,
} from '../commands/registry.js';
import type { Engine } from '../engine.js';
import type { Database } from '../keyspace/database.js';
import { ErrorReply, type Reply } from '../resp/reply.js';
import type { Session } from '../session.js';
import type { WriteObserver } from './hooks.js';
import { ALWAYS_LOGGED, CONTAINERS, DATASET_RESETS, type Executed, RULES, type Rule } from './rules.js';
import { serializeKey } from './serialize.js';

/** Where finished writes go: one command, or several that must load together (MULTI/EXEC). */
export interface CommandSink {
  append(dbs: readonly number[], commands: readonly string[][]): void;
  /** FLUSHALL/FLUSHDB/SWAPDB ran (a rewrite in progress starts over). */
  datasetReset(): void;
  keyChanged(db: Database, key: string): void;
}

type Kind = Rule | 'verbatim' | 'container' | 'always' | 'reset';

/**
 * Turns executed commands into the commands that replay them (see rules.ts), and groups everything one
 * top-level command did (EXEC's commands, a script's, the DELs of keys it found expired) into one unit,
 * so that a file cut anywhere never holds half of a transaction.
 */
export class Propagator implements WriteObserver {
  private depth = 0;
  private readonly dbs: number[] = [];
  private readonly commands: string[][] = [];
  private readonly kinds = new Map<CommandSpec, Kind>();
  /** Key changes of the command running (for rules that log resulting state), as db, key pairs. */
  private changes: Array<Database | string> = [];
  private changeMarks: number[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly sink: CommandSink,
  ) {}

  enter(): void {
    this.depth++;
    this.changeMarks.push(this.changes.length);
  }

  leave(
    session: Session,
    db: Database,
    spec: CommandSpec,
    argv: string[],
    result: CommandResult,
    wrote: boolean,
  ): CommandResult {
    const mark = this.changeMarks.pop() ?? 0;
    const changed = this.changes.length > mark;
    this.depth--;
    if (result instanceof BlockRequest) result = this.observeServe(session, argv, spec, result);
    else if (result !== DEFERRED && result !== NO_REPLY) {
      const kind = this.kindOf(spec);
      if (kind !== 'container' && !(result instanceof ErrorReply)) {
        if (wrote || changed) this.log(kind, db, argv, result, mark);
        else if (kind === 'always') this.emit(db.index, argv);
      }
    }
    if (this.depth === 0) {
      this.changes.length = 0;
      this.settle();
    }
    return result;
  }

  keyChanged(db: Database, key: string): void {
    this.changes.push(db, key);
    this.sink.keyChanged(db, key);
  }

  keyExpired(db: Database, key: string): void {
    this.sink.keyChanged(db, key);
    this.emit(db.index, ['DEL', key]);
    if (this.depth === 0) this.settle();
  }

  /**
   * Hands the buffered unit to the sink, unless a command is still running or a script that yields to
   * the event loop (busy) is not finished: its effects form one unit with what it does later.
   */
  settle(): void {
    if (this.depth > 0 || this.commands.length === 0 || this.engine.busyScript) return;
    this.sink.append(this.dbs, this.commands);
    this.dbs.length = 0;
    this.commands.length = 0;
  }

  private emit(db: number, argv: string[]): void {
    this.dbs.push(db);
    this.commands.push(argv);
  }

  private log(kind: Kind, db: Database, argv: string[], reply: Reply, mark: number): void {
    if (typeof kind !== 'function') {
      this.emit(db.index, argv);
      if (kind === 'reset') this.sink.datasetReset();
      return;
    }
    // One context object for every rule call: no allocation per logged write.
    const x = this.executed;
    x.db = db;
    x.argv = argv;
    x.reply = reply;
    x.mark = mark;
    kind(x);
  }

  private readonly executed: Executed & { mark: number } = {
    db: undefined as unknown as Database,
    argv: [],
    reply: null,
    mark: 0,
    emit: (command) => this.emit(this.executed.db.index, command),
    emitChangedKeys: () => {
      const changes = this.changes;
      const seen = new Set<string>();
      for (let i = this.executed.mark; i < changes.length; i += 2) {
        const keyDb = changes[i] as Database;
        const key = changes[i + 1] as string;
        const id = `${keyDb.index}:${key}`;
        if (seen.has(id)) continue;
        seen.add(id);
        this.emit(keyDb.index, ['DEL', key]);
        const value = keyDb.data.get(key);
        if (value !== undefined) {
          serializeKey(key, value, keyDb.expires.get(key), (command) => this.emit(keyDb.index, command));
        }
      }
    },
  };

  /** A blocked command served later is logged then, as its non-blocking form (see rules.ts). */
  private observeServe(session: Session, argv: string[], spec: CommandSpec, request: BlockRequest) {
    const serve = (readyKey: string): Reply | undefined => {
      const db = session.db;
      const dirty = this.engine.dirty;
      this.enter();
      let reply: Reply | undefined;
      try {
        reply = request.serve(readyKey);
      } finally {
        const mark = this.changeMarks.pop() ?? 0;
        const changed = this.changes.length > mark || this.engine.dirty !== dirty;
        this.depth--;
        if (reply !== undefined && !(reply instanceof ErrorReply) && changed) {
          this.log(this.kindOf(spec), db, argv, reply, mark);
        }
        if (this.depth === 0) {
          this.changes.length = 0;
          this.settle();
        }
      }
      return reply;
    };
    return new BlockRequest(request.keys, request.timeoutMs, serve, request.timeoutReply);
  }

  private kindOf(spec: CommandSpec): Kind {
    let kind = this.kinds.get(spec);
    if (kind === undefined) {
      const name = this.engine.commands.fullName(spec);
      kind = CONTAINERS.has(name)
        ? 'container'
        : ALWAYS_LOGGED.has(name)
          ? 'always'
          : DATASET_RESETS.has(name)
            ? 'reset'
            : (RULES[name] ?? 'verbatim');
      this.kinds.set(spec, kind);
    }
    return kind;
  }
}
