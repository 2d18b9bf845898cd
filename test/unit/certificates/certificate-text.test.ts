import { expect } from 'chai';
import { newCertificateCode, normalizeCertificateCode } from '../../../src/certificates/certificate-code.js';
import { maskDocumentNumber, searchableText } from '../../../src/certificates/certificates.service.js';

describe('certificate codes and texts', () => {
  it('reads a code however a person types it, and nothing that cannot be one', () => {
    expect(normalizeCertificateCode('cap-7k3f-9qxd')).to.equal('CAP-7K3F-9QXD');
    expect(normalizeCertificateCode(' 7K3F 9QXD ')).to.equal('CAP-7K3F-9QXD');
    expect(normalizeCertificateCode('CAP-OK1F-9QXL')).to.equal('CAP-0K1F-9QX1');
    expect(normalizeCertificateCode('CAP-ik3f-9qxd')).to.equal('CAP-1K3F-9QXD');
    for (const malformed of ['', 'CAP-7K3F', 'CAP-7K3F-9QXU', 'CAP-7K3F-9QXD-1', '7K3F9QX!']) expect(normalizeCertificateCode(malformed), malformed).to.equal(undefined);
    const drawn = newCertificateCode();
    expect(normalizeCertificateCode(drawn)).to.equal(drawn);
  });

  it('masks all of a document number but its last three characters', () => {
    expect(maskDocumentNumber('123456789')).to.equal('******789');
    expect(maskDocumentNumber('1023456789')).to.equal('*******789');
    expect(maskDocumentNumber('AB12')).to.equal('**12');
    expect(maskDocumentNumber('')).to.equal('');
  });

  it('searches without accents, tildes or case', () => {
    expect(searchableText('  Ñusta   Quiñónez IBÁÑEZ ')).to.equal('nusta quinonez ibanez');
    expect(searchableText("Gómez O'Neill Müller")).to.equal("gomez o'neill muller");
  });
});
