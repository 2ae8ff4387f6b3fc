/**
 * A one-line progress bar on stderr (cli-progress), drawn only when stderr is a TTY and the
 * command is not in --json mode: never in pipes, CI logs or tests, never mixed with JSON.
 *
 *   const bar = createProgress({ total: 10_000, label: "Importing", quiet: out.jsonMode });
 *   bar.update(done);   // redrawn at most 20 times a second
 *   bar.done();         // final redraw, then a newline; call it on every path (a timer runs)
 */
import cliProgress from "cli-progress";

export interface Progress {
  update(done: number): void;
  done(): void;
}

const SILENT: Progress = { update() {}, done() {} };

export function createProgress(
  options: { total: number; label: string; unit?: string; quiet?: boolean },
  stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
): Progress {
  if (options.quiet || !stream.isTTY) return SILENT;
  const bar = new cliProgress.SingleBar({
    stream,
    format: `${options.label} {bar} {value}/{total} ${options.unit ?? "rows"} {percentage}% | ETA {eta_formatted}`,
    barCompleteChar: "█",
    barIncompleteChar: "░",
    barsize: 30,
    fps: 20,
    hideCursor: true,
    // Ctrl-C keeps its default meaning (exit), rather than only stopping the bar.
    gracefulExit: false,
  });
  bar.start(Math.max(options.total, 0), 0);
  let stopped = false;
  return {
    update: (done) => bar.update(done),
    done() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
