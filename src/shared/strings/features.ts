/**
 * UI strings of the lab's newer tools (replay, export, code links, multi-select, smoothing), in
 * English and Simplified Chinese. Spread into the tables of ./webview.ts, so the host sends them
 * with the rest and `t()` knows their keys. Placeholders are `{name}`.
 */
export const FEATURE_STRINGS_EN = {
  // smoothing (loss chart)
  smoothingLabel: 'Smoothing',
  smoothingOff: 'off',
  smoothingValue: 'β = {beta} (about the last {window} points)',
  smoothingSeries: '{series}, smoothed (debiased moving average)',
  smoothingEnvelope: '{series}, range of the recent raw values',
} as const;

export type FeatureStringKey = keyof typeof FEATURE_STRINGS_EN;

export const FEATURE_STRINGS_ZH_CN: Record<FeatureStringKey, string> = {
  smoothingLabel: '平滑',
  smoothingOff: '关闭',
  smoothingValue: 'β = {beta}（约为最近 {window} 个点）',
  smoothingSeries: '{series}，平滑后（去偏的滑动平均）',
  smoothingEnvelope: '{series}，最近原始值的范围',
};
