import type { MethodGroup } from "../auth/method_group.ts";

/**
 * Methods that sign with, send from or manage keys the node holds. Passed through, the node would answer them
 * with its own keys (Anvil's dev accounts, an unlocked geth keystore), so the proxy refuses them with EIP-1193
 * 4200 naming what to use instead (`use`); for API keys they count in the `group` of what they would do.
 */
export const UNSUPPORTED_METHODS: Readonly<Record<string, { use: string; group: MethodGroup }>> = {
  eth_signTypedData: { use: "eth_signTypedData_v4", group: "sign" },
  eth_signTypedData_v1: { use: "eth_signTypedData_v4", group: "sign" },
  eth_signTypedData_v3: { use: "eth_signTypedData_v4", group: "sign" },
  personal_signTransaction: { use: "eth_signTransaction", group: "sign" },
  personal_sendTransaction: { use: "eth_sendTransaction", group: "send" },
  personal_unlockAccount: { use: "nothing: the keys never leave the enclave", group: "sign" },
  personal_lockAccount: { use: "nothing: the keys never leave the enclave", group: "sign" },
  personal_newAccount: { use: "the host-agent's `keys generate`", group: "sign" },
  personal_importRawKey: { use: "the host-agent's `keys import`", group: "sign" },
};
