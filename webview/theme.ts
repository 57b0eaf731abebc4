/**
 * Colours and fonts read from VS Code's theme CSS variables (getComputedStyle), so charts and maps
 * follow light, dark and high-contrast themes. VS Code changes the body class and the variables
 * when the theme changes: `watchTheme` calls back then.
 */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

export interface Theme {
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
  foreground: string;
  mutedForeground: string;
  background: string;
  border: string;
  grid: string;
  focus: string;
  fontFamily: string;
  fontSize: number;
  /** Colours of chart series, in order (the first is the train loss). */
  series: string[];
  /** Lines of the hatch that marks masked cells, drawn over `background`. */
  hatch: string;
  /** The heatmap's hue comes from this colour. */
  mapBase: Rgb;
  /** The two hues of a diverging scale (negative, positive). */
  divergingBases: [Rgb, Rgb];
}

const BLUE: Rgb = { r: 26, g: 133, b: 255 };
const RED: Rgb = { r: 229, g: 20, b: 0 };

let probe: CanvasRenderingContext2D | null = null;

/** Any CSS colour → rgb, via the canvas colour parser; null when it is not a colour. */
export function parseColor(value: string): Rgb | null {
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe || !value.trim()) return null;
  probe.fillStyle = '#010203';
  probe.fillStyle = value.trim();
  const parsed = String(probe.fillStyle);
  if (parsed === '#010203' && value.trim().toLowerCase() !== '#010203') return null;
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(parsed);
  if (hex) return { r: parseInt(hex[1], 16), g: parseInt(hex[2], 16), b: parseInt(hex[3], 16) };
  const rgba = /rgba?\(\s*(\d+),\s*(\d+),\s*(\d+)/.exec(parsed);
  return rgba ? { r: +rgba[1], g: +rgba[2], b: +rgba[3] } : null;
}

function cssVar(style: CSSStyleDeclaration, names: string[], fallback: string): string {
  for (const name of names) {
    const value = style.getPropertyValue(name).trim();
    if (value) return value;
  }
  return fallback;
}

function themeKind(): Theme['kind'] {
  const classes = document.body.classList;
  if (classes.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (classes.contains('vscode-high-contrast')) return 'high-contrast';
  if (classes.contains('vscode-dark')) return 'dark';
  if (classes.contains('vscode-light')) return 'light';
  const background = parseColor(getComputedStyle(document.body).getPropertyValue('--vscode-editor-background'));
  return background && background.r + background.g + background.b < 384 ? 'dark' : 'light';
}

export function readTheme(): Theme {
  const style = getComputedStyle(document.body);
  const kind = themeKind();
  const dark = kind === 'dark' || kind === 'high-contrast';
  const foreground = cssVar(style, ['--vscode-foreground', '--vscode-editor-foreground'], dark ? '#cccccc' : '#333333');
  const size = parseFloat(cssVar(style, ['--vscode-font-size'], '13'));
  return {
    kind,
    foreground,
    mutedForeground: cssVar(style, ['--vscode-descriptionForeground'], foreground),
    background: cssVar(style, ['--vscode-editor-background'], dark ? '#1e1e1e' : '#ffffff'),
    border: cssVar(
      style,
      ['--vscode-contrastBorder', '--vscode-panel-border', '--vscode-editorWidget-border'],
      dark ? '#454545' : '#c8c8c8',
    ),
    grid: cssVar(
      style,
      ['--vscode-editorWidget-border', '--vscode-panel-border', '--vscode-widget-border'],
      dark ? '#454545' : '#d4d4d4',
    ),
    focus: cssVar(style, ['--vscode-focusBorder'], '#0090f1'),
    fontFamily: cssVar(style, ['--vscode-font-family'], 'system-ui, sans-serif'),
    fontSize: Number.isFinite(size) ? size : 13,
    series: [
      cssVar(style, ['--vscode-charts-blue'], '#1a85ff'),
      cssVar(style, ['--vscode-charts-orange'], '#d18616'),
      cssVar(style, ['--vscode-charts-green'], '#388a34'),
      cssVar(style, ['--vscode-charts-purple'], '#652d90'),
      cssVar(style, ['--vscode-charts-red'], '#e51400'),
      cssVar(style, ['--vscode-charts-yellow'], '#bf8803'),
    ],
    hatch: cssVar(
      style,
      ['--vscode-contrastBorder', '--vscode-descriptionForeground', '--vscode-foreground'],
      dark ? '#9d9d9d' : '#616161',
    ),
    mapBase: parseColor(cssVar(style, ['--vscode-charts-blue', '--vscode-focusBorder'], '#1a85ff')) ?? BLUE,
    divergingBases: [
      parseColor(cssVar(style, ['--vscode-charts-blue'], '#1a85ff')) ?? BLUE,
      parseColor(cssVar(style, ['--vscode-charts-red'], '#e51400')) ?? RED,
    ],
  };
}

/** Calls `onChange` when VS Code switches theme (body class or inline variables change). */
export function watchTheme(onChange: () => void): void {
  let last = '';
  const check = (): void => {
    const key = `${document.body.className}|${document.documentElement.getAttribute('style') ?? ''}|${document.body.getAttribute('style') ?? ''}`;
    if (key !== last) {
      last = key;
      onChange();
    }
  };
  last = `${document.body.className}|${document.documentElement.getAttribute('style') ?? ''}|${document.body.getAttribute('style') ?? ''}`;
  const observer = new MutationObserver(check);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'style', 'data-vscode-theme-kind'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
}
