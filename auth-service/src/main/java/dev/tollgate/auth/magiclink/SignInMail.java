package dev.tollgate.auth.magiclink;

import dev.tollgate.auth.config.AuthConfig;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** The mail that carries a sign-in link. */
@ApplicationScoped
public class SignInMail {

    public static final String SUBJECT = "Your Tollgate sign-in link";

    private final ReactiveMailer mailer;
    private final AuthConfig config;

    public SignInMail(ReactiveMailer mailer, AuthConfig config) {
        this.mailer = mailer;
        this.config = config;
    }

    public Uni<Void> send(String to, String token) {
        String link = config.publicUrl() + "/auth/magic-link/confirm?token=" + token;
        long minutes = config.magicLink().ttl().toMinutes();
        String body = """
                Open this link to sign in to Tollgate:

                %s

                It works once, for the next %d minutes. If you did not ask to sign in, ignore this mail: nothing \
                happens until the link is confirmed.
                """.formatted(link, minutes);
        return mailer.send(Mail.withText(to, SUBJECT, body).setFrom(config.magicLink().from()));
    }
}
