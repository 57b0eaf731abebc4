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
  // several query tokens, the cell read out
  detailRowsTitle: 'Rows {rows}: queries {tokens} together attend to',
  detailRowsValue: 'Σ {sum} · mean {mean}',
  detailRowsSum: 'total = {sum} over {count} rows (each row sums to 1)',
  detailRowsTop: 'most attended key: “{token}” (Σ {sum}, mean {mean})',
  mapAnnounceRows: '{count} query rows selected: {tokens}',
  mapAnnounceRow: 'Row {index}: query “{token}” selected',
  mapAnnounceColumn: 'Column {index}: key “{token}” selected',
  mapMultiHint: 'Shift-click or Shift+Up/Down selects several query tokens; Ctrl-click adds or removes one.',
  // code links
  shapesCode: 'Code',
  shapesSource: '{file}:{line}',
  shapesSourceAria: 'Open the code that creates {name}: {file}, line {line}',
  // replay through training time
  replayPlay: 'Play',
  replayPause: 'Pause',
  replayPlayAria: 'Play the snapshots through training time',
  replayPauseAria: 'Pause the replay',
  replaySpeed: 'Speed',
  replaySpeedValue: '{speed}×',
  checkHistoryTitle: 'A self-check through training',
  checkHistoryCheck: 'Self-check',
  checkHistoryThreshold: 'threshold',
  checkHistoryShownEpoch: 'epoch {epoch} on screen: {value}',
  checkHistoryShownEvaluation: 'evaluation {epoch} on screen: {value}',
  checkHistoryAria: 'Line chart of the self-check “{check}” by snapshot: {values}',
  compareEpoch: 'Snapshot',
  compareEpochAria: 'Attention snapshot of every run',
  compareEpochValue: 'epoch {epoch} (of {last})',
  compareEpochLatest: 'each run’s latest',
} as const;

export type FeatureStringKey = keyof typeof FEATURE_STRINGS_EN;

export const FEATURE_STRINGS_ZH_CN: Record<FeatureStringKey, string> = {
  smoothingLabel: '平滑',
  smoothingOff: '关闭',
  smoothingValue: 'β = {beta}（约为最近 {window} 个点）',
  smoothingSeries: '{series}，平滑后（去偏的滑动平均）',
  smoothingEnvelope: '{series}，最近原始值的范围',
  detailRowsTitle: '第 {rows} 行：查询 {tokens} 合起来关注',
  detailRowsValue: '和 {sum} · 平均 {mean}',
  detailRowsSum: '总和 = {sum}，共 {count} 行（每行之和为 1）',
  detailRowsTop: '最受关注的键：“{token}”（和 {sum}，平均 {mean}）',
  mapAnnounceRows: '已选择 {count} 个查询行：{tokens}',
  mapAnnounceRow: '第 {index} 行：已选择查询“{token}”',
  mapAnnounceColumn: '第 {index} 列：已选择键“{token}”',
  mapMultiHint: '按住 Shift 点击或按 Shift+上/下可选择多个查询词元；按住 Ctrl 点击可添加或移除一个。',
  shapesCode: '代码',
  shapesSource: '{file}:{line}',
  shapesSourceAria: '打开创建 {name} 的代码：{file} 第 {line} 行',
  replayPlay: '播放',
  replayPause: '暂停',
  replayPlayAria: '按训练时间顺序播放各个快照',
  replayPauseAria: '暂停播放',
  replaySpeed: '速度',
  replaySpeedValue: '{speed}×',
  checkHistoryTitle: '训练过程中的一项自检',
  checkHistoryCheck: '自检',
  checkHistoryThreshold: '阈值',
  checkHistoryShownEpoch: '当前显示第 {epoch} 轮：{value}',
  checkHistoryShownEvaluation: '当前显示第 {epoch} 次评估：{value}',
  checkHistoryAria: '自检“{check}”随快照变化的折线图：{values}',
  compareEpoch: '快照',
  compareEpochAria: '所有运行的注意力快照',
  compareEpochValue: '第 {epoch} 轮（共 {last} 轮）',
  compareEpochLatest: '各运行的最新快照',
};
