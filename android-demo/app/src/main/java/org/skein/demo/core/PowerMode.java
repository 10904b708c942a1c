package org.skein.demo.core;

/**
 * The node's power modes (see {@code Mobile.powerForeground()} and friends).
 * Kept as an enum here so that the presenters and their fakes need no
 * binding, and switch on them; {@link NodeClient} maps them to the binding's
 * PowerMode objects.
 */
public enum PowerMode {
    /** The app is visible: live delivery. */
    FOREGROUND,
    /** Periodic batched sync, no open connection between wakes. */
    BACKGROUND,
    /** No network at all; posts are queued. */
    OFF
}
