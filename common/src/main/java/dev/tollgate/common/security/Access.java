package dev.tollgate.common.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An endpoint's written policy: which credential kinds it accepts and what each needs. Every resource method has
 * one, on the method or its class (the method's wins); an endpoint without one fails the architecture test and is
 * refused at run time. {@link AccessPolicy} enforces it before the method runs: no credential where one is needed
 * is 401, a credential of a kind the endpoint refuses, or lacking the role, scope or client it needs, is 403
 * problem+json saying which. Checks that depend on the data (the caller's own generation, membership of the
 * tenant in the path) stay in the use case.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
public @interface Access {

    /** Anyone, with or without a credential: sign-in, public keys, the plan catalogue, Stripe's signed webhooks. */
    boolean anonymous() default false;

    /** The least tenant role a signed-in session needs; empty refuses sessions. */
    Role[] session() default {};

    /** The scope an API key, or a token exchanged from one, needs; empty refuses keys. */
    Scope[] apiKey() default {};

    /** The service clients whose client-credentials tokens may call; empty refuses service tokens. */
    String[] services() default {};

    /** The scope a service client's token needs besides being listed in {@link #services()}. */
    String serviceScope() default "internal";

    /** Whether a platform operator's session may call (an operator is refused elsewhere unless sessions are). */
    boolean operator() default false;
}
