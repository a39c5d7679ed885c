/** Flags read from a command line: the last value of each, and every value of the repeatable ones. */
export type Flags = {
  get(name: string): string | undefined;
  has(name: string): boolean;
  /** Every value of a repeatable flag, in order. */
  all(name: string): string[];
};

export type ReadFlagsOptions = {
  /** Flags that take a value, without the leading `--`. */
  values: readonly string[];
  /** Flags that may be given more than once (also listed in `values`). */
  repeatable?: readonly string[];
  /** Flags that take no value (`--debug-mode`), or `--name=true|false`. */
  booleans?: readonly string[];
};

/**
 * The command-line reader the signer, the rpc-proxy and the host-agent daemon share: `--name value` and
 * `--name=value`, boolean flags alone, repeatable flags; anything else is a TypeError with a one-line reason
 * (an unknown option, a stray argument, a missing value). The CLIs with subcommands use `node:util`
 * parseArgs instead; this one runs in the signer too, which has no Node compatibility layer to lean on.
 *
 * @example
 * ```ts
 * const flags = readFlags(["--port", "8545", "--pcr=0=ab…"], { values: ["port", "pcr"], repeatable: ["pcr"] });
 * flags.get("port"); // "8545"
 * ```
 */
export function readFlags(args: readonly string[], options: ReadFlagsOptions): Flags {
  const values = new Set(options.values);
  const booleans = new Set(options.booleans ?? []);
  const repeatable = new Set(options.repeatable ?? []);
  const seen = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) throw new TypeError(`Unexpected argument ${arg}`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    let value: string | undefined;
    if (booleans.has(name)) {
      value = eq < 0 ? "true" : arg.slice(eq + 1);
    } else if (values.has(name)) {
      value = eq < 0 ? args[++i] : arg.slice(eq + 1);
      if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new TypeError(`Missing value for --${name}`);
    } else {
      throw new TypeError(`Unknown option --${name}`);
    }
    if (seen.has(name) && !repeatable.has(name)) seen.get(name)!.splice(0);
    seen.set(name, [...(seen.get(name) ?? []), value]);
  }
  return {
    get: (name) => seen.get(name)?.at(-1),
    has: (name) => seen.has(name),
    all: (name) => seen.get(name) ?? [],
  };
}
