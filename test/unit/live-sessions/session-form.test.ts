import { expect } from 'chai';
import { agendaRowCount, changesOf, refusalMessagesOf, sessionInputOf, sessionValues } from '../../../src/live-sessions/session-form.js';
import { AppError } from '../../../src/shared/errors.js';

/** Messages as their keys, so that the tests read which rule spoke. */
const t = ((key: string) => `«${key}»`) as never;

const form = (overrides: Record<string, string | undefined> = {}) => ({
  title: 'Seminario regional',
  date: '2027-03-10',
  startTime: '09:00',
  endTime: '12:30',
  modality: 'virtual',
  meetingUrl: 'https://meet.example.org/seminario',
  ...overrides,
});

/** A session as the service shows it: the fields the form edits. */
const stored = {
  cohortId: null,
  title: 'Seminario regional',
  startsAt: '2027-03-10T14:00:00.000Z',
  endsAt: '2027-03-10T17:30:00.000Z',
  modality: 'in_person' as const,
  meetingUrl: null,
  venue: 'Casa de la Cultura',
  municipalityCode: '52001',
  capacity: 40,
  agenda: [
    { startsAt: '2027-03-10T14:00:00.000Z', topic: 'Instalación', responsible: 'Gobernación' },
    { startsAt: '2027-03-10T15:30:00.000Z', topic: 'Mesas', responsible: 'Equipo' },
  ],
};

describe('the live-session form', () => {
  it('turns a day and clock times in Colombia into UTC instants, agenda rows included, skipping empty rows', () => {
    const result = sessionInputOf(t, form({ 'agenda-1-time': '09:00', 'agenda-1-topic': 'Instalación', 'agenda-1-responsible': 'Gobernación', capacity: '40' }));
    expect('input' in result && result.input).to.deep.include({
      title: 'Seminario regional',
      startsAt: new Date('2027-03-10T14:00:00.000Z'),
      endsAt: new Date('2027-03-10T17:30:00.000Z'),
      capacity: 40,
      agenda: [{ startsAt: new Date('2027-03-10T14:00:00.000Z'), topic: 'Instalación', responsible: 'Gobernación' }],
    });
    expect(result.rowsSent).to.deep.equal([1]);
  });

  it('drops what the modality does not use', () => {
    const virtual = sessionInputOf(t, form({ venue: 'Casa de la Cultura', municipalityCode: '52001' }));
    expect('input' in virtual && virtual.input).to.include({ meetingUrl: 'https://meet.example.org/seminario', venue: undefined, municipalityCode: undefined });
    const inPerson = sessionInputOf(t, form({ modality: 'in_person', venue: 'Casa de la Cultura', municipalityCode: '52001' }));
    expect('input' in inPerson && inPerson.input).to.include({ venue: 'Casa de la Cultura', municipalityCode: '52001', meetingUrl: undefined });
  });

  it('names the fields that need fixing by the form’s names, and never blames a time for a bad day', () => {
    const result = sessionInputOf(t, form({ date: '2027-02-30', endTime: '25:00', capacity: '0', meetingUrl: 'http://meet.example.org', 'agenda-3-topic': 'Cierre' }));
    expect('errors' in result && result.errors).to.deep.equal({
      date: '«live-sessions:form.errors.date»',
      endTime: '«live-sessions:form.errors.time»',
      'agenda-3-time': '«validation.required»',
      'agenda-3-responsible': '«validation.required»',
      meetingUrl: '«validation.httpsOnly»',
      capacity: '«live-sessions:form.errors.capacity»',
    });
  });

  it('maps the service’s refusals back to the row they came from, and explains double booking on the start time', () => {
    const fields = new AppError('validation_failed', 'x', { fields: { endsAt: 'validation.endsBeforeStarts', 'agenda.1.startsAt': 'validation.agendaOutsideSession', venue: 'validation.required' } });
    expect(refusalMessagesOf(fields, t, [0, 4])).to.deep.equal({
      endTime: '«validation.endsBeforeStarts»',
      'agenda-4-time': '«validation.agendaOutsideSession»',
      venue: '«validation.required»',
    });
    expect(refusalMessagesOf(new AppError('conflict', 'x', { reason: 'overlap' }), t, [])).to.deep.equal({ startTime: '«live-sessions:form.conflict.overlap»' });
    expect(() => refusalMessagesOf(new AppError('forbidden', 'x'), t, [])).to.throw(AppError);
  });

  it('fills the edit form in Colombian time, and an unchanged form changes nothing', () => {
    const values = sessionValues(stored);
    expect(values).to.include({ date: '2027-03-10', startTime: '09:00', endTime: '12:30', departmentCode: '52', municipalityCode: '52001', capacity: '40', 'agenda-1-time': '10:30' });
    const again = sessionInputOf(t, values);
    expect('input' in again && changesOf(stored, again.input)).to.deep.equal({});
  });

  it('sends only what changed: a new title, a cleared capacity, a new agenda', () => {
    const edited = sessionInputOf(t, { ...sessionValues(stored), title: 'Seminario del Pacífico', capacity: undefined, 'agenda-2-time': '11:00', 'agenda-2-topic': 'Cierre', 'agenda-2-responsible': 'Relatoría' });
    if (!('input' in edited)) throw new Error('the form should read');
    const changes = changesOf(stored, edited.input);
    expect(Object.keys(changes).sort()).to.deep.equal(['agenda', 'capacity', 'title']);
    expect(changes).to.include({ title: 'Seminario del Pacífico', capacity: null });
  });

  it('shows six rows at first, keeps the rows filled and one empty after them, and adds rows up to the limit', () => {
    expect(agendaRowCount({})).to.equal(6);
    expect(agendaRowCount({ 'agenda-7-topic': 'Tarde' })).to.equal(9);
    expect(agendaRowCount({ agendaRows: '9' }, 3)).to.equal(12);
    expect(agendaRowCount({ agendaRows: '39' }, 3)).to.equal(40);
  });
});
