/** Bounds a promise: rejects with TimeoutError after `ms` (the promise itself keeps running). */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what = "the call"): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(`${what} got no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
