package dev.kafru.admin;

import jakarta.interceptor.InterceptorBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks kafru's JAX-RS resources: every call checks the caller's role and turns every failure
 * into a problem+json answer ({@link AdminGuard}). Reads need kafru-viewer or kafru-admin;
 * anything but GET/HEAD, and methods marked {@link Writes}, need kafru-admin.
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Guarded {
}
