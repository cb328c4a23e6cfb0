import type { CommandTable } from '../../command-table.js';
import type { CommandSpec } from '../../commands/registry.js';
import { categoryMask } from './categories.js';

/**
 * Every command and subcommand numbered for ACL bitmaps, as Redis gives each command an id: a parent comes
 * before its subcommands, and `order` is the walk Redis's ACL code makes (parent, then its subcommands).
 * One more id (`future`) is reserved: set only by +@all, it marks rules that allow commands added later.
 */
export class AclCommandIndex {
  readonly specs: CommandSpec[] = [];
  readonly fullNames: string[] = [];
  readonly categories: number[] = [];
  /** id → ids of its subcommands (empty for plain commands). */
  readonly children: number[][] = [];
  /** id → the parent's id, or -1. */
  readonly parents: number[] = [];
  /** Ids of top-level commands in table order. */
  readonly topLevel: number[] = [];
  private readonly ids = new Map<CommandSpec, number>();
  private readonly byName = new Map<string, number>();

  constructor(table: CommandTable) {
    for (const spec of table.all()) {
      const id = this.add(spec, -1, spec.name);
      this.topLevel.push(id);
      for (const sub of spec.subcommands ?? []) {
        this.children[id]!.push(this.add(sub, id, `${spec.name}|${sub.name}`));
      }
    }
  }

  private add(spec: CommandSpec, parent: number, fullName: string): number {
    const id = this.specs.length;
    this.specs.push(spec);
    this.fullNames.push(fullName);
    this.categories.push(categoryMask(spec.categories));
    this.children.push([]);
    this.parents.push(parent);
    this.ids.set(spec, id);
    this.byName.set(fullName, id);
    return id;
  }

  /** The bit that only +@all sets. */
  get future(): number {
    return this.specs.length;
  }

  idOf(spec: CommandSpec): number {
    return this.ids.get(spec) ?? -1;
  }

  /**
   * A command by name as ACL rules name it ("get", "config|get"), as Redis's ACLLookupCommand: a name with
   * a '|' must name a real subcommand; a plain command followed by '|x' is not found. -1 when unknown.
   */
  lookup(name: string): number {
    const parts = name.toLowerCase().split('|');
    if (parts.length > 2) return -1;
    const base = this.byName.get(parts[0]!);
    if (base === undefined || this.parents[base] !== -1) return -1;
    if (parts.length === 1) return base;
    if (this.children[base]!.length === 0) return -1;
    return this.byName.get(`${parts[0]}|${parts[1]}`) ?? -1;
  }
}
