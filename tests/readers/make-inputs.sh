#!/bin/sh
# Inputs for the readers' and `mxtls pack` tests, made by the real tool (openssl):
# a root -> intermediate -> leaf chain (clientAuth), the leaf key in every PEM/DER form
# users bring, .p7b bundles (PEM and DER), and a key of no certificate.
# usage: make-inputs.sh OUTDIR   (password of every encrypted key: "s3cret")
set -eu
out=$1
mkdir -p "$out"
cd "$out"
rm -f ./*.pem ./*.der ./*.p7b ./*.srl ./*.cnf
pw=s3cret
o() { openssl "$@" 2>/dev/null; }
cat > ext.cnf <<'X'
[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
[leaf]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
X
o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out root-key.pem
o req -new -x509 -key root-key.pem -subj "/CN=Readers Test Root" -days 3650 -extensions ca \
    -config ext.cnf -out root.pem -set_serial 1 2>/dev/null || \
o req -new -x509 -key root-key.pem -subj "/CN=Readers Test Root" -days 3650 -addext basicConstraints=critical,CA:TRUE -out root.pem
o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out int-key.pem
o req -new -key int-key.pem -subj "/CN=Readers Test Intermediate" -out int.csr
o x509 -req -in int.csr -CA root.pem -CAkey root-key.pem -set_serial 2 -days 3000 \
    -extfile ext.cnf -extensions ca -out int.pem
o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out leaf-key.pem
o req -new -key leaf-key.pem -subj "/CN=readers-client/O=Example" -out leaf.csr
o x509 -req -in leaf.csr -CA int.pem -CAkey int-key.pem -set_serial 3 -days 365 \
    -extfile ext.cnf -extensions leaf -out leaf.pem
# An EC leaf too, for SEC1 keys.
o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out ecleaf-key.pem
o req -new -key ecleaf-key.pem -subj "/CN=readers-ec-client" -out ecleaf.csr
o x509 -req -in ecleaf.csr -CA int.pem -CAkey int-key.pem -set_serial 4 -days 365 \
    -extfile ext.cnf -extensions leaf -out ecleaf.pem
rm -f ./*.csr ./*.srl
# Key forms.
o pkcs8 -topk8 -in leaf-key.pem -v2 aes-256-cbc -passout pass:$pw -out key-pbes2-aes.pem
o pkcs8 -topk8 -in leaf-key.pem -v2 des3 -passout pass:$pw -out key-pbes2-des3.pem
o pkcs8 -topk8 -in leaf-key.pem -v1 PBE-SHA1-3DES -passout pass:$pw -out key-pbe-sha1-3des.pem
o pkcs8 -topk8 -in leaf-key.pem -v2 aes-256-cbc -passout pass:$pw -outform DER -out key-pbes2-aes.der
o rsa -in leaf-key.pem -traditional -out key-pkcs1.pem
o rsa -in leaf-key.pem -traditional -aes256 -passout pass:$pw -out key-legacy-aes256.pem
o rsa -in leaf-key.pem -traditional -aes128 -passout pass:$pw -out key-legacy-aes128.pem
o rsa -in leaf-key.pem -traditional -des3 -passout pass:$pw -out key-legacy-des3.pem
o pkey -in leaf-key.pem -outform DER -out key-pkcs8.der
o rsa -in leaf-key.pem -traditional -outform DER -out key-pkcs1.der
o ec -in ecleaf-key.pem -out eckey-sec1.pem
o ec -in ecleaf-key.pem -aes256 -passout pass:$pw -out eckey-legacy-aes256.pem
o ec -in ecleaf-key.pem -outform DER -out eckey-sec1.der
# Certificates and bundles.
cat leaf.pem int.pem root.pem > chain-full.pem
cat root.pem leaf.pem int.pem > chain-shuffled.pem
cat int.pem root.pem > cas.pem
o x509 -in leaf.pem -outform DER -out leaf.der
o crl2pkcs7 -nocrl -certfile chain-shuffled.pem -out chain.p7b
o crl2pkcs7 -nocrl -certfile chain-shuffled.pem -outform DER -out chain-der.p7b
# A key that no certificate holds; an Ed25519 key (not usable).
o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other-key.pem
o genpkey -algorithm ED25519 -out ed25519-key.pem
# PBKDF2 iterations over MXTLS_MAX_KDF_ITERATIONS: refused before any derivation.
o pkcs8 -topk8 -in ecleaf-key.pem -v2 aes-128-cbc -iter 5000001 -passout pass:$pw -out key-too-many-iterations.pem
echo ok
