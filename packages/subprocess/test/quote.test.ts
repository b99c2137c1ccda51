import { describe, expect, it } from 'vitest';
import { checkOutput, join, quote } from '@ipc/subprocess';

describe('quote and join (shlex)', () => {
  it('leaves safe strings, quotes the rest as shlex.quote does', () => {
    expect(quote('abc-1.2/x=y@z%+:,')).toBe('abc-1.2/x=y@z%+:,');
    expect(quote('')).toBe("''");
    expect(quote('a b')).toBe("'a b'");
    expect(quote("it's")).toBe(`'it'"'"'s'`);
    expect(join(['echo', 'a b', '$HOME'])).toBe("echo 'a b' '$HOME'");
  });

  it('round-trips through a real shell', async () => {
    const nasty = ["it's", '$HOME', '`id`', 'a\nb', '"; rm -rf /; "', '*', '', 'é'];
    const out = await checkOutput(`printf '%s\\0' ${join(nasty)}`, { shell: true });
    expect(out.toString('utf8').split('\0').slice(0, -1)).toEqual(nasty);
  });
});
