/** The `llm-tutor` command line: dispatches to one function per command. */
import { chapterInfo } from '../../shared/course/catalogue';
import { isChapterId } from '../../shared/ids';
import { compareCommand } from './compare';
import { exportCommand } from './export';
import { fillCommand } from './fill';
import { chapterTrainHelp, HELP } from './help';
import { chaptersCommand, runsCommand, showCommand } from './listing';
import { predictCommand } from './predict';
import { sampleCommand } from './sample';
import { trainCommand } from './train';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './usage';

type Command = (args: string[], out: NodeJS.WriteStream, err: NodeJS.WriteStream) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  train: trainCommand,
  chapters: chaptersCommand,
  runs: runsCommand,
  show: showCommand,
  predict: predictCommand,
  compare: compareCommand,
  export: exportCommand,
  fill: fillCommand,
  sample: sampleCommand,
};

const guarded = new WeakSet<NodeJS.WriteStream>();

/**
 * A reader that goes away (`llm-tutor show RUN | head -1`) closes the pipe, and every later write
 * fails with EPIPE (a closed terminal: EIO). Unheard, that error would end the process with a stack
 * trace; heard here, the output just ends quietly. `train` also stops its run cleanly (train.ts).
 */
function guardOutput(stream: NodeJS.WriteStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', () => {
    // Nobody is reading any more: there is no one to tell.
  });
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(
  argv: string[],
  out: NodeJS.WriteStream = process.stdout,
  err: NodeJS.WriteStream = process.stderr,
): Promise<number> {
  guardOutput(out);
  guardOutput(err);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.write(HELP[rest[0] ?? ''] ?? HELP.main);
    out.write('\n');
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    err.write(
      `llm-tutor: unknown command '${name}'; commands: ${Object.keys(COMMANDS).join(', ')} (see llm-tutor --help)\n`,
    );
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const chapter = name === 'train' ? rest.find((arg) => isChapterId(arg)) : undefined;
    out.write((chapter ? chapterTrainHelp(chapterInfo(chapter)) : HELP[name]) + '\n');
    return EXIT_OK;
  }
  try {
    return await command(rest, out, err);
  } catch (error) {
    // parseArgs throws TypeErrors with a code for unknown options and missing values.
    const code = (error as { code?: string }).code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      err.write(`llm-tutor ${name}: ${(error as Error).message.split('\n').join(' ')}\n`);
      return EXIT_USAGE;
    }
    err.write(`llm-tutor ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  }
}
