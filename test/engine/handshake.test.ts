import { expect } from 'chai';
import { useDriverDatabase } from '../helpers/database.js';

describe('engine handshake', () => {
  const db = useDriverDatabase('handshake', 'engine');

  it('answers ping and buildInfo through the official driver', async () => {
    expect((await db().command({ ping: 1 })).ok).to.equal(1);
    const info = await db().admin().command({ buildInfo: 1 });
    expect(info.version).to.match(/^7\./);
  });
});
