// dynalite 4 ships no types: the one call local/dynamodb makes.
declare module "dynalite" {
  import type { Server } from "node:http";
  export type DynaliteOptions = {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  };
  export default function dynalite(options?: DynaliteOptions): Server;
}
