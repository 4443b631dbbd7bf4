package dev.tollgate.auth;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.auth.magiclink.SignInMail;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.MockMailbox;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;

/** The steps a user takes to sign in by mail, and a verifier's view of the tokens, as tests use them. */
public final class SignInFlow {

    public static final String ISSUER = "http://tollgate.test";
    private static final Pattern LINK = Pattern.compile("/auth/magic-link/confirm\\?token=([A-Za-z0-9_-]+)");

    private SignInFlow() {
    }

    public static String newAddress() {
        return "user-" + UUID.randomUUID() + "@example.com";
    }

    public static Response requestLink(String email) {
        return given().contentType(ContentType.JSON).body(Map.of("email", email)).post("/auth/magic-link");
    }

    /** The token of the newest sign-in mail sent to {@code email}. */
    public static String tokenFromMail(MockMailbox mailbox, String email) {
        List<Mail> mails = mailbox.getMailsSentTo(email);
        Mail mail = mails.get(mails.size() - 1);
        assertEquals(SignInMail.SUBJECT, mail.getSubject());
        Matcher matcher = LINK.matcher(mail.getText());
        if (!matcher.find()) {
            throw new AssertionError("no sign-in link in: " + mail.getText());
        }
        return matcher.group(1);
    }

    /** Confirms as a native app does: it keeps the refresh token itself, so it asks for it in the answer. */
    public static Response confirm(String token) {
        return given().contentType(ContentType.JSON).body(Map.of("token", token, "refresh_token_in_body", true))
                .post("/auth/magic-link/confirm");
    }

    /** Signs a new user in and answers the token response. */
    public static Response signIn(MockMailbox mailbox, String email) {
        requestLink(email).then().statusCode(202);
        Response response = confirm(tokenFromMail(mailbox, email));
        response.then().statusCode(200);
        return response;
    }

    public static Response refresh(String refreshToken) {
        return given().contentType(ContentType.URLENC)
                .formParam("grant_type", "refresh_token")
                .formParam("refresh_token", refreshToken)
                .post("/auth/token");
    }

    /** Exchanges an API key for an access token (RFC 8693), as an SDK does before calling the other services. */
    public static Response exchange(String apiKey) {
        return given().contentType(ContentType.URLENC)
                .formParam("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange")
                .formParam("subject_token_type", "urn:tollgate:token-type:api-key")
                .formParam("subject_token", apiKey)
                .post("/auth/token");
    }

    /** Verifies an access token as a resource server would: signature against the JWKS, issuer, audience, expiry. */
    public static JwtClaims verify(String accessToken) throws Exception {
        JsonWebKeySet jwks = new JsonWebKeySet(given().get("/.well-known/jwks.json").then().statusCode(200)
                .extract().asString());
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setExpectedIssuer(ISSUER)
                .setExpectedAudience("tollgate")
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256)
                .setVerificationKeyResolver(new JwksVerificationKeyResolver(jwks.getJsonWebKeys()))
                .build();
        return consumer.processToClaims(accessToken);
    }

    /** The {@code kid} header of a token, read without verifying it. */
    public static String kid(String jwt) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setCompactSerialization(jwt);
        return jws.getKeyIdHeaderValue();
    }
}
