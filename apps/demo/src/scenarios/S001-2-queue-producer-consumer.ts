import { Process } from '@ipc/core';
import { Queue } from '@ipc/queue';
import { joinOk } from '../_join-ok.js';
import type { Scenario } from '../scenario.js';
import { consume, produce } from '../tasks/S001-2-queue-producer-consumer.js';

/** 001: a producer process puts 0..4 a second apart, then the sentinel; a consumer process prints each until it. */
export const scenario: Scenario = {
  id: 'S001-2',
  title: 'Queue between a producer process and a consumer process, ended by a sentinel',
  topics: ['queue', 'process'],
  usesContext: true,
  async run(ctx) {
    const queue = new Queue<number | null>();
    const producer = new Process({ target: produce, args: [queue, ctx.scale], context: ctx.context });
    const consumer = new Process({ target: consume, args: [queue], context: ctx.context });
    producer.start();
    consumer.start();
    await joinOk(producer);
    await joinOk(consumer);
  },
};
