import { startLocalStack, type LocalStack, type StartLocalStackOptions } from "../../local/start_local_stack_node.ts";
import { tempDir } from "./temp_dir.ts";

/** The local stack on free loopback ports in a fresh state directory; `stop()` also removes the directory. */
export async function startTestStack(options: StartLocalStackOptions = {}): Promise<LocalStack & { stateDir: string }> {
  const dir = await tempDir("stack-");
  const stack = await startLocalStack({ port: 0, stateDir: dir.path, ...options });
  return {
    ...stack,
    stateDir: dir.path,
    async stop() {
      await stack.stop();
      await dir.remove();
    },
  };
}
