#!/usr/bin/env bash
# Makes the certificates of the TLS tests in DIR with openssl: nothing secret is checked in.
#
#   tests/tls/make-certs.sh DIR
#
# DIR/ca.pem                 the test CA (ca.key its key)
# DIR/other-ca.pem           an unrelated CA: trusting it instead of ca.pem is "the wrong CA"
# DIR/server.pem, server.key server certificate from ca.pem, SAN IP:127.0.0.1 and DNS:localhost;
#                            key in unencrypted PKCS#8 (what the RocketMQ JVMs need)
# DIR/wrong-name.pem, .key   from ca.pem too, but only for IP:127.0.0.2
# DIR/client.pem, client.key client certificate from ca.pem (mutual TLS); client.enc.key is
#                            the same key in encrypted PKCS#8 (PBES2, AES-256-CBC), password
#                            in client.password; client.pbe1.key the same in the old PKCS#12
#                            scheme PBE-SHA1-3DES (unsupported)
# DIR/client-ok.properties        tls.client.trustCertPath=ca.pem
# DIR/client-wrong-ca.properties  tls.client.trustCertPath=other-ca.pem
# DIR/client-trust-all.properties tls.client.authServer=false
# DIR/client-mtls.properties      ca.pem + client.pem + client.enc.key + password
# Keys are EC P-256 (fast to make). Certificates are valid for 2 days.
set -euo pipefail
dir=${1:?usage: $0 DIR}
mkdir -p "$dir"
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() { # name subject
    key "$1.key"
    openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "$2" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

leaf() { # name subject subjectAltName extendedKeyUsage
    key "$1.key"
    openssl req -new -key "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=%s\nextendedKeyUsage=%s\n' \
        "$3" "$4" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 2 \
        -extfile "$1.ext" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

ca ca "/CN=rocketmq-rust test CA"
ca other-ca "/CN=rocketmq-rust other CA"
leaf server "/CN=127.0.0.1" "IP:127.0.0.1,DNS:localhost" serverAuth
leaf wrong-name "/CN=127.0.0.2" "IP:127.0.0.2" serverAuth
leaf client "/CN=rocketmq-rust test client" "DNS:client" clientAuth
echo "rocketmq-test-password" >client.password
openssl pkcs8 -topk8 -v2 aes-256-cbc -in client.key -out client.enc.key -passout file:client.password
# the same in the older PKCS#12 scheme (not supported by the library: its error must say so)
openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in client.key -out client.pbe1.key -passout file:client.password

here=$(pwd)
printf 'tls.client.trustCertPath=%s/ca.pem\n' "$here" >client-ok.properties
printf 'tls.client.trustCertPath=%s/other-ca.pem\n' "$here" >client-wrong-ca.properties
printf '# encrypted, but the server is not checked\ntls.client.authServer=false\n' >client-trust-all.properties
{
    printf 'tls.client.trustCertPath=%s/ca.pem\n' "$here"
    printf 'tls.client.certPath=%s/client.pem\n' "$here"
    printf 'tls.client.keyPath=%s/client.enc.key\n' "$here"
    printf 'tls.client.keyPassword=%s\n' "$(cat client.password)"
} >client-mtls.properties
