import { CalledProcessError, call, checkCall, checkOutput, run, PIPE } from '@ipc/subprocess';
import type { Scenario } from '../scenario.js';

// The document runs `nslookup www.baidu.com`; the demo stays offline and asks the local resolver instead.
const LOOKUP = ['getent', 'hosts', 'localhost'];
const FAILING = ['sh', '-c', 'echo "no such host: www.example.invalid" >&2; exit 1'];

/** 003: the functions built on Popen — run, call, checkCall, checkOutput. */
export const scenario: Scenario = {
  id: 'S003-11',
  title: 'run, call, checkCall, checkOutput',
  topics: ['subprocess'],
  usesContext: false,
  async run(ctx) {
    // 1. run(): 返回值为CompletedProcess类 (returns a CompletedProcess): args, returnCode, and stdout when asked for.
    const completed = await run(LOOKUP, { stdout: PIPE, text: true });
    ctx.log('run():', { args: completed.args, returnCode: completed.returnCode, stdout: completed.stdout });
    ctx.log('run() of a failing command: returnCode', (await run(FAILING, { stderr: PIPE })).returnCode, '(0：成功 | 1：失败, 0 success, 1 failure)');

    // 2. call(): 返回值为命令执行状态码 (returns the exit status); without stdout, output goes to the standard output.
    ctx.log('call() →', await call(['echo', 'call(): printed by the child itself']));

    // 3. checkCall(): 与call相同，只是失败会抛出异常 (as call, but failure throws).
    ctx.log('checkCall() →', await checkCall(['true']));
    try {
      await checkCall(FAILING, { stderr: PIPE });
    } catch (err) {
      if (!(err instanceof CalledProcessError)) throw err;
      ctx.log('checkCall() of a failing command threw', `${err.name}: ${err.message}`);
    }

    // 4. checkOutput(): 成功会返回命令输出结果，失败会抛出异常 (returns the output on success, throws on failure).
    ctx.log('checkOutput() →', JSON.stringify(await checkOutput(LOOKUP, { text: true })));
    try {
      await checkOutput(FAILING, { stderr: PIPE, text: true });
    } catch (err) {
      if (!(err instanceof CalledProcessError)) throw err;
      ctx.log('checkOutput() of a failing command threw', err.name, 'returnCode', err.returnCode, 'stderr', JSON.stringify(err.stderr));
    }
  },
};
