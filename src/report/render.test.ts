import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { countPixels, decodePng, notWhite, PNG_SIGNATURE } from '../../test/support/png.ts';
import { renderChart } from './render.ts';

// autosize none and no padding: the drawing is exactly width x height, so sizes can be exact.
const bars: TopLevelSpec = {
  width: 300,
  height: 200,
  autosize: { type: 'none' },
  padding: 0,
  data: { values: [{ k: 'a', n: 3 }, { k: 'b', n: 5 }, { k: 'c', n: 1 }] },
  mark: { type: 'bar', color: '#ff0000' },
  encoding: { x: { field: 'k', type: 'nominal', axis: null }, y: { field: 'n', type: 'quantitative', axis: null, scale: { domain: [0, 5] } } },
  config: { view: { stroke: null } },
};

const isRed = (r: number, g: number, b: number): boolean => r > 200 && g < 60 && b < 60;

describe('renderChart', () => {
  it('renders SVG with the marks and a PNG of the SVG size times the scale, on white', async () => {
    const chart = await renderChart(bars);
    expect(chart.svg).toMatch(/^<svg [^>]*width="300" height="200"/);
    expect(chart.svg.match(/aria-roledescription="bar"/g)).toHaveLength(3);
    expect(chart.svg).toContain('<rect width="300" height="200" fill="white"/>');
    expect(chart.png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const image = decodePng(chart.png);
    expect([image.width, image.height, chart.width, chart.height]).toEqual([600, 400, 600, 400]);
    // Three bars 3/5, 5/5 and 1/5 high, each a third of the band scale's width less padding.
    const red = countPixels(image, isRed);
    const fullBand = (600 / 3) * 400;
    expect(red).toBeGreaterThan(fullBand * (9 / 5) * 0.8);
    expect(red).toBeLessThan(fullBand * (9 / 5));
    expect(countPixels(image, (r, g, b, a) => a === 255 && r === 255 && g === 255 && b === 255)).toBe(600 * 400 - countPixels(image, notWhite));
    expect(chart.warnings).toEqual([]);
  });

  it('draws text with the machine fonts', async () => {
    const spec: TopLevelSpec = { ...bars, mark: { type: 'text', fontSize: 40, color: '#000000' }, data: { values: [{ k: 'a', n: 2.5, t: 'TEXT' }] }, encoding: { ...bars.encoding, text: { field: 't' } } };
    const chart = await renderChart(spec, { scale: 1 });
    expect(chart.svg).toMatch(/<text [^>]*font-family="DejaVu Sans, [^"]*"[^>]*>TEXT<\/text>/);
    const dark = countPixels(decodePng(chart.png), (r, g, b, a) => a > 0 && r < 100 && g < 100 && b < 100);
    // 40 px capitals: a few hundred inked pixels; zero would mean resvg found no font.
    expect(dark).toBeGreaterThan(300);
  });

  it('gives byte-identical output for the same spec', async () => {
    const [one, two] = [await renderChart(bars), await renderChart(bars)];
    expect(two.svg).toBe(one.svg);
    expect(two.png.equals(one.png)).toBe(true);
  });

  it("lets the spec's config override the house style", async () => {
    const chart = await renderChart({ ...bars, config: { ...bars.config, background: '#000000' } }, { scale: 1 });
    expect(chart.svg).toContain('fill="#000000"/>');
  });

  it('refuses data that is not inline, and reports warnings instead of printing them', async () => {
    await expect(renderChart({ ...bars, data: { url: '/etc/passwd' } })).rejects.toThrow('chart data must be inline; the spec asks to load /etc/passwd');
    const odd = await renderChart({ ...bars, encoding: { ...bars.encoding, color: { field: 'k', type: 'quantitative', scale: { type: 'log' } } } }, { scale: 1 });
    expect(odd.warnings.length).toBeGreaterThan(0);
    await expect(renderChart(bars, { scale: 0 })).rejects.toThrow('scale must be a positive number, not 0');
  });
});
