package mobile

import "github.com/skein-p2p/skein/core"

// PowerMode is one of the node's power modes. Get one from
// PowerForeground, PowerBackground or PowerOff: it is a type of its own, so
// that a NetworkType cannot be passed where a PowerMode is due. Two modes
// are the same when their names are (Java's equals and Kotlin's == compare
// them so).
type PowerMode struct {
	// Name is "foreground", "background" or "off". Do not set it: a mode
	// with any other name is refused with CodeInvalidInput.
	Name string
}

// PowerForeground is the mode of a visible app: posts arrive live.
func PowerForeground() *PowerMode { return &PowerMode{Name: core.PowerForeground.String()} }

// PowerBackground is the mode of an app in the background: no connection
// is kept open, and the node wakes every Config.BackgroundSyncMinutes for
// one batched sync.
func PowerBackground() *PowerMode { return &PowerMode{Name: core.PowerBackground.String()} }

// PowerOff uses no network at all; posts are kept and published when the
// node is next online.
func PowerOff() *PowerMode { return &PowerMode{Name: core.PowerOff.String()} }

// String returns the mode's name.
func (m *PowerMode) String() string { return m.Name }

func newPowerMode(m core.PowerMode) *PowerMode { return &PowerMode{Name: m.String()} }

// core returns m as core's mode; what names the argument in the error.
func (m *PowerMode) core(what string) (core.PowerMode, error) {
	if m == nil {
		return 0, newError(CodeInvalidInput, what+" is missing (null): use Mobile.powerForeground(), powerBackground() or powerOff()")
	}
	for _, c := range []core.PowerMode{core.PowerForeground, core.PowerBackground, core.PowerOff} {
		if m.Name == c.String() {
			return c, nil
		}
	}
	return 0, newError(CodeInvalidInput, "unknown power mode "+quote(m.Name)+": use Mobile.powerForeground(), powerBackground() or powerOff()")
}

// NetworkType is the kind of network the device is on. Get one from
// NetworkWiFi, NetworkCellular or NetworkNone; like PowerMode, it is a type
// of its own.
type NetworkType struct {
	// Name is "wifi", "cellular" or "none". Do not set it: a type with
	// any other name is refused with CodeInvalidInput.
	Name string
}

// NetworkWiFi is an unmetered network: Wi-Fi or wired.
func NetworkWiFi() *NetworkType { return &NetworkType{Name: core.NetworkWiFi.String()} }

// NetworkCellular is a metered network: the node fetches no old history
// and announces no logs it holds.
func NetworkCellular() *NetworkType { return &NetworkType{Name: core.NetworkCellular.String()} }

// NetworkNone is no network: the node behaves as in PowerOff.
func NetworkNone() *NetworkType { return &NetworkType{Name: core.NetworkNone.String()} }

// String returns the type's name.
func (t *NetworkType) String() string { return t.Name }

func newNetworkType(t core.NetworkType) *NetworkType { return &NetworkType{Name: t.String()} }

func (t *NetworkType) core() (core.NetworkType, error) {
	if t == nil {
		return 0, newError(CodeInvalidInput, "network type is missing (null): use Mobile.networkWiFi(), networkCellular() or networkNone()")
	}
	for _, c := range []core.NetworkType{core.NetworkWiFi, core.NetworkCellular, core.NetworkNone} {
		if t.Name == c.String() {
			return c, nil
		}
	}
	return 0, newError(CodeInvalidInput, "unknown network type "+quote(t.Name)+": use Mobile.networkWiFi(), networkCellular() or networkNone()")
}

// SetPowerMode switches the node to mode: PowerForeground when the app
// comes to the foreground, PowerBackground when it leaves it, PowerOff to
// stay off the network. The switch is done when it returns.
func (n *Node) SetPowerMode(mode *PowerMode) error {
	m, err := mode.core("power mode")
	if err != nil {
		return err
	}
	cn, err := n.core()
	if err != nil {
		return err
	}
	return coded(cn.SetPowerMode(m))
}

// SetNetworkType tells the node which network the device is on, as the
// platform reports it: NetworkWiFi, NetworkCellular or NetworkNone.
func (n *Node) SetNetworkType(t *NetworkType) error {
	nt, err := t.core()
	if err != nil {
		return err
	}
	cn, err := n.core()
	if err != nil {
		return err
	}
	return coded(cn.SetNetworkType(nt))
}
