import { expect } from 'chai';
import { describeFailure } from '../../../src/notifications/notifications.delivery.js';

describe('the failure recorded on a mail', () => {
  it('keeps the error code, the SMTP reply code and the first line of the message', () => {
    const error = Object.assign(new Error('Mailbox unavailable\nmore detail'), { code: 'EENVELOPE', responseCode: 451 });
    expect(describeFailure(error)).to.equal('EENVELOPE 451 Mailbox unavailable');
  });

  it('drops credentials that a URL in the message might carry', () => {
    const error = new Error('could not reach smtp://capacita:contrasena-secreta@mail.example.test:587');
    expect(describeFailure(error)).to.equal('could not reach smtp://mail.example.test:587');
  });

  it('stays short', () => {
    expect(describeFailure(new Error('x'.repeat(5000)))).to.have.length(300);
  });

  it('describes things thrown that are not errors', () => {
    expect(describeFailure('se cayó el servidor')).to.equal('se cayó el servidor');
  });
});
