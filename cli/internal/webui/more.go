package webui

import "net/http"

// morePages adds the pages beyond the feed, the thread and the accounts.
func (s *Server) morePages(mux *http.ServeMux) {}
