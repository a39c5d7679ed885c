import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

// Anvil's published dev keys: test keys, never real ones.
export const ANVIL_KEYS: readonly Hex[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
];
export const [admin0, admin1, admin2, outsider, governed, other] = ANVIL_KEYS.map((k) => privateKeyToAccount(k)) as [
  ReturnType<typeof privateKeyToAccount>,
  ReturnType<typeof privateKeyToAccount>,
  ReturnType<typeof privateKeyToAccount>,
  ReturnType<typeof privateKeyToAccount>,
  ReturnType<typeof privateKeyToAccount>,
  ReturnType<typeof privateKeyToAccount>,
];

export const ACCOUNT = governed.address; // 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65
export const ALICE: Hex = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
export const BOB: Hex = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
export const TOKEN: Hex = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
export const PERMIT_CONTRACT: Hex = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";

/** 2026-01-01T00:00:00Z: the tests' "now". */
export const NOW = Date.UTC(2026, 0, 1);

export const governance = {
  admins: [admin0.address, admin1.address, admin2.address].map((a) => a.toLowerCase() as Hex).sort(),
  threshold: 2,
};

/** The example document (format v1), with real addresses. */
export function exampleDocument(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    account: ACCOUNT,
    sequence: 1,
    notAfter: "2027-06-01T00:00:00Z",
    rules: [
      { id: "pay-alice", effect: "allow", action: "transaction", chainIds: [31337], to: [ALICE], maxValue: "1000000000000000000", selectors: ["0x"] },
      { id: "usdc", effect: "allow", action: "transaction", to: [TOKEN], selectors: ["0xa9059cbb"], erc20: { maxAmount: "5000000", recipients: [BOB] } },
      { id: "permits", effect: "allow", action: "typedData", domain: { chainId: 31337, verifyingContract: PERMIT_CONTRACT }, primaryTypes: ["Permit"] },
      { id: "no-messages", effect: "deny", action: "message" },
    ],
    limits: [
      { id: "daily-eth", window: 86400, maxValue: "1500000000000000000" },
      { id: "hourly-count", window: 3600, maxCount: 100 },
    ],
    ...overrides,
  };
}

/** A deep copy to mutate. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
