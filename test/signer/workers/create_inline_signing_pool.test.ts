import { test } from "uvu";
import { createInlineSigningPool } from "../../../signer/workers/create_inline_signing_pool.ts";
import { signingPoolContract } from "./signing_pool_contract.ts";

// `--workers 0`, and the pool every in-process test gets by default.
signingPoolContract("createInlineSigningPool()", createInlineSigningPool, 0);

test.run();
