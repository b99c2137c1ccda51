import { describe, expectTypeOf, it } from 'vitest';
import { checkOutput, run, Popen, PIPE, STDOUT, type CompletedProcess, type PopenReader, type PopenWriter } from '@ipc/subprocess';

// Checked by `tsc` (typecheck); the bodies never run a child.
describe('types follow the options', () => {
  it('text mode gives strings, bytes mode Buffers', () => {
    const typed = (): void => {
      expectTypeOf(run(['x'], { text: true })).toEqualTypeOf<Promise<CompletedProcess<string>>>();
      expectTypeOf(run(['x'], { encoding: 'latin1' })).toEqualTypeOf<Promise<CompletedProcess<string>>>();
      expectTypeOf(run(['x'])).toEqualTypeOf<Promise<CompletedProcess<Buffer>>>();
      expectTypeOf(checkOutput(['x'], { text: true })).toEqualTypeOf<Promise<string>>();
      expectTypeOf(checkOutput(['x'])).toEqualTypeOf<Promise<Buffer>>();
    };
    expectTypeOf(typed).toBeFunction();
  });

  it('Popen streams exist exactly where they are PIPE', () => {
    const typed = (): void => {
      const p = new Popen(['x'], { stdin: PIPE, stdout: PIPE, stderr: STDOUT, text: true });
      expectTypeOf(p.stdin).toEqualTypeOf<PopenWriter>();
      expectTypeOf(p.stdout).toEqualTypeOf<PopenReader<string>>();
      expectTypeOf(p.stderr).toEqualTypeOf<null>();
      const q = new Popen(['x']);
      expectTypeOf(q.stdout).toEqualTypeOf<PopenReader<Buffer> | null>(); // no options: not known, so possibly there
      const r: Popen = p as unknown as Popen;
      expectTypeOf(r.stdout).toEqualTypeOf<PopenReader<Buffer> | null>();
    };
    expectTypeOf(typed).toBeFunction();
  });
});
