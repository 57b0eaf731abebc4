/** `--help` texts, one per command. */
import type { ChapterInfo } from '../../shared/course/chapter';
import { flagOf } from '../../shared/course/hyperparameters';

export const HELP: Record<string, string> = {
  main: `llm-tutor — train small attention models and look inside them

Usage: llm-tutor <command> [options]

Commands:
  train <chapter>      train a chapter's model and save the run
  chapters             list the course's chapters
  runs [DIR]           list the runs saved in DIR (default: ./runs)
  show RUN             a run's configuration, final metrics and samples
  predict RUN "text"   decode a sentence with a saved run and print its attention
  compare RUN RUN…     runs side by side: metrics, configs, attention differences
  export RUN           a probe's maps as SVG, its attention as JSON, the metrics as CSV
  fill RUN "text"      a masked language model's top words for each [MASK] (bert-mlm)
  sample RUN           generate text with a saved language model (mini-gpt, modern-attention)

Run 'llm-tutor <command> --help' for a command's options.`,
  train: `Usage: llm-tutor train <chapter> [options]

Trains <chapter> (see 'llm-tutor chapters') and saves the run under --output-dir.
Prints one line per evaluation with the chapter's metrics and self-checks, then the test metrics,
the attention shapes and samples. Ctrl-C or SIGTERM stops cleanly after the current step and keeps
the run (status 'stopped').

Options for every chapter:
  --task NAME          the chapter's task (default: the chapter's)
  --variant NAME       a named variant of the chapter (default: the chapter's); 'all' trains
                       every variant one after another with the same seed and data, then
                       compares them (exit 1 if one failed; the others still train); a chapter
                       whose comparison names another chapter (transformer: attention-seq2seq)
                       also trains that chapter's default run on the same task and seed
  --seed N             seed for data, initial weights and shuffling (default 42)
  --backend NAME       auto | tensorflow | wasm | cpu (default auto: the faster on a few timed steps)
  --output-dir DIR     where runs are saved (default ./runs)
  --resume RUN         continue a saved run (a folder, or a run id in --output-dir)
  --corpus SOURCE      a language model's text: en | zh | a file or folder path
  --lr X               short for --learning-rate
  --quiet              only the final lines
  --help               this text; 'llm-tutor train <chapter> --help' lists the chapter's own options

Every hyperparameter the chapter declares is a flag too (dModel → --d-model), checked against
its range.`,
  chapters: `Usage: llm-tutor chapters

Lists the course's chapters: id, title, and whether this version can train them.`,
  runs: `Usage: llm-tutor runs [DIR]

Lists the runs in DIR (default ./runs), newest first: id, chapter, status, epochs and best
validation exact match. A damaged folder is listed with the reason.`,
  show: `Usage: llm-tutor show RUN [--runs-dir DIR]

Prints a run's configuration, its final metrics and its latest samples. RUN is a run folder
or a run id inside --runs-dir (default ./runs).`,
  compare: `Usage: llm-tutor compare RUN RUN… [--runs-dir DIR] [--save NAME]
       llm-tutor compare --open FILE [--runs-dir DIR]

Compares 2 to 6 runs (folders, or run ids inside --runs-dir, default ./runs), named A, B, …:
the final value of every metric they share side by side (and the metrics they do not share),
their configs with the differing settings marked *, and for every probe and attention map they
share (same source tokens; same map, mode and tokens) the largest and the mean absolute
difference of the attention weights between each pair of runs, masked cells excluded.
Runs of different chapters or tasks are compared on what they share.

Options:
  --save NAME          also save the comparison as DIR/.comparisons/NAME.json (the runs must
                       be inside DIR; an existing NAME is refused)
  --open FILE          reopen a saved comparison (a file, or a NAME saved in --runs-dir); a
                       run deleted or damaged since is reported and the others still compare
  --runs-dir DIR       the runs folder (default ./runs; for --open, the comparison's own)

Exit codes: 0 compared; 1 a run could not be read (the others are still compared);
2 bad input (nothing is written).`,
  export: `Usage: llm-tutor export RUN --format svg|json|csv --out FILE [options]

Exports from a saved run (a folder, or a run id inside --runs-dir, default ./runs):
  svg    probe N's attention maps of one mode in a grid (rows: layers, columns: heads), with
         their row and column tokens and the colour scale; --map one map only
  json   probe N's attention: every map (weights as base64 float32, mask as a bitset), the
         tokens, the prediction and the self-checks, with the run, epoch and step
  csv    the metrics: one row per evaluation, the chapter's declared metrics as columns

Options:
  --probe N            the probe (1 = the first; default 1)
  --epoch E            the attention snapshot of evaluation E (default: the newest)
  --mode M             forward | generated (default: generated when the probe has it)
  --map KEY            one map: stack/kind/layer/head as in the panel (layer and head from 0)
  --out FILE           where to write (written whole or not at all)
  --runs-dir DIR       the runs folder (default ./runs)

Exit codes: 0 written; 2 bad input or a damaged run (nothing is written).`,
  predict: `Usage: llm-tutor predict RUN "text" [--runs-dir DIR] [--backend NAME]

Decodes "text" greedily with RUN's saved model and prints the prediction and its attention
matrix (rows: generated tokens, columns: source tokens).`,
  fill: `Usage: llm-tutor fill RUN "text with [MASK]" [--top K] [--runs-dir DIR]

Reads "text" with RUN's saved masked language model (chapter bert-mlm) and prints, for each
[MASK], the K most probable words (default 5, at most 50) with their probabilities, and the
probability left to all other words. [MASK] is the one marker you may type; any other special
token ([CLS], [SEP], <pad>...) is read as an unknown word. RUN is a run folder or a run id
inside --runs-dir (default ./runs). Example: llm-tutor fill runs/<id> "the [MASK] of the country"`,
  sample: `Usage: llm-tutor sample RUN [--prompt "text"] [options]

Generates text with RUN's latest saved language model (mini-gpt, modern-attention) and streams
it to stdout: the prompt, then each character as it is drawn. A run that is still training can be
sampled: its latest checkpoint (saved at every evaluation) is used. At every step the next-character
distribution is softmax(logits / temperature), cut to the top-k, then to the smallest set whose
probability reaches top-p, renormalised; one character is drawn from it with the seed.

Options:
  --prompt TEXT        the text to continue (default empty: start from a newline); characters the
                       model never saw read as <unk>, typed '<eos>' is five ordinary characters
  --temperature X      0..10, 0 = greedy (default 0.8)
  --top-k N            keep the N most probable characters, 0 = all (default 0)
  --top-p P            keep the smallest set reaching probability P, in (0, 1], 1 = all (default 1)
  --max-tokens N       characters to generate, 1..2000 (default 200)
  --seed N             the same seed, prompt and weights give the same text (default 42)
  --show-top N         one line per character with the N most probable choices (default 0: text)
  --runs-dir DIR       where RUN ids are looked up (default ./runs)`,
};

/** `llm-tutor train <chapter> --help`: the general text, then the chapter's tasks, variants and hyperparameters. */
export function chapterTrainHelp(info: ChapterInfo): string {
  const lines = [HELP.train, '', `${info.id}: ${info.title.en}`];
  lines.push(
    `  tasks:     ${info.tasks.map((task) => task.id + (task.id === info.defaultTask ? ' (default)' : '')).join(', ')}`,
  );
  lines.push(
    `  variants:  ${info.variants.map((v) => v.id + (v.id === info.defaultVariant ? ' (default)' : '')).join(', ')}`,
  );
  lines.push('  hyperparameters:');
  for (const spec of info.hyperparameters) {
    const range =
      spec.type === 'integer' || spec.type === 'number'
        ? `${spec.min}..${spec.max}`
        : spec.type === 'choice'
          ? spec.choices.join(' | ')
          : 'true | false';
    lines.push(
      `    --${flagOf(spec.key).padEnd(18)} ${range.padEnd(22)} default ${String(spec.default)}  ${spec.label.en}`,
    );
  }
  return lines.join('\n');
}
