import { parseArgs } from 'node:util';
import { FakeRaucService } from './fake-rauc-service.js';

const usage = `Usage: node --import tsx test/fakes/rauc/cli.ts --bus <address> [options]

Exports a fake de.pengutronix.rauc on the bus until SIGTERM/SIGINT; prints "ready" and then every call
it receives as one JSON line.
  --result <n>          Completed code (default 0)
  --last-error <text>   LastError when the result is not 0
  --compatible <text>   Compatible (default "Test Device")
  --variant <text>      Variant
  --boot-slot <name>    booted bootname (default A)
  --delay-ms <n>        wait between progress steps
  --bundle-version <v>  what Info() and an installed slot report (default 1.0)
  --vanish              leave the bus halfway through an install
  --busy                act as if an install were running
  --legacy-only         no InstallBundle, only Install`;

const { values } = parseArgs({
  options: {
    bus: { type: 'string' },
    result: { type: 'string' },
    'last-error': { type: 'string' },
    compatible: { type: 'string' },
    variant: { type: 'string' },
    'boot-slot': { type: 'string' },
    'delay-ms': { type: 'string' },
    'bundle-version': { type: 'string' },
    vanish: { type: 'boolean' },
    busy: { type: 'boolean' },
    'legacy-only': { type: 'boolean' },
    help: { type: 'boolean' },
  },
});

if (values.help || !values.bus) {
  process.stdout.write(`${usage}\n`);
  process.exit(values.help ? 0 : 2);
}

const number = (text: string | undefined, name: string): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value)) {
    process.stderr.write(`--${name} must be an integer, got "${text}"\n`);
    process.exit(2);
  }
  return value;
};

const fake = await FakeRaucService.start({
  busAddress: values.bus,
  resultCode: number(values.result, 'result'),
  lastError: values['last-error'],
  compatible: values.compatible,
  variant: values.variant,
  bootSlot: values['boot-slot'],
  delayMs: number(values['delay-ms'], 'delay-ms'),
  bundle: values['bundle-version'] ? { version: values['bundle-version'] } : undefined,
  vanishMidInstall: values.vanish,
  busy: values.busy,
  legacyOnly: values['legacy-only'],
  onCall: (call) => process.stdout.write(`${JSON.stringify(call, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}\n`),
});
process.stdout.write('ready\n');

const shutdown = (): void => {
  void fake.stop().then(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
