import { OrderStore } from '../matcher/core/order-store.ts';
const s = new OrderStore();
const slots: number[] = [];
for (let i = 0; i < 1000; i++) {
  const slot = s.alloc();
  s.setId(slot, i + 1); s.setPrice(slot, 10000 + i); s.setOrigQty(slot, 10); s.setRemaining(slot, 10);
  s.setTime(slot, 1700000000000); s.setUpdateTime(slot, 1700000000000);
  slots.push(slot);
}
let sink = 0;
for (let r = 0; r < 5; r++) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < 10_000_000; i++) {
    const v = s.view(slots[i % 1000]!, 'BTCUSDT', 7);
    sink += v.orderId;
  }
  console.log('view', (Number(process.hrtime.bigint() - t) / 1e7).toFixed(1), 'ns');
}
console.log(sink > 0);
