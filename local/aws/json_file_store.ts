/**
 * A JSON document kept in memory and persisted after each change: the state of a local AWS stand-in. The
 * operations of a stand-in are written against this type; `openJsonFileStore` (Node) gives the file-backed one.
 *
 * @example
 * ```ts
 * function countKeys(store: JsonFileStore<{ keys: string[] }>): number {
 *   return store.state.keys.length;
 * }
 * ```
 */
export type JsonFileStore<T> = {
  /** The current state. Treat it as read-only outside `update`. */
  readonly state: T;
  /**
   * Applies `change` to the state and persists the result (write to a temporary file, then rename, so a crash
   * never leaves half a file). Changes are serialised; the promise settles once this one is on disk.
   */
  update<R>(change: (state: T) => R): Promise<R>;
};
