import type { SignerAddress } from "./transport.ts";

/**
 * Parses a signer address written as a URL: `tcp://127.0.0.1:5000`, `unix:///run/signer.sock`,
 * `vsock://16:5000` (cid -1 means "any" when listening).
 *
 * @example
 * ```ts
 * parseSignerAddress("vsock://16:5000"); // { transport: "vsock", cid: 16, port: 5000 }
 * ```
 */
export function parseSignerAddress(text: string): SignerAddress {
  const match = /^(tcp|unix|vsock):\/\/(.+)$/.exec(text);
  if (!match) throw new TypeError(`Cannot parse signer address "${text}": expected tcp://, unix:// or vsock://`);
  const [, scheme, rest = ""] = match;
  if (scheme === "unix") return { transport: "unix", path: rest };
  const at = rest.lastIndexOf(":");
  const host = rest.slice(0, at);
  const port = Number(rest.slice(at + 1));
  if (at < 1 || !Number.isInteger(port) || port < 0 || port > 0xffffffff) {
    throw new TypeError(`Cannot parse signer address "${text}": expected host:port`);
  }
  if (scheme === "vsock") {
    const cid = Number(host);
    if (!Number.isInteger(cid) || cid < -1) throw new TypeError(`Cannot parse signer address "${text}": bad cid`);
    return { transport: "vsock", cid, port };
  }
  if (port > 65535) throw new RangeError(`Cannot parse signer address "${text}": port above 65535`);
  return { transport: "tcp", hostname: host.replace(/^\[(.*)\]$/, "$1"), port };
}

/** Formats an address back into its URL form. */
export function formatSignerAddress(address: SignerAddress): string {
  switch (address.transport) {
    case "unix": return `unix://${address.path}`;
    case "vsock": return `vsock://${address.cid}:${address.port}`;
    case "tcp": return `tcp://${address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname}:${address.port}`;
  }
}
