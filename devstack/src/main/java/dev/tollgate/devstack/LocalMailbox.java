package dev.tollgate.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local profile's mailbox: auth-service writes each mail to its log instead of sending it. Journeys and
 * benches read sign-in and invitation links from there, as a person following the README does with grep.
 */
public final class LocalMailbox {

    private static final Pattern SIGN_IN_LINK = Pattern.compile("confirm\\?token=([A-Za-z0-9_-]+)");
    private static final Pattern INVITATION_LINK = Pattern.compile("invitations/accept\\?token=([A-Za-z0-9_-]+)");
    /** How far before a mail's address its link may stand in the log: one mail's length, generously. */
    private static final int MAIL_LENGTH = 4000;

    private LocalMailbox() {
    }

    /** The token of the sign-in link last mailed to {@code email} in {@code authLog}, or null when none is there. */
    public static String lastSignInToken(Path authLog, String email) {
        return lastToken(authLog, email, SIGN_IN_LINK);
    }

    /** The token of the invitation last mailed to {@code email} in {@code authLog}, or null when none is there. */
    public static String lastInvitationToken(Path authLog, String email) {
        return lastToken(authLog, email, INVITATION_LINK);
    }

    private static String lastToken(Path authLog, String email, Pattern link) {
        try {
            String log = Files.readString(authLog);
            int at = log.lastIndexOf(email);
            if (at < 0) {
                return null;
            }
            Matcher matcher = link.matcher(log);
            String token = null;
            while (matcher.find()) {
                if (matcher.start() > at - MAIL_LENGTH) {
                    token = matcher.group(1);
                }
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
