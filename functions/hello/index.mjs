// The smallest nodejs function: answers with a greeting and echoes the event.
export const handler = async (event) => ({ message: `hello ${event?.name ?? 'world'}`, runtime: 'nodejs', event });
