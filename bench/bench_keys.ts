import type { Hex } from "viem";

/** Anvil's second published dev key: signs the raw (in-process) measurements. Never a real key. */
export const BENCH_KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

/** Anvil's third published dev key: sends the pre-signed transactions straight to Anvil. Never a real key. */
export const RAW_SENDER_KEY: Hex = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
