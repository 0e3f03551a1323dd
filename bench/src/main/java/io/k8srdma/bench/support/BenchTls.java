package io.k8srdma.bench.support;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The extender on HTTPS with mutual TLS, as the Helm chart runs it: a throw-away CA, the extender's
 * certificate (for 127.0.0.1) and the scheduler's client certificate. RSA 2048 keys, as Helm's
 * {@code genCA}/{@code genSignedCert} make them, so the handshakes cost what they cost in a
 * cluster.
 */
public final class BenchTls {

  private final Path dir;
  private final SSLContext schedulerContext;

  private BenchTls(Path dir, SSLContext schedulerContext) {
    this.dir = dir;
    this.schedulerContext = schedulerContext;
  }

  /** Writes ca.crt, tls.crt and tls.key (the extender's) into {@code dir}. */
  public static BenchTls create(Path dir) {
    try {
      Files.createDirectories(dir);
      KeyPair caKeys = rsa();
      X509Certificate ca = sign(builder("bench-ca", "bench-ca", caKeys, true), caKeys);
      KeyPair serverKeys = rsa();
      X509Certificate server = sign(leaf("extender", serverKeys, true), caKeys);
      KeyPair clientKeys = rsa();
      X509Certificate client = sign(leaf("k8s-rdma-scheduler", clientKeys, false), caKeys);
      Files.writeString(dir.resolve("ca.crt"), pem(ca));
      Files.writeString(dir.resolve("tls.crt"), pem(server));
      Files.writeString(
          dir.resolve("tls.key"), pem(new JcaPKCS8Generator(serverKeys.getPrivate(), null)));
      return new BenchTls(dir, context(ca, client, clientKeys.getPrivate()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The chart's TLS settings of the extender as JVM system properties (Spring Boot reads them as it
   * reads the chart's environment variables).
   */
  public List<String> extenderFlags() {
    String files = "file:" + dir.toAbsolutePath() + "/";
    return List.of(
        "-Dserver.ssl.bundle=extender",
        "-Dserver.ssl.client-auth=want",
        "-Dspring.ssl.bundle.pem.extender.keystore.certificate=" + files + "tls.crt",
        "-Dspring.ssl.bundle.pem.extender.keystore.private-key=" + files + "tls.key",
        "-Dspring.ssl.bundle.pem.extender.truststore.certificate=" + files + "ca.crt",
        "-Dspring.ssl.bundle.pem.extender.reload-on-update=true",
        "-Dk8s-rdma.extender.verbs.require-client-certificate=true");
  }

  /** An HTTP/1.1 client presenting the scheduler's certificate, as {@link DriverKit}'s. */
  public HttpClient schedulerClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .sslContext(schedulerContext)
        .build();
  }

  /**
   * The scheduler's TLS context: its client certificate and the CA as the only trust, for a client
   * that makes its own sockets ({@link Http11Connection}).
   */
  public SSLContext schedulerContext() {
    return schedulerContext;
  }

  /**
   * A TLS context that presents {@code certificate} with {@code key} and trusts {@code ca} alone:
   * the scheduler's here, the extender's in the tests' server.
   */
  static SSLContext context(X509Certificate ca, X509Certificate certificate, PrivateKey key)
      throws GeneralSecurityException, IOException {
    char[] password = "bench".toCharArray();
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    keyStore.load(null, null);
    keyStore.setKeyEntry("own", key, password, new Certificate[] {certificate});
    KeyStore trustStore = KeyStore.getInstance("PKCS12");
    trustStore.load(null, null);
    trustStore.setCertificateEntry("ca", ca);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keyStore, password);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trustStore);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }

  private static X509v3CertificateBuilder leaf(String name, KeyPair keys, boolean server)
      throws IOException {
    X509v3CertificateBuilder builder = builder("bench-ca", name, keys, false);
    builder.addExtension(
        Extension.extendedKeyUsage,
        false,
        new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    if (server) {
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.dNSName, "localhost")
              }));
    }
    return builder;
  }

  private static X509v3CertificateBuilder builder(
      String issuer, String subject, KeyPair keys, boolean ca) throws IOException {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            new X500Name("CN=" + issuer),
            BigInteger.valueOf(now.toEpochMilli()).add(BigInteger.valueOf(subject.hashCode())),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(Duration.ofDays(2))),
            new X500Name("CN=" + subject),
            keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    return builder;
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuer.getPrivate())));
  }

  private static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }
}
