#!/bin/sh
# Inputs for the readers' and `mxtls pack` tests, made by the real tools (openssl, keytool):
# a root -> intermediate -> leaf chain (clientAuth), the leaf key in every PEM/DER form
# users bring, .p7b bundles (PEM and DER), a key of no certificate, and Java keystores.
# usage: make-inputs.sh OUTDIR   (password of every encrypted key: "s3cret")
#
# Keystores (keytool of the JDK on PATH; skipped with a note when there is none), each with
# private-key entries "client" (the RSA leaf, its chain) and "ec-client" (the P-384 leaf, its
# chain) and a trusted-certificate entry "readers root" (keytool lowercases aliases):
#   store.jks    store password "störe-pass€🔑" (UTF-16BE, one char beyond the BMP),
#                key password "kéy-pass"
#   store.jceks  store password "store-pass", key password "key-pass" (Java 17 takes only ASCII
#                there), 10000 PBE iterations (the default 200000 is slow under valgrind), and
#                a secret-key entry "aes-secret"
#   store-utf8.jceks  only when a keytool of Java 21+ is found (PBE keys take UTF-8 there):
#                "ec-client" and the root, store password "störe-pass", key password "kéy-päss€"
set -eu
out=$1
mkdir -p "$out"
cd "$out"
rm -f ./*.pem ./*.der ./*.p7b ./*.srl ./*.cnf ./*.jks ./*.jceks ./ks-*.p12
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

# Java keystores: the two leaves imported from .p12 files (so their keys and chains are the
# ones above), the root as a trusted certificate, and for JCEKS a secret key. keytool takes
# most of a second to start: the stores are made side by side.
# kt LOG KEYTOOL ARGS...: quiet unless it fails. Passwords on argv are UTF-8: keytool needs a
# UTF-8 locale to read them as such.
kt() {
	log=$1 k=$2
	shift 2
	if ! LC_ALL=C.UTF-8 "$k" -J-Djdk.jceks.iterationCount=10000 "$@" >"$log" 2>&1; then
		cat "$log" >&2
		return 1
	fi
}
keystore() { # keystore KEYTOOL FILE TYPE STOREPW KEYPW ALIAS...
	k=$1 f=$2 t=$3 sp=$4 kp=$5
	shift 5
	for a in "$@"; do
		kt "$f.log" "$k" -importkeystore -noprompt -srckeystore "ks-$a.p12" -srcstoretype PKCS12 \
		    -srcstorepass p12-pass -srcalias "$a" -destkeystore "$f" -deststoretype "$t" \
		    -deststorepass "$sp" -destkeypass "$kp" || return 1
	done
	kt "$f.log" "$k" -importcert -noprompt -alias "Readers Root" -file root.pem -keystore "$f" \
	    -storetype "$t" -storepass "$sp"
}
if command -v keytool >/dev/null 2>&1; then
	o pkcs12 -export -inkey leaf-key.pem -in leaf.pem -certfile cas.pem -name client \
	    -passout pass:p12-pass -out ks-client.p12
	o pkcs12 -export -inkey ecleaf-key.pem -in ecleaf.pem -certfile cas.pem -name ec-client \
	    -passout pass:p12-pass -out ks-ec-client.p12
	keystore keytool store.jks JKS 'störe-pass€🔑' 'kéy-pass' client ec-client &
	jks=$!
	(keystore keytool store.jceks JCEKS store-pass key-pass client ec-client &&
	    kt store.jceks.log keytool -genseckey -alias aes-secret -keyalg AES -keysize 128 \
		-keystore store.jceks -storetype JCEKS -storepass store-pass -keypass key-pass) &
	jceks=$!
	for k in /usr/lib/jvm/*/bin/keytool; do
		v=$("${k%/keytool}/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
		if [ "${v:-0}" -ge 21 ] 2>/dev/null; then
			keystore "$k" store-utf8.jceks JCEKS 'störe-pass' 'kéy-päss€' ec-client ||
			    echo "make-inputs: store-utf8.jceks not made" >&2
			break
		fi
	done
	wait "$jks"
	wait "$jceks"
	rm -f ./*.log ks-*.p12
else
	echo "make-inputs: no keytool: Java keystores not made" >&2
fi
echo ok
