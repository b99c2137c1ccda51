import { _runChild as runChild, type _StartSpec as StartSpec } from './index.js';

// The entry of a process-context child, forked with an IPC channel using v8's serialization.
// (No top-level await: the entries are built as CommonJS too.)
async function main(): Promise<never> {
  const channel = process.channel;
  channel?.unref();

  const spec = await new Promise<StartSpec>((resolve) => {
    process.once('message', (msg: { type: string; spec: StartSpec }) => resolve(msg.spec));
    channel?.ref();
  });
  channel?.unref();

  // A daemon child must not outlive its parent, even a SIGKILLed one: the IPC channel closing tells us.
  process.once('disconnect', () => {
    if (spec.daemon) process.exit(process.exitCode ?? 1);
  });
  // …and if it closed before we listened, 'disconnect' will not come again.
  if (spec.daemon && !process.connected) process.exit(1);

  // With a callback, a send to a parent that has gone (a non-daemon child outlives it) fails quietly
  // rather than as an unhandled 'error' event: there is nobody left to tell.
  const code = await runChild(spec, 'process', (msg) => process.send?.(msg, undefined, {}, () => undefined));
  // Wait for the result to be written to the channel before exiting.
  await new Promise<void>((resolve) => (process.send ? process.send({ type: 'flush' }, undefined, {}, () => resolve()) : resolve()));
  process.exit(code);
}

void main();
