package org.skein.demo.system;

import androidx.annotation.NonNull;
import androidx.lifecycle.DefaultLifecycleObserver;
import androidx.lifecycle.LifecycleOwner;

import org.skein.demo.core.PowerController;

/**
 * The process lifecycle (ProcessLifecycleOwner: ON_START when the first
 * activity becomes visible, ON_STOP shortly after the last one is hidden)
 * to the node's power mode: foreground ↔ PowerForeground, background ↔
 * PowerBackground.
 */
public final class ProcessPowerObserver implements DefaultLifecycleObserver {
    private final PowerController power;

    public ProcessPowerObserver(PowerController power) {
        this.power = power;
    }

    @Override
    public void onStart(@NonNull LifecycleOwner owner) {
        power.onForeground();
    }

    @Override
    public void onStop(@NonNull LifecycleOwner owner) {
        power.onBackground();
    }
}
