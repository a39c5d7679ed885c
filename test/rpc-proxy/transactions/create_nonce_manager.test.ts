import { test } from "uvu";
import { createNonceManager } from "../../../rpc-proxy/transactions/create_nonce_manager.ts";
import { nonceManagerContract } from "./nonce_manager_contract.ts";

nonceManagerContract("createNonceManager (memory)", () => createNonceManager());

test.run();
