// Inputs as SeBS's 500.scientific generators make them: the graph's size by input name and the
// seed the function builds its Barabási–Albert graph from. Nothing is uploaded.
const SIZES = { test: 10, small: 10_000, large: 100_000 };

export async function generateInput(name, { seed }) {
  if (!(name in SIZES)) throw new Error(`no input "${name}" (there are: ${Object.keys(SIZES).join(', ')})`);
  return { size: SIZES[name], seed };
}
