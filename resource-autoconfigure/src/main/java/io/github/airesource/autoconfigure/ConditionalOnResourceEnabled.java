package io.github.airesource.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;

/**
 * Matches unless AI Resource is switched off with {@code ai.resource.enabled=false}: the
 * master switch every AI Resource auto-configuration carries.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
@Documented
@ConditionalOnBooleanProperty(name = ResourceProperties.PREFIX + ".enabled", matchIfMissing = true)
public @interface ConditionalOnResourceEnabled {

}
