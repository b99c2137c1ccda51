/**
 * The authentication of Python's multiprocessing.connection, both sides of
 * it: `#CHALLENGE#` + a random message, the peer's HMAC of it, `#WELCOME#` or
 * `#FAILURE#`. We challenge with `{sha256}` (Python 3.12+) and answer
 * whatever digest the peer asks, including 3.11's bare HMAC-MD5.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthenticationError } from './errors.js';

const CHALLENGE = Buffer.from('#CHALLENGE#');
const WELCOME = Buffer.from('#WELCOME#');
const FAILURE = Buffer.from('#FAILURE#');
const ALLOWED = new Set(['md5', 'sha256', 'sha384', 'sha3_256', 'sha3_384']);
const LEGACY_LENGTHS = new Set([16, 20]);
const MESSAGE_LENGTH = 40;

/** What the handshake needs of a connection: whole messages, one at a time. */
export interface FrameIO {
  send(bytes: Uint8Array): void;
  recv(): Promise<Uint8Array>;
}

function nodeDigest(name: string): string {
  return name.replace('sha3_', 'sha3-');
}

/** `{digest}payload`, or a legacy message (no digest: MD5). */
function split(message: Buffer): [string, Buffer] {
  if (LEGACY_LENGTHS.has(message.length)) return ['', message];
  if (message[0] === 0x7b) {
    const close = message.indexOf(0x7d, 1);
    if (close > 0 && close <= 21) {
      const name = message.subarray(1, close).toString('ascii');
      if (ALLOWED.has(name)) return [name, message.subarray(close + 1)];
    }
  }
  throw new AuthenticationError('unsupported message length, missing digest prefix, or unsupported digest');
}

function response(authkey: Buffer, message: Buffer): Buffer {
  const [name] = split(message);
  if (name === '') return createHmac('md5', authkey).update(message).digest();
  return Buffer.concat([Buffer.from(`{${name}}`), createHmac(nodeDigest(name), authkey).update(message).digest()]);
}

/** Challenges the peer; resolves if it proves it has the authkey, else tells it so and rejects. */
export async function deliverChallenge(io: FrameIO, authkey: Buffer): Promise<void> {
  const message = Buffer.concat([Buffer.from('{sha256}'), randomBytes(MESSAGE_LENGTH)]);
  io.send(Buffer.concat([CHALLENGE, message]));
  const answer = Buffer.from(await io.recv());
  let ok = false;
  try {
    if (answer.length <= 256) {
      const [name, mac] = split(answer);
      const expected = createHmac(nodeDigest(name || 'md5'), authkey).update(message).digest();
      ok = expected.length === mac.length && timingSafeEqual(expected, mac);
    }
  } catch {
    ok = false;
  }
  if (!ok) {
    io.send(FAILURE);
    throw new AuthenticationError('digest received was wrong');
  }
  io.send(WELCOME);
}

/** Answers the peer's challenge; rejects if the peer refuses the answer. */
export async function answerChallenge(io: FrameIO, authkey: Buffer): Promise<void> {
  const raw = Buffer.from(await io.recv());
  if (raw.length > 256 || !raw.subarray(0, CHALLENGE.length).equals(CHALLENGE)) throw new AuthenticationError(`protocol error: expected a challenge, got ${JSON.stringify(raw.subarray(0, 32).toString('latin1'))}`);
  const message = raw.subarray(CHALLENGE.length);
  if (message.length < 20) throw new AuthenticationError(`challenge too short: ${message.length} bytes`);
  io.send(response(authkey, message));
  const verdict = Buffer.from(await io.recv());
  if (!verdict.equals(WELCOME)) throw new AuthenticationError('digest sent was rejected');
}
