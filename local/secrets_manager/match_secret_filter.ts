import type { SecretRecord } from "./secrets_state.ts";

/**
 * Whether `secret` passes one value of a ListSecrets filter (API_Filter): `name`, `tag-key`, `tag-value` (and
 * `primary-region`, `owning-service`) are case-sensitive prefix matches, `description` a case-insensitive prefix
 * match, `all` matches words anywhere (case-insensitive). A leading `!` negates. Tag filters are independent:
 * `tag-key` and `tag-value` need not match the same tag.
 *
 * @example
 * ```ts
 * const hit = matchSecretFilter(secret, { key: "tag-key", value: "!env" });
 * ```
 */
export function matchSecretFilter(secret: SecretRecord, filter: { readonly key: string; readonly value: string }): boolean {
  const negate = filter.value.startsWith("!");
  const value = negate ? filter.value.slice(1) : filter.value;
  let hit: boolean;
  switch (filter.key) {
    case "name":
      hit = secret.name.startsWith(value);
      break;
    case "description":
      hit = (secret.description ?? "").toLowerCase().startsWith(value.toLowerCase());
      break;
    case "tag-key":
      hit = secret.tags.some((t) => t.Key.startsWith(value));
      break;
    case "tag-value":
      hit = secret.tags.some((t) => t.Value.startsWith(value));
      break;
    case "all": {
      const haystack = [secret.name, secret.description ?? "", ...secret.tags.flatMap((t) => [t.Key, t.Value])].join(" ").toLowerCase();
      hit = value.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).every((word) => haystack.includes(word));
      break;
    }
    default:
      hit = false; // primary-region / owning-service: the stand-in has no replicas and no managed secrets.
  }
  return negate ? !hit : hit;
}
