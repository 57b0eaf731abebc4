/**
 * A chapter's hyperparameters: its defaults, a named variant's overrides, and a learner's
 * overrides, each checked against the chapter's declared types and ranges. The CLI, the extension,
 * the panel's start form and the run reader all use these, so a value is accepted or refused
 * the same way everywhere (a value out of range in a saved config.json is damage).
 */
import type { Parsed } from '../schema';
import type { ChapterInfo, HyperparameterSpec, Hyperparameters, HyperValue, VariantInfo } from './chapter';

export function specOf(info: ChapterInfo, key: string): HyperparameterSpec | undefined {
  return info.hyperparameters.find((spec) => spec.key === key);
}

export function variantOf(info: ChapterInfo, id: string): VariantInfo | undefined {
  return info.variants.find((variant) => variant.id === id);
}

/** The chapter's defaults, with the task's own defaults (data set sizes…) applied when a task is given. */
export function defaultsOf(info: ChapterInfo, taskId?: string): Hyperparameters {
  const task = info.tasks.find((candidate) => candidate.id === taskId);
  return { ...Object.fromEntries(info.hyperparameters.map((spec) => [spec.key, spec.default])), ...task?.defaults };
}

/** A value as a message shows it: control characters escaped, cut to 40 characters, no quotes added. */
function short(value: unknown): string {
  const text = JSON.stringify(String(value)).slice(1, -1);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Null when `value` fits `spec`, else a one-line problem naming the key. */
export function checkValue(spec: HyperparameterSpec, value: unknown): string | null {
  switch (spec.type) {
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${spec.key} must be a number`;
      if (spec.type === 'integer' && !Number.isSafeInteger(value)) return `${spec.key} must be a whole number`;
      if (value < spec.min || value > spec.max)
        return `${spec.key} ${short(value)} is outside ${spec.min}..${spec.max}`;
      return null;
    }
    case 'choice':
      if (typeof value !== 'string' || !spec.choices.includes(value)) {
        return `${spec.key} must be one of ${spec.choices.join(', ')}`;
      }
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${spec.key} must be true or false`;
  }
}

/** Null when `record` has exactly the chapter's keys, each in range; else the first problem. */
export function checkHyperparameters(info: ChapterInfo, record: Record<string, unknown>): string | null {
  for (const spec of info.hyperparameters) {
    if (!(spec.key in record)) return `${spec.key} is missing`;
    const problem = checkValue(spec, record[spec.key]);
    if (problem) return problem;
  }
  for (const name of Object.keys(record)) {
    if (!specOf(info, name)) return `${short(name)} is not a hyperparameter of ${info.id}`;
  }
  return null;
}

/**
 * The hyperparameters of a new run: the chapter's defaults, then the task's, then the variant's
 * overrides, then the learner's. An unknown task or variant, an unknown key or a value out of
 * range is refused with one line.
 */
export function resolveHyperparameters(
  info: ChapterInfo,
  taskId: string,
  variantId: string,
  overrides: Record<string, HyperValue>,
): Parsed<Hyperparameters> {
  if (!info.tasks.some((task) => task.id === taskId)) {
    return {
      ok: false,
      reason: `unknown task '${short(taskId)}' for ${info.id}; choose one of: ${info.tasks.map((x) => x.id).join(', ')}`,
    };
  }
  const variant = variantOf(info, variantId);
  if (!variant) {
    return {
      ok: false,
      reason: `unknown variant '${short(variantId)}' for ${info.id}; choose one of: ${info.variants.map((x) => x.id).join(', ')}`,
    };
  }
  const values: Hyperparameters = { ...defaultsOf(info, taskId), ...variant.overrides };
  for (const [name, value] of Object.entries(overrides)) {
    const spec = specOf(info, name);
    if (!spec) return { ok: false, reason: `${short(name)} is not a hyperparameter of ${info.id}` };
    const problem = checkValue(spec, value);
    if (problem) return { ok: false, reason: problem };
    values[name] = value;
  }
  const problem = checkHyperparameters(info, values);
  return problem ? { ok: false, reason: problem } : { ok: true, value: values };
}

/**
 * The hyperparameters of one run of the chapter's comparison: the chapter's defaults, the
 * comparison task's, the variant's overrides, then the comparison's preset (`comparison.overrides`),
 * then the learner's. Refused when the chapter has no comparison or the variant is not compared.
 */
export function resolveComparison(
  info: ChapterInfo,
  variantId: string,
  overrides: Record<string, HyperValue> = {},
): Parsed<Hyperparameters> {
  const comparison = info.comparison;
  if (!comparison) return { ok: false, reason: `${info.id} has no comparison` };
  if (!comparison.variants.includes(variantId)) {
    return {
      ok: false,
      reason: `variant '${short(variantId)}' is not in ${info.id}'s comparison; choose one of: ${comparison.variants.join(', ')}`,
    };
  }
  return resolveHyperparameters(info, comparison.task, variantId, { ...comparison.overrides, ...overrides });
}

/** A value typed on the command line (`--d-model 32`, `--positions none`, `--scaled false`). */
export function parseHyperValue(spec: HyperparameterSpec, text: string): Parsed<HyperValue> {
  let value: HyperValue;
  switch (spec.type) {
    case 'integer':
    case 'number':
      value = text.trim() === '' ? Number.NaN : Number(text);
      break;
    case 'boolean':
      if (text !== 'true' && text !== 'false') return { ok: false, reason: `${spec.key} must be true or false` };
      value = text === 'true';
      break;
    case 'choice':
      value = text;
      break;
  }
  const problem = checkValue(spec, value);
  return problem ? { ok: false, reason: problem } : { ok: true, value };
}

/** `dModel` → `d-model`: the CLI flag of a hyperparameter. */
export function flagOf(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/**
 * Problems in a chapter's own declarations (defaults out of range, a variant naming an unknown key,
 * a metric on an undeclared chart…); an empty list when it is consistent. Tested for every chapter.
 */
export function chapterInfoProblems(info: ChapterInfo): string[] {
  const problems: string[] = [];
  const keys = new Set<string>();
  for (const spec of info.hyperparameters) {
    if (keys.has(spec.key)) problems.push(`hyperparameter ${spec.key} declared twice`);
    keys.add(spec.key);
    const problem = checkValue(spec, spec.default);
    if (problem) problems.push(`default: ${problem}`);
  }
  const overrideSets = [
    ...info.variants.map((variant) => ({ what: `variant ${variant.id}`, overrides: variant.overrides })),
    ...info.tasks.map((task) => ({ what: `task ${task.id}`, overrides: task.defaults })),
  ];
  for (const { what, overrides } of overrideSets) {
    for (const [name, value] of Object.entries(overrides)) {
      const spec = specOf(info, name);
      if (!spec) problems.push(`${what}: unknown key ${name}`);
      else {
        const problem = checkValue(spec, value);
        if (problem) problems.push(`${what}: ${problem}`);
      }
    }
  }
  if (info.trainable) {
    if (!variantOf(info, info.defaultVariant)) problems.push(`default variant ${info.defaultVariant} is not declared`);
    if (!info.tasks.some((task) => task.id === info.defaultTask))
      problems.push(`default task ${info.defaultTask} is not declared`);
    if (!info.metrics.some((metric) => metric.key === info.primaryMetric))
      problems.push(`primary metric ${info.primaryMetric} is not declared`);
    for (const name of ['epochs', 'batchSize', 'learningRate'])
      if (!keys.has(name)) problems.push(`${name} is not declared`);
  }
  for (const metric of info.metrics) {
    if (!info.charts.some((chart) => chart.id === metric.chart))
      problems.push(`metric ${metric.key}: chart ${metric.chart} is not declared`);
  }
  if (info.comparison) {
    if (!info.tasks.some((task) => task.id === info.comparison?.task))
      problems.push(`comparison task ${info.comparison.task} is not declared`);
    for (const id of info.comparison.variants)
      if (!variantOf(info, id)) problems.push(`comparison variant ${id} is not declared`);
    const preset = info.comparison.overrides ?? {};
    for (const [name, value] of Object.entries(preset)) {
      const spec = specOf(info, name);
      if (!spec) problems.push(`comparison overrides: unknown key ${name}`);
      else {
        const problem = checkValue(spec, value);
        if (problem) problems.push(`comparison overrides: ${problem}`);
      }
      // The preset is applied after the variants' overrides: setting a key one of them sets would erase their difference.
      for (const id of info.comparison.variants)
        if (variantOf(info, id) && name in (variantOf(info, id)?.overrides ?? {}))
          problems.push(`comparison overrides: ${name} is set by the compared variant ${id}`);
    }
  }
  return problems;
}
