package mobile

import (
	"context"

	"github.com/skein-p2p/skein/core"
)

// Register creates an account on this device, claims its name in the
// network and logs in. Errors: CodeInvalidName, CodeInvalidInput (an empty
// password), CodeAccountExists, CodeNameTaken, CodeLoggedIn.
func (n *Node) Register(name, password string) (*User, error) {
	if err := firstMissing("name", name, "password", password); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.User, error) {
		return cn.Register(ctx, name, password)
	}, newUser)
}

// Login unlocks an account stored on this device and logs it in. Errors:
// CodeNoAccount, CodeWrongPassword, CodeLoggedIn.
func (n *Node) Login(name, password string) (*User, error) {
	if err := firstMissing("name", name, "password", password); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.User, error) {
		return cn.Login(ctx, name, password)
	}, newUser)
}

// Logout logs the account out.
func (n *Node) Logout() error {
	return n.call(func(ctx context.Context, cn *core.Node) error { return cn.Logout(ctx) })
}

// Accounts lists the names of the accounts stored on this device, in name
// order; Login takes any of them.
func (n *Node) Accounts() (*StringList, error) {
	return get(n, func(ctx context.Context, cn *core.Node) (core.Status, error) {
		return cn.Status(ctx)
	}, func(st core.Status) *StringList { return &StringList{items: st.Accounts} })
}

// ExportPhrase returns the logged-in account's recovery phrase: 24 words
// that restore the account on another device (RestorePhrase). Anyone who
// reads them owns the account: show them only on the user's request, with
// that warning, and never log or send them. password must be the
// account's (CodeWrongPassword).
func (n *Node) ExportPhrase(password string) (string, error) {
	if err := required("password", password); err != nil {
		return "", err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (string, error) {
		return cn.ExportPhrase(ctx, password)
	}, same)
}

// ExportKeyFile returns the logged-in account's key file: a small text
// file holding its name and key, sealed with the account's password, for
// RestoreKeyFile on another device. password must be the account's.
func (n *Node) ExportKeyFile(password string) ([]byte, error) {
	if err := required("password", password); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) ([]byte, error) {
		return cn.ExportKeyFile(ctx, password)
	}, same)
}

// RestorePhrase restores the account name on this device from its
// recovery phrase, protects it here with password, and logs in. The name's
// record must be found in the network. The account's own log is then
// fetched in the background: until Status().Restoring is false, posting
// fails with CodeRestoring. Errors: CodeBadSecret, CodeUnknownName,
// CodeAccountExists.
func (n *Node) RestorePhrase(name, phrase, password string) (*User, error) {
	if err := firstMissing("name", name, "recovery phrase", phrase, "password", password); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.User, error) {
		return cn.RestorePhrase(ctx, name, phrase, password)
	}, newUser)
}

// RestoreKeyFile restores an account on this device from a key file made
// by ExportKeyFile, and logs in; password is the one the file was sealed
// with and stays the account's. See RestorePhrase. Errors: CodeBadSecret,
// CodeWrongPassword, CodeAccountExists.
func (n *Node) RestoreKeyFile(keyFile []byte, password string) (*User, error) {
	if len(keyFile) == 0 {
		return nil, newError(CodeInvalidInput, "key file is missing (null or empty)")
	}
	if err := required("password", password); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.User, error) {
		return cn.RestoreKeyFile(ctx, keyFile, password)
	}, newUser)
}

// firstMissing checks pairs of argument names and values with required,
// in order.
func firstMissing(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := required(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// same is the conversion of results that cross the binding as they are.
func same[T any](v T) T { return v }
