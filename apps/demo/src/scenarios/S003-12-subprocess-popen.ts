import { FileNotFoundError, Popen, PIPE, TimeoutExpired } from '@ipc/subprocess';
import type { Scenario, ScenarioContext } from '../scenario.js';

// The document runs `nslookup www.baidu.com`; the demo stays offline and asks the local resolver instead.
const LOOKUP = ['getent', 'hosts', 'localhost'];

async function createSubProcess(ctx: ScenarioContext): Promise<void> {
  // 不指定任何的输入输出流… (no streams given: the child uses the parent's standard streams)
  const process1 = new Popen(LOOKUP); // 以列表的形式 (as a list)
  const process2 = new Popen(LOOKUP.join(' '), { shell: true }); // 以字符串的形式 (as a string, through the shell)
  ctx.log(String(process1));
  ctx.log(String(process2));
  await Promise.all([process1.wait(), process2.wait()]);
}

async function subProcessWithStdin(ctx: ScenarioContext): Promise<void> {
  // 给进程指定输入流 (stdin is a pipe; the output goes to the standard output)
  const process = new Popen(['python3'], { stdin: PIPE, encoding: 'utf-8' });
  await process.stdin.write('print("hello world")'); // 输出 (prints)：hello world
  await process.stdin.close();
  ctx.log(String(process)); // <Popen: returnCode: null args: [ 'python3' ]> — printed first: the child runs on its own
  await process.wait();
}

async function subProcessWithStdOut(ctx: ScenarioContext): Promise<void> {
  // 给进程指定输出流 (stdout is a pipe: read through the Popen, not shown on the standard output)
  const process = new Popen(LOOKUP, { stdout: PIPE });
  const result = await process.stdout.readLines();
  process.stdout.close();
  ctx.log(result); // bytes mode: Buffers, as Python's b'...' lines
  await process.wait();
}

async function subProcessWithInAndOut(ctx: ScenarioContext): Promise<void> {
  const process = new Popen(['python3'], { stdin: PIPE, stdout: PIPE, encoding: 'utf-8' });
  await process.stdin.write("print('hello world')");
  await process.stdin.close();
  const result = await process.stdout.read();
  process.stdout.close();
  ctx.log(result.trimEnd()); // hello world
  await process.wait();
}

async function subProcessWithInOutErr(ctx: ScenarioContext): Promise<void> {
  // 指定输入输出流和错误流; the second program does not exist
  for (const arg of ['python3', 'python1']) {
    try {
      const process = new Popen(arg, { stdin: PIPE, stdout: PIPE, stderr: PIPE, encoding: 'utf-8' });
      await process.stdin.write("print('Hello World')");
      await process.stdin.close();
      const out = await process.stdout.read();
      const err = await process.stderr.read();
      ctx.log(`out:${out.trimEnd()}, err:${err}`); // 第一个结果 (first)：out:Hello World, err:
      await process.wait();
    } catch (err) {
      if (!(err instanceof FileNotFoundError)) throw err;
      ctx.log(`${err.name}: ${err.message}`); // 第二个结果 (second)：FileNotFoundError: [Errno 2] No such file or directory: 'python1'
    }
  }
}

async function subProcessWithCommunicate(ctx: ScenarioContext): Promise<void> {
  // communicate(input, { timeout }): 将input内容输入到stdin流中, returns [stdout, stderr] when the child ends
  const process = new Popen('python3', { stdin: PIPE, stdout: PIPE, stderr: PIPE, universalNewlines: true });
  const [stdout, stderr] = await process.communicate("print('Hello World')");
  ctx.log(stdout?.trimEnd(), stderr); // Hello World
  const process2 = new Popen('python3', { stdin: PIPE, stdout: PIPE, stderr: PIPE, universalNewlines: true });
  const [stdout2, stderr2] = await process2.communicate("noprint('Hello World')");
  ctx.log(stdout2, stderr2?.trimEnd().split('\n').at(-1)); // NameError: name 'noprint' is not defined
}

async function objectFunction(ctx: ScenarioContext): Promise<void> {
  const process = new Popen(['sleep', '30']);
  ctx.log('poll() →', process.poll()); // 未结束返回None (still running: null)
  try {
    await process.wait({ timeout: 100 }); // 超过timeout仍未结束，则抛出异常 (still running after the timeout: throws)
  } catch (err) {
    if (!(err instanceof TimeoutExpired)) throw err;
    ctx.log(`wait({ timeout: 100 }) threw ${err.name}: ${err.message}`);
  }
  process.sendSignal('SIGSTOP'); // 发送信号signal给子进程 (send a signal)
  process.sendSignal('SIGCONT');
  process.terminate(); // 停止子进程 (SIGTERM)
  ctx.log('after terminate(): wait() →', await process.wait(), '(-15: ended by signal 15)');
  const other = new Popen(['sleep', '30']);
  other.kill(); // 杀死子进程 (SIGKILL)
  ctx.log('after kill(): wait() →', await other.wait(), '; poll() →', other.poll());
}

async function textVersusBytes(ctx: ScenarioContext): Promise<void> {
  const code = "import sys; sys.stdout.buffer.write(b'line 1\\r\\nline 2\\n')";
  const bytes = new Popen(['python3', '-c', code], { stdout: PIPE });
  ctx.log('bytes mode:', await bytes.stdout.readLines());
  const text = new Popen(['python3', '-c', code], { stdout: PIPE, text: true });
  ctx.log('text mode (universal newlines):', await text.stdout.readLines());
  await Promise.all([bytes.wait(), text.wait()]);
}

/** 003: Popen — streams, communicate, poll/wait/signals, text vs bytes, and the missing program. */
export const scenario: Scenario = {
  id: 'S003-12',
  title: 'Popen: pipes, communicate, poll, wait, signals',
  topics: ['subprocess'],
  usesContext: false,
  async run(ctx) {
    for (const step of [createSubProcess, subProcessWithStdin, subProcessWithStdOut, subProcessWithInAndOut, subProcessWithInOutErr, subProcessWithCommunicate, objectFunction, textVersusBytes]) {
      ctx.log(`# ${step.name}`);
      await step(ctx);
    }
  },
};
