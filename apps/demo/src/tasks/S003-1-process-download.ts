import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { task } from '@ipc/core';
import { print } from '../_print.js';

/** The document's `download_task(filename)`: a "download" of 5 to 10 seconds, slept here `× scale`. */
export const downloadTask = task(import.meta.url, async (filename: string, scale: number) => {
  print(`启动下载进程，进程号[${process.pid}]. (download process started, pid [${process.pid}])`);
  print(`开始下载${filename}... (downloading ${filename}...)`);
  const timeToDownload = randomInt(5, 11);
  await sleep(timeToDownload * 1000 * scale);
  print(`${filename}下载完成！耗费了${timeToDownload}秒 (${filename} downloaded in ${timeToDownload} seconds)`);
  return timeToDownload;
});
