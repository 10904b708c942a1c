package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/skein-p2p/skein/core"
)

// The shell's items for direct messages and group chats.

func (s *shell) conversations(ctx context.Context) error {
	cs, err := s.c.Conversations(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, "\n|= Conversations =|")
	writeConversations(s.e.stdout, cs.Conversations, "No conversations yet: send a direct message or create a group.")
	return nil
}

// askConv asks for a conversation; "" means the user cancelled.
func (s *shell) askConv(ctx context.Context, prompt string) (string, error) {
	ref, err := s.ask(ctx, prompt)
	return convArg(ref), err
}

func (s *shell) chat(ctx context.Context) error {
	ref, err := s.askConv(ctx, "Chat with (a username, group name or ID, Enter to cancel): ")
	if err != nil || ref == "" {
		return err
	}
	return runChat(ctx, s.e, s.c, ref)
}

func (s *shell) dm(ctx context.Context) error {
	name, err := s.askName(ctx, "To (username, Enter to cancel): ")
	if err != nil || name == "" {
		return err
	}
	text, err := s.ask(ctx, "Message: ")
	if err != nil {
		return err
	}
	if text == "" {
		fmt.Fprintln(s.e.stdout, "Nothing sent.")
		return nil
	}
	m, err := s.c.SendDM(ctx, name, text)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, "Sent:")
	fmt.Fprintln(s.e.stdout, messageLine(m))
	return nil
}

func (s *shell) newGroup(ctx context.Context) error {
	name, err := s.ask(ctx, "Group name (Enter to cancel): ")
	if err != nil || name == "" {
		return err
	}
	public, err := s.ask(ctx, "Public (anyone can find and read it)? [y/N] ")
	if err != nil {
		return err
	}
	opts := core.GroupOptions{Public: strings.HasPrefix(strings.ToLower(public), "y")}
	if !opts.Public {
		joined, err := s.ask(ctx, "Can new members read what was sent before they joined? [Y/n] ")
		if err != nil {
			return err
		}
		opts.HistoryJoined = strings.HasPrefix(strings.ToLower(joined), "n")
	}
	cv, err := s.c.CreateGroup(ctx, name, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.e.stdout, "Created %s [%s], a %s.\n", inert(cv.Name), shortID(cv.ID), groupKind(cv))
	return nil
}

func (s *shell) invite(ctx context.Context) error {
	group, err := s.askConv(ctx, "Group (name or ID, Enter to cancel): ")
	if err != nil || group == "" {
		return err
	}
	name, err := s.askName(ctx, "Invite (username): ")
	if err != nil || name == "" {
		return err
	}
	admin, err := s.ask(ctx, "As an admin? [y/N] ")
	if err != nil {
		return err
	}
	cv, err := s.c.Conversation(ctx, group)
	if err != nil {
		return err
	}
	if err := s.c.Invite(ctx, cv.ID, name, core.InviteOptions{Admin: strings.HasPrefix(strings.ToLower(admin), "y")}); err != nil {
		return err
	}
	fmt.Fprintf(s.e.stdout, "Invited @%s to %s [%s], valid for 7 days.\n", inert(name), inert(cv.Name), shortID(cv.ID))
	return nil
}

func (s *shell) join(ctx context.Context) error {
	group, err := s.askConv(ctx, "Join group (its ID, or its name if invited; Enter to cancel): ")
	if err != nil || group == "" {
		return err
	}
	cv, err := s.c.Join(ctx, group)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.e.stdout, "Joined %s [%s], %s.\n", inert(cv.Name), shortID(cv.ID), groupKind(cv))
	return nil
}

func (s *shell) leave(ctx context.Context) error {
	group, err := s.askConv(ctx, "Leave group (name or ID, Enter to cancel): ")
	if err != nil || group == "" {
		return err
	}
	cv, err := s.c.Conversation(ctx, group)
	if err != nil {
		return err
	}
	sure, err := s.ask(ctx, fmt.Sprintf("Leave %s? You will not read what is sent after. [y/N] ", inert(cv.Name)))
	if err != nil || !strings.HasPrefix(strings.ToLower(sure), "y") {
		return err
	}
	if err := s.c.Leave(ctx, cv.ID); err != nil {
		return err
	}
	fmt.Fprintf(s.e.stdout, "Left %s.\n", inert(cv.Name))
	return nil
}

func (s *shell) members(ctx context.Context) error {
	group, err := s.askConv(ctx, "Group (name or ID, Enter to cancel): ")
	if err != nil || group == "" {
		return err
	}
	ms, err := s.c.Members(ctx, group)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, "\n|= Members =|")
	writeMembers(s.e.stdout, ms.Members)
	return nil
}

func (s *shell) searchGroups(ctx context.Context) error {
	q, err := s.ask(ctx, "Search public groups: ")
	if err != nil || q == "" {
		return err
	}
	gs, err := s.c.SearchGroups(ctx, q, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.e.stdout, "\n|= Groups: %s =|\n", inert(q))
	writeGroups(s.e.stdout, gs.Groups)
	return nil
}
