import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { JsonFileStore } from "./json_file_store.ts";

/**
 * Opens (or creates with `initial`) the JSON state file of a local stand-in. Files are written with mode 0600:
 * the KMS stand-in keeps its key secrets here. Node-only.
 *
 * @example
 * ```ts
 * const store = await openJsonFileStore(join(stateDir, "secrets", "secrets.json"), () => ({ secrets: {} }));
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
