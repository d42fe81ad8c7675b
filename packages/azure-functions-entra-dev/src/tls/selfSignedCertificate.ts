import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPENSSL_CONFIG } from './opensslConfig';
import { runOpenssl } from './openssl';

export interface SelfSignedCertificate {
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

export interface SelfSignedCertificateOptions {
  /** Common name of the subject (and issuer). */
  readonly commonName: string;
  readonly days: number;
  readonly openssl?: string | undefined;
}

/**
 * A fresh RSA-2048 key with a self-signed certificate around it: the form of the
 * keys Entra (and Key Vault) publish with an `x5c` chain and an `x5t` thumbprint.
 */
export async function createSelfSignedRsaCertificate(options: SelfSignedCertificateOptions): Promise<SelfSignedCertificate> {
  const scratch = await mkdtemp(join(tmpdir(), 'dev-signing-'));
  try {
    await writeFile(join(scratch, 'openssl.cnf'), OPENSSL_CONFIG);
    await runOpenssl(
      [
        'req', '-x509', '-new', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', String(options.days), '-config', 'openssl.cnf',
        '-extensions', 'signing_ext', '-subj', `/CN=${options.commonName}`, '-keyout', 'key.pem', '-out', 'cert.pem',
      ],
      { openssl: options.openssl, cwd: scratch },
    );
    const [privateKeyPem, certificatePem] = await Promise.all([readFile(join(scratch, 'key.pem'), 'utf8'), readFile(join(scratch, 'cert.pem'), 'utf8')]);
    return { privateKeyPem, certificatePem };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
