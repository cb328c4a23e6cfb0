import type { CommandSpec } from './commands/registry.js';

/** The command registry: built once from the groups' spec lists, looked up case-insensitively. */
export class CommandTable {
  private readonly byName = new Map<string, CommandSpec>();
  private readonly parents = new Map<CommandSpec, CommandSpec>();
  private readonly subcommands = new Map<CommandSpec, Map<string, CommandSpec>>();

  constructor(private readonly specs: CommandSpec[]) {
    for (const spec of specs) {
      if (this.byName.has(spec.name)) throw new Error(`command ${spec.name} registered twice`);
      this.byName.set(spec.name, spec);
      // Clients send names in upper case as often as lower: both hit on the first lookup.
      this.byName.set(spec.name.toUpperCase(), spec);
      if (spec.subcommands) {
        const subs = new Map<string, CommandSpec>();
        for (const sub of spec.subcommands) {
          subs.set(sub.name, sub);
          subs.set(sub.name.toUpperCase(), sub);
          this.parents.set(sub, spec);
        }
        this.subcommands.set(spec, subs);
      }
    }
  }

  lookup(name: string): CommandSpec | undefined {
    return this.byName.get(name) ?? this.byName.get(name.toLowerCase());
  }

  lookupSubcommand(parent: CommandSpec, name: string): CommandSpec | undefined {
    const subs = this.subcommands.get(parent);
    return subs?.get(name) ?? subs?.get(name.toLowerCase());
  }

  /** "get", or "config|get" for a subcommand. */
  fullName(spec: CommandSpec): string {
    const parent = this.parents.get(spec);
    return parent ? `${parent.name}|${spec.name}` : spec.name;
  }

  parentOf(spec: CommandSpec): CommandSpec | undefined {
    return this.parents.get(spec);
  }

  all(): IterableIterator<CommandSpec> {
    return this.specs.values();
  }

  get size(): number {
    return this.specs.length;
  }
}
