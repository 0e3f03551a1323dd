package io.k8srdma.extender.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for tests, writing PEM files as a {@code kubernetes.io/tls}
 * Secret holds them ({@code tls.crt}, {@code tls.key}, {@code ca.crt}). EC P-256 keys: quick to
 * make, and what cert-manager users often choose.
 */
public final class TestPki {

  private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());

  private final String name;
  private final KeyPair keys;
  private final X509Certificate certificate;

  private TestPki(String name, KeyPair keys, X509Certificate certificate) {
    this.name = name;
    this.keys = keys;
    this.certificate = certificate;
  }

  /** A new self-signed CA. */
  public static TestPki authority(String name) {
    KeyPair keys = keyPair();
    X509v3CertificateBuilder builder = builder(name, name, keys, Duration.ofDays(1));
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new TestPki(name, keys, sign(builder, keys));
  }

  /**
   * Writes a certificate this CA signs for {@code commonName}, with the DNS names and IP addresses
   * in {@code subjectAltNames} (an entry with a digit first is an IP address), for server and
   * client use, as Helm's {@code genSignedCert} makes them.
   *
   * @return {@code dir}, holding tls.crt, tls.key and ca.crt
   */
  public Path issue(Path dir, String commonName, List<String> subjectAltNames) {
    KeyPair leaf = keyPair();
    X509v3CertificateBuilder builder = builder(name, commonName, leaf, Duration.ofDays(1));
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      if (!subjectAltNames.isEmpty()) {
        GeneralName[] names =
            subjectAltNames.stream()
                .map(
                    n ->
                        Character.isDigit(n.charAt(0))
                            ? new GeneralName(GeneralName.iPAddress, n)
                            : new GeneralName(GeneralName.dNSName, n))
                .toArray(GeneralName[]::new);
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("tls.crt"), pem(sign(builder, keys)));
      Files.writeString(
          dir.resolve("tls.key"), pem(new JcaPKCS8Generator(leaf.getPrivate(), null)));
      Files.writeString(dir.resolve("ca.crt"), pem(certificate));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static X509v3CertificateBuilder builder(
      String issuer, String subject, KeyPair keys, Duration validity) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        new X500Name("CN=" + issuer),
        BigInteger.valueOf(SERIALS.incrementAndGet()),
        Date.from(now.minus(Duration.ofMinutes(5))),
        Date.from(now.plus(validity)),
        new X500Name("CN=" + subject),
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }
}
