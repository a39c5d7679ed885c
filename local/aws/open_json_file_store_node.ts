import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** A JSON document kept in memory and persisted to one file after each change. */
export type JsonFileStore<T> = {
  /** The current state. Treat it as read-only outside `update`. */
  readonly state: T;
  /**
   * Applies `change` to the state and persists the result (write to a temporary file, then rename, so a crash
   * never leaves half a file). Changes are serialised; the promise settles once this one is on disk.
   */
  update<R>(change: (state: T) => R): Promise<R>;
};

/**
 * Opens (or creates with `initial`) the JSON state file of a local stand-in. Files are written with mode 0600:
 * the KMS stand-in keeps its key secrets here. Node-only.
 *
 * @example
 * ```ts
 * const store = await openJsonFileStore(join(stateDir, "secrets", "secrets.json"), { secrets: {} });
 * await store.update((s) => { s.secrets[name] = record; });
 * ```
 */
export async function openJsonFileStore<T>(path: string, initial: () => T): Promise<JsonFileStore<T>> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let state: T;
  try {
    state = JSON.parse(await readFile(path, "utf8")) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`Cannot read state file ${path}`, { cause: error });
    state = initial();
    await persist(path, state);
  }
  let queue: Promise<unknown> = Promise.resolve();
  return {
    get state() {
      return state;
    },
    update(change) {
      const run = queue.then(async () => {
        // Work on a copy so a change that throws halfway leaves the state untouched.
        const draft = structuredClone(state);
        const result = change(draft);
        await persist(path, draft);
        state = draft;
        return result;
      });
      queue = run.catch(() => {});
      return run;
    },
  };
}

async function persist(path: string, state: unknown): Promise<void> {
  const temporary = `${path}.${process.pid}.${crypto.randomUUID()}.tmp`;
  await writeFile(temporary, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  await rename(temporary, path);
}
