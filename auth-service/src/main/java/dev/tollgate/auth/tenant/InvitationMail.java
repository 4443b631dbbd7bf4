package dev.tollgate.auth.tenant;

import dev.tollgate.auth.config.AuthConfig;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** The mail that invites an address to a tenant. */
@ApplicationScoped
public class InvitationMail {

    public static final String SUBJECT = "You are invited to a Tollgate team";

    private final ReactiveMailer mailer;
    private final AuthConfig config;

    public InvitationMail(ReactiveMailer mailer, AuthConfig config) {
        this.mailer = mailer;
        this.config = config;
    }

    public Uni<Void> send(String to, String tenantName, String role, String token) {
        String link = config.invitation().acceptUrl() + "?token=" + token;
        String body = """
                You are invited to join "%s" on Tollgate as %s.

                Sign in with this address, then accept:

                %s

                The invitation is valid for %d days.
                """.formatted(tenantName, role, link, config.invitation().ttl().toDays());
        return mailer.send(Mail.withText(to, SUBJECT, body).setFrom(config.magicLink().from()));
    }
}
