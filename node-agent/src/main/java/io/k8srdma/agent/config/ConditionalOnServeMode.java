package io.k8srdma.agent.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

/**
 * Marks a bean or configuration of {@code serve} mode (the default), so that none of it is created
 * when the agent runs in {@code init} mode.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Documented
@ConditionalOnProperty(name = "k8s-rdma.agent.mode", havingValue = "serve", matchIfMissing = true)
public @interface ConditionalOnServeMode {}
