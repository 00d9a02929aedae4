import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileStorage } from '../src/log/storage.js';
import { EventStore } from '../src/store/event-store.js';

const dir = process.env.DIR!;
mkdirSync(dir, { recursive: true });
const store = await EventStore.open(new FileStorage(join(dir, 'events.log')));
const t0 = performance.now();
const N = Number(process.env.N ?? 1_000_000);
for (let i = 0; i < N; i += 1000) {
  await store.append(
    `account-${(i / 1000) % 1000}`,
    { kind: 'any' },
    Array.from({ length: 1000 }, (_, j) => ({
      id: Buffer.from(crypto.randomUUID().replaceAll('-', ''), 'hex'),
      type: 'MoneyDeposited',
      contentType: 'application/json',
      data: Buffer.from(JSON.stringify({ n: i + j, amount: 100 })),
      metadata: Buffer.alloc(0),
    })),
  );
}
console.log('loaded', N, 'in', Math.round(performance.now() - t0), 'ms');
await store.close();
