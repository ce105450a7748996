import { webcrypto } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CRLNumber, id_ce_cRLNumber } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import type { CertAndKey } from './issue.ts';
import { derSerialHex, normalizeSerial, parsePrivateKey } from './keys.ts';
import { REVOCATION_REASONS, type RevocationReason } from './revocation-reasons.ts';

export {
  isRevocationReason,
  REVOCATION_REASONS,
  type RevocationReason,
} from './revocation-reasons.ts';

const REASON_CODES: Record<RevocationReason, x509.X509CrlReason> = {
  'key-compromise': x509.X509CrlReason.keyCompromise,
  'affiliation-changed': x509.X509CrlReason.affiliationChanged,
  superseded: x509.X509CrlReason.superseded,
  'cessation-of-operation': x509.X509CrlReason.cessationOfOperation,
};

/** One revoked certificate: its serial (hex), when and why it was revoked. */
export interface Revocation {
  serial: string;
  revokedAt: Date;
  reason: RevocationReason;
}

/** The parts of a CRL that `chat` reads back. */
export interface CrlContents {
  /** Increases with every CRL the CA signs, so a stale copy is recognisable. */
  number: number;
  revocations: Revocation[];
  nextUpdate: Date | undefined;
}

export interface CrlRequest {
  ca: CertAndKey;
  number: number;
  revocations: readonly Revocation[];
  thisUpdate: Date;
  /**
   * OpenSSL rejects every handshake once a loaded CRL is past nextUpdate, so
   * the caller sets it to the CA's own expiry: the file is local to the
   * server, never fetched, so there is no stale copy for anyone to replay.
   */
  nextUpdate: Date;
}

/** Signs a CRL listing `revocations` with the CA key, SHA-256, as PEM. */
export async function buildCrl(request: CrlRequest): Promise<string> {
  const caCert = new x509.X509Certificate(request.ca.cert);
  const key = parsePrivateKey(request.ca.key);
  const isEc = key.asymmetricKeyType === 'ec';
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const importParams = isEc
    ? { name: 'ECDSA', namedCurve: 'P-256' }
    : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const signingKey = await webcrypto.subtle.importKey('pkcs8', der, importParams, false, ['sign']);
  const crl = await x509.X509CrlGenerator.create({
    // The issuer is copied as parsed from the CA certificate so that its
    // encoding matches byte for byte, which OpenSSL needs to pair them.
    issuer: caCert.subjectName,
    thisUpdate: request.thisUpdate,
    nextUpdate: request.nextUpdate,
    signingAlgorithm: isEc
      ? { name: 'ECDSA', hash: 'SHA-256' }
      : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    signingKey,
    extensions: [
      new x509.Extension(
        id_ce_cRLNumber,
        false,
        AsnConvert.serialize(new CRLNumber(request.number)),
      ),
    ],
    entries: request.revocations.map((r) => ({
      serialNumber: derSerialHex(r.serial),
      revocationDate: r.revokedAt,
      reason: REASON_CODES[r.reason],
    })),
  });
  // OpenSSL only reads the "X509 CRL" PEM label, not the library's "CRL".
  return x509.PemConverter.encode(crl.rawData, 'X509 CRL');
}

/** Reads a CRL's number and entries; throws on anything that is not a CRL. */
export function readCrl(pem: string): CrlContents {
  const crl = new x509.X509Crl(pem);
  const numberExt = crl.extensions.find((e) => e.type === id_ce_cRLNumber);
  const number = numberExt ? AsnConvert.parse(numberExt.value, CRLNumber).value : 0;
  return {
    number,
    nextUpdate: crl.nextUpdate,
    revocations: crl.entries.map((e) => ({
      serial: normalizeSerial(e.serialNumber),
      revokedAt: e.revocationDate,
      reason: reasonName(e.reason),
    })),
  };
}

/** True when the CRL carries a valid signature of this CA certificate. */
export async function crlSignedBy(pem: string, caCertPem: string): Promise<boolean> {
  const crl = new x509.X509Crl(pem);
  return crl.verify({ publicKey: new x509.X509Certificate(caCertPem) });
}

function reasonName(code: x509.X509CrlReason | undefined): RevocationReason {
  const found = REVOCATION_REASONS.find((name) => REASON_CODES[name] === code);
  return found ?? 'cessation-of-operation';
}
