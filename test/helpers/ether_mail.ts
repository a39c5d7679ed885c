import type { Hex } from "viem";

/** EIP-712's own example (Ether Mail) on the local chain, with a uint256 amount: typed data the client tests sign. */
export const mail = {
  domain: { name: "Ether Mail", version: "1", chainId: 31337, verifyingContract: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC" as Hex },
  types: {
    Person: [{ name: "name", type: "string" }, { name: "wallet", type: "address" }],
    Mail: [{ name: "from", type: "Person" }, { name: "to", type: "Person" }, { name: "contents", type: "string" }, { name: "amount", type: "uint256" }],
  },
  message: {
    from: { name: "Cow", wallet: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" as Hex },
    to: { name: "Bob", wallet: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" as Hex },
    contents: "Hello, Bob!",
    amount: 10n ** 30n,
  },
};
