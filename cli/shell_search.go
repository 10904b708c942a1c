package cli

import (
	"context"
	"fmt"

	"github.com/skein-p2p/skein/core"
)

// search asks for a query and shows the users and posts found; a query
// starting with '#' finds that hashtag.
func (s *shell) search(ctx context.Context) error {
	q, err := s.ask(ctx, "Search (a #tag finds that hashtag): ")
	if err != nil || q == "" {
		return err
	}
	kind := core.SearchAll
	if len(q) > 1 && q[0] == '#' {
		kind = core.SearchTag
	}
	res, err := s.c.Search(ctx, q, kind, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.e.stdout, "\n|= Search: %s =|\n", inert(q))
	writeSearch(s.e.stdout, res, core.SearchAll)
	return nil
}
