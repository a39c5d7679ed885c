// Compiled only by tsconfig.signer.json (the root tsconfig excludes it): proves that the signer's web-standard
// code was checked without Node's globals. If an import (a Node-API file, or a package whose types reference
// Node's, such as undici) brings them in after all, `Buffer` and `process` resolve, these directives go unused
// and the check fails, instead of quietly accepting Node-only code for the enclave.

// @ts-expect-error Node's `Buffer` must not be declared for the signer's web-standard code.
export type NoBuffer = typeof Buffer;
// @ts-expect-error Node's `process` must not be declared for the signer's web-standard code.
export type NoProcess = typeof process;
// @ts-expect-error Deno's namespace must not be declared either: Deno-only code lives in *_deno.ts.
export type NoDeno = typeof Deno;
