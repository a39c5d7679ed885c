import type { Hex } from "viem";

/** Anvil's second published dev key: signs the raw (in-process) measurements. Never a real key. */
export const BENCH_KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

/** Anvil's third published dev key: sends the pre-signed transactions straight to Anvil. Never a real key. */
export const RAW_SENDER_KEY: Hex = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

/** Anvil's fourth published dev key: viem's local account sends with it (issue 14). Never a real key. */
export const VIEM_SENDER_KEY: Hex = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";

/** Anvil's fifth published dev key: ethers' Wallet sends with it (issue 14). Never a real key. */
export const ETHERS_SENDER_KEY: Hex = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";
