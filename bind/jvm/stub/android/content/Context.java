package android.content;

/** Compile-time stand-in for Android's Context, which go.Seq.setContext names; tests never call it. */
public class Context {}
