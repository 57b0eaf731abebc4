/**
 * VS Code theme CSS variables for the webview tests: a light and a dark variant (values from
 * VS Code's Light Modern and Dark Modern themes), applied the way VS Code does it: as inline
 * custom properties on <html> plus a body class.
 */
export interface TestTheme {
  name: 'light' | 'dark';
  bodyClass: string;
  kind: string;
  variables: Record<string, string>;
}

const common = {
  '--vscode-font-family': '-apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-font-weight': 'normal',
  '--vscode-editor-font-family': '"DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace',
  '--vscode-editor-font-size': '13px',
};

export const LIGHT: TestTheme = {
  name: 'light',
  bodyClass: 'vscode-light',
  kind: 'vscode-light',
  variables: {
    ...common,
    '--vscode-foreground': '#3b3b3b',
    '--vscode-descriptionForeground': '#3b3b3b',
    '--vscode-errorForeground': '#f85149',
    '--vscode-focusBorder': '#005fb8',
    '--vscode-editor-background': '#ffffff',
    '--vscode-editor-foreground': '#3b3b3b',
    '--vscode-editorWidget-background': '#f8f8f8',
    '--vscode-editorWidget-border': '#c8c8c8',
    '--vscode-widget-border': '#e5e5e5',
    '--vscode-panel-border': '#e5e5e5',
    '--vscode-widget-shadow': 'rgba(0, 0, 0, 0.16)',
    '--vscode-button-background': '#005fb8',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#0258a8',
    '--vscode-button-border': '#0000001a',
    '--vscode-button-secondaryBackground': '#e5e5e5',
    '--vscode-button-secondaryForeground': '#3b3b3b',
    '--vscode-button-secondaryHoverBackground': '#cccccc',
    '--vscode-badge-background': '#cccccc',
    '--vscode-badge-foreground': '#3b3b3b',
    '--vscode-input-background': '#ffffff',
    '--vscode-input-foreground': '#3b3b3b',
    '--vscode-input-border': '#cecece',
    '--vscode-input-placeholderForeground': '#767676',
    '--vscode-settings-textInputBackground': '#ffffff',
    '--vscode-settings-textInputForeground': '#3b3b3b',
    '--vscode-settings-textInputBorder': '#cecece',
    '--vscode-settings-dropdownBackground': '#ffffff',
    '--vscode-settings-dropdownForeground': '#3b3b3b',
    '--vscode-settings-dropdownBorder': '#cecece',
    '--vscode-settings-dropdownListBorder': '#c8c8c8',
    '--vscode-settings-checkboxBackground': '#f8f8f8',
    '--vscode-settings-checkboxForeground': '#3b3b3b',
    '--vscode-settings-checkboxBorder': '#cecece',
    '--vscode-checkbox-background': '#f8f8f8',
    '--vscode-checkbox-border': '#cecece',
    '--vscode-checkbox-foreground': '#3b3b3b',
    '--vscode-list-activeSelectionBackground': '#e8e8e8',
    '--vscode-list-activeSelectionForeground': '#000000',
    '--vscode-list-hoverBackground': '#f2f2f2',
    '--vscode-list-focusOutline': '#005fb8',
    '--vscode-progressBar-background': '#005fb8',
    '--vscode-inputValidation-errorBackground': '#f2dede',
    '--vscode-inputValidation-errorBorder': '#be1100',
    '--vscode-charts-foreground': '#616161',
    '--vscode-charts-lines': 'rgba(97, 97, 97, 0.5)',
    '--vscode-charts-red': '#e51400',
    '--vscode-charts-blue': '#1a85ff',
    '--vscode-charts-yellow': '#bf8803',
    '--vscode-charts-orange': '#d18616',
    '--vscode-charts-green': '#388a34',
    '--vscode-charts-purple': '#652d90',
  },
};

export const DARK: TestTheme = {
  name: 'dark',
  bodyClass: 'vscode-dark',
  kind: 'vscode-dark',
  variables: {
    ...common,
    '--vscode-foreground': '#cccccc',
    '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-errorForeground': '#f85149',
    '--vscode-focusBorder': '#0078d4',
    '--vscode-editor-background': '#1f1f1f',
    '--vscode-editor-foreground': '#cccccc',
    '--vscode-editorWidget-background': '#202020',
    '--vscode-editorWidget-border': '#454545',
    '--vscode-widget-border': '#313131',
    '--vscode-panel-border': '#2b2b2b',
    '--vscode-widget-shadow': 'rgba(0, 0, 0, 0.36)',
    '--vscode-button-background': '#0078d4',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#026ec1',
    '--vscode-button-border': '#ffffff12',
    '--vscode-button-secondaryBackground': '#313131',
    '--vscode-button-secondaryForeground': '#cccccc',
    '--vscode-button-secondaryHoverBackground': '#3c3c3c',
    '--vscode-badge-background': '#616161',
    '--vscode-badge-foreground': '#f8f8f8',
    '--vscode-input-background': '#313131',
    '--vscode-input-foreground': '#cccccc',
    '--vscode-input-border': '#3c3c3c',
    '--vscode-input-placeholderForeground': '#989898',
    '--vscode-settings-textInputBackground': '#313131',
    '--vscode-settings-textInputForeground': '#cccccc',
    '--vscode-settings-textInputBorder': '#3c3c3c',
    '--vscode-settings-dropdownBackground': '#313131',
    '--vscode-settings-dropdownForeground': '#cccccc',
    '--vscode-settings-dropdownBorder': '#3c3c3c',
    '--vscode-settings-dropdownListBorder': '#454545',
    '--vscode-settings-checkboxBackground': '#313131',
    '--vscode-settings-checkboxForeground': '#cccccc',
    '--vscode-settings-checkboxBorder': '#3c3c3c',
    '--vscode-checkbox-background': '#313131',
    '--vscode-checkbox-border': '#3c3c3c',
    '--vscode-checkbox-foreground': '#cccccc',
    '--vscode-list-activeSelectionBackground': '#04395e',
    '--vscode-list-activeSelectionForeground': '#ffffff',
    '--vscode-list-hoverBackground': '#2a2d2e',
    '--vscode-list-focusOutline': '#0078d4',
    '--vscode-progressBar-background': '#0078d4',
    '--vscode-inputValidation-errorBackground': '#5a1d1d',
    '--vscode-inputValidation-errorBorder': '#be1100',
    '--vscode-charts-foreground': '#cccccc',
    '--vscode-charts-lines': 'rgba(204, 204, 204, 0.5)',
    '--vscode-charts-red': '#f14c4c',
    '--vscode-charts-blue': '#3794ff',
    '--vscode-charts-yellow': '#cca700',
    '--vscode-charts-orange': '#d18616',
    '--vscode-charts-green': '#89d185',
    '--vscode-charts-purple': '#b180d7',
  },
};

/** The inline `style` VS Code puts on <html>: every variable as a custom property. */
export function themeStyle(theme: TestTheme): string {
  return Object.entries(theme.variables)
    .map(([name, value]) => `${name}: ${value};`)
    .join(' ');
}
