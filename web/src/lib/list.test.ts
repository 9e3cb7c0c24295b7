import { describe, expect, it } from 'vitest';
import { remove, upsert } from './list';

describe('list updates', () => {
  it('replaces in place or adds', () => {
    const same = (id: number) => (x: { id: number }) => x.id === id;
    expect(upsert([{ id: 1 }, { id: 2 }], { id: 2, v: 'x' } as { id: number }, same(2))).toEqual([
      { id: 1 },
      { id: 2, v: 'x' },
    ]);
    expect(upsert([{ id: 1 }], { id: 3 }, same(3))).toEqual([{ id: 1 }, { id: 3 }]);
    expect(upsert([{ id: 1 }], { id: 3 }, same(3), true)).toEqual([{ id: 3 }, { id: 1 }]);
    expect(upsert(undefined, { id: 3 }, same(3))).toEqual([{ id: 3 }]);
    expect(remove([{ id: 1 }, { id: 2 }], same(1))).toEqual([{ id: 2 }]);
  });
});
