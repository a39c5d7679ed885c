import type { StateTable } from "./create_state_table.ts";

/** The window item of an account as the table holds it (docs/fleet-state.md). */
export type StoredWindow = { readonly version: number; readonly record: Uint8Array; readonly expiresAt: number };

/**
 * The fleet's spend-window records (docs/fleet-state.md), one item `window#<address lowercase>` per governed
 * account: `{ version, record, expiresAt }`. The records are the signer's (MAC'd by the account's key); the
 * store only reads them (consistently) and writes them conditionally.
 */
export type WindowStore = {
  /** The account's stored record, or null when the table has none. */
  read(address: string): Promise<StoredWindow | null>;
  /**
   * Stores `next` if the item is still at `presented` (the version the signer was shown; null: the item must be
   * absent). False when another instance wrote first.
   */
  write(address: string, next: StoredWindow, presented: number | null): Promise<boolean>;
};

/**
 * The window store on the state table.
 *
 * @example
 * ```ts
 * const windows = createWindowStore(table);
 * const stored = await windows.read(address);
 * const ok = await windows.write(address, result.window, stored?.version ?? null);
 * ```
 */
export function createWindowStore(table: StateTable): WindowStore {
  return {
    async read(address) {
      const item = await table.get(windowItemKey(address));
      const record = item?.["record"]?.B;
      if (!item || !record) return null;
      return { version: Number(item["version"]?.N ?? "0"), record: new Uint8Array(record), expiresAt: Number(item["expiresAt"]?.N ?? "0") };
    },
    write(address, next, presented) {
      if (!Number.isSafeInteger(next.version) || next.version < 1) throw new RangeError(`Invalid window version ${next.version}`);
      const item = {
        pk: { S: windowItemKey(address) },
        version: { N: String(next.version) },
        record: { B: next.record },
        expiresAt: { N: String(Math.ceil(next.expiresAt)) },
      };
      return table.put(
        item,
        presented === null
          ? { condition: "attribute_not_exists(pk)" }
          : { condition: "#version = :presented", names: { "#version": "version" }, values: { ":presented": { N: String(presented) } } },
      );
    },
  };
}

function windowItemKey(address: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new TypeError(`Invalid address ${address}: expected 20-byte hex`);
  return `window#${address.toLowerCase()}`;
}
