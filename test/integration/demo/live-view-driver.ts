/**
 * Runs the demo's LiveView on the terminal it is started in, with the states of the JSON file
 * argv[2]: it prints a few lines as the demo's set-up does, shows the first state, and every key
 * press shows the next one; `q` finishes the view (back to the normal screen, last frame printed
 * once) and prints `after the view`. The terminal test drives it in tmux.
 */
import { readFileSync } from 'node:fs';
import { LiveView, type ViewState } from '../../../scripts/demo/live-view.js';

const states = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ViewState[];
for (let line = 1; line <= 30; line++) process.stdout.write(`set-up line ${line}\n`);
const view = new LiveView(process.stdout, { tty: true, actionId: 7, title: 'live view test: target t-1' });
let index = 0;
view.update(states[index]!);
process.stdin.setRawMode(true);
process.stdin.on('data', (key: Buffer) => {
  if (key.toString() === 'q') {
    view.finish();
    process.stdout.write('after the view\n');
    process.exit(0);
  }
  index = Math.min(index + 1, states.length - 1);
  view.update(states[index]!);
});
