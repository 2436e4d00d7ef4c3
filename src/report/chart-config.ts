/**
 * The look every faasbench chart shares, fixed so that the same data always gives the same SVG,
 * whether rendered here for a report or in the dashboard's browser.
 */
import type { Config } from 'vega-lite';

/**
 * DejaVu Sans first: it is the font most Linux machines have, and the PNG rasteriser only draws
 * text in fonts it can find. Browsers viewing the SVG fall through to whatever they have.
 */
export const CHART_FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

export const CHART_CONFIG: Config = {
  font: CHART_FONT,
  background: 'white',
  padding: 8,
  title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
};
