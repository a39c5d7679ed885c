import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCommand } from "../../../host-agent/daemon/run_command_node.ts";
import { createNitroCli } from "../../../host-agent/enclave/create_nitro_cli.ts";
import { createLocalNitroCli } from "../../../local/create_local_nitro_cli_node.ts";
import { tempDir } from "../../helpers/temp_dir.ts";
import { FAKE_NITRO_CLI } from "../helpers/fake_enclave.ts";
import { enclaveRunnerContract } from "./enclave_runner_contract.ts";

// nitro-cli through createNitroCli, with the fake nitro-cli (its enclave: an idle process) …
enclaveRunnerContract("createNitroCli() with the fake nitro-cli", async () => {
  const dir = await tempDir("runner-nitro-");
  process.env.FAKE_NITRO_CLI_STATE = join(dir.path, "nitro");
  // The fake refuses an EIF that does not exist, as nitro-cli does; the contract's EIF path is not one here.
  const eif = join(dir.path, "signer.eif");
  await writeFile(eif, "not really an EIF");
  const nitroCli = createNitroCli(runCommand, { command: FAKE_NITRO_CLI });
  return {
    nitroCli: { ...nitroCli, runEnclave: (p) => nitroCli.runEnclave(p.eifPath === "" ? p : { ...p, eifPath: eif }) },
    close: () => dir.remove(),
  };
});

// … and the local stack's runner, whose enclave is the real Deno signer on a Unix socket.
enclaveRunnerContract("createLocalNitroCli() with the Deno signer", async () => {
  const dir = await tempDir("runner-local-");
  return {
    nitroCli: createLocalNitroCli({ listen: `unix://${join(dir.path, "signer.sock")}`, signerArgs: ["--mode", "dev"] }),
    close: () => dir.remove(),
  };
});
