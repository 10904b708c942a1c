// Package chatlog defines the signed entries of Skein's group chats and
// direct messages: their canonical encoding, signing, verification, the
// bodies of control entries and the payload of messages.
//
// Full documentation of the layouts, the per-kind rules and test vectors
// is in docs/PROTOCOL.md, "Messaging entries".
package chatlog
