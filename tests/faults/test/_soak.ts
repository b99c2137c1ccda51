/**
 * The long variants: `IPC_SOAK=20 npx -y pnpm@10 --filter @ipc/faults test` runs every
 * crash-under-traffic test with 20 times the traffic (and 20 times the time bound).
 */
export const SOAK = Math.max(1, Math.floor(Number(process.env.IPC_SOAK ?? 1)) || 1);
