package org.skein.demo.core;

/**
 * The node's power modes (see {@code Mobile.PowerForeground} and friends).
 * Kept as an enum here so that the presenters and their fakes need no
 * binding; {@link NodeClient} maps them to the binding's constants.
 */
public enum PowerMode {
    /** The app is visible: live delivery. */
    FOREGROUND,
    /** Periodic batched sync, no open connection between wakes. */
    BACKGROUND,
    /** No network at all; posts are queued. */
    OFF
}
