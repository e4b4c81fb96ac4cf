/**
 * Asking the user on the terminal: secrets without echo, and confirmations. Off a
 * terminal (scripts, tests) a secret is read as one line of stdin and a confirmation
 * must be given up front with --yes.
 */
import readline from 'node:readline';

/** Reads a secret: typed without echo on a terminal, else the first line of stdin. */
export function askSecret(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return readLine();
  return new Promise((resolve) => {
    process.stderr.write(question);
    const rl = readline.createInterface({ input, output: undefined, terminal: true });
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

/** Asks a question on the terminal and returns the answer. */
export function ask(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer.trim());
    });
  });
}

export const canAsk = (): boolean => process.stdin.isTTY === true;

function readLine(): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin });
    let done = false;
    rl.once('line', (line) => {
      done = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!done) resolve('');
    });
  });
}
