/**
 * A one-line progress bar on stderr, drawn only when stderr is a TTY (never in pipes, CI
 * logs or tests), so it never mixes with --json output on stdout.
 *
 *   const bar = createProgress({ total: 10_000, label: "Importing" });
 *   bar.update(done);   // redraws at most every 50 ms
 *   bar.done();         // final redraw, then a newline
 */
import { colors } from "./output";

export interface Progress {
  update(done: number): void;
  done(): void;
}

export function createProgress(
  options: { total: number; label: string; unit?: string },
  stream: { write(s: string): unknown; isTTY?: boolean; columns?: number } = process.stderr,
): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  const c = colors(stream);
  const unit = options.unit ?? "rows";
  let last = 0;
  let current = 0;
  const draw = () => {
    const total = Math.max(options.total, 1);
    const ratio = Math.min(current / total, 1);
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 40));
    const filled = Math.round(ratio * width);
    const bar = c.green("█".repeat(filled)) + c.dim("░".repeat(width - filled));
    stream.write(`\r${options.label} ${bar} ${current}/${options.total} ${unit} ${Math.round(ratio * 100)}%`);
  };
  return {
    update(done) {
      current = done;
      const now = Date.now();
      if (now - last >= 50) {
        last = now;
        draw();
      }
    },
    done() {
      draw();
      stream.write("\n");
    },
  };
}
