/** What tests read from an AWS SDK or stand-in error. */
export type CaughtError = Error & {
  name: string;
  code?: string;
  awsErrorName?: string;
  $metadata?: { httpStatusCode?: number };
};

/**
 * Awaits `promise` and returns what it rejected with; throws if it resolved. (uvu 0.5 has no `assert.rejects`.)
 *
 * @example
 * ```ts
 * const error = await errorOf(client.send(new DescribeKeyCommand({ KeyId: "alias/none" })));
 * assert.is(error.name, "NotFoundException");
 * ```
 */
export async function errorOf(promise: Promise<unknown>): Promise<CaughtError> {
  try {
    await promise;
  } catch (error) {
    return error as CaughtError;
  }
  throw new Error("expected the call to fail");
}
