#!/usr/bin/env bash
# Creates a development PKI for mutual TLS in ./certs (or the folder given): a CA, a server certificate for
# localhost/127.0.0.1 and a client certificate (CN=dev-client, clientAuth), all PEM. Never use them in production.
set -euo pipefail
out="${1:-certs}"
mkdir -p "$out"
cd "$out"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
  -subj "/CN=ChatTts.Edge Dev CA" -keyout ca.key -out ca.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

issue() { # name, subject, extendedKeyUsage, subjectAltName
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 90 -out "$1.pem" \
    -extfile <(printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=%s\n' "$3" "$4") 2>/dev/null
  rm -f "$1.csr"
}
issue server "/CN=localhost" serverAuth "DNS:localhost,IP:127.0.0.1"
issue client "/CN=dev-client" clientAuth "DNS:dev-client"
rm -f ca.srl
echo "dev-certs: wrote $(pwd)/{ca,server,client}.{pem,key}"
