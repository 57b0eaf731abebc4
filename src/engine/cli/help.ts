/** `--help` texts, one per command. */
export const HELP: Record<string, string> = {
  main: `llm-tutor — train small attention models and look inside them

Usage: llm-tutor <command> [options]

Commands:
  train <chapter>      train a chapter's model and save the run
  chapters             list the course's chapters
  runs [DIR]           list the runs saved in DIR (default: ./runs)
  show RUN             a run's configuration, final metrics and samples
  predict RUN "text"   decode a sentence with a saved run and print its attention

Run 'llm-tutor <command> --help' for a command's options.`,
  train: `Usage: llm-tutor train <chapter> [options]

Trains <chapter> (see 'llm-tutor chapters') and saves the run under --output-dir.
Prints one line per epoch, then the attention and logits shapes, the attention row sums
and sample translations. Ctrl-C stops cleanly and keeps the run (status 'stopped').

Options:
  --task NAME          dates | phrases (default: the chapter's)
  --epochs N           epochs to train (default: the chapter's)
  --batch-size N       examples per step
  --lr X               Adam learning rate
  --hidden-size N      GRU hidden size
  --seed N             seed for data, initial weights and shuffling (default 42)
  --backend NAME       auto | tensorflow | wasm | cpu (default auto)
  --output-dir DIR     where runs are saved (default ./runs)
  --resume RUN         continue a saved run (a folder, or a run id in --output-dir)
  --train-size N, --validation-size N, --test-size N
                       dataset sizes (defaults depend on the task)
  --quiet              only the final lines
  --help               this text`,
  chapters: `Usage: llm-tutor chapters

Lists the course's chapters: id, title, and whether this version can train them.`,
  runs: `Usage: llm-tutor runs [DIR]

Lists the runs in DIR (default ./runs), newest first: id, chapter, status, epochs and best
validation exact match. A damaged folder is listed with the reason.`,
  show: `Usage: llm-tutor show RUN [--runs-dir DIR]

Prints a run's configuration, its final metrics and its latest samples. RUN is a run folder
or a run id inside --runs-dir (default ./runs).`,
  predict: `Usage: llm-tutor predict RUN "text" [--runs-dir DIR] [--backend NAME]

Decodes "text" greedily with RUN's saved model and prints the prediction and its attention
matrix (rows: generated tokens, columns: source tokens).`,
};
