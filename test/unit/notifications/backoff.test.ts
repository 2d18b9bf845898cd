import { expect } from 'chai';
import { MAX_ATTEMPTS, RETRY_DELAYS_MS, hasExhaustedAttempts, retryDelayMs } from '../../../src/notifications/notifications.backoff.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('the mail retry schedule', () => {
  it('waits 30 s, 2 min, 10 min, 1 h and then 6 h between attempts', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(retryDelayMs)).to.deep.equal([30 * SECOND, 2 * MINUTE, 10 * MINUTE, HOUR, 6 * HOUR, 6 * HOUR, 6 * HOUR]);
  });

  it('never waits less than before, nor more than 6 hours', () => {
    for (let attempts = 1; attempts < 50; attempts += 1) {
      expect(retryDelayMs(attempts + 1)).to.be.at.least(retryDelayMs(attempts));
      expect(retryDelayMs(attempts)).to.be.at.most(6 * HOUR);
    }
  });

  it('treats a count below one as the first attempt', () => {
    expect(retryDelayMs(0)).to.equal(30 * SECOND);
    expect(retryDelayMs(-3)).to.equal(30 * SECOND);
  });

  it('gives up after 8 attempts, the last one about 19 hours after the first', () => {
    expect(MAX_ATTEMPTS).to.equal(8);
    expect(hasExhaustedAttempts(7)).to.equal(false);
    expect(hasExhaustedAttempts(8)).to.equal(true);
    const waited = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, index) => retryDelayMs(index + 1)).reduce((sum, delay) => sum + delay, 0);
    expect(waited).to.be.within(18 * HOUR, 20 * HOUR);
    expect(RETRY_DELAYS_MS.length).to.be.below(MAX_ATTEMPTS);
  });
});
