// Inputs as SeBS's 110.dynamic-html generates them: a fixed username and random_len by size.
// Nothing is uploaded; the seed does not change the event (the numbers are drawn per call).
const RANDOM_LEN = { test: 10, small: 1000, large: 100_000 };

export async function generateInput(name) {
  if (!(name in RANDOM_LEN)) throw new Error(`dynamic-html has no input "${name}" (it has: ${Object.keys(RANDOM_LEN).join(', ')})`);
  return { username: 'testname', random_len: RANDOM_LEN[name] };
}
