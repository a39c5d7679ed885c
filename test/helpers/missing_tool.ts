import { test } from "uvu";

/**
 * Whether this run is CI: `CI` set to anything but "" or "false" (GitHub Actions, GitLab and most runners set
 * CI=true). In CI a tool a test needs is installed by .ci/run or by npm, so its absence is breakage, not a reason
 * to skip.
 */
export const IN_CI = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI.toLowerCase() !== "false";

/**
 * Called by a test that cannot run because `tool` is missing: in CI it throws (the test fails, with what to
 * install); elsewhere it prints a `[skip]` line and returns, and the test ends there.
 *
 * @example
 * ```ts
 * if (!hasShellcheck) return missingTool("shellcheck", "apt-get install shellcheck");
 * ```
 */
export function missingTool(tool: string, install: string): void {
  const reason = `${tool} is missing (${install})`;
  if (IN_CI) throw new Error(`${reason}: with CI=true a missing tool fails the run instead of skipping`);
  console.log(`[skip] ${reason}`);
}

/**
 * `test`, for tests that need `tool`: registered as is when `available`; otherwise a failing test in CI and a
 * skipped one (uvu counts it) elsewhere.
 *
 * @example
 * ```ts
 * const withOpenssl = testWithTool(hasOpenssl, "openssl", "apt-get install openssl");
 * withOpenssl("decrypts an openssl cms envelope", async () => { … });
 * ```
 */
export function testWithTool(available: boolean, tool: string, install: string): (name: string, fn: () => unknown) => void {
  if (available) return (name, fn) => test(name, fn as () => Promise<void>);
  if (IN_CI) return (name) => test(name, () => missingTool(tool, install));
  console.log(`[skip] ${tool} is missing (${install}): the tests that need it are skipped`);
  return (name, fn) => test.skip(`${name} (${tool} not found)`, fn as () => Promise<void>);
}
