/** Waits for `promise`, or for timeoutMs, whichever comes first; never rejects. */
export async function within(promise: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([promise.catch(() => undefined), deadline]);
  clearTimeout(timer);
}
