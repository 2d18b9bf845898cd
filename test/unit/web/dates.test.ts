import { expect } from 'chai';
import { formatCalendarDay, formatDate, formatDateTime } from '../../../src/web/dates.js';

describe('dates shown in Bogotá time', () => {
  it('shows an instant at Colombian time (UTC−5), in the reader\'s language', () => {
    expect(formatDateTime('2026-03-01T03:30:00Z', 'es')).to.equal('28 feb 2026, 22:30');
    expect(formatDateTime(new Date('2026-03-01T15:05:00Z'), 'en')).to.equal('Mar 1, 2026, 10:05 AM');
  });

  it('gives the Bogotá day of an instant', () => {
    expect(formatDate('2026-01-01T04:59:59Z', 'es')).to.equal('31 dic 2025');
    expect(formatDate('2026-01-01T05:00:00Z', 'es')).to.equal('1 ene 2026');
  });

  it('never shifts a calendar day such as a birth date', () => {
    expect(formatCalendarDay('1988-04-12', 'es')).to.equal('12 abr 1988');
    expect(formatCalendarDay('2000-01-01', 'en')).to.equal('Jan 1, 2000');
  });

  it('falls back to Spanish for an unknown language', () => {
    expect(formatCalendarDay('1988-04-12', 'pt')).to.equal('12 abr 1988');
  });
});
