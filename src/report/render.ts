/**
 * Vega-Lite spec -> SVG and PNG, in Node with no browser and no canvas package: Vega lays the chart
 * out headless (renderer 'none') and writes SVG; resvg rasterises that SVG with the machine's fonts.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG } from './chart-config.ts';

export interface RenderOptions {
  /** PNG pixels per SVG pixel; 2 keeps text sharp on high-density screens and in printed reports. */
  readonly scale?: number;
}

export interface RenderedChart {
  readonly svg: string;
  readonly png: Buffer;
  /** The PNG's size in pixels. */
  readonly width: number;
  readonly height: number;
  /** What Vega-Lite and Vega complained about (a log scale fed a zero, a field never set...). */
  readonly warnings: readonly string[];
}

export const DEFAULT_SCALE = 2;

/** The spec's own config wins over CHART_CONFIG, key by key at the top level. */
export async function renderChart(spec: TopLevelSpec, options: RenderOptions = {}): Promise<RenderedChart> {
  const scale = options.scale ?? DEFAULT_SCALE;
  if (!(scale > 0 && Number.isFinite(scale))) throw new RangeError(`renderChart: scale must be a positive number, not ${scale}`);
  const log = collectingLogger();
  const { spec: vgSpec } = compile({ ...spec, config: { ...CHART_CONFIG, ...spec.config } }, { logger: log.logger });
  const refused: string[] = [];
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', loader: inlineOnlyLoader(refused), logger: log.logger });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  // Vega only warns when data fails to load and draws an empty chart: a caller must hear of it.
  if (refused.length > 0) throw new Error(`renderChart: chart data must be inline; the spec asks to load ${refused.join(', ')}`);
  if (log.errors.length > 0) throw new Error(`renderChart: ${log.errors.join('; ')}`);
  const image = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    // Without system fonts resvg draws the marks but silently drops every label.
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    logLevel: 'off',
  }).render();
  return { svg, png: image.asPng(), width: image.width, height: image.height, warnings: log.warnings };
}

interface CollectingLogger {
  readonly logger: vega.LoggerInterface;
  readonly warnings: string[];
  readonly errors: string[];
}

/** Vega and Vega-Lite log to the console by default; a library must hand these to its caller. */
function collectingLogger(): CollectingLogger {
  const warnings: string[] = [];
  const errors: string[] = [];
  const text = (args: unknown[]): string => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  let level: number = vega.Warn;
  const logger: vega.LoggerInterface = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error(...args) {
      errors.push(text(args));
      return logger;
    },
    warn(...args) {
      warnings.push(text(args));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return { logger, warnings, errors };
}

/** Charts carry their data inline: a spec naming a URL or file must not make rendering read it. */
function inlineOnlyLoader(refused: string[]): vega.Loader {
  const refuse = (uri: string): Promise<never> => {
    refused.push(uri);
    return Promise.reject(new Error(`chart data must be inline; the spec asks to load ${uri}`));
  };
  return { load: refuse, sanitize: refuse, http: refuse, file: refuse };
}
