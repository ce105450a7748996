import { constants, X509Certificate } from 'node:crypto';
import { createServer, type Server, type TlsOptions } from 'node:tls';
import { ChatError } from '../errors.ts';
import { readOptional } from '../fs/files.ts';
import { pkiLayout } from '../pki/layout.ts';

/**
 * TLS 1.2 suites offered with `--tls-min 1.2`: forward-secret ECDHE with AEAD
 * ciphers only. TLS 1.3 suites are all AEAD and stay node's defaults.
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** What the server's TLS is built from, read once at start. */
export interface ServerTls {
  options: TlsOptions;
  /** SHA-256 fingerprint of the team CA, for the start-up log. */
  caFingerprint: string;
  /** False when there is no crl.pem: then no certificate is checked for revocation. */
  crlLoaded: boolean;
}

/**
 * Reads the CA, server certificate and key, and the CRL when there is one,
 * and builds mutual-TLS server options. Client certificates are required and
 * checked against the CA and CRL in the handshake: a peer without one gets
 * the `certificate_required` alert, and one whose certificate fails (another
 * CA, expired, revoked) is cut right after the handshake, before any session
 * ticket or application byte. Either way it never becomes a connection.
 */
export async function loadServerTls(certsDir: string, tlsMin: '1.2' | '1.3'): Promise<ServerTls> {
  const layout = pkiLayout(certsDir);
  const fix = `run \`chat certs --dir ${certsDir}\` to make them, or point --certs at your certs directory`;
  const need = async (path: string) => {
    const text = await readOptional(path);
    if (text === undefined) throw new ChatError('NO_CA', `${path} is missing`, { hint: fix });
    return text;
  };
  // One after another, so the missing file named is always the first of them.
  const ca = await need(layout.caCert);
  const cert = await need(layout.serverCert);
  const key = await need(layout.serverKey);
  const crl = await readOptional(layout.crl);
  let caFingerprint: string;
  try {
    caFingerprint = new X509Certificate(ca).fingerprint256;
  } catch (cause) {
    throw new ChatError('CA_CERT_UNREADABLE', `${layout.caCert} is not a readable certificate`, {
      hint: fix,
      cause,
    });
  }
  return {
    caFingerprint,
    crlLoaded: crl !== undefined,
    options: {
      ca,
      cert,
      key,
      ...(crl === undefined ? {} : { crl }),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: tlsMin === '1.2' ? 'TLSv1.2' : 'TLSv1.3',
      ciphers: TLS12_CIPHERS,
      honorCipherOrder: true,
      // TLS 1.3 has no renegotiation; this refuses it under 1.2 as well.
      secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
    },
  };
}

/**
 * The TLS server of `tls`; it never listens itself (the handshake shell
 * hands it sockets). `handshakeTimeoutMs` is node's own deadline: the
 * shell's, counted from accept, comes first.
 */
export function createTlsServer(tls: ServerTls, handshakeTimeoutMs: number): Server {
  try {
    return createServer({ ...tls.options, handshakeTimeout: handshakeTimeoutMs });
  } catch (cause) {
    throw new ChatError('CERT_UNREADABLE', `cannot use the server certificate: ${String(cause)}`, {
      hint: 'check that server.key belongs to server.crt, or re-issue them with `chat certs server`',
      cause,
    });
  }
}
