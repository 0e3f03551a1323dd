package io.k8srdma.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The check's own mechanics with the servlet API's mocks: the attribute Tomcat sets stands in for
 * Tomcat's parsing. The services' tests send the malformed query strings to a real Tomcat ({@code
 * aQueryStringTheServerCannotDecodeIsA400NamingThePart}).
 */
class QueryStringCheckTest {

  static final ErrorBody BODY = (status, message, path) -> Map.of("at", path, "said", message);

  @Test
  void aQueryStringTomcatCouldNotReadIsA400InTheServicesShape() throws Exception {
    Logger log = mock(Logger.class);
    MockHttpServletRequest request = get("/inventory", "node=a&node=%ZZ");
    MockHttpServletResponse response = new MockHttpServletResponse();
    MockFilterChain chain = new MockFilterChain();

    new QueryStringCheck(new ObjectMapper(), BODY, log).doFilter(request, response, chain);

    String message =
        "malformed query string: 'node=%ZZ' is not valid percent-encoding (%XX, X a hex digit)";
    assertThat(chain.getRequest()).isNull();
    assertThat(response.getStatus()).isEqualTo(400);
    assertThat(response.getContentType()).isEqualTo("application/json");
    assertThat(new ObjectMapper().readTree(response.getContentAsString()))
        .isEqualTo(new ObjectMapper().valueToTree(Map.of("at", "/inventory", "said", message)));
    verify(log).warn("answered 400 to {} {}: {}", "GET", "/inventory", message);
  }

  @Test
  void onlyAGetOrHeadWithAQueryStringIsChecked() throws Exception {
    MockHttpServletRequest post = get("/rescan", "%ZZ");
    post.setMethod("POST");
    MockHttpServletRequest noQuery = get("/vfs", null);
    MockHttpServletRequest readInFull = get("/vfs", "pf=ibp26s0");
    readInFull.removeAttribute(QueryStringCheck.PARSE_FAILED);

    for (MockHttpServletRequest request :
        new MockHttpServletRequest[] {post, noQuery, readInFull}) {
      MockFilterChain chain = new MockFilterChain();
      MockHttpServletResponse response = new MockHttpServletResponse();

      new QueryStringCheck(new ObjectMapper(), BODY, mock(Logger.class))
          .doFilter(request, response, chain);

      assertThat(chain.getRequest()).as(request.getRequestURI()).isSameAs(request);
      assertThat(response.getStatus()).isEqualTo(200);
    }
  }

  @Test
  void whatIsWrongNamesThePartElseTomcatsReason() {
    assertThat(QueryStringCheck.whatIsWrong("pf=a&=x", "INVALID_CONTENT"))
        .isEqualTo("'=x' has no parameter name");
    assertThat(QueryStringCheck.whatIsWrong("pf=a&b=%4", "INVALID_CONTENT"))
        .isEqualTo("'b=%4' is not valid percent-encoding (%XX, X a hex digit)");
    assertThat(QueryStringCheck.whatIsWrong("a=1&b=2", "TOO_MANY_PARAMETERS"))
        .isEqualTo("the server could not read all of its parameters (TOO_MANY_PARAMETERS)");
  }

  /** A GET on which Tomcat, parsing {@code query}, reported a failure. */
  private static MockHttpServletRequest get(String uri, String query) {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", uri);
    request.setQueryString(query);
    request.setAttribute(QueryStringCheck.PARSE_FAILED, "INVALID_CONTENT");
    return request;
  }
}
