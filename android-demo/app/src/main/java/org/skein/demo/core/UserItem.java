package org.skein.demo.core;

/** An account as seen from this device. Immutable. */
public final class UserItem {
    public final String name;
    public final String key; // account public key, hex
    public final long sinceMillis; // when the follow began, in following/followers lists; 0 otherwise
    /** How much of their log this phone holds, in the following list; null otherwise. */
    public final LogInfo log;

    public UserItem(String name, String key, long sinceMillis) {
        this(name, key, sinceMillis, null);
    }

    public UserItem(String name, String key, long sinceMillis, LogInfo log) {
        this.name = PostItem.nonNull(name);
        this.key = PostItem.nonNull(key);
        this.sinceMillis = sinceMillis;
        this.log = log;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof UserItem)) {
            return false;
        }
        UserItem u = (UserItem) o;
        return u.name.equals(name) && u.key.equals(key);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + key.hashCode();
    }

    @Override
    public String toString() {
        return "@" + name;
    }
}
