/**
 * A self-contained OpenSSL configuration for the dev certificates, passed with
 * `-config` so that nothing depends on the machine's openssl.cnf (absent or odd on
 * some systems). One section per kind of certificate.
 */
export const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
prompt = no
utf8 = yes

[dn]
CN = unused

# The local CA. Name constraints limit it to loopback names, so a copy of its key
# cannot mint a certificate another site would accept even where ca.pem is trusted.
[ca_ext]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
nameConstraints = critical,permitted;DNS:localhost,permitted;IP:127.0.0.0/255.0.0.0,permitted;IP:::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff

[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost,IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer

# Token-signing certificates: self-signed, like the ones behind Entra's x5c.
[signing_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
`;
