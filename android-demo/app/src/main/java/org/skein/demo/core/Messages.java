package org.skein.demo.core;

import org.skein.mobile.Mobile;

/**
 * Turns exceptions into messages a user can read and act on: the one place
 * that knows the binding's error codes. Every presenter's errors go through
 * {@link #of} ({@link AppExecutors#run} calls it), so a screen shows the same
 * words for the same cause.
 *
 * <p>The node's errors carry a code ({@code Mobile.errorCode(e)}, one of
 * {@code Mobile.Code*}); {@link #forCode} has a message for each. An error
 * without a code of its own (CodeInternal: a Java exception, or a failure the
 * node did not expect) shows its own message.
 */
public final class Messages {
    private Messages() {}

    /**
     * The message to show for e: the message of the binding's code of e, or
     * of the first cause that has one (a Java exception may wrap the node's);
     * e's own message if none has a code.
     */
    public static String of(Throwable e) {
        if (e == null) {
            return "Something went wrong.";
        }
        Throwable t = e;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) { // bounded: causes may loop
            long c = code(t);
            if (c != Mobile.CodeInternal && c != Mobile.CodeOK) {
                String msg = forCode(c, detail(t));
                if (msg != null) {
                    return msg;
                }
            }
        }
        return forCode(Mobile.CodeInternal, detail(e));
    }

    /**
     * The binding's error code of e: {@code Mobile.errorCode(e)}, CodeOK for
     * null, CodeInternal for a Throwable that is not an Exception or when the
     * binding's library cannot be loaded.
     */
    public static long code(Throwable e) {
        if (e == null) {
            return Mobile.CodeOK;
        }
        if (!(e instanceof Exception)) {
            return Mobile.CodeInternal;
        }
        try {
            return Mobile.errorCode((Exception) e);
        } catch (RuntimeException | LinkageError x) {
            return Mobile.CodeInternal;
        }
    }

    /**
     * The message for an error with this code, whose own message is detail;
     * null for a number that is not a code (then show detail). Each message
     * says what happened and what to do; detail is added where it says more
     * than the code does (which word of a phrase, which key holds a name).
     */
    public static String forCode(long code, String detail) {
        String d = detail == null ? "" : detail.trim();
        if (code != (int) code) {
            return null;
        }
        switch ((int) code) {
            case (int) Mobile.CodeOK:
                return d.isEmpty() ? "Done." : d;
            case (int) Mobile.CodeInternal:
                return d.isEmpty() ? "Something went wrong. Try again; if it keeps happening, restart the app." : d;
            case (int) Mobile.CodeInvalidInput:
                return with("Something is missing or not valid: check what you entered.", d);
            case (int) Mobile.CodeInvalidName:
                return "A username has 3 to 32 characters: a-z, 0-9 and _ only.";
            case (int) Mobile.CodeInvalidPost:
                return with("A post has 1 to " + Validation.MAX_POST_CHARS
                        + " characters and no control characters other than new lines and tabs.", d);
            case (int) Mobile.CodeWrongPassword:
                return "Wrong password. Check it (it is case-sensitive) and try again.";
            case (int) Mobile.CodeNoAccount:
                return "There is no account with this name on this phone. Register it, or restore it "
                        + "with its recovery phrase.";
            case (int) Mobile.CodeAccountExists:
                return "This account is already on this phone: log in with its password instead.";
            case (int) Mobile.CodeUnknownName:
                return "Nobody in the network has this name. Check the spelling; if it is right, check "
                        + "that you are connected (the relay address in the login screen's settings).";
            case (int) Mobile.CodeNameTaken:
                return "This name belongs to someone else: choose another one.";
            case (int) Mobile.CodeNameConflict:
                return with("Several accounts claim this name, so Skein cannot tell which one is meant. "
                        + "Ask them for their key.", d);
            case (int) Mobile.CodeNotLoggedIn:
                return "You are logged out: log in again.";
            case (int) Mobile.CodeLoggedIn:
                return "An account is logged in already: log out first.";
            case (int) Mobile.CodeRestoring:
                return "Your account is still being restored: its posts are being fetched from the network. "
                        + "Try again in a minute.";
            case (int) Mobile.CodeBadSecret:
                return with("That recovery phrase or key file is not valid. Compare each of the 24 words "
                        + "and their order with your copy.", d);
            case (int) Mobile.CodeNoPost:
                return "This post is not here any more: its author may have deleted it. Refresh.";
            case (int) Mobile.CodeNotYours:
                return "You can only delete your own posts.";
            case (int) Mobile.CodeNotFollowing:
                return "You do not follow this user.";
            case (int) Mobile.CodeSelfFollow:
                return "You cannot follow yourself.";
            case (int) Mobile.CodeNetwork:
                return "The network did not answer. Check your connection and the relay address, then try again.";
            case (int) Mobile.CodeNoSpace:
                return "The phone's storage is full. Free some space and try again: nothing was lost.";
            case (int) Mobile.CodeDataDirInUse:
                return "Skein's data is in use by another copy of the app. Close it, then try again.";
            case (int) Mobile.CodeNotStarted:
                return "Skein is still starting. Try again in a moment.";
            case (int) Mobile.CodeStarted:
                return "Skein is running already.";
            case (int) Mobile.CodeClosed:
                return "Skein has shut down. Restart the app.";
            case (int) Mobile.CodeInvalidProfile:
                return with("A display name has at most 64 characters on one line, a bio at most 300, "
                        + "and a link is an http:// or https:// address.", d);
            case (int) Mobile.CodeSelfMute:
                return "You cannot mute or block yourself.";
            case (int) Mobile.CodeBlocked:
                return "You blocked this user. Unblock them to see their posts.";
            case (int) Mobile.CodeListFull:
                return "This list is full. Remove some of it first.";
            case (int) Mobile.CodeNotLiked:
                return "You have not liked this post.";
            case (int) Mobile.CodeBadQuery:
                return with("Type 1 to 100 characters to search for.", d);
            case (int) Mobile.CodeNoConversation:
                return "There is no conversation with this name, and nobody with this username. Check the spelling.";
            case (int) Mobile.CodeAmbiguous:
                return "Several of your conversations have this name: pick the one you mean from the list.";
            case (int) Mobile.CodeNotMember:
                return "You are not a member of this group (any more).";
            case (int) Mobile.CodeNotAdmin:
                return "Only an admin of the group can do this.";
            case (int) Mobile.CodeInviteInvalid:
                return "This invitation cannot be used: it expired or was used already. Ask for a new one.";
            case (int) Mobile.CodeInvalidMessage:
                return with("A message has 1 to " + Mobile.MaxMessageChars
                        + " characters and no control characters other than new lines and tabs.", d);
            case (int) Mobile.CodeNoPrekey:
                return "This user's phone and the relays cannot be reached to start an encrypted conversation. "
                        + "Try again later.";
            case (int) Mobile.CodeSelfMessage:
                return "You cannot send a message to yourself.";
            case (int) Mobile.CodeInvalidGroupName:
                return "A group name has 1 to 64 characters on one line.";
            case (int) Mobile.CodeLastAdmin:
                return "A group needs an admin: make someone else admin first.";
            case (int) Mobile.CodeNotInDM:
                return "A direct conversation always has its two people: this is for groups only.";
            case (int) Mobile.CodeInvalidMedia:
                return with("This image cannot be attached: only JPEG, PNG, GIF and WebP images whose "
                        + "contents match their type, at most 4 per post.", d);
            case (int) Mobile.CodeMediaTooLarge:
                return "This file is too large: at most 64 MB.";
            case (int) Mobile.CodeNoMedia:
                return "This image is not on the phone and nobody who has it answers. Try again later.";
            case (int) Mobile.CodeNoAlbum:
                return with("There is no such album.", d);
            default:
                return null;
        }
    }

    /** text, then the node's detail in parentheses if there is one. */
    private static String with(String text, String detail) {
        return detail.isEmpty() ? text : text + " (" + detail + ")";
    }

    /** e's own message, trimmed; its cause's if it has none; its kind if neither has one. */
    static String detail(Throwable e) {
        String msg = e.getMessage();
        if (msg == null || msg.trim().isEmpty()) {
            Throwable cause = e.getCause();
            if (cause != null && cause != e) {
                return detail(cause);
            }
            return e.getClass().getSimpleName();
        }
        return msg.trim();
    }
}
