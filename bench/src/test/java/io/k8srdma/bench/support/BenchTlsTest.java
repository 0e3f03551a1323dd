package io.k8srdma.bench.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchTlsTest {

  @TempDir Path dir;

  @Test
  void theExtendersCertificateIsSignedByTheCaForLoopbackAndTheFlagsNameTheFiles() throws Exception {
    BenchTls tls = BenchTls.create(dir);

    X509Certificate ca = read(dir.resolve("ca.crt"));
    X509Certificate server = read(dir.resolve("tls.crt"));
    server.verify(ca.getPublicKey());
    assertThat(server.getSubjectAlternativeNames())
        .contains(List.of(7, "127.0.0.1"), List.of(2, "localhost"));
    assertThat(Files.readString(dir.resolve("tls.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(tls.extenderFlags())
        .contains(
            "-Dspring.ssl.bundle.pem.extender.keystore.private-key=file:"
                + dir.toAbsolutePath()
                + "/tls.key",
            "-Dk8s-rdma.extender.verbs.require-client-certificate=true");
    assertThat(tls.schedulerClient().sslContext().getProtocol()).isEqualTo("TLS");
  }

  private static X509Certificate read(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
