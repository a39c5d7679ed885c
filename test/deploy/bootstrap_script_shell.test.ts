import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderBootstrapScript, type RenderBootstrapScriptParameters } from "../../deploy/lib/render_bootstrap_script.ts";
import { testWithTool } from "../helpers/missing_tool.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { BOOTSTRAP_PARAMETERS } from "./signer_fixtures.ts";

// The rendered bootstrap script runs once, as root, on a fresh instance, where a syntax error only shows as an
// instance that never signals CloudFormation. Every variant is checked here by the shells that would run it:
// `bash -n` (parse only) and ShellCheck (Debian's `shellcheck`; CI installs it, .ci/run).
const base: RenderBootstrapScriptParameters = {
  ...BOOTSTRAP_PARAMETERS,
  env: { ...BOOTSTRAP_PARAMETERS.env, UPSTREAM_URL: 'https://node/a"b\\c $HOME `id`' },
};
const variants: Record<string, RenderBootstrapScriptParameters> = {
  "with a build and a PCR0": base,
  "debug (no PCR0)": { ...base, expectedPcr0: undefined },
  "no build": { ...base, binaries: undefined },
};

/** The script as EC2 runs UserData: the CDK app's `#!/bin/bash` line, then the rendered lines. */
async function scriptFiles(): Promise<{ files: [string, string][]; remove(): Promise<void> }> {
  const dir = await tempDir("bootstrap-");
  const files: [string, string][] = [];
  for (const [name, parameters] of Object.entries(variants)) {
    const file = join(dir.path, `${name.replace(/\W+/g, "-")}.sh`);
    await writeFile(file, `#!/bin/bash\n${renderBootstrapScript(parameters).join("\n")}\n`);
    files.push([name, file]);
  }
  return { files, remove: () => dir.remove() };
}

test("renderBootstrapScript(): every variant parses with bash -n", async () => {
  const { files, remove } = await scriptFiles();
  try {
    for (const [name, file] of files) {
      const result = spawnSync("bash", ["-n", file], { encoding: "utf8" });
      assert.is(result.status, 0, `${name}: ${result.stderr}`);
    }
  } finally {
    await remove();
  }
});

const withShellcheck = testWithTool(spawnSync("shellcheck", ["--version"]).status === 0, "shellcheck", "apt-get install shellcheck");

withShellcheck("renderBootstrapScript(): every variant passes ShellCheck at every level", async () => {
  const { files, remove } = await scriptFiles();
  try {
    for (const [name, file] of files) {
      // Left out: SC2002 (useless cat; a style note) and SC2317 (unreachable command: the EXIT trap's function,
      // which ShellCheck cannot see being called).
      const result = spawnSync("shellcheck", ["--shell=bash", "--exclude=SC2002,SC2317", "--format=gcc", file], { encoding: "utf8" });
      assert.is(result.status, 0, `${name}:\n${result.stdout}${result.stderr}`);
    }
  } finally {
    await remove();
  }
});

test.run();
