package io.mxtls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * What the JDK gets for one (context, identity): the chain and the private key as a JCA key,
 * made once from the PKCS#8 export. The key object is the JDK's from then on.
 */
record KeyMaterial(int index, KeyType keyType, X509Certificate[] chain, PrivateKey key) {}
